/**
 * The months scenario (bench/scenarios/months.ts) at tiny size, on SQLite and on PostgreSQL when
 * it is there: it runs end to end (days loaded, months backfilled, the cold reads over a server,
 * a month backfilled from raw files) and records every figure, with values that can be true.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { months } from '../../bench/scenarios/months.js';
import { figures } from '../../bench/lib/results.js';
import { postgres } from '../support/services.js';
import { tempDir } from '../support/raw-events.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('pypistats-bench-months-');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('runs at tiny size and records the disk, the cold reads and the raw month', { timeout: 300_000 }, async () => {
  const kinds = postgres.value ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
  await months(dir, {
    days: 2,
    months: 3,
    packages: 300,
    topDownloads: 20_000,
    rawMonth: { packages: 300, topDownloads: 20_000 },
    withTargets: false,
    kinds: [...kinds],
  });
  for (const kind of kinds) {
    const ours = figures.filter((figure) => figure.scenario.startsWith('months kept forever') && figure.scenario.includes(kind === 'sqlite' ? '(SQLite)' : '(PostgreSQL)'));
    const value = (measure: string) => ours.find((figure) => figure.measure.startsWith(measure))?.value;
    expect(ours.map((figure) => figure.measure.replace(/\(.*\)|about \d+/g, '…')), kind).toHaveLength(8);
    expect(value('disk the days take')).toBeGreaterThan(0);
    expect(value('disk the months take')).toBeGreaterThan(value('of which the months of the loaded days')!);
    expect(value('disk the months add, as a share of the days')).toBeGreaterThan(0);
    expect(value("most popular package's monthly /overall")).toBeGreaterThan(0);
    expect(value("another package's /total")).toBeGreaterThan(0);
    expect(value("one month's backfill from raw files")).toBeGreaterThan(0);
  }
});
