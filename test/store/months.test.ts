/**
 * Monthly totals kept forever (src/store/months.ts), on both stores, through the Store interface:
 * a day's load and its month agree exactly for every dimension, reloading and purging leave the
 * month right, `__all__`'s months are the sums of the packages'.
 */
import { expect, it } from 'vitest';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { dayRange } from '../../src/domain/dates.js';
import { dimensions } from '../../src/domain/dimensions.js';
import { ALL_PACKAGES } from '../../src/domain/names.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { migrations as sqliteMigrations } from '../../src/store/sqlite/migrations.js';
import type { SeriesPoint, Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore, freshStoreEachTest, onDatabase, type TestStore } from '../support/stores.js';

const PACKAGES = ['alpha', 'beta'];

/** A small deterministic day of every dimension: three categories each, numbers varying by day and package. */
function dayRows(day: string, seed = 0, packages = PACKAGES): AggregateRow[] {
  const n = Number(day.slice(8, 10)) + 31 * Number(day.slice(5, 7)) + seed;
  const rows: AggregateRow[] = [];
  for (const [p, name] of packages.entries()) {
    const base = 100 + ((n * 7 + p * 13) % 50);
    rows.push(row(name, 'overall', 'with_mirrors', base + 5), row(name, 'overall', 'without_mirrors', base));
    for (const dimension of dimensions) {
      if (dimension.categories.kind === 'mirror_split') continue;
      const examples = [...new Set([...dimension.filter.examples, 'null', `x-${dimension.name}`])].slice(0, 3);
      // The day's categories change: one of them only on even days.
      const used = n % 2 === 0 ? examples : examples.slice(0, 2);
      for (const [c, category] of used.entries()) rows.push(row(name, dimension.name, category, ((n + c * 3 + p) % 11) + 1));
    }
  }
  return rows;
}

/** The day series summed by month: what a month must hold. */
function byMonth(points: SeriesPoint[]): SeriesPoint[] {
  const sums = new Map<string, number>();
  for (const point of points) {
    const key = `${point.category}\u0000${point.day.slice(0, 7)}`;
    sums.set(key, (sums.get(key) ?? 0) + point.downloads);
  }
  return sorted([...sums].map(([key, downloads]) => ({ category: key.split('\u0000')[0]!, day: key.split('\u0000')[1]!, downloads })));
}

function sorted(points: SeriesPoint[]): SeriesPoint[] {
  return [...points].sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));
}

describeEachStore('monthly totals', (kind) => {
  let t: TestStore;
  let store: Store;

  freshStoreEachTest(kind, (fresh) => {
    t = fresh;
    store = fresh.store;
  });

  async function load(day: string, rows: AggregateRow[], purgeBefore?: string) {
    return store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 7)), purgeBefore });
  }

  /** Every dimension of every package (and __all__'s global ones): its months equal its days summed. */
  async function expectMonthsEqualDays(packages = [...PACKAGES, ALL_PACKAGES]) {
    for (const name of packages) {
      for (const dimension of dimensions) {
        if (name === ALL_PACKAGES && dimension.scope === 'package') continue;
        const months = sorted(await store.monthSeries(name, dimension.name, {}));
        expect(months, `${name}/${dimension.name}`).toEqual(byMonth(await store.series(name, dimension.name, {})));
        expect(months.length, `${name}/${dimension.name} has months`).toBeGreaterThan(0);
      }
    }
  }

  const days = dayRange('2026-09-27', '2026-10-04');

  it('sums every dimension of a day into its month exactly, __all__ included, across a month boundary', async () => {
    for (const day of days) await load(day, dayRows(day));
    await expectMonthsEqualDays();
    expect(sorted(await store.monthSeries('alpha', 'overall', { start: '2026-10', end: '2026-10' })).map((p) => p.day)).toEqual(['2026-10', '2026-10']);
    expect(await store.monthSeries('missing', 'overall', {})).toEqual([]);
  });

  it("keeps __all__'s months the sums of the packages' months", async () => {
    for (const day of days) await load(day, dayRows(day));
    for (const dimension of dimensions.filter((d) => d.scope === 'global')) {
      const summed = new Map<string, number>();
      for (const name of PACKAGES) {
        for (const point of await store.monthSeries(name, dimension.name, {})) {
          const key = `${point.category}\u0000${point.day}`;
          summed.set(key, (summed.get(key) ?? 0) + point.downloads);
        }
      }
      const all = new Map((await store.monthSeries(ALL_PACKAGES, dimension.name, {})).map((p) => [`${p.category}\u0000${p.day}`, p.downloads]));
      expect(all, dimension.name).toEqual(summed);
    }
  });

  it('reloading a day replaces it in its month: other numbers, other categories, a package gone', async () => {
    for (const day of days) await load(day, dayRows(day));
    await load('2026-10-02', dayRows('2026-10-02', 1, ['alpha', 'gamma']));
    await load('2026-09-28', dayRows('2026-09-28', 2));
    await load('2026-09-28', dayRows('2026-09-28', 3));
    await expectMonthsEqualDays([...PACKAGES, 'gamma', ALL_PACKAGES]);
    // beta had only 2026-10-02 reloaded away: its October lost that day exactly.
    const beta = await store.series('beta', 'overall', { start: '2026-10-01' });
    expect(beta.some((p) => p.day === '2026-10-02')).toBe(false);
  });

  it('a purge leaves the months whole; the months of a purged day stay, and loading it again does not count it twice', async () => {
    for (const day of days) await load(day, dayRows(day));
    const before = {
      alpha: sorted(await store.monthSeries('alpha', 'version', {})),
      all: sorted(await store.monthSeries(ALL_PACKAGES, 'country', {})),
      total: await store.allTimeTotals('alpha'),
    };
    await load('2026-10-05', dayRows('2026-10-05'), '2026-10-02');
    expect((await store.loadedDays()).map((d) => d.day)).toEqual(dayRange('2026-10-02', '2026-10-05'));
    expect(sorted(await store.monthSeries('alpha', 'version', { end: '2026-09' }))).toEqual(before.alpha.filter((p) => p.day === '2026-09'));
    expect(sorted(await store.monthSeries(ALL_PACKAGES, 'country', { end: '2026-09' }))).toEqual(before.all.filter((p) => p.day === '2026-09'));
    // A purged day loaded again (the pipeline's retention guard refuses it; the store keeps the month as counted).
    const september = sorted(await store.monthSeries('alpha', 'overall', { start: '2026-09', end: '2026-09' }));
    await load('2026-09-29', dayRows('2026-09-29', 5));
    expect(sorted(await store.monthSeries('alpha', 'overall', { start: '2026-09', end: '2026-09' }))).toEqual(september);
    const withDay = (await store.allTimeTotals('alpha'))!;
    expect(withDay.withMirrors).toBe(before.total!.withMirrors + dayRows('2026-10-05').find((r) => r.package === 'alpha' && r.category === 'with_mirrors')!.downloads);
  });

  it('says which months a package has and how complete each is; all-time totals over every month', async () => {
    for (const day of days) await load(day, dayRows(day));
    expect(await store.heldMonths('alpha')).toEqual([
      { month: '2026-09', days: 30, daysLoaded: 4, source: 'daily' },
      { month: '2026-10', days: 31, daysLoaded: 4, source: 'daily' },
    ]);
    expect(await store.heldMonths('missing')).toEqual([]);
    const overall = await store.series('alpha', 'overall', {});
    const sum = (category: string) => overall.filter((p) => p.category === category).reduce((total, p) => total + p.downloads, 0);
    expect(await store.allTimeTotals('alpha')).toEqual({ firstMonth: '2026-09', withMirrors: sum('with_mirrors'), withoutMirrors: sum('without_mirrors') });
    expect(await store.allTimeTotals('missing')).toBeNull();
    const top = await store.monthCategoryTotals('alpha', 'python_minor', { start: '2026-10' });
    const october = (await store.series('alpha', 'python_minor', { start: '2026-10-01' })).reduce((m, p) => m.set(p.category, (m.get(p.category) ?? 0) + p.downloads), new Map<string, number>());
    expect(top).toEqual(october);
  });

  it('upgrades a database made before the months: its days keep their numbers and are summed into months', async () => {
    for (const day of days) await load(day, dayRows(day));
    const daysBefore = sorted(await store.series('alpha', 'version', {}));
    const monthsBefore = sorted(await store.monthSeries('alpha', 'version', {}));
    // The schema before the months is this one without their tables (the migrations that add them
    // only add: one on SQLite, two on PostgreSQL, the tables then the filling), followed by one
    // that only remakes the ranked lists, which ranks them anew.
    await onDatabase(kind, t, {
      sqlite: `DROP TABLE package_months; DROP TABLE months; PRAGMA user_version = ${sqliteMigrations.length - 2};`,
      postgres: `DROP TABLE package_months; DROP TABLE months; DROP FUNCTION day_packed; UPDATE schema_version SET version = ${postgresMigrations.length - 3};`,
    });
    const upgraded = await t.openAgain();
    try {
      expect(sorted(await upgraded.series('alpha', 'version', {}))).toEqual(daysBefore);
      expect(sorted(await upgraded.monthSeries('alpha', 'version', {}))).toEqual(monthsBefore);
      expect(await upgraded.heldMonths('beta')).toEqual([
        { month: '2026-09', days: 30, daysLoaded: 4, source: 'daily' },
        { month: '2026-10', days: 31, daysLoaded: 4, source: 'daily' },
      ]);
      // And the months go on from there.
      await upgraded.replaceDay({ day: '2026-10-05', source: 'test', summary: null, rows: withAllPackagesTotals(chunks(dayRows('2026-10-05'))) });
      for (const dimension of dimensions) {
        expect(sorted(await upgraded.monthSeries('beta', dimension.name, {}))).toEqual(byMonth(await upgraded.series('beta', dimension.name, {})));
      }
    } finally {
      await upgraded.close();
    }
  });

  const backfill = (month: string, monthDays: string[], rows: AggregateRow[]) =>
    store.replaceBackfillMonth({ month, days: monthDays, rows: withAllPackagesTotals(chunks(rows, 5)) });

  it('a backfill fills months before the days; a month with both sums its daily days and its backfilled others', async () => {
    for (const day of days) await load(day, dayRows(day));
    // 2026-09's first 26 days backfilled, its last four loaded daily; 2025-01 backfilled whole.
    const september = dayRange('2026-09-01', '2026-09-26');
    await backfill('2026-09', september, dayRows('2026-09-15'));
    await backfill('2025-01', dayRange('2025-01-01', '2025-01-31'), dayRows('2025-01-10', 0, ['alpha', 'old-only']));
    expect(await store.countedDays('2026-09')).toEqual({ daily: dayRange('2026-09-27', '2026-09-30'), backfill: september });
    expect(await store.heldMonths('alpha')).toEqual([
      { month: '2025-01', days: 31, daysLoaded: 31, source: 'backfill' },
      { month: '2026-09', days: 30, daysLoaded: 30, source: 'backfill' },
      { month: '2026-10', days: 31, daysLoaded: 4, source: 'daily' },
    ]);
    for (const dimension of dimensions) {
      const daily = byMonth(await store.series('beta', dimension.name, { end: '2026-09-30' }));
      const backfilled = dayRows('2026-09-15').filter((r) => r.package === 'beta' && r.dimension === dimension.name);
      const expected = new Map(daily.map((p) => [p.category, p.downloads]));
      for (const r of backfilled) expected.set(r.category, (expected.get(r.category) ?? 0) + r.downloads);
      const september = await store.monthSeries('beta', dimension.name, { start: '2026-09', end: '2026-09' });
      expect(new Map(september.map((p) => [p.category, p.downloads])), dimension.name).toEqual(expected);
    }
    const oldOnly = await store.monthSeries('old-only', 'overall', {});
    expect(sorted(oldOnly)).toEqual(sorted(dayRows('2025-01-10', 0, ['alpha', 'old-only']).filter((r) => r.package === 'old-only' && r.dimension === 'overall').map((r) => ({ category: r.category, day: '2025-01', downloads: r.downloads }))));
    expect((await store.allTimeTotals('old-only'))?.firstMonth).toBe('2025-01');
    expect((await store.allTimeTotals('alpha'))?.firstMonth).toBe('2025-01');
    // __all__'s backfilled months are the packages' sums too.
    const all = await store.monthSeries(ALL_PACKAGES, 'overall', { start: '2025-01', end: '2025-01' });
    const withMirrors = dayRows('2025-01-10', 0, ['alpha', 'old-only']).filter((r) => r.category === 'with_mirrors').reduce((sum, r) => sum + r.downloads, 0);
    expect(all.find((p) => p.category === 'with_mirrors')?.downloads).toBe(withMirrors);
  });

  it('a backfill of a month again replaces its backfill whole; a daily day is never overwritten or counted twice', async () => {
    for (const day of days) await load(day, dayRows(day));
    await backfill('2026-09', dayRange('2026-09-01', '2026-09-26'), dayRows('2026-09-15'));
    const first = sorted(await store.monthSeries('alpha', 'version', {}));
    await backfill('2026-09', dayRange('2026-09-01', '2026-09-26'), dayRows('2026-09-15'));
    expect(sorted(await store.monthSeries('alpha', 'version', {}))).toEqual(first);
    // Another backfill of it, with beta gone from it: beta's September is its daily days alone.
    await backfill('2026-09', dayRange('2026-09-01', '2026-09-20'), dayRows('2026-09-16', 0, ['alpha']));
    expect(sorted(await store.monthSeries('beta', 'overall', { end: '2026-09' }))).toEqual(byMonth(await store.series('beta', 'overall', { end: '2026-09-30' })));
    expect((await store.countedDays('2026-09')).backfill).toEqual(dayRange('2026-09-01', '2026-09-20'));
    const before = sorted(await store.monthSeries('alpha', 'overall', {}));
    // A backfill counting a daily day is refused, and writes nothing.
    await expect(backfill('2026-09', ['2026-09-26', '2026-09-27'], dayRows('2026-09-15'))).rejects.toThrow(
      '2026-09-27 is counted by a daily load: a backfill of 2026-09 must leave it out',
    );
    await expect(backfill('2026-09', ['2026-10-01'], dayRows('2026-09-15'))).rejects.toThrow('2026-10-01 is not a day of 2026-09');
    await expect(backfill('2026-09', [], dayRows('2026-09-15'))).rejects.toThrow('a backfill of 2026-09 must count at least one day');
    // And a daily load of a backfilled day too.
    await expect(load('2026-09-20', dayRows('2026-09-20'))).rejects.toThrow('2026-09-20 is counted in its month by a backfill: loading it as a day would count it twice');
    expect(sorted(await store.monthSeries('alpha', 'overall', {}))).toEqual(before);
    expect((await store.loadedDays()).map((d) => d.day)).toEqual(days);
  });
});
