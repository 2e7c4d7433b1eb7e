import { describe, expect, it } from 'vitest';
import { dayRange } from '../../src/domain/dates.js';
import { purgeForLoad, purgeStart, retainedFrom } from '../../src/pipeline/retention.js';

const TODAY = '2026-12-01';

describe('the retention window', () => {
  it('ends at the latest loaded day, or at today when a day from the future is in the store', () => {
    expect(purgeStart('2026-11-30', 60, TODAY)).toBe('2026-10-02');
    // The finding: a day in 2027 made `purge` (and the load's purge) delete every day.
    expect(purgeStart('2027-11-30', 60, TODAY)).toBe('2026-10-03');
    expect(retainedFrom('2027-11-30', ['2026-11-29'], 60, TODAY)).toBe('2026-10-03');
  });

  it('lets a load purge only the days it pushes out of the window', () => {
    const week = dayRange('2026-11-20', '2026-11-26');
    expect(purgeForLoad(week, '2026-11-27', 7, TODAY)).toBe('2026-11-21');
    expect(purgeForLoad(week, '2026-11-29', 7, TODAY)).toBe('2026-11-23');
    // A day inside the window, or replaced, moves nothing.
    expect(purgeForLoad(week, '2026-11-22', 7, TODAY)).toBeNull();
    expect(purgeForLoad(week, '2026-11-26', 7, TODAY)).toBeNull();
    expect(purgeForLoad([], '2026-11-26', 7, TODAY)).toBeNull();
    // Days already outside the window (RETENTION_DAYS lowered to 3): left to `pypistats purge`.
    expect(purgeForLoad(week, '2026-11-27', 3, TODAY)).toBeNull();
    // A day in the future in the store: the window stops at today, so nothing recent goes.
    expect(purgeForLoad([...week, '2027-11-30'], '2026-11-27', 60, TODAY)).toBeNull();
  });
});
