import { copyFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { download, tempDir, writeNdjson, writeParquet, type RawEvent } from '../support/raw-events.js';
import { collectRows, rowTable } from '../support/rows.js';

const DAY = '2026-11-20';
const AT = `${DAY} 12:00:00.000000 UTC`;

let duck: DuckDb;
let dir: string;
let fileNumber = 0;

beforeAll(async () => {
  duck = await DuckDb.open();
  dir = await tempDir();
});
afterAll(async () => {
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

async function aggregate(events: RawEvent[], format: 'ndjson' | 'gz' | 'parquet' = 'ndjson', day = DAY) {
  const name = path.join(dir, `events-${++fileNumber}`);
  const file =
    format === 'parquet' ? await writeParquet(`${name}.parquet`, events) : await writeNdjson(`${name}.${format === 'gz' ? 'json.gz' : 'ndjson'}`, events);
  const aggregation = await new FileSource(duck, { inputs: [file] }).aggregateDay(day);
  const rows = await collectRows(aggregation);
  return { summary: aggregation.summary, rows, table: rowTable(rows) };
}

function only(result: Record<string, number>, dimension: string): Record<string, number> {
  return Object.fromEntries(Object.entries(result).filter(([key]) => key.split('/')[1] === dimension));
}

describe('files source: the data rules', () => {
  it('counts mirror installers only in with_mirrors, by exact installer name', async () => {
    const installers = ['pip', 'pip', 'uv', 'bandersnatch', 'bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi', 'Bandersnatch', null];
    const { table: result } = await aggregate(installers.map((name) => download('pkg', AT, { installer: name === null ? null : { name } })));
    expect(only(result, 'overall')).toEqual({ 'pkg/overall/with_mirrors': 10, 'pkg/overall/without_mirrors': 5 });
    expect(only(result, 'python_major')).toEqual({ 'pkg/python_major/3': 5 });
    expect(only(result, 'system')).toEqual({ 'pkg/system/linux': 5 });
  });

  it('takes the mirror installers from its options', async () => {
    const file = await writeNdjson(path.join(dir, 'mirrors.ndjson'), [
      download('pkg', AT, { installer: { name: 'bandersnatch' } }),
      download('pkg', AT, { installer: { name: 'my-mirror' } }),
    ]);
    const aggregation = await new FileSource(duck, { inputs: [file], mirrorInstallers: ['my-mirror'] }).aggregateDay(DAY);
    expect(only(rowTable(await collectRows(aggregation)), 'overall')).toEqual({
      'pkg/overall/with_mirrors': 2,
      'pkg/overall/without_mirrors': 1,
    });
  });

  it('does not count .metadata fetches as downloads, and reports them', async () => {
    const { table: result, summary } = await aggregate([
      download('pkg', AT, {}, 'pkg-1.0-py3-none-any.whl'),
      download('pkg', AT, {}, 'pkg-1.0-py3-none-any.whl.metadata'),
      download('pkg', AT, {}, 'pkg-1.0-py3-none-any.whl.metadata'),
      download('meta-only', AT, {}, 'meta_only-1.0-py3-none-any.whl.metadata'),
    ]);
    expect(only(result, 'overall')).toEqual({ 'pkg/overall/with_mirrors': 1, 'pkg/overall/without_mirrors': 1 });
    expect(summary.metadataFetches).toBe(3);
    expect(summary.downloads).toBe(1);
    expect(summary.packages).toBe(1);
  });

  it('derives Python major and minor from details.python, and null from missing or malformed values', async () => {
    const pythons = ['3.12.1', '3.12.4', '3.9.0', '3.10.2', '2.7.18', '3.14.0rc1', '3.013', null, '', 'abc', '3', '3.x', 'cpython-3.11', ' 3.11', '1234.5'];
    const { table: result } = await aggregate(pythons.map((python) => download('pkg', AT, { python })));
    expect(only(result, 'python_major')).toEqual({
      'pkg/python_major/2': 1,
      'pkg/python_major/3': 6,
      'pkg/python_major/null': 8,
    });
    expect(only(result, 'python_minor')).toEqual({
      'pkg/python_minor/2.7': 1,
      'pkg/python_minor/3.9': 1,
      'pkg/python_minor/3.10': 1,
      'pkg/python_minor/3.12': 2,
      'pkg/python_minor/3.13': 1,
      'pkg/python_minor/3.14': 1,
      'pkg/python_minor/null': 8,
    });
    // Events without a usable Python still count everywhere else.
    expect(result['pkg/overall/without_mirrors']).toBe(pythons.length);
  });

  it('maps details.system.name to windows, linux, darwin, other and null', async () => {
    const systems: (string | null | undefined)[] = ['Windows', 'Linux', 'Linux', 'Darwin', 'FreeBSD', 'linux', 'Emscripten', null, undefined, ''];
    const events = systems.map((name) => download('pkg', AT, { system: name === undefined ? null : { name } }));
    const { table: result } = await aggregate(events);
    expect(only(result, 'system')).toEqual({
      'pkg/system/darwin': 1,
      'pkg/system/linux': 2,
      'pkg/system/null': 3,
      'pkg/system/other': 3,
      'pkg/system/windows': 1,
    });
  });

  it('normalizes project names as PEP 503 does', async () => {
    const names = ['Foo_Bar', 'foo.bar', 'FOO--bar', 'foo-bar', 'Django_REST.framework', 'zope.interface'];
    const { table: result } = await aggregate(names.map((name) => download(name, AT)));
    expect(only(result, 'overall')).toEqual({
      'foo-bar/overall/with_mirrors': 4,
      'foo-bar/overall/without_mirrors': 4,
      'django-rest-framework/overall/with_mirrors': 1,
      'django-rest-framework/overall/without_mirrors': 1,
      'zope-interface/overall/with_mirrors': 1,
      'zope-interface/overall/without_mirrors': 1,
    });
  });

  it('uses file.project, and the top-level project only when file.project is missing', async () => {
    const events: RawEvent[] = [
      { ...download('from-file', AT), project: 'other-name' },
      { ...download('x', AT), project: 'top-level', file: { filename: 'top_level-1.0.tar.gz', project: null } },
    ];
    const { table: result } = await aggregate(events);
    expect(only(result, 'overall')).toEqual({
      'from-file/overall/with_mirrors': 1,
      'from-file/overall/without_mirrors': 1,
      'top-level/overall/with_mirrors': 1,
      'top-level/overall/without_mirrors': 1,
    });
  });

  it('loads only the UTC day asked for, whatever the timestamp notation', async () => {
    const { summary } = await aggregate([
      download('pkg', '2026-11-19 23:59:59.999999 UTC'),
      download('pkg', '2026-11-20 00:00:00.000000 UTC'),
      download('pkg', '2026-11-20T13:45:12Z'),
      download('pkg', '2026-11-20T13:45:12.5'),
      download('pkg', '2026-11-21T01:30:00+02:00'), // 23:30 on the 20th in UTC
      download('pkg', '2026-11-20T00:30:00+02:00'), // 22:30 on the 19th in UTC
      download('pkg', '2026-11-20 23:59:59.999999 UTC'),
      download('pkg', '2026-11-21 00:00:00 UTC'),
    ]);
    expect(summary.downloads).toBe(5);
  });

  it('skips and counts malformed events: no timestamp, no project, over-long and invalid names', async () => {
    const long = 'a'.repeat(129);
    const events: RawEvent[] = [
      download('good', AT),
      { ...download('good', AT), timestamp: null },
      { ...download('good', AT), timestamp: 'not a time' },
      { ...download('good', AT), timestamp: undefined },
      { ...download('x', AT), project: null, file: { filename: 'x.tar.gz', project: null } },
      { ...download('x', AT), project: '', file: { filename: 'x.tar.gz', project: '' } },
      { ...download('x', AT), project: null, file: null },
      download(long, AT),
      download(`${'a'.repeat(64)}__${'b'.repeat(64)}`, AT), // 130 characters, 129 once normalized
      download(`${'a'.repeat(64)}_${'b'.repeat(63)}`, AT), // 128: still a name
      download('-bad-', AT),
      download('has space', AT),
      download('__all__', AT),
      download('naïve', AT),
    ];
    const { summary, table: result } = await aggregate(events);
    expect(summary.skipped).toEqual({ noTimestamp: 3, noProject: 3, nameTooLong: 2, invalidName: 4 });
    expect(summary.downloads).toBe(2);
    expect(Object.keys(only(result, 'overall')).sort()).toEqual([
      `${'a'.repeat(64)}-${'b'.repeat(63)}/overall/with_mirrors`,
      `${'a'.repeat(64)}-${'b'.repeat(63)}/overall/without_mirrors`,
      'good/overall/with_mirrors',
      'good/overall/without_mirrors',
    ]);
  });

  it('adds up several files holding one day, and ignores their other days', async () => {
    const first = await writeNdjson(path.join(dir, 'part-1.ndjson'), [download('pkg', AT), download('pkg', '2026-11-19 10:00:00 UTC')]);
    const second = await writeNdjson(path.join(dir, 'part-2.json.gz'), [download('pkg', AT), download('pkg', AT, { installer: { name: 'devpi' } })]);
    const third = await writeParquet(path.join(dir, 'part-3.parquet'), [download('pkg', AT), download('pkg', '2026-11-21 10:00:00 UTC')]);
    const source = new FileSource(duck, { inputs: [first, path.join(dir, 'part-[23].*')] });
    expect(third).toMatch(/part-3/);
    const result = rowTable(await collectRows(await source.aggregateDay(DAY)));
    expect(only(result, 'overall')).toEqual({ 'pkg/overall/with_mirrors': 4, 'pkg/overall/without_mirrors': 3 });
    const previousDay = rowTable(await collectRows(await source.aggregateDay('2026-11-19')));
    expect(only(previousDay, 'overall')).toEqual({ 'pkg/overall/with_mirrors': 1, 'pkg/overall/without_mirrors': 1 });
  });

  it('gives the same numbers from NDJSON, gzip NDJSON and Parquet', async () => {
    const events: RawEvent[] = [];
    const pythons = ['2.7.18', '3.6.15', '3.9.1', '3.12.0', null, 'bad'];
    const systems = ['Linux', 'Windows', 'Darwin', 'SunOS', null];
    for (let i = 0; i < 300; i++) {
      const name = ['Alpha.One', 'beta_two', 'gamma'][i % 3]!;
      const hour = String(i % 24).padStart(2, '0');
      const stamp = i % 7 === 0 ? `2026-11-21 ${hour}:00:00 UTC` : `${DAY} ${hour}:${String(i % 60).padStart(2, '0')}:00.123456 UTC`;
      const installer = i % 11 === 0 ? 'bandersnatch' : i % 13 === 0 ? null : 'pip';
      events.push(
        download(name, stamp, {
          python: pythons[i % pythons.length],
          system: { name: systems[i % systems.length] ?? null },
          installer: installer ? { name: installer } : null,
        }, i % 17 === 0 ? `${name}-1.0.whl.metadata` : undefined),
      );
    }
    events.push({ ...download('gamma', AT), timestamp: null }, download('-x-', AT));
    const plain = await aggregate(events, 'ndjson');
    const gzip = await aggregate(events, 'gz');
    const parquet = await aggregate(events, 'parquet');
    expect(gzip.table).toEqual(plain.table);
    expect(parquet.table).toEqual(plain.table);
    expect(gzip.summary).toEqual(plain.summary);
    expect(parquet.summary).toEqual(plain.summary);
    expect(plain.summary.skipped).toEqual({ noTimestamp: 1, noProject: 0, nameTooLong: 0, invalidName: 1 });
    expect(Object.keys(plain.table).length).toBeGreaterThan(30);
  });
});

describe('files source: bad input', () => {
  it('fails naming a missing file, or a glob that matches nothing', async () => {
    const missing = path.join(dir, 'nope.parquet');
    await expect(new FileSource(duck, { inputs: [missing] }).aggregateDay(DAY)).rejects.toThrow(`cannot read input file ${missing}`);
    await expect(new FileSource(duck, { inputs: [path.join(dir, 'none-*.parquet')] }).aggregateDay(DAY)).rejects.toThrow(
      /no input file matches .*none-\*\.parquet/,
    );
  });

  it('fails naming a corrupt Parquet file or an invalid JSON file among good ones', async () => {
    const good = await writeNdjson(path.join(dir, 'good.ndjson'), [download('pkg', AT)]);
    const corrupt = path.join(dir, 'corrupt.parquet');
    await writeFile(corrupt, 'PAR1 this is not parquet');
    const badJson = path.join(dir, 'bad.ndjson');
    await writeFile(badJson, '{"timestamp": "2026-11-20 10:00:00 UTC", "file": {"project": "x"}}\n{not json\n');
    await expect(new FileSource(duck, { inputs: [good, corrupt] }).aggregateDay(DAY)).rejects.toThrow(`cannot read input file ${corrupt}`);
    await expect(new FileSource(duck, { inputs: [good, badJson] }).aggregateDay(DAY)).rejects.toThrow(`cannot read input file ${badJson}`);
  });

  it('fails on a truncated gzip file, naming it', async () => {
    const whole = await writeNdjson(path.join(dir, 'whole.json.gz'), Array.from({ length: 2000 }, () => download('pkg', AT)));
    const truncated = path.join(dir, 'truncated.json.gz');
    await copyFile(whole, truncated);
    const { truncate } = await import('node:fs/promises');
    await truncate(truncated, 200);
    await expect(new FileSource(duck, { inputs: [truncated] }).aggregateDay(DAY)).rejects.toThrow(`cannot read input file ${truncated}`);
  });

  it('refuses a file whose format it cannot tell', async () => {
    const csv = path.join(dir, 'events.csv');
    await writeFile(csv, 'timestamp,project\n');
    await expect(new FileSource(duck, { inputs: [csv] }).aggregateDay(DAY)).rejects.toThrow(`cannot tell the format of input file ${csv}`);
  });
});
