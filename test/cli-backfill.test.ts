/**
 * `pypistats backfill` as a user runs it: the built CLI in a child process, from raw files and
 * from the BigQuery stand-in (which runs the very SQL sent, in DuckDB), on the same events. Both
 * give the same months, and those months are the sums of the files source's days.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayRange } from '../src/domain/dates.js';
import { dimensions } from '../src/domain/dimensions.js';
import { ALL_PACKAGES } from '../src/domain/names.js';
import { withAllPackagesTotals } from '../src/pipeline/derived.js';
import { DuckDb } from '../src/sources/duckdb.js';
import { FileSource } from '../src/sources/files.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { SeriesPoint } from '../src/store/types.js';
import { BigQueryStandIn } from './support/bigquery-standin.js';
import { runCli } from './support/cli.js';
import { everyRuleEvents } from './support/every-rule-events.js';
import { tempDir, writeNdjson } from './support/raw-events.js';

let dir: string;
let eventsFile: string;
let standIn: BigQueryStandIn;
/** Events on 2025-02-28 to 2025-03-02, 2025-03-19 to 21 and 2025-04-09 to 11 (everyRuleEvents adds the days either side). */
const EVENT_DAYS = ['2025-03-01', '2025-03-20', '2025-04-10'];
const FROM = '2025-02';
const TO = '2025-04';

beforeAll(async () => {
  dir = await tempDir();
  eventsFile = await writeNdjson(path.join(dir, 'events.ndjson'), EVENT_DAYS.flatMap((day) => everyRuleEvents(day)));
  standIn = await BigQueryStandIn.start({ eventsFile });
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

const envFor = (file: string) => ({
  DATABASE_URL: `sqlite:${path.join(dir, file)}`,
  GOOGLE_SERVICE_ACCOUNT_JSON: standIn.account.json,
  BIGQUERY_API_ENDPOINT: standIn.url,
});

/** Every month of every dimension of every package the store has, sorted: what two backfills must agree on. */
async function everyMonth(file: string, packages: readonly string[]): Promise<Record<string, SeriesPoint[]>> {
  const store = SqliteStore.open(path.join(dir, file));
  try {
    const all: Record<string, SeriesPoint[]> = {};
    for (const name of packages) {
      for (const dimension of dimensions) {
        const points = await store.monthSeries(name, dimension.name, {});
        if (points.length > 0) all[`${name}/${dimension.name}`] = points.sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));
      }
    }
    return all;
  } finally {
    await store.close();
  }
}

describe('pypistats backfill', () => {
  it('from files and from BigQuery gives the same months, the sums of the days, and a rerun changes nothing', { timeout: 120_000 }, async () => {
    const files = await runCli(['backfill', '--from', FROM, '--to', TO, '--input', eventsFile], envFor('files.sqlite'));
    expect([files.code, files.stderr]).toEqual([0, '']);
    expect(files.stdout).toMatch(/^2025-02: [\d,]+ downloads of [\d,]+ packages over 28 days → [\d,]+ rows in [\d.]+ s$/m);
    expect(files.stdout).toContain('backfill: 3 months written (2025-02 to 2025-04)');
    const bigquery = await runCli(['backfill', '--from', FROM, '--to', TO, '--source', 'bigquery'], envFor('bigquery.sqlite'));
    expect([bigquery.code, bigquery.stderr]).toEqual([0, '']);
    // One query job per month, each reading the whole month's partitions.
    const jobs = standIn.insertedJobs.filter((job) => !job.dryRun);
    expect(jobs).toHaveLength(3);
    // The months must be the days as the files source aggregates them, summed.
    const duck = await DuckDb.open({ threads: 1 });
    const expected = new Map<string, number>();
    try {
      const source = new FileSource(duck, { inputs: [eventsFile] });
      for (const day of dayRange('2025-02-27', '2025-04-12')) {
        const { rows } = await source.aggregateDay(day);
        for await (const chunk of withAllPackagesTotals(rows)) {
          for (const row of chunk) {
            const key = `${row.package}/${row.dimension}\u0000${row.category}\u0000${day.slice(0, 7)}`;
            expected.set(key, (expected.get(key) ?? 0) + row.downloads);
          }
        }
      }
    } finally {
      duck.close();
    }
    // Packages with months only are not searchable (search lists packages with days): their names come from the days.
    const packages = [...new Set([...expected.keys()].map((key) => key.split('/')[0]!))];
    expect(packages.length).toBeGreaterThan(5);
    const fromFiles = await everyMonth('files.sqlite', packages);
    expect(await everyMonth('bigquery.sqlite', packages)).toEqual(fromFiles);
    const got = new Map<string, number>();
    for (const [key, points] of Object.entries(fromFiles)) for (const point of points) got.set(`${key}\u0000${point.category}\u0000${point.day}`, point.downloads);
    expect(got).toEqual(expected);

    // Again: every month is done already, and nothing changes.
    const again = await runCli(['backfill', '--from', FROM, '--to', TO, '--input', eventsFile], envFor('files.sqlite'));
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toBe(['2025-02', '2025-03', '2025-04'].map((month) => `${month}: already backfilled (${month === '2025-02' ? 28 : month === '2025-03' ? 31 : 30} days); skipped\n`).join(''));
    expect(await everyMonth('files.sqlite', packages)).toEqual(fromFiles);
  });

  it('--dry-run prints the SQL, per month the bytes it would scan and the cost, and the total; it runs nothing', async () => {
    const before = standIn.insertedJobs.length;
    const result = await runCli(['backfill', '--from', FROM, '--to', TO, '--source', 'bigquery', '--dry-run', '--dimensions', 'version,installer'], envFor('dry.sqlite'));
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('-- Dimensions (--dimensions, else DIMENSIONS): overall, python_major, python_minor, system, version, installer\n');
    expect(result.stdout).toContain('WHERE timestamp >= @day_start AND timestamp < @day_end');
    expect(result.stdout).not.toContain('country_code');
    for (const month of ['2025-02', '2025-03', '2025-04']) expect(result.stdout).toMatch(new RegExp(`^${month}: would scan .* bytes\\), USD \\d+\\.\\d\\d at USD 6.25 per TiB$`, 'm'));
    expect(result.stdout).toMatch(/^total: 3 months, would scan .* USD \d+\.\d\d at USD 6.25 per TiB$/m);
    expect(standIn.insertedJobs.slice(before).every((job) => job.dryRun)).toBe(true);
    const store = SqliteStore.open(path.join(dir, 'dry.sqlite'));
    try {
      expect(await store.heldMonths(ALL_PACKAGES)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses doubtful input with a clear error: reversed months, a month to come, a bad month, a month without events', async () => {
    const env = envFor('refused.sqlite');
    const cases: [string[], number, string][] = [
      [['--from', '2025-04', '--to', '2025-02', '--input', eventsFile], 2, 'pypistats: --from (2025-04) is after --to (2025-02)\n'],
      [['--from', '2025-01', '--to', '2099-01', '--input', eventsFile], 2, 'pypistats: --to 2099-01 is a month in the future'],
      [['--from', '2025-13', '--to', '2026-01', '--input', eventsFile], 2, 'pypistats: --from must be a month as YYYY-MM (1970-01 or later), got "2025-13"\n'],
      [['--from', '2025-01', '--to', '2025-02', '--input', eventsFile, '--dry-run'], 2, 'pypistats: --dry-run is for --source bigquery\n'],
      [['--from', '2025-01', '--to', '2025-02', '--input', eventsFile, '--dimensions', 'versions'], 2, 'pypistats: --dimensions: unknown dimension "versions"\n'],
      [['--from', '2024-12', '--to', '2025-02', '--input', eventsFile], 1, 'pypistats: 2024-12: the source holds no downloads for the 31 days of the month to backfill (2024-12-01 to 2024-12-31); nothing was written for it\n'],
    ];
    for (const [args, code, stderr] of cases) {
      const result = await runCli(['backfill', ...args], env);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr.startsWith(stderr), `${args.join(' ')}: ${result.stderr}`).toBe(true);
    }
    const store = SqliteStore.open(path.join(dir, 'refused.sqlite'));
    try {
      // The month without events stopped the run before the months after it: nothing was written.
      expect(await store.heldMonths(ALL_PACKAGES)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
