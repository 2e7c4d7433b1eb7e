import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayNumber } from '../../src/domain/dates.js';
import { normalizeName } from '../../src/domain/names.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { DEFAULT_DEMO_OPTIONS, demoPackageNames, writeDemoDay, type DemoOptions } from '../../src/sources/synthetic.js';

const OPTIONS: DemoOptions = { packages: 300, seed: 1, eventsPerDay: 20_000 };
/** A Wednesday and the Saturday of its week, both before PyPI stopped logging `.metadata` fetches. */
const WEDNESDAY = '2026-08-19';
const SATURDAY = '2026-08-22';
/** A Wednesday after 2026-08-24. */
const LATER_WEDNESDAY = '2026-08-26';

let duck: DuckDb;
let connection: DuckDBConnection;
let dir: string;
const written = new Map<string, { file: string; events: number }>();

async function write(day: string, options = OPTIONS, name = `${day}-${options.seed}`, into = duck) {
  const file = path.join(dir, `${name}.parquet`);
  const { events } = await writeDemoDay(into, options, day, file);
  return { file, events };
}

/** Rows of `sql`, where `F` stands for the day's file. */
async function rows(day: string, sql: string, params: Record<string, DuckDBValue> = {}): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql.replace(/\bF\b/g, 'read_parquet($file)'), { ...params, file: written.get(day)!.file });
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

async function one(day: string, sql: string, params: Record<string, DuckDBValue> = {}): Promise<Record<string, unknown>> {
  return (await rows(day, sql, params))[0]!;
}

async function counts(day: string, expression: string): Promise<Map<unknown, number>> {
  const result = await rows(day, `SELECT ${expression} AS value, count(*)::INTEGER AS n FROM F GROUP BY ALL`);
  return new Map(result.map((row) => [row.value, row.n as number]));
}

beforeAll(async () => {
  duck = await DuckDb.open();
  connection = await duck.connect();
  dir = await mkdtemp(path.join(os.tmpdir(), 'synthetic-test-'));
  for (const day of [WEDNESDAY, SATURDAY, LATER_WEDNESDAY]) written.set(day, await write(day));
});

afterAll(async () => {
  connection?.closeSync();
  duck?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('synthetic events: files', () => {
  it('writes byte-identical files for the same seed, options and day, whatever the thread count', async () => {
    const original = await readFile(written.get(WEDNESDAY)!.file);
    const again = await write(WEDNESDAY, OPTIONS, 'again');
    expect((await readFile(again.file)).equals(original)).toBe(true);

    const singleThreaded = await DuckDb.open({ threads: 1 });
    try {
      const single = await write(WEDNESDAY, OPTIONS, 'single-thread', singleThreaded);
      expect((await readFile(single.file)).equals(original)).toBe(true);
    } finally {
      singleThreaded.close();
    }
  });

  it('writes other contents for another seed', async () => {
    const other = await write(WEDNESDAY, { ...OPTIONS, seed: 2 });
    written.set('other-seed', other);
    expect((await readFile(other.file)).equals(await readFile(written.get(WEDNESDAY)!.file))).toBe(false);
    const firstFiles = (day: string) => rows(day, 'SELECT "file".filename AS f FROM F LIMIT 100');
    expect(await firstFiles('other-seed')).not.toEqual(await firstFiles(WEDNESDAY));
  });

  it('has the schema of bigquery-public-data.pypi.file_downloads', async () => {
    const schema = await rows(WEDNESDAY, 'DESCRIBE SELECT * FROM F');
    expect(schema.map((column) => [column.column_name, column.column_type])).toEqual([
      ['timestamp', 'TIMESTAMP WITH TIME ZONE'],
      ['country_code', 'VARCHAR'],
      ['url', 'VARCHAR'],
      ['project', 'VARCHAR'],
      ['file', 'STRUCT(filename VARCHAR, project VARCHAR, "version" VARCHAR, "type" VARCHAR)'],
      [
        'details',
        'STRUCT(installer STRUCT("name" VARCHAR, "version" VARCHAR), python VARCHAR, implementation STRUCT("name" VARCHAR, "version" VARCHAR), ' +
          'distro STRUCT("name" VARCHAR, "version" VARCHAR, id VARCHAR, libc STRUCT(lib VARCHAR, "version" VARCHAR)), ' +
          '"system" STRUCT("name" VARCHAR, "release" VARCHAR), cpu VARCHAR, openssl_version VARCHAR, setuptools_version VARCHAR, ' +
          'rustc_version VARCHAR, ci BOOLEAN)',
      ],
      ['tls_protocol', 'VARCHAR'],
      ['tls_cipher', 'VARCHAR'],
    ]);
  });

  it('returns the number of events it wrote', async () => {
    for (const day of [WEDNESDAY, SATURDAY, LATER_WEDNESDAY]) {
      const { n } = await one(day, 'SELECT count(*)::INTEGER AS n FROM F');
      expect(n).toBe(written.get(day)!.events);
    }
  });

  it('puts every event on the requested UTC day, except the malformed ones without a timestamp', async () => {
    for (const day of [WEDNESDAY, SATURDAY, LATER_WEDNESDAY]) {
      const start = dayNumber(day) * 86_400_000_000;
      const result = await one(
        day,
        `SELECT count(*) FILTER (WHERE "timestamp" IS NULL)::INTEGER AS missing,
          count(*) FILTER (WHERE epoch_us("timestamp") < ${start} OR epoch_us("timestamp") >= ${start + 86_400_000_000})::INTEGER AS outside,
          (epoch_us(max("timestamp")) - epoch_us(min("timestamp"))) / 3.6e9 AS hours_spanned
        FROM F`,
      );
      expect(result.outside).toBe(0);
      expect(result.missing).toBeGreaterThan(0);
      expect(result.missing).toBeLessThan(written.get(day)!.events * 0.002);
      expect(result.hours_spanned).toBeGreaterThan(23.9);
    }
  });
});

describe('synthetic events: what they hold', () => {
  it('has Python 2.7 to 3.14, some without a version and some malformed', async () => {
    const pythons = await counts(WEDNESDAY, 'details.python');
    const versions = [...pythons.keys()].filter((v): v is string => typeof v === 'string');
    expect(versions.some((v) => v.startsWith('2.7.'))).toBe(true);
    expect(versions.some((v) => v.startsWith('3.14.'))).toBe(true);
    for (const malformed of ['', '3', 'abc', 'cpython']) expect(pythons.get(malformed)).toBeGreaterThan(0);
    const events = written.get(WEDNESDAY)!.events;
    expect(pythons.get(null)! / events).toBeGreaterThan(0.015);
    expect(pythons.get(null)! / events).toBeLessThan(0.06);
  });

  it('shifts Python versions toward newer ones over time', async () => {
    written.set('2024', await write('2024-03-06'));
    const share = async (day: string, minor: string) => {
      const { n } = await one(day, `SELECT avg((details.python LIKE '${minor}.%')::INTEGER) AS n FROM F`);
      return n as number;
    };
    expect(await share('2024', '3.14')).toBe(0);
    expect(await share(WEDNESDAY, '3.13')).toBeGreaterThan(2 * (await share('2024', '3.13')));
    expect(await share(WEDNESDAY, '3.8')).toBeLessThan(await share('2024', '3.8'));
  });

  it('installs legacy packages with old Pythons more often', async () => {
    const oldPythons = async (project: string) =>
      (await one(WEDNESDAY, `SELECT avg(regexp_matches(details.python, '^(2\\.7|3\\.6)\\.')::INTEGER) AS share FROM F WHERE project = $project`, { project }))
        .share as number;
    expect(await oldPythons('six')).toBeGreaterThan(3 * (await oldPythons('boto3')));
    expect(await oldPythons('python-dateutil')).toBeGreaterThan(3 * (await oldPythons('requests')));
  });

  it('has mostly Linux, then Windows and Darwin, ~1% other systems and some without one', async () => {
    const systems = await counts(WEDNESDAY, 'details.system.name');
    const events = written.get(WEDNESDAY)!.events;
    expect(systems.get('Linux')!).toBeGreaterThan(systems.get('Windows')!);
    expect(systems.get('Windows')!).toBeGreaterThan(systems.get('Darwin')!);
    for (const other of ['FreeBSD', 'AIX', 'Emscripten', 'OpenBSD']) expect(systems.get(other)).toBeGreaterThan(0);
    expect(systems.get(null)! / events).toBeGreaterThan(0.02);
    expect(systems.get(null)! / events).toBeLessThan(0.08);
  });

  it('has pip first, other installers, and mirrors in burst on release days', async () => {
    const installers = await counts(WEDNESDAY, 'details.installer.name');
    const events = written.get(WEDNESDAY)!.events;
    expect(installers.get('pip')! / events).toBeGreaterThan(0.5);
    for (const name of ['uv', 'poetry', 'requests', 'setuptools', 'Browser', null]) expect(installers.get(name)).toBeGreaterThan(0);
    const mirrors = ['bandersnatch', 'devpi', 'Artifactory', 'z3c.pypimirror'];
    for (const name of mirrors) expect(installers.get(name)).toBeGreaterThan(0);
    const mirrorShare = mirrors.reduce((sum, name) => sum + installers.get(name)!, 0) / events;
    expect(mirrorShare).toBeGreaterThan(0.02);
    expect(mirrorShare).toBeLessThan(0.1);

    // Per package, mirror shares are ~3% on ordinary days and several times that on the
    // package's release days (1 in 14): two clusters.
    const shares = await rows(
      WEDNESDAY,
      `SELECT project, avg((details.installer.name IN ('bandersnatch', 'devpi', 'Artifactory', 'z3c.pypimirror'))::INTEGER) AS share
      FROM F WHERE list_contains($names, project) GROUP BY ALL HAVING count(*) >= 100`,
      { names: listValue(demoPackageNames(OPTIONS)) },
    );
    const bursts = shares.filter((row) => (row.share as number) > 0.1).length;
    const ordinary = shares.filter((row) => (row.share as number) < 0.07).length;
    expect(shares.length).toBeGreaterThan(20);
    expect(bursts).toBeGreaterThan(0);
    expect(ordinary).toBeGreaterThan(5 * bursts);
  });

  it('has ~5% .metadata fetches before 2026-08-24 and none after', async () => {
    const metadataShare = async (day: string) =>
      (await one(day, `SELECT avg(ends_with("file".filename, '.metadata')::INTEGER) AS share FROM F`)).share as number;
    expect(await metadataShare(WEDNESDAY)).toBeGreaterThan(0.03);
    expect(await metadataShare(WEDNESDAY)).toBeLessThan(0.07);
    expect(await metadataShare(SATURDAY)).toBeGreaterThan(0.03);
    expect(await metadataShare(LATER_WEDNESDAY)).toBe(0);
    const example = await one(WEDNESDAY, `SELECT "file".filename AS f, url FROM F WHERE ends_with("file".filename, '.metadata') LIMIT 1`);
    expect(example.f).toMatch(/-[^-]+-[^-]+-[^-]+-[^-]+\.whl\.metadata$/);
    expect(example.url).toMatch(/^\/packages\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{60}\/.+\.whl\.metadata$/);
  });

  it('has fewer events on a Saturday than on the Wednesday of its week', () => {
    const ratio = written.get(SATURDAY)!.events / written.get(WEDNESDAY)!.events;
    expect(ratio).toBeGreaterThan(0.55);
    expect(ratio).toBeLessThan(0.75);
  });

  it('has about 0.1% malformed rows: no timestamp, no project, a 200-character name, an invalid name', async () => {
    const result = await one(
      WEDNESDAY,
      `SELECT count(*) FILTER (WHERE "timestamp" IS NULL)::INTEGER AS no_timestamp,
        count(*) FILTER (WHERE project IS NULL AND "file".project IS NULL)::INTEGER AS no_project,
        count(*) FILTER (WHERE length(project) = 200)::INTEGER AS long_name,
        count(*) FILTER (WHERE project IN ('-bad-name-', 'has space'))::INTEGER AS invalid_name,
        count(*) FILTER (WHERE project IS DISTINCT FROM "file".project)::INTEGER AS projects_differ
      FROM F`,
    );
    const events = written.get(WEDNESDAY)!.events;
    for (const kind of ['no_timestamp', 'no_project', 'long_name', 'invalid_name']) expect(result[kind]).toBeGreaterThan(0);
    const malformed = (result.no_timestamp as number) + (result.no_project as number) + (result.long_name as number) + (result.invalid_name as number);
    expect(malformed / events).toBeGreaterThan(0.0004);
    expect(malformed / events).toBeLessThan(0.002);
    expect(result.projects_differ).toBe(0);
  });

  it('has CI true for ~30% of events and unknown for some, and countries', async () => {
    const ci = await counts(WEDNESDAY, 'details.ci');
    const events = written.get(WEDNESDAY)!.events;
    expect(ci.get(true)! / events).toBeGreaterThan(0.25);
    expect(ci.get(true)! / events).toBeLessThan(0.35);
    expect(ci.get(null)).toBeGreaterThan(0);
    const countries = await counts(WEDNESDAY, 'country_code');
    for (const country of ['US', 'CN', 'DE', 'IN', 'GB', 'JP', 'FR', 'BR', null]) expect(countries.get(country)).toBeGreaterThan(0);
    expect(countries.get('US')!).toBeGreaterThan(countries.get('CN')!);
  });

  it('downloads many versions of a popular package, a few recent ones most, with a long tail', async () => {
    const versions = await rows(
      WEDNESDAY,
      `SELECT "file".version AS version, count(*)::INTEGER AS n FROM F WHERE project = 'boto3' GROUP BY ALL ORDER BY n DESC`,
    );
    const total = versions.reduce((sum, v) => sum + (v.n as number), 0);
    expect(versions.length).toBeGreaterThan(20);
    // The three most downloaded releases have most of the downloads; the rest is a tail.
    expect(versions.slice(0, 3).reduce((sum, v) => sum + (v.n as number), 0) / total).toBeGreaterThan(0.6);
    expect(versions.filter((v) => (v.n as number) / total < 0.005).length).toBeGreaterThan(10);
  });
});

describe('synthetic events: packages', () => {
  const names = demoPackageNames(DEFAULT_DEMO_OPTIONS);

  it('names as many packages as asked, deterministically, the real leaders first', () => {
    expect(names).toHaveLength(DEFAULT_DEMO_OPTIONS.packages);
    expect(demoPackageNames(DEFAULT_DEMO_OPTIONS)).toEqual(names);
    expect(names.slice(0, 4)).toEqual(['boto3', 'botocore', 'urllib3', 'requests']);
    expect(demoPackageNames({ packages: 50, seed: 1 })).toEqual(names.slice(0, 50));
  });

  it('gives valid PEP 508 names, distinct after PEP 503 normalization, in every style', () => {
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/);
    expect(new Set(names.map((name) => normalizeName(name))).size).toBe(names.length);
    expect(names.some((name) => name.includes('.'))).toBe(true);
    expect(names.some((name) => name.includes('_'))).toBe(true);
    expect(names.some((name) => name.includes('-'))).toBe(true);
    expect(names.some((name) => /[A-Z]/.test(name))).toBe(true);
    const manyNames = demoPackageNames({ packages: 3000, seed: 9 });
    expect(new Set(manyNames.map((name) => normalizeName(name))).size).toBe(3000);
  });

  it('downloads rank 1 far more than rank 100, and every event names a demo package unless malformed', async () => {
    const projects = await counts(WEDNESDAY, 'project');
    const ranked = demoPackageNames(OPTIONS);
    expect(projects.get(ranked[0])!).toBeGreaterThan(20 * (projects.get(ranked[99]) ?? 0));
    const known = new Set<unknown>(ranked);
    const unknownProjects = [...projects.entries()].filter(([project]) => !known.has(project));
    expect(unknownProjects.reduce((sum, [, n]) => sum + n, 0)).toBeLessThan(written.get(WEDNESDAY)!.events * 0.002);
  });
});

describe('synthetic events: through the real aggregation', () => {
  it('adds up: downloads, .metadata fetches and skipped events are all the events', async () => {
    for (const day of [WEDNESDAY, LATER_WEDNESDAY]) {
      const { summary, rows: aggregateRows } = await new FileSource(duck, { inputs: [written.get(day)!.file] }).aggregateDay(day);
      for await (const _chunk of aggregateRows); // drains the rows, which closes the connection
      const { noTimestamp, noProject, nameTooLong, invalidName } = summary.skipped;
      expect(summary.downloads + summary.metadataFetches + noTimestamp + noProject + nameTooLong + invalidName).toBe(written.get(day)!.events);
      for (const skipped of [noTimestamp, noProject, nameTooLong, invalidName]) expect(skipped).toBeGreaterThan(0);
      expect(summary.packages).toBe(OPTIONS.packages);
      expect(summary.metadataFetches > 0).toBe(day === WEDNESDAY);
    }
  });
});
