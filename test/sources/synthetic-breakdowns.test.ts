/**
 * The raw fields the nine breakdowns beyond the seed's four read (version, installer, CI, country,
 * implementation, CPU, libc, distro, file type), on generated days, by DuckDB queries over the
 * written files (not through the aggregation): each one present with the spread PyPI shows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { valid as validPep440 } from '@renovatebot/pep440';
import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayRange } from '../../src/domain/dates.js';
import { comparePackageVersions } from '../../src/domain/dimensions.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { demoPackageNames, writeDemoDay, type DemoOptions } from '../../src/sources/synthetic.js';

const OPTIONS: DemoOptions = { packages: 300, seed: 1, eventsPerDay: 20_000 };
/** The first and the last Wednesday of the 180 demo days ending 2026-11-30. */
const START = '2026-06-03';
const END = '2026-11-25';
/** Two weeks of consecutive days, to watch downloads move to new releases. */
const FORTNIGHT = dayRange('2026-09-01', addDays('2026-09-01', 13));
const PRE_RELEASE = /(a|b|rc)\d+$|\.dev\d+$/;

let duck: DuckDb;
let connection: DuckDBConnection;
let dir: string;
const files = new Map<string, string>();

async function write(day: string, options = OPTIONS, name = day): Promise<string> {
  const file = path.join(dir, `${name}.parquet`);
  await writeDemoDay(duck, options, day, file);
  return file;
}

/** Rows of `sql`, where `F` stands for the day's file. */
async function rows(day: string, sql: string, params: Record<string, DuckDBValue> = {}): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql.replace(/\bF\b/g, 'read_parquet($file)'), { ...params, file: files.get(day)! });
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** Each value of `expression` with its share of the day's events. */
async function shares(day: string, expression: string, where = 'true'): Promise<Map<unknown, number>> {
  const result = await rows(day, `SELECT ${expression} AS value, count(*) / sum(count(*)) OVER () AS share FROM F WHERE ${where} GROUP BY ALL`);
  return new Map(result.map((row) => [row.value, row.share as number]));
}

beforeAll(async () => {
  duck = await DuckDb.open();
  connection = await duck.connect();
  dir = await mkdtemp(path.join(os.tmpdir(), 'synthetic-breakdowns-test-'));
  for (const day of [START, END, ...FORTNIGHT]) files.set(day, await write(day));
});

afterAll(async () => {
  connection?.closeSync();
  duck?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('synthetic events: versions', () => {
  it('moves downloads to a new release over days, the old ones fading but not vanishing', async () => {
    // Per day, each of the top packages' newest release (PEP 440, pre-releases aside) and its share.
    const top = demoPackageNames(OPTIONS).slice(0, 12);
    const byDay = new Map<string, Map<string, Map<string, number>>>();
    for (const day of FORTNIGHT) {
      const result = await rows(day, `SELECT project, "file".version AS version, count(*)::INTEGER AS n FROM F WHERE list_contains($top, project) GROUP BY ALL`, {
        top: listValue(top),
      });
      const perPackage = new Map<string, Map<string, number>>();
      for (const row of result) {
        const versions = perPackage.get(row.project as string) ?? new Map<string, number>();
        versions.set(row.version as string, row.n as number);
        perPackage.set(row.project as string, versions);
      }
      byDay.set(day, perPackage);
    }
    const share = (day: string, project: string, version: string) => {
      const versions = byDay.get(day)!.get(project)!;
      const total = [...versions.values()].reduce((a, b) => a + b, 0);
      return (versions.get(version) ?? 0) / total;
    };
    const releases = (day: string, project: string) =>
      [...byDay.get(day)!.get(project)!.keys()].filter((v) => validPep440(v) && !PRE_RELEASE.test(v));
    let shifts = 0;
    for (const project of top.slice(2)) {
      // boto3 and botocore release nearly daily; the others every few weeks.
      for (let i = 1; i + 5 < FORTNIGHT.length; i++) {
        const before = FORTNIGHT[i - 1]!;
        const day = FORTNIGHT[i]!;
        const later = FORTNIGHT[i + 5]!;
        // A release newer than every one seen before (a version first seen may be an old one of the tail).
        const newestKnown = FORTNIGHT.slice(0, i).flatMap((d) => releases(d, project)).sort(comparePackageVersions).at(-1)!;
        const released = releases(day, project).filter((v) => comparePackageVersions(v, newestKnown) > 0);
        const previousNewest = releases(before, project).sort((a, b) => share(before, project, b) - share(before, project, a))[0]!;
        for (const version of released) {
          // A new release takes over within days, and the one it replaces keeps some downloads.
          expect(share(later, project, version)).toBeGreaterThan(2 * share(day, project, version));
          expect(share(later, project, previousNewest)).toBeLessThan(share(before, project, previousNewest));
          expect(share(later, project, previousNewest)).toBeGreaterThan(0);
          shifts++;
        }
      }
    }
    expect(shifts).toBeGreaterThan(2);
  });

  it('has pre-releases downloaded a little, and versions PEP 440 cannot parse on old packages', async () => {
    const versions = await rows(
      FORTNIGHT[0]!,
      `SELECT project, "file".version AS version, "file".type AS type, count(*)::INTEGER AS n FROM F WHERE project IS NOT NULL GROUP BY ALL`,
    );
    const events = versions.reduce((sum, v) => sum + (v.n as number), 0);
    const preReleases = versions.filter((v) => PRE_RELEASE.test(v.version as string) && validPep440(v.version as string));
    expect(new Set(preReleases.map((v) => (v.version as string).replace(/^[\d.]+/, ''))).size).toBeGreaterThan(2);
    const preShare = preReleases.reduce((sum, v) => sum + (v.n as number), 0) / events;
    expect(preShare).toBeGreaterThan(0.001);
    expect(preShare).toBeLessThan(0.02);
    const unparsable = versions.filter((v) => validPep440(v.version as string) === null);
    expect(unparsable.length).toBeGreaterThan(0);
    expect(new Set(unparsable.map((v) => v.project)).size).toBeGreaterThan(1);
    expect(unparsable.every((v) => v.type === 'sdist')).toBe(true);
    expect(unparsable.reduce((sum, v) => sum + (v.n as number), 0) / events).toBeLessThan(0.002);
  });
});

describe('synthetic events: clients', () => {
  it('has pip dominant and uv rising against it over the 180 days, with poetry, pdm, pipenv and browsers', async () => {
    const start = await shares(START, 'details.installer.name');
    const end = await shares(END, 'details.installer.name');
    expect(end.get('uv')!).toBeGreaterThan(1.4 * start.get('uv')!);
    expect(end.get('pip')!).toBeLessThan(start.get('pip')!);
    expect(end.get('pip')!).toBeGreaterThan(2 * end.get('uv')!);
    for (const name of ['poetry', 'pdm', 'pipenv', 'Browser', 'requests', 'setuptools', 'bandersnatch']) expect(end.get(name)).toBeGreaterThan(0);
  });

  it('has CI for about a third of the events that say, not CI for most, unknown for some', async () => {
    const ci = await shares(END, 'details.ci');
    expect(ci.get(true)!).toBeGreaterThan(0.25);
    expect(ci.get(false)!).toBeGreaterThan(ci.get(true)!);
    expect(ci.get(null)!).toBeGreaterThan(0.05);
    expect(ci.get(null)!).toBeLessThan(0.2);
  });

  it('has countries in a long tail, some null and some empty', async () => {
    const countries = await shares(END, 'country_code');
    expect(countries.size).toBeGreaterThan(60);
    expect(countries.get('US')!).toBeGreaterThan(0.3);
    for (const country of ['CN', 'DE', 'IN', 'GB', 'FR', 'JP', 'BR', 'NG', 'KE', null, '']) expect(countries.get(country)).toBeGreaterThan(0);
    expect(countries.get('')!).toBeLessThan(countries.get(null)!);
  });

  it('has CPython dominant, a little PyPy, and no implementation where there is no Python', async () => {
    const implementations = await shares(END, 'details.implementation.name');
    expect(implementations.get('CPython')!).toBeGreaterThan(0.9);
    expect(implementations.get('PyPy')!).toBeGreaterThan(0);
    expect(implementations.get('PyPy')!).toBeLessThan(0.02);
    expect(implementations.get(null)!).toBeGreaterThan(0);
    const [pythonless] = await rows(END, 'SELECT count(*)::INTEGER AS n FROM F WHERE details.python IS NULL AND details.implementation.name IS NOT NULL');
    expect(pythonless!.n).toBe(0);
  });

  it('has x86_64 dominant, AMD64 for Windows, and ARM (aarch64, arm64) rising', async () => {
    const start = await shares(START, 'details.cpu');
    const end = await shares(END, 'details.cpu');
    expect(end.get('x86_64')!).toBeGreaterThan(0.5);
    for (const cpu of ['AMD64', 'aarch64', 'arm64', 'amd64', 'armv7l', 'ppc64le', 's390x', 'x86']) expect(end.get(cpu)).toBeGreaterThan(0);
    expect(end.get('aarch64')!).toBeGreaterThan(1.1 * start.get('aarch64')!);
    expect(end.get('arm64')!).toBeGreaterThan(1.1 * start.get('arm64')!);
    const systems = await rows(END, `SELECT DISTINCT details.system.name AS system, details.cpu AS cpu FROM F WHERE details.cpu IN ('AMD64', 'arm64')`);
    for (const { system, cpu } of systems) expect({ cpu, system }).toEqual({ cpu, system: cpu === 'AMD64' ? 'Windows' : 'Darwin' });
  });

  it('has glibc dominant, musl with Alpine only, and no libc on Windows and macOS', async () => {
    const libcs = await shares(END, 'details.distro.libc.lib', `details.system.name = 'Linux'`);
    expect(libcs.get('glibc')!).toBeGreaterThan(0.9);
    expect(libcs.get('musl')!).toBeGreaterThan(0.02);
    expect(libcs.get('musl')!).toBeLessThan(0.08);
    const musl = await rows(END, `SELECT DISTINCT details.distro.name AS distro FROM F WHERE details.distro.libc.lib = 'musl'`);
    expect(musl.map((row) => row.distro)).toEqual(['Alpine Linux']);
    const alpine = await rows(END, `SELECT DISTINCT details.distro.libc.lib AS lib FROM F WHERE details.distro.name = 'Alpine Linux'`);
    expect(alpine.map((row) => row.lib)).toEqual(['musl']);
    const [withLibc] = await rows(END, `SELECT count(*)::INTEGER AS n FROM F WHERE details.system.name IN ('Windows', 'Darwin') AND details.distro.libc.lib IS NOT NULL`);
    expect(withLibc!.n).toBe(0);
  });

  it('has the distros of each system: Ubuntu, Debian, Alpine, CentOS, Amazon Linux, Fedora on Linux, macOS on Darwin', async () => {
    const distros = await rows(END, `SELECT details.distro.name AS distro, list(DISTINCT details.system.name) AS systems FROM F GROUP BY ALL`);
    const systemsOf = new Map(distros.map((row) => [row.distro, row.systems as string[]]));
    for (const distro of ['Ubuntu', 'Debian GNU/Linux', 'Alpine Linux', 'CentOS Linux', 'Amazon Linux', 'Fedora Linux', 'Rocky Linux']) {
      expect({ distro, systems: systemsOf.get(distro) }).toEqual({ distro, systems: ['Linux'] });
    }
    expect(systemsOf.get('macOS')).toEqual(['Darwin']);
    expect(systemsOf.get(null)).toContain('Windows');
    expect(systemsOf.get(null)).toContain('Linux');
  });
});

describe('synthetic events: file types', () => {
  it('has wheels dominant, sdists, and a little bdist_egg and bdist_wininst, each named as its type', async () => {
    const types = await shares(END, '"file".type');
    expect(types.get('bdist_wheel')!).toBeGreaterThan(0.75);
    expect(types.get('sdist')!).toBeGreaterThan(0.05);
    expect(types.get('bdist_egg')!).toBeGreaterThan(0);
    expect(types.get('bdist_egg')!).toBeLessThan(0.01);
    expect(types.get('bdist_wininst')!).toBeGreaterThan(0);
    const [misnamed] = await rows(
      END,
      `SELECT count(*)::INTEGER AS n FROM F WHERE NOT CASE "file".type WHEN 'bdist_wheel' THEN regexp_matches("file".filename, '\\.whl(\\.metadata)?$')
        WHEN 'sdist' THEN ends_with("file".filename, '.tar.gz') WHEN 'bdist_egg' THEN ends_with("file".filename, '.egg')
        WHEN 'bdist_wininst' THEN ends_with("file".filename, '.exe') ELSE false END`,
    );
    expect(misnamed!.n).toBe(0);
  });

  it('builds eggs and Windows installers only for legacy packages, and binary wheels for their platform', async () => {
    const eggs = await rows(END, `SELECT DISTINCT project FROM F WHERE "file".type IN ('bdist_egg', 'bdist_wininst')`);
    const pure = ['boto3', 'requests', 'urllib3', 'certifi'];
    expect(eggs.length).toBeGreaterThan(0);
    for (const { project } of eggs) expect(pure).not.toContain(project);
    const six = await shares(END, '"file".type', `project = 'six'`);
    const boto3 = await shares(END, '"file".type', `project = 'boto3'`);
    expect(six.get('sdist')!).toBeGreaterThan(0.03);
    expect(boto3.get('bdist_egg')).toBeUndefined();
    const [wrongPlatform] = await rows(
      END,
      `SELECT count(*)::INTEGER AS n FROM F WHERE project = 'numpy' AND "file".type = 'bdist_wheel' AND details.distro.libc.lib = 'musl'
        AND NOT regexp_matches("file".filename, 'musllinux')`,
    );
    expect(wrongPlatform!.n).toBe(0);
  });
});

describe('synthetic events: determinism of the breakdowns', () => {
  it('writes the same file for the same seed and day after days of another seed', async () => {
    await write(FORTNIGHT[3]!, { ...OPTIONS, seed: 5 }, 'other-seed-first');
    const again = await write(FORTNIGHT[3]!, OPTIONS, 'again');
    expect((await readFile(again)).equals(await readFile(files.get(FORTNIGHT[3]!)!))).toBe(true);
  });
});
