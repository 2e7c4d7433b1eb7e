/**
 * The serve-during-load scenario's raw day: its raw events, aggregated by the files source under
 * the registry's rules, give back every (package, dimension, category) row of the PyPI-sized day
 * with every breakdown it was crafted from, and nothing else.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawDayFile, type RawDay } from '../../bench/scenarios/serve-during-load.js';
import { pypiSizedDay, type PypiDayOptions } from '../../bench/pypi-sized-day.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { tempDir } from '../support/raw-events.js';

/** Few packages, but the most popular ones: every category of every breakdown up to the top package's 1,500 versions. */
const OPTIONS: PypiDayOptions = { packages: 300, topDownloads: 20_000_000 };
const DAY = '2026-11-30';
const DAY_INDEX = 4;

let dir: string;
let raw: RawDay;

beforeAll(async () => {
  dir = await tempDir('pypistats-serve-load-raw-');
  raw = await rawDayFile(DAY, DAY_INDEX, OPTIONS, dir);
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const key = (row: { package: string; dimension: string; category: string }) => `${row.package}|${row.dimension}|${row.category}`;

it('aggregates to exactly the rows of the synthesized day, each counted by as many events as its package has', async () => {
  const expected = new Set<string>();
  for await (const chunk of pypiSizedDay(DAY_INDEX, { ...OPTIONS, breakdowns: true })) for (const row of chunk) expected.add(key(row));
  const duck = await DuckDb.open({ threads: 1 });
  const loaded = new Set<string>();
  const eventsOf = new Map<string, number>();
  try {
    const { summary, rows } = await new FileSource(duck, { inputs: [raw.file] }).aggregateDay(DAY);
    expect(summary).toMatchObject({ downloads: raw.events, packages: OPTIONS.packages, metadataFetches: 0 });
    expect(summary.skipped).toEqual({ noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 });
    for await (const chunk of rows) {
      for (const row of chunk) {
        loaded.add(key(row));
        if (row.dimension === 'overall' && row.category === 'without_mirrors') eventsOf.set(row.package, row.downloads);
      }
    }
  } finally {
    duck.close();
  }
  expect(raw.rows).toBe(expected.size);
  expect([...expected].filter((row) => !loaded.has(row))).toEqual([]);
  expect([...loaded].filter((row) => !expected.has(row))).toEqual([]);
  // The top package has the most categories of any breakdown: its 1,500 newest versions.
  expect(eventsOf.get('package-1')).toBe(1500);
  expect([...eventsOf.values()].reduce((a, b) => a + b, 0)).toBe(raw.events);
}, 120_000);

it('reads the day from its cache the second time, with the same counts', async () => {
  const again = await rawDayFile(DAY, DAY_INDEX, OPTIONS, dir);
  expect(again).toEqual({ ...raw, seconds: null });
});
