/**
 * The nine breakdowns beyond the seed's four, on raw events made here, to the exact count: the
 * files source (NDJSON and Parquet) and the BigQuery source through its stand-in, on the same
 * events, must give the same rows. Then: every breakdown sums to `without_mirrors`, raw files
 * without the new fields still load, and DIMENSIONS decides what is computed and read.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { dimensions, enabledDimensions, MAX_CATEGORY_LENGTH, optionalDimensions, seedDimensions, type Dimension } from '../../src/domain/dimensions.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { openBigQuerySource } from '../../src/sources/open-source.js';
import { BigQueryStandIn } from '../support/bigquery-standin.js';
import { everyRuleEvents } from '../support/every-rule-events.js';
import { download, SEED_ERA_COLUMNS, tempDir, writeNdjson, writeParquet, type RawEvent } from '../support/raw-events.js';
import { collectRows, rowTable } from '../support/rows.js';

const DAY = '2026-11-20';
const AT = `${DAY} 12:00:00 UTC`;
const FAST_RETRY = { maxRetries: 4, maxRetryDelaySeconds: 0.01 };

type Details = NonNullable<RawEvent['details']>;
type Tweak = (event: RawEvent) => RawEvent;

/** A download of `project` changed by `tweak`. */
const event = (project: string, tweak: Tweak = (e) => e): RawEvent => tweak(download(project, AT));
const withDetails = (details: Partial<Details>): Tweak => (e) => ({ ...e, details: { ...e.details, ...details } });
const withFile = (file: Partial<NonNullable<RawEvent['file']>>): Tweak => (e) => ({ ...e, file: { ...e.file, ...file } });
const withCountry = (country: string | null | undefined): Tweak => (e) => {
  const { country_code: _dropped, ...rest } = e;
  return country === undefined ? rest : { ...rest, country_code: country };
};
const mirror: Tweak = withDetails({ installer: { name: 'bandersnatch', version: '6.0' } });

const longDistro = `Distro ${'x'.repeat(200)}`;
const longCpu = `CPU-${'Y'.repeat(300)}`;

/**
 * One package per rule, each with the events that exercise it, and a mirror download in every one
 * whose fields would land in the breakdown if mirrors were not left out.
 */
const cases: { pkg: string; events: RawEvent[]; dimension: string; expected: Record<string, number> }[] = [
  {
    pkg: 'ci-case',
    dimension: 'ci',
    events: [
      ...[true, true, true, false, false, null].map((ci) => event('ci-case', withDetails({ ci }))),
      event('ci-case', (e) => ({ ...e, details: { ...e.details, ci: undefined } })),
      event('ci-case', (e) => mirror(withDetails({ ci: true })(e))),
    ],
    expected: { true: 3, false: 2, null: 2 },
  },
  {
    pkg: 'country-case',
    dimension: 'country',
    events: [
      ...['US', 'US', 'de', 'De', '', null, undefined].map((country) => event('country-case', withCountry(country))),
      event('country-case', (e) => mirror(withCountry('FR')(e))),
    ],
    expected: { DE: 2, US: 2, null: 3 },
  },
  {
    pkg: 'version-case',
    dimension: 'version',
    events: [
      ...['1.0', '1.0', '1.0.0', '2.0rc1', '1.0+local', 'not-a-version', 'dev-master', 'V1.0', '', null].map((version) => event('version-case', withFile({ version }))),
      event('version-case', (e) => mirror(withFile({ version: '9.9' })(e))),
    ],
    // As logged: no case folding, no PEP 440 normalization, and strings PEP 440 cannot parse kept.
    expected: { '1.0': 2, '1.0.0': 1, '2.0rc1': 1, '1.0+local': 1, 'not-a-version': 1, 'dev-master': 1, 'V1.0': 1, null: 2 },
  },
  {
    pkg: 'installer-case',
    dimension: 'installer',
    events: [
      ...['pip', 'Pip', 'PIP', 'uv', 'UV', 'poetry', 'Browser', ''].map((name) => event('installer-case', withDetails({ installer: { name, version: '1' } }))),
      event('installer-case', withDetails({ installer: null })),
      // Every mirror installer, in the exact spelling that makes it one, and one spelling that does not.
      ...['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'].map((name) => event('installer-case', withDetails({ installer: { name } }))),
      event('installer-case', withDetails({ installer: { name: 'Bandersnatch' } })),
    ],
    expected: { pip: 3, uv: 2, poetry: 1, browser: 1, bandersnatch: 1, null: 2 },
  },
  {
    pkg: 'implementation-case',
    dimension: 'implementation',
    events: [
      ...['CPython', 'cpython', 'PyPy', 'GraalPy', ''].map((name) => event('implementation-case', withDetails({ implementation: { name, version: '3.12' } }))),
      event('implementation-case', withDetails({ implementation: null })),
      event('implementation-case', withDetails({ implementation: { name: null, version: '3.12' } })),
      event('implementation-case', (e) => mirror(withDetails({ implementation: { name: 'PyPy' } })(e))),
    ],
    expected: { cpython: 2, pypy: 1, graalpy: 1, null: 3 },
  },
  {
    pkg: 'cpu-case',
    dimension: 'cpu',
    events: [
      ...['x86_64', 'x86_64', 'AMD64', 'aarch64', 'arm64', 'ARM64', '', null, longCpu].map((cpu) => event('cpu-case', withDetails({ cpu }))),
      event('cpu-case', (e) => mirror(withDetails({ cpu: 'riscv64' })(e))),
    ],
    // Lowercased, `x86_64` and `amd64` kept apart, and a long value cut.
    expected: { x86_64: 2, amd64: 1, aarch64: 1, arm64: 2, null: 2, [longCpu.toLowerCase().slice(0, MAX_CATEGORY_LENGTH)]: 1 },
  },
  {
    pkg: 'libc-case',
    dimension: 'libc',
    events: [
      ...['glibc', 'glibc', 'musl', 'Musl', ''].map((lib) => event('libc-case', withDetails({ distro: { name: 'Some Linux', libc: { lib, version: '1' } } }))),
      event('libc-case', withDetails({ distro: { name: 'Some Linux', libc: null } })),
      event('libc-case', withDetails({ distro: null })),
      event('libc-case', (e) => mirror(withDetails({ distro: { name: 'Alpine Linux', libc: { lib: 'musl' } } })(e))),
    ],
    expected: { glibc: 2, musl: 2, null: 3 },
  },
  {
    pkg: 'distro-case',
    dimension: 'distro',
    events: [
      ...['Debian GNU/Linux', 'Debian GNU/Linux', 'Ubuntu', 'ubuntu', 'Alpine Linux', '', longDistro].map((name) =>
        event('distro-case', withDetails({ distro: { name, version: '1', libc: { lib: 'glibc' } } })),
      ),
      event('distro-case', withDetails({ distro: null })),
      event('distro-case', (e) => mirror(withDetails({ distro: { name: 'Fedora Linux' } })(e))),
    ],
    // As logged: `Ubuntu` and `ubuntu` stay apart, the slash is kept, a long name is cut.
    expected: { 'Debian GNU/Linux': 2, Ubuntu: 1, ubuntu: 1, 'Alpine Linux': 1, [longDistro.slice(0, MAX_CATEGORY_LENGTH)]: 1, null: 2 },
  },
  {
    pkg: 'file-type-case',
    dimension: 'file_type',
    events: [
      ...['bdist_wheel', 'bdist_wheel', 'sdist', 'bdist_egg', 'Sdist', '', null].map((type) => event('file-type-case', withFile({ type }))),
      event('file-type-case', (e) => mirror(withFile({ type: 'bdist_wininst' })(e))),
    ],
    expected: { bdist_wheel: 2, sdist: 1, bdist_egg: 1, Sdist: 1, null: 2 },
  },
];

/** Every case's events, and the rules' events (mirrors, .metadata, malformed names, other days). */
const allEvents = (): RawEvent[] => [...cases.flatMap((c) => c.events), ...everyRuleEvents(DAY)];

let dir: string;
let duck: DuckDb;
let ndjsonFile: string;
let parquetFile: string;
let standIn: BigQueryStandIn;

beforeAll(async () => {
  dir = await tempDir();
  duck = await DuckDb.open();
  ndjsonFile = await writeNdjson(path.join(dir, 'events.ndjson'), allEvents());
  parquetFile = await writeParquet(path.join(dir, 'events.parquet'), allEvents());
  // No fixed dry-run size: the stand-in estimates the bytes a query reads.
  standIn = await BigQueryStandIn.start({ eventsFile: ndjsonFile });
});
afterAll(async () => {
  await standIn.close();
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

const categoriesOf = (result: Record<string, number>, pkg: string, dimension: string) =>
  Object.fromEntries(
    Object.entries(result)
      .filter(([key]) => key.startsWith(`${pkg}/${dimension}/`))
      .map(([key, downloads]) => [key.slice(pkg.length + dimension.length + 2), downloads]),
  );

const fromFiles = async (file: string, enabled?: readonly Dimension[]) =>
  rowTable(await collectRows(await new FileSource(duck, { inputs: [file], ...(enabled ? { dimensions: enabled } : {}) }).aggregateDay(DAY)));

const bigQueryConfig = (env: Record<string, string> = {}) =>
  loadConfig({ GOOGLE_SERVICE_ACCOUNT_JSON: standIn.account.json, BIGQUERY_API_ENDPOINT: standIn.url, ...env });

const fromBigQuery = async (env: Record<string, string> = {}) =>
  rowTable(await collectRows(await (await openBigQuerySource(bigQueryConfig(env), { retry: FAST_RETRY })).aggregateDay(DAY)));

describe('each new breakdown\'s rule, to the exact count, from every source', () => {
  let results: Record<string, Record<string, number>>;
  beforeAll(async () => {
    results = { ndjson: await fromFiles(ndjsonFile), parquet: await fromFiles(parquetFile), bigquery: await fromBigQuery() };
  });

  for (const testCase of cases) {
    it(`${testCase.dimension}: ${Object.keys(testCase.expected).length} categories, mirrors left out`, () => {
      for (const [source, result] of Object.entries(results)) {
        expect({ source, categories: categoriesOf(result, testCase.pkg, testCase.dimension) }).toEqual({ source, categories: testCase.expected });
      }
    });
  }

  it('gives the same rows from NDJSON, Parquet and BigQuery, for every dimension', () => {
    expect(results.parquet).toEqual(results.ndjson);
    expect(results.bigquery).toEqual(results.ndjson);
    const dimensionsSeen = new Set(Object.keys(results.ndjson!).map((key) => key.split('/')[1]));
    expect([...dimensionsSeen].sort()).toEqual(dimensions.map((dimension) => dimension.name).sort());
  });

  it('leaves mirrors out of every new breakdown: a mirror-only package has only overall rows', async () => {
    const mirrored = [event('mirror-only', mirror), event('mirror-only', withDetails({ installer: { name: 'devpi' } }))];
    const result = await fromFiles(await writeNdjson(path.join(dir, 'mirror-only.ndjson'), mirrored));
    expect(result).toEqual({ 'mirror-only/overall/with_mirrors': 2 });
  });

  it('sums every breakdown of every package to without_mirrors', () => {
    const result = results.ndjson!;
    const packages = new Set(Object.keys(result).map((key) => key.split('/')[0]!));
    expect(packages.size).toBeGreaterThan(cases.length);
    for (const pkg of packages) {
      const withoutMirrors = result[`${pkg}/overall/without_mirrors`] ?? 0;
      for (const dimension of dimensions.filter((d) => d.categories.kind === 'expression')) {
        const sum = Object.values(categoriesOf(result, pkg, dimension.name)).reduce((total, downloads) => total + downloads, 0);
        expect({ pkg, dimension: dimension.name, sum }).toEqual({ pkg, dimension: dimension.name, sum: withoutMirrors });
      }
    }
  });
});

describe('raw files without the new fields', () => {
  const seedKeys = (result: Record<string, number>) =>
    Object.fromEntries(Object.entries(result).filter(([key]) => seedDimensions.some((dimension) => key.split('/')[1] === dimension.name)));

  it('still load, from Parquet whose details have no cpu, distro or ci and NDJSON without them: seed numbers unchanged, the new breakdowns all null', async () => {
    const events = allEvents();
    const full = await fromFiles(ndjsonFile);
    const oldParquet = await writeParquet(path.join(dir, 'seed-era.parquet'), events, SEED_ERA_COLUMNS);
    const stripped = events.map((e): RawEvent => {
      const { country_code: _country, ...rest } = e;
      return { ...rest, file: e.file && { filename: e.file.filename, project: e.file.project }, details: e.details && { installer: e.details.installer, python: e.details.python, system: e.details.system } };
    });
    const oldNdjson = await writeNdjson(path.join(dir, 'seed-era.ndjson'), stripped);
    for (const file of [oldParquet, oldNdjson]) {
      const result = await fromFiles(file);
      expect(seedKeys(result)).toEqual(seedKeys(full));
      for (const dimension of optionalDimensions) {
        // The installer is still logged in these files; every other new field is missing.
        if (dimension.name === 'installer') {
          expect(categoriesOf(result, 'installer-case', 'installer')).toEqual(categoriesOf(full, 'installer-case', 'installer'));
          continue;
        }
        for (const pkg of new Set(Object.keys(full).map((key) => key.split('/')[0]!))) {
          const withoutMirrors = full[`${pkg}/overall/without_mirrors`] ?? 0;
          expect(categoriesOf(result, pkg, dimension.name), `${file}: ${pkg}/${dimension.name}`).toEqual(withoutMirrors > 0 ? { null: withoutMirrors } : {});
        }
      }
    }
  });

  it('load from several Parquet files of different schemas at once, each field NULL where its file lacks it', async () => {
    const oldPart = await writeParquet(path.join(dir, 'part-old.parquet'), [event('mixed', withDetails({ cpu: 'aarch64' }))], SEED_ERA_COLUMNS);
    const newPart = await writeParquet(path.join(dir, 'part-new.parquet'), [event('mixed', withDetails({ cpu: 'aarch64' }))]);
    const result = rowTable(await collectRows(await new FileSource(duck, { inputs: [oldPart, newPart] }).aggregateDay(DAY)));
    expect(categoriesOf(result, 'mixed', 'cpu')).toEqual({ aarch64: 1, null: 1 });
    expect(categoriesOf(result, 'mixed', 'python_minor')).toEqual({ '3.12': 2 });
  });
});

describe('DIMENSIONS: only the dimensions turned on are computed and read', () => {
  const dimensionsOf = (result: Record<string, number>) => [...new Set(Object.keys(result).map((key) => key.split('/')[1]))].sort();
  const keep = (result: Record<string, number>, names: string[]) =>
    Object.fromEntries(Object.entries(result).filter(([key]) => names.includes(key.split('/')[1]!)));
  const seedNames = seedDimensions.map((dimension) => dimension.name);

  it('none: rows of the seed\'s four only, with the numbers of a load of every dimension', async () => {
    const all = await fromFiles(ndjsonFile);
    for (const result of [await fromFiles(ndjsonFile, enabledDimensions([])), await fromFiles(parquetFile, enabledDimensions([])), await fromBigQuery({ DIMENSIONS: 'none' })]) {
      expect(dimensionsOf(result)).toEqual([...seedNames].sort());
      expect(result).toEqual(keep(all, seedNames));
    }
  });

  it('a subset: the seed\'s four and those named, with the same numbers', async () => {
    const all = await fromFiles(ndjsonFile);
    const names = [...seedNames, 'country', 'version'];
    for (const result of [await fromFiles(parquetFile, enabledDimensions(['country', 'version'])), await fromBigQuery({ DIMENSIONS: 'version,country' })]) {
      expect(dimensionsOf(result)).toEqual([...names].sort());
      expect(result).toEqual(keep(all, names));
    }
  });

  it('a BigQuery dry run scans fewer bytes with fewer dimensions, exactly the bytes of the columns read', async () => {
    const bytes = async (env: Record<string, string>) => (await (await openBigQuerySource(bigQueryConfig(env), { retry: FAST_RETRY })).dryRun(DAY)).bytes;
    const none = await bytes({ DIMENSIONS: 'none' });
    const some = await bytes({ DIMENSIONS: 'country,cpu' });
    const all = await bytes({});
    expect(none).toBeGreaterThan(0);
    expect(some).toBeGreaterThan(none);
    expect(all).toBeGreaterThan(some);
    // BigQuery's sizes: a STRING 2 bytes plus its UTF-8 length, a BOOL 1, a TIMESTAMP 8, NULL 0; over the day's rows.
    const dayEvents = allEvents().filter((e) => {
      const time = e.timestamp ? Date.parse(e.timestamp.replace(' UTC', 'Z').replace(' ', 'T')) : NaN;
      return time >= Date.parse(`${DAY}T00:00:00Z`) && time < Date.parse(`${DAY}T00:00:00Z`) + 86_400_000;
    });
    const text = (value: string | null | undefined) => (value == null ? 0 : 2 + Buffer.byteLength(value));
    const size = (read: (e: RawEvent) => number) => dayEvents.reduce((sum, e) => sum + read(e), 0);
    const seedBytes = size((e) => 8 + text(e.project) + text(e.file?.project) + text(e.file?.filename) + text(e.details?.installer?.name) + text(e.details?.python) + text(e.details?.system?.name));
    expect(none).toBe(seedBytes);
    expect(some).toBe(seedBytes + size((e) => text(e.country_code) + text(e.details?.cpu)));
  });
});
