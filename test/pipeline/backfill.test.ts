/**
 * The backfill's plan and rule on both stores (src/pipeline/backfill.ts): a month with days loaded
 * daily is backfilled over its other days before the retention window, so the month comes to
 * every day of it exactly once, whichever source counted it.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dayRange } from '../../src/domain/dates.js';
import { dimensions } from '../../src/domain/dimensions.js';
import { ALL_PACKAGES } from '../../src/domain/names.js';
import { backfillMonths, planBackfill, spansOf } from '../../src/pipeline/backfill.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import type { Store } from '../../src/store/types.js';
import { everyRuleEvents } from '../support/every-rule-events.js';
import { tempDir, writeNdjson } from '../support/raw-events.js';
import { describeEachStore, freshStoreEachTest } from '../support/stores.js';

let dir: string;
let duck: DuckDb;
let source: FileSource;

beforeAll(async () => {
  dir = await tempDir();
  duck = await DuckDb.open({ threads: 1 });
  const file = await writeNdjson(path.join(dir, 'events.ndjson'), ['2025-03-01', '2025-03-20'].flatMap((day) => everyRuleEvents(day)));
  source = new FileSource(duck, { inputs: [file] });
});
afterAll(async () => {
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

it('runs of consecutive days become one span each', () => {
  expect(spansOf(['2025-03-01', '2025-03-02', '2025-03-05', '2025-03-07', '2025-03-08'])).toEqual([
    { first: '2025-03-01', last: '2025-03-02' },
    { first: '2025-03-05', last: '2025-03-05' },
    { first: '2025-03-07', last: '2025-03-08' },
  ]);
});

describeEachStore('a backfill of months with daily days', (kind) => {
  let store: Store;
  freshStoreEachTest(kind, (fresh) => (store = fresh.store));

  /** Each package's, dimension's and category's downloads over the days, as the files source aggregates each day. */
  async function summedDays(days: string[]): Promise<Map<string, number>> {
    const sums = new Map<string, number>();
    for (const day of days) {
      for await (const chunk of withAllPackagesTotals((await source.aggregateDay(day)).rows)) {
        for (const row of chunk) sums.set(`${row.package}/${row.dimension}/${row.category}`, (sums.get(`${row.package}/${row.dimension}/${row.category}`) ?? 0) + row.downloads);
      }
    }
    return sums;
  }

  it('counts each day once: the daily days as loaded, the others from the backfill; a gap in the window is left to the daily loads', async () => {
    // Today 2025-03-25 with 10 days kept: the daily loads own 2025-03-16 on. 03-19 and 03-21 are loaded; 03-20 is a gap.
    for (const day of ['2025-03-19', '2025-03-21']) {
      await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals((await source.aggregateDay(day)).rows) });
    }
    const plans = await planBackfill(store, { from: '2025-02', to: '2025-03', retentionDays: 10, today: '2025-03-25' });
    expect(plans).toEqual([
      { month: '2025-02', days: dayRange('2025-02-01', '2025-02-28'), done: false },
      { month: '2025-03', days: dayRange('2025-03-01', '2025-03-15'), done: false },
    ]);
    await backfillMonths(store, source, plans);
    const expected = await summedDays([...dayRange('2025-03-01', '2025-03-15'), '2025-03-19', '2025-03-21']);
    const got = new Map<string, number>();
    const names = new Set([...expected.keys()].map((key) => key.split('/')[0]!));
    for (const name of names) {
      for (const dimension of dimensions) {
        for (const point of await store.monthSeries(name, dimension.name, { start: '2025-03', end: '2025-03' })) got.set(`${name}/${dimension.name}/${point.category}`, point.downloads);
      }
    }
    expect(got).toEqual(expected);
    expect(await store.heldMonths(ALL_PACKAGES)).toEqual([
      { month: '2025-02', days: 28, daysLoaded: 28, source: 'backfill' },
      { month: '2025-03', days: 31, daysLoaded: 17, source: 'backfill' },
    ]);
    // Done months are skipped by the next run; the gap is still the daily loads' to fill.
    expect((await planBackfill(store, { from: '2025-02', to: '2025-03', retentionDays: 10, today: '2025-03-25' })).map((plan) => plan.done)).toEqual([true, true]);
    await store.replaceDay({ day: '2025-03-20', source: 'test', summary: null, rows: withAllPackagesTotals((await source.aggregateDay('2025-03-20')).rows) });
    expect((await store.heldMonths(ALL_PACKAGES)).at(-1)).toEqual({ month: '2025-03', days: 31, daysLoaded: 18, source: 'backfill' });
  });

  it('refuses a month whose source holds no downloads, and writes nothing of it', async () => {
    const plans = await planBackfill(store, { from: '2024-11', to: '2024-11', retentionDays: 180, today: '2025-12-01' });
    await expect(backfillMonths(store, source, plans)).rejects.toThrow('2024-11: the source holds no downloads for the 30 days of the month to backfill (2024-11-01 to 2024-11-30); nothing was written for it');
    expect(await store.countedDays('2024-11')).toEqual({ daily: [], backfill: [] });
  });

  it('refuses a reversed range and a month to come', async () => {
    await expect(planBackfill(store, { from: '2025-03', to: '2025-02', retentionDays: 180, today: '2025-12-01' })).rejects.toThrow('--from (2025-03) is after --to (2025-02)');
    await expect(planBackfill(store, { from: '2025-03', to: '2026-01', retentionDays: 180, today: '2025-12-01' })).rejects.toThrow(
      '--to 2026-01 is a month in the future (today is 2025-12-01)',
    );
  });
});
