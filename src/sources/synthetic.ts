/**
 * Synthetic raw PyPI download events, one Parquet file per UTC day, in the schema of BigQuery's
 * `bigquery-public-data.pypi.file_downloads`, so the demo runs through the real aggregation.
 *
 * Deterministic for (options, day): per-day and per-package numbers come from `mix()` below, and
 * every per-event choice from DuckDB's `hash()` of (seed, day, event, salt), never from `random()`.
 * The events query is projections over one table of event numbers: no join, no aggregate, no
 * sort. DuckDB keeps insertion order through those and through COPY, so the file holds the events
 * in number order whatever the thread count, byte-identical from run to run, without an ORDER BY
 * (sorting 10M wide rows would cost more than generating them). That is also why every weighted
 * choice, the package included, uses an alias table (O(1) per event, exact weights) held in list
 * parameters rather than a join on a cumulative table.
 */
import { BIGINT, BOOLEAN, DOUBLE, ENUM, INTEGER, LIST, listValue, UBIGINT, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { dayNumber, isDay, type Day } from '../domain/dates.js';
import type { DemoOptions } from '../domain/demo.js';
import { normalizeName as normalize } from '../domain/names.js';
import type { DuckDb } from './duckdb.js';
import * as data from './synthetic-data.js';

export { DEFAULT_DEMO_OPTIONS, type DemoOptions } from '../domain/demo.js';

const ZIPF_EXPONENT = 1.1;
const WEEKEND_FACTOR = 0.65;
const YEARLY_GROWTH = 1.2;
const TREND_ORIGIN = data.TRENDS_QUOTED_ON;
/** Every package's release history starts here (its first release), so a version's name never changes. */
const HISTORY_START = dayNumber('2015-01-01');
/** boto3 and botocore release nearly every weekday. */
const DAILY_RELEASERS = new Set(['boto3', 'botocore']);
/** Packages released less often than every this many days see their mirror events burst on a release day. */
const MIN_BURSTING_CADENCE = 7;
/** On a release day a package's mirror events are this many times an ordinary day's. */
const MIRROR_BURST = 6;
/** PyPI stopped logging `.metadata` fetches on this day. */
const METADATA_LOGGED_BEFORE = dayNumber('2026-08-24');
const MICROSECONDS_PER_DAY = 86_400_000_000;
/** Per-event shares out of 65536, each compared with 16 bits of one hash. */
const SHARE_OF_65536 = { metadata: 3277, ci: 19661, ciUnknown: 5243, malformed: 66 } as const;
/**
 * Shares of a package's events (out of 65536) that download something else than one of its
 * recent releases: an unparsable legacy version (old packages only, 0.3 %), the pre-release of its
 * next minor (while one is out, 1.5 %), an old release of the long tail (3 %); and of a legacy
 * package's built files, an egg (2 %) or a Windows installer (0.4 %).
 */
const VERSION_SHARE_OF_65536 = { legacy: 197, preRelease: 983, tail: 1966, egg: 1311, wininst: 262 } as const;
/** How long a pre-release is out: a package has one in some of these periods. */
const PRE_RELEASE_PERIOD_DAYS = 21;
const PRE_RELEASE_CHANCE = 0.25;
/** `file.type` values, in the order of the SQL's file kind (0 wheel, 1 sdist, 2 egg, 3 installer). */
const FILE_TYPES = ['bdist_wheel', 'sdist', 'bdist_egg', 'bdist_wininst'];
const FILE_KIND = { wheel: 0, sdist: 1, egg: 2, wininst: 3 } as const;
/** What an event's version is: one of the package's releases, its pre-release, a legacy string. */
const VERSION_KIND = { release: 0, preRelease: 1, legacy: 2 } as const;
/** What is wrong with a malformed event; 0 for a sound one. */
const MALFORMED = { noTimestamp: 1, noProject: 2, longName: 3, invalidName: 4 } as const;
/** 200 characters: a valid name, but longer than PyPI allows. */
const LONG_NAME = `${'synthetic-'.repeat(20).slice(0, 199)}z`;
const INVALID_NAMES = ['-bad-name-', 'has space'];
const FALLBACK_WHEEL_PLATFORM = 'manylinux_2_17_x86_64.manylinux2014_x86_64';

/** A deterministic 32-bit hash of integers (FNV-style mixing, murmur3 finalizer). */
function mix(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const value of values) {
    h = Math.imul(h ^ (value | 0), 0x01000193);
    h = Math.imul(h ^ Math.floor(value / 0x1_0000_0000), 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const unit = (...values: number[]) => mix(...values) / 0x1_0000_0000;

/**
 * A package's releases: one at HISTORY_START, then one every `cadence` days on average, counted
 * from 0. Release k is named from k alone (the SQL spells it from integers): `minors` 0 is
 * calendar versioning (`2019.3`, `patches` releases a year), otherwise
 * `major + k / (patches * minors)`.`(k / patches) % minors`.`k % patches`.
 */
interface DemoPackage {
  name: string;
  kind: data.PackageKind;
  major: number;
  cadence: number;
  patches: number;
  minors: number;
  sdistShare: number;
  /** Days of its releases, ascending, drawn as far as a day asked for so far. */
  releaseDays: number[];
}

const packageCache = new Map<string, DemoPackage[]>();

function demoPackages({ packages, seed }: Pick<DemoOptions, 'packages' | 'seed'>): DemoPackage[] {
  if (!Number.isInteger(packages) || packages < 1) throw new Error(`packages must be a positive integer, got ${packages}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const key = `${packages}:${seed}`;
  const cached = packageCache.get(key);
  if (cached) return cached;
  let draws = 0;
  const next = () => unit(seed, 0x6e616d65, draws++);
  const taken = new Set<string>();
  const known = [...data.WELL_KNOWN_PACKAGES];
  const result: DemoPackage[] = [];
  for (let rank = 1; rank <= packages; rank++) {
    // The top ranks are the real leaders; further down, real and made-up names mix.
    const real = known.length > 0 && (rank <= 25 || next() < 0.4) ? known.shift() : undefined;
    let name = real?.[0] ?? data.madeUpName(next);
    // Syllables run out around ten thousand names; then the rank makes a name unique.
    for (let tries = 1; taken.has(normalize(name)); tries++) name = data.madeUpName(next) + (tries > 20 ? String(rank) : '');
    taken.add(normalize(name));
    const kind = real?.[1] ?? (next() < 0.15 ? 'binary' : next() < 0.12 ? 'legacy' : 'pure');
    const calendar = next() < 0.1 && !DAILY_RELEASERS.has(name);
    // Most packages release every ten days to two months, legacy ones every two to four months.
    const cadence = DAILY_RELEASERS.has(name) ? 1.5 : (kind === 'legacy' ? 60 : 10) + 50 * next() ** 2;
    result.push({
      name,
      kind,
      major: calendar ? 0 : DAILY_RELEASERS.has(name) ? 1 : Math.floor(next() ** 2 * 5),
      cadence,
      // Calendar versions count releases within a year; others have a few patches per minor,
      // many for the daily releasers (boto3 1.35.80).
      patches: calendar ? Math.max(1, Math.round(365 / (cadence + 0.5))) : DAILY_RELEASERS.has(name) ? 100 : 2 + Math.floor(next() * 10),
      minors: calendar ? 0 : DAILY_RELEASERS.has(name) ? 1000 : 4 + Math.floor(next() * 26),
      sdistShare: kind === 'binary' ? 0.02 + 0.05 * next() : 0.04 + 0.25 * next(),
      releaseDays: [HISTORY_START],
    });
  }
  if (packageCache.size > 16) packageCache.clear();
  packageCache.set(key, result);
  return result;
}

/**
 * On `day`: the index of the package's newest release and the days since it. Gaps are drawn from
 * (seed, rank, release index), so the history is the same whatever days were asked for before.
 */
function newestRelease(pkg: DemoPackage, seed: number, rank: number, day: number): { index: number; since: number } {
  const days = pkg.releaseDays;
  while (days[days.length - 1]! <= day) {
    // A whole number of days, `cadence` + 0.5 on average.
    const gap = 1 + Math.floor(pkg.cadence * (0.2 + 1.6 * unit(seed, rank, days.length, 0x72656c)));
    days.push(days[days.length - 1]! + gap);
  }
  if (day < days[0]!) return { index: 0, since: Number.POSITIVE_INFINITY };
  // The last entry is past `day`; search the ones before it.
  let low = 0;
  let high = days.length - 1;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (days[middle]! <= day) low = middle;
    else high = middle;
  }
  return { index: low, since: day - days[low]! };
}

/**
 * The demo's package names (raw, as they appear in `file.project`), most popular first.
 * Deterministic for (packages, seed); a smaller demo's names are the first of a bigger one's.
 */
export function demoPackageNames(options: Pick<DemoOptions, 'packages' | 'seed'>): string[] {
  return demoPackages(options).map((p) => p.name);
}

/** The events `writeDemoDay` writes for `day` (a weekday more than `eventsPerDay`, a weekend day fewer). */
export function demoDayEvents(options: DemoOptions, day: Day): number {
  return dayEventCount(options, dayNumber(day));
}

/** Weekly seasonality, a mild trend and a little noise; over a week the mean is `eventsPerDay`. */
function dayEventCount(options: DemoOptions, day: number): number {
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 (day 0) was a Thursday; 0 is Sunday
  const week = ((weekday === 0 || weekday === 6 ? WEEKEND_FACTOR : 1) * 7) / (5 + 2 * WEEKEND_FACTOR);
  const trend = YEARLY_GROWTH ** ((day - TREND_ORIGIN) / 365.25);
  const noise = 1 + 0.06 * (unit(options.seed, day, 0x64617973) - 0.5);
  return Math.round(options.eventsPerDay * week * trend * noise);
}

/** Vose's alias table: `cut` out of 2^32, `alias` 1-based. */
function aliasTable(weights: readonly number[]): { cut: bigint[]; alias: number[] } {
  const total = weights.reduce((a, b) => a + b, 0);
  const scaled = weights.map((w) => (w * weights.length) / total);
  const cut = scaled.map(() => 1n << 32n);
  const alias = scaled.map((_, i) => i + 1);
  const small = scaled.flatMap((p, i) => (p < 1 ? [i] : []));
  const large = scaled.flatMap((p, i) => (p >= 1 ? [i] : []));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large[large.length - 1]!;
    cut[s] = BigInt(Math.round(scaled[s]! * 2 ** 32));
    alias[s] = l + 1;
    scaled[l] = scaled[l]! - (1 - scaled[s]!);
    if (scaled[l]! < 1) small.push(large.pop()!);
  }
  return { cut, alias };
}

/**
 * Named parameters with explicit types, so lists holding NULLs bind as what they are. A list
 * parameter costs DuckDB a copy per vector: fine for the few hundred entries used here.
 */
class Params {
  readonly values: Record<string, DuckDBValue> = {};
  readonly types: Record<string, DuckDBType> = {};

  add(name: string, value: DuckDBValue, type: DuckDBType): string {
    this.values[name] = value;
    this.types[name] = type;
    return `$${name}`;
  }

  list(name: string, items: readonly DuckDBValue[], itemType: DuckDBType): string {
    return this.add(name, listValue([...items]), LIST(itemType));
  }

  /**
   * Short lists of strings as ENUMs: the Parquet writer then takes the codes as its dictionary
   * instead of hashing every string, which saves a third of its time; the file still holds
   * plain strings. Short only: binding a list of ENUM values takes time quadratic in its length.
   */
  categories(name: string, items: readonly (string | null)[]): string {
    return this.list(name, items, ENUM([...new Set(items.filter((item) => item !== null))]));
  }

  /**
   * A 1-based index drawn with these weights from the 64-bit hash column `hash`, O(1) per event
   * by Vose's alias method: a uniform slot from the low bits, then it or its alias by the high bits.
   */
  weightedIndex(name: string, weights: readonly number[], hash: string): string {
    const { cut, alias } = aliasTable(weights);
    const cuts = this.list(`${name}_cut`, cut, UBIGINT);
    const aliases = this.list(`${name}_alias`, alias, INTEGER);
    const slot = `(1 + ${hash} % ${weights.length})::INTEGER`;
    return `CASE WHEN ${hash} >> 32 < ${cuts}[${slot}] THEN ${slot} ELSE ${aliases}[${slot}] END`;
  }

  /**
   * As weightedIndex, with one table of weights per row (all of one length), the row chosen by
   * the 0-based SQL expression `row`: the tables lie end to end in one list.
   */
  weightedIndexByRow(name: string, tables: readonly (readonly number[])[], row: string, hash: string): string {
    const width = tables[0]!.length;
    const built = tables.map((weights) => aliasTable(weights));
    const cuts = this.list(`${name}_cut`, built.flatMap((t) => t.cut), UBIGINT);
    const aliases = this.list(`${name}_alias`, built.flatMap((t) => t.alias), INTEGER);
    const slot = `(1 + ${hash} % ${width})::INTEGER`;
    const at = `(${row}) * ${width} + ${slot}`;
    return `CASE WHEN ${hash} >> 32 < ${cuts}[${at}] THEN ${slot} ELSE ${aliases}[${at}] END`;
  }
}

/** Each package's share of the day, with a burst of mirror events on its release days. */
function packageWeights(packages: DemoPackage[], seed: number, day: number, mirrorShare: number, releasedToday: readonly boolean[]) {
  const weights = packages.map((_, index) => (index + 1) ** -ZIPF_EXPONENT * Math.exp(0.3 * (unit(seed, day, index + 1, 0x706f70) - 0.5)));
  const burstRanks = packages.map((_, index) => index + 1).filter((rank) => releasedToday[rank - 1]);
  const burstWeights = burstRanks.map((rank) => weights[rank - 1]! * mirrorShare * (MIRROR_BURST - 1));
  return { weights: [...weights, ...burstWeights], burstRanks };
}

/** Writes the raw events of one day to `file` (Parquet). Returns how many events were written. */
export async function writeDemoDay(duck: DuckDb, options: DemoOptions, day: Day, file: string): Promise<{ events: number }> {
  if (!isDay(day)) throw new Error(`day must be a date as YYYY-MM-DD, got "${day}"`);
  if (!(options.eventsPerDay >= 0)) throw new Error(`eventsPerDay must be a number >= 0, got ${options.eventsPerDay}`);
  const packages = demoPackages(options);
  const dayNum = dayNumber(day);
  const events = dayEventCount(options, dayNum);
  const installers = data.INSTALLERS.map((i) => ({ ...i, weight: i.since && dayNum < dayNumber(i.since) ? 0 : data.trendWeight(i.weight, dayNum, i.doublingDays) }));
  const mirrorShare = installers.reduce((sum, i) => sum + (i.mirror ? i.weight : 0), 0) / installers.reduce((sum, i) => sum + i.weight, 0);
  const newest = packages.map((pkg, index) => newestRelease(pkg, options.seed, index + 1, dayNum));
  // Mirrors fetch a new release the day it is out; a package released every few days is fetched
  // that often anyway, so only the others burst.
  const releasedToday = newest.map((release, index) => release.since === 0 && packages[index]!.cadence >= MIN_BURSTING_CADENCE);
  const { weights, burstRanks } = packageWeights(packages, options.seed, dayNum, mirrorShare, releasedToday);
  const preRelease = packages.map((pkg, index) =>
    pkg.minors > 0 && unit(options.seed, index + 1, Math.floor(dayNum / PRE_RELEASE_PERIOD_DAYS), 0x707265) < PRE_RELEASE_CHANCE
      ? 1 + (mix(options.seed, index + 1, 0x737566) % (data.PRE_RELEASE_SUFFIXES.length - 1))
      : 0,
  );
  const pythons = data.pythonEntries(dayNum);
  const platforms = data.PLATFORMS.map((e) => ({ ...e, weight: data.trendWeight(e.weight, dayNum, e.doublingDays) }));
  const wheelName = (name: string) => normalize(name).replaceAll('-', '_');
  const packageDir = (rank: number) => [0, 1, 2, 3, 4, 5, 6, 7].map((k) => mix(options.seed, rank, k).toString(16).padStart(8, '0')).join('').slice(4);
  const hexByte = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

  const p = new Params();
  const seed = p.add('seed', BigInt(options.seed), BIGINT);
  // hash(seed, day, i, salt) would differ from one salt to another by a constant XOR (DuckDB
  // combines arguments' hashes with XOR last): the draws would be correlated. Re-hashing the
  // event's hash with the salt mixed in makes them independent.
  const draw = (salt: number) => `hash(xor(h_event, ${salt}::UBIGINT))`;
  const perPackage = <T extends DuckDBValue>(name: string, value: (p: DemoPackage, rank: number) => T, type: DuckDBType) =>
    `${p.list(name, packages.map((pkg, index) => value(pkg, index + 1)), type)}[rank]`;
  const slotWidth = events > 0 ? MICROSECONDS_PER_DAY / events : 0;
  const bits16 = (shift: number) => `((h_misc >> ${shift}) & 65535)`;
  const { ci, ciUnknown, malformed } = SHARE_OF_65536;
  const metadataShare = dayNum < METADATA_LOGGED_BEFORE ? SHARE_OF_65536.metadata : 0;
  const byPlatform = (name: string, value: (e: data.Platform) => string | null) => `${p.categories(name, platforms.map(value))}[platform_k]`;
  const byPython = (name: string, value: (e: data.PythonEntry) => string | null) => `${p.categories(name, pythons.map(value))}[python_k]`;
  const wheelPlatform = byPlatform('wheel_platform', (e) => e.wheelPlatform);
  const legacyCut = VERSION_SHARE_OF_65536.legacy;
  const preCut = legacyCut + VERSION_SHARE_OF_65536.preRelease;
  const tailCut = preCut + VERSION_SHARE_OF_65536.tail;
  const eggCut = VERSION_SHARE_OF_65536.egg;
  const wininstCut = eggCut + VERSION_SHARE_OF_65536.wininst;

  const sql = `COPY (
WITH events AS (
  SELECT i, hash(${seed}, ${p.add('day', dayNum, INTEGER)}, i) AS h_event FROM event_numbers
), draws AS (
  SELECT i, ${draw(1)} AS h_package, ${draw(2)} AS h_time, ${draw(3)} AS h_installer, ${draw(4)} AS h_python,
    ${draw(5)} AS h_platform, ${draw(6)} AS h_country, ${draw(7)} AS h_tls, ${draw(8)} AS h_setuptools,
    ${draw(9)} AS h_rustc, ${draw(10)} AS h_version, ${draw(11)} AS h_misc, ${draw(12)} AS h_extra
  FROM events
), segments AS (
  SELECT *, ${p.weightedIndex('package', weights, 'h_package')} AS segment FROM draws
), packages AS (
  SELECT *,
    CASE WHEN segment <= ${packages.length} THEN segment ELSE ${p.list('burst_rank', burstRanks, INTEGER)}[segment - ${packages.length}] END AS rank,
    segment > ${packages.length} AS burst
  FROM segments
), chosen AS (
  SELECT *,
    ${perPackage('is_binary', (pkg) => pkg.kind === 'binary', BOOLEAN)} AS is_binary,
    ${perPackage('is_legacy', (pkg) => pkg.kind === 'legacy', BOOLEAN)} AS is_legacy,
    ${perPackage('newest', (_, rank) => newest[rank - 1]!.index, INTEGER)} AS newest_release,
    ${perPackage('pre_release', (_, rank) => preRelease[rank - 1]!, INTEGER)} AS pre_release,
    (h_extra & 65535) AS version_pick,
    CASE WHEN burst THEN ${p.weightedIndex('mirror', installers.map((i) => (i.mirror ? i.weight : 0)), 'h_installer')}
      ELSE ${p.weightedIndex('installer', installers.map((i) => i.weight), 'h_installer')} END AS installer_k,
    ${p.weightedIndex('country', data.COUNTRIES.map(([, w]) => w), 'h_country')} AS country_k,
    ${p.weightedIndex('tls', data.TLS.map(([, , w]) => w), 'h_tls')} AS tls_k,
    ${p.weightedIndex('setuptools', data.SETUPTOOLS_VERSIONS.map(([, w]) => w), 'h_setuptools')} AS setuptools_k,
    ${p.weightedIndex('rustc', data.RUSTC_VERSIONS.map(([, w]) => w), 'h_rustc')} AS rustc_k
  FROM packages
), releases AS (
  SELECT *,
    CASE WHEN is_legacy AND version_pick < ${legacyCut} THEN ${VERSION_KIND.legacy}
      WHEN pre_release > 0 AND version_pick >= ${legacyCut} AND version_pick < ${preCut} THEN ${VERSION_KIND.preRelease}
      ELSE ${VERSION_KIND.release} END AS version_kind,
    newest_release - least(newest_release, CASE WHEN version_pick >= ${preCut} AND version_pick < ${tailCut}
        THEN ${data.SETTLED_AGE_WEIGHTS.length - 1} + ${p.weightedIndex('tail_age', data.TAIL_AGE_WEIGHTS, 'h_version')}
      ELSE ${p.weightedIndexByRow('age', data.ageWeightsByPhase(), perPackage('phase', (_, rank) => Math.min(newest[rank - 1]!.since, data.LAST_PHASE), INTEGER), 'h_version')} - 1 END) AS release
  FROM chosen
), clients AS (
  SELECT *,
    CASE WHEN bare THEN ${pythons.findIndex((e) => e.python === null) + 1}
      WHEN is_legacy THEN ${p.weightedIndex('python_legacy', pythons.map((e) => e.legacy), 'h_python')}
      ELSE ${p.weightedIndex('python', pythons.map((e) => e.modern), 'h_python')} END AS python_k,
    CASE WHEN bare THEN ${platforms.findIndex((e) => e.system === null) + 1}
      ELSE ${p.weightedIndex('platform', platforms.map((e) => e.weight), 'h_platform')} END AS platform_k
  FROM (SELECT *, ${p.list('installer_bare', installers.map((i) => i.bare ?? false), BOOLEAN)}[installer_k] AS bare FROM releases)
), kinds AS (
  SELECT *,
    ${bits16(32)} < ${metadataShare} AND version_kind <> ${VERSION_KIND.legacy} AS metadata,
    CASE WHEN ${bits16(48)} < ${malformed} THEN 1 + ${bits16(48)} % ${Object.keys(MALFORMED).length} ELSE 0 END AS malformed,
    ${bits16(32)} >= ${metadataShare} AND (${bits16(16)} < ${perPackage('sdist_cut', (pkg) => Math.round(pkg.sdistShare * 65536), INTEGER)}
      OR (is_binary AND ${wheelPlatform} IS NULL) OR version_kind = ${VERSION_KIND.legacy}) AS sdist,
    ${perPackage('major', (pkg) => pkg.major, INTEGER)} AS major,
    ${perPackage('patches', (pkg) => pkg.patches, INTEGER)} AS patches,
    ${perPackage('minors', (pkg) => pkg.minors, INTEGER)} AS minors,
    (newest_release // $patches[rank] + 1) * $patches[rank] AS next_minor
  FROM clients
), versions AS (
  SELECT *,
    CASE WHEN sdist THEN ${FILE_KIND.sdist}
      WHEN NOT metadata AND is_legacy AND ((h_extra >> 16) & 65535) < ${eggCut} THEN ${FILE_KIND.egg}
      WHEN NOT metadata AND is_legacy AND ((h_extra >> 16) & 65535) < ${wininstCut} THEN ${FILE_KIND.wininst}
      ELSE ${FILE_KIND.wheel} END AS file_kind,
    CASE WHEN version_kind = ${VERSION_KIND.legacy} THEN ${p.list('legacy_versions', data.LEGACY_VERSIONS, VARCHAR)}[(1 + (h_extra >> 32) % ${data.LEGACY_VERSIONS.length})::INTEGER]
      WHEN version_kind = ${VERSION_KIND.preRelease} THEN concat(major + next_minor // (patches * greatest(minors, 1)), '.', (next_minor // patches) % greatest(minors, 1), '.0',
        ${p.list('pre_release_suffixes', data.PRE_RELEASE_SUFFIXES, VARCHAR)}[pre_release + 1])
      WHEN minors = 0 THEN concat(${new Date(HISTORY_START * 86_400_000).getUTCFullYear()} + release // patches, '.', release % patches + 1)
      ELSE concat(major + release // (patches * minors), '.', (release // patches) % minors, '.', release % patches) END AS version
  FROM kinds
), files AS (
  SELECT *,
    CASE file_kind WHEN ${FILE_KIND.sdist} THEN concat(${perPackage('sdist_stem', (pkg) => (pkg.kind === 'legacy' ? pkg.name : wheelName(pkg.name)), VARCHAR)}, '-', version, '.tar.gz')
      WHEN ${FILE_KIND.egg} THEN concat(${perPackage('wheel_name', (pkg) => wheelName(pkg.name), VARCHAR)}, '-', version, '-py2.7.egg')
      WHEN ${FILE_KIND.wininst} THEN concat($wheel_name[rank], '-', version, '.win32.exe')
      ELSE concat($wheel_name[rank], '-', version, '-',
        CASE WHEN is_binary THEN concat(coalesce(${byPython('python_abi', (e) => e.abi)}, 'cp39-abi3'), '-',
            coalesce(${wheelPlatform}, '${FALLBACK_WHEEL_PLATFORM}'))
          WHEN is_legacy THEN 'py2.py3-none-any' ELSE 'py3-none-any' END, '.whl') END AS release_file,
    CASE malformed WHEN ${MALFORMED.noProject} THEN NULL WHEN ${MALFORMED.longName} THEN ${p.add('long_name', LONG_NAME, VARCHAR)}
      WHEN ${MALFORMED.invalidName} THEN ${p.list('invalid_names', INVALID_NAMES, VARCHAR)}[1 + i % 2]
      ELSE ${perPackage('project', (pkg) => pkg.name, VARCHAR)} END AS project
  FROM versions
), hashed AS (
  SELECT *, hash(release_file, ${seed}) AS h_file, CASE WHEN metadata THEN '.metadata' END AS metadata_suffix FROM files
)
SELECT
  CASE WHEN malformed = ${MALFORMED.noTimestamp} THEN NULL
    ELSE make_timestamptz(${p.add('day_start', BigInt(dayNum) * BigInt(MICROSECONDS_PER_DAY), BIGINT)}
      + floor(i * ${p.add('slot_width', slotWidth, DOUBLE)})::BIGINT + (h_time % ${p.add('jitter', BigInt(Math.max(1, Math.floor(slotWidth))), UBIGINT)})::BIGINT) END AS "timestamp",
  ${p.categories('country', data.COUNTRIES.map(([c]) => c))}[country_k] AS country_code,
  concat('/packages/', ${p.list('hex_byte', hexByte, VARCHAR)}[(1 + h_file % 256)::INTEGER], '/', $hex_byte[(1 + (h_file >> 8) % 256)::INTEGER], '/',
    ${perPackage('package_dir', (_, rank) => packageDir(rank), VARCHAR)}, '/', release_file, metadata_suffix) AS url,
  project,
  struct_pack(filename := concat(release_file, metadata_suffix), project := project, version := version,
    type := ${p.categories('file_type', FILE_TYPES)}[1 + file_kind]) AS "file",
  struct_pack(
    installer := struct_pack(name := ${p.categories('installer_name', installers.map((i) => i.name))}[installer_k],
      version := ${p.categories('installer_version', installers.map((i) => i.version))}[installer_k]),
    python := ${byPython('python_version', (e) => e.python)},
    implementation := struct_pack(name := ${byPython('implementation_name', (e) => e.implementation?.[0] ?? null)},
      version := ${byPython('implementation_version', (e) => e.implementation?.[1] ?? null)}),
    distro := struct_pack(name := ${byPlatform('distro_name', (e) => e.distro?.[0] ?? null)},
      version := ${byPlatform('distro_version', (e) => e.distro?.[1] ?? null)},
      id := ${byPlatform('distro_id', (e) => e.distro?.[2] ?? null)},
      libc := struct_pack(lib := ${byPlatform('libc_lib', (e) => e.libc?.[0] ?? null)}, version := ${byPlatform('libc_version', (e) => e.libc?.[1] ?? null)})),
    system := struct_pack(name := ${byPlatform('system_name', (e) => e.system)}, release := ${byPlatform('system_release', (e) => e.release)}),
    cpu := ${byPlatform('cpu', (e) => e.cpu)},
    openssl_version := ${byPlatform('openssl', (e) => e.openssl)},
    setuptools_version := ${p.categories('setuptools_version', data.SETUPTOOLS_VERSIONS.map(([v]) => v))}[CASE WHEN NOT bare THEN setuptools_k END],
    rustc_version := ${p.categories('rustc_version', data.RUSTC_VERSIONS.map(([v]) => v))}[CASE WHEN NOT bare THEN rustc_k END],
    ci := CASE WHEN bare THEN NULL WHEN ${bits16(0)} < ${ci} THEN true WHEN ${bits16(0)} >= ${ci + ciUnknown} THEN false END) AS details,
  ${p.categories('tls_protocol', data.TLS.map(([protocol]) => protocol))}[tls_k] AS tls_protocol,
  ${p.categories('tls_cipher', data.TLS.map(([, cipher]) => cipher))}[tls_k] AS tls_cipher
FROM hashed
) TO ${p.add('file', file, VARCHAR)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`;

  const connection = await duck.connect();
  try {
    // range() is a single-threaded source; a table is scanned in parallel, in order.
    await connection.run('CREATE TEMP TABLE event_numbers AS SELECT range AS i FROM range($events)', { events: BigInt(events) }, { events: BIGINT });
    await connection.run(sql, p.values, p.types);
  } finally {
    connection.closeSync();
  }
  return { events };
}
