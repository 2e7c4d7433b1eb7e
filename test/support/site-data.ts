/**
 * Known data for the website's tests: 180 days ending on LATEST_DAY, so every page and chart has
 * an expected answer. `requests` has every kind of category and days without some of them;
 * `sparse-pkg` has downloads on three days only; fillers make the top lists longer than 20;
 * `html-in-metadata` is the PyPI stand-in's package with HTML in its metadata, and `certifi` and
 * `urllib3` two of `requests`' dependencies.
 */
import path from 'node:path';
import { addDays, dayRange, type Day } from '../../src/domain/dates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { chunks, row } from './rows.js';

export const DAYS = 180;
export const LATEST_DAY = '2026-11-24';
export const FIRST_DAY = addDays(LATEST_DAY, -(DAYS - 1));

/** The categories of `requests`, as the registry orders them. */
export const REQUESTS_CATEGORIES = {
  overall: ['with_mirrors', 'without_mirrors'],
  python_major: ['2', '3', 'null'],
  python_minor: ['2.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', 'null'],
  system: ['darwin', 'linux', 'null', 'other', 'windows'],
} as const;

/**
 * Every other breakdown, for every package and day: each category's weight in the day's
 * downloads without mirrors (split as `split` does, so they sum to them exactly). Countries are
 * twelve: more than a chart draws, so the smallest fold into "others".
 */
export const BREAKDOWN_WEIGHTS: Record<string, Record<string, number>> = {
  installer: { pip: 60, poetry: 10, uv: 25, null: 5 },
  ci: { true: 30, false: 60, null: 10 },
  country: { BR: 4, CA: 3, CN: 12, DE: 15, FR: 8, GB: 9, IN: 7, JP: 5, KR: 2, RU: 3, US: 30, null: 2 },
  implementation: { cpython: 95, pypy: 5 },
  cpu: { aarch64: 20, arm64: 8, x86_64: 70, null: 2 },
  libc: { glibc: 85, musl: 10, null: 5 },
  distro: { 'Alpine Linux': 10, 'Debian GNU/Linux': 30, Ubuntu: 50, null: 10 },
  file_type: { bdist_wheel: 90, sdist: 10 },
};

/**
 * `requests`' versions: 1,500 a day, as a popular package logs. Five take the day's downloads
 * but one each of the others, by these weights; every other version (`0.N.P`, a string PEP 440
 * cannot parse, and `null`) has one download a day.
 */
export const REQUESTS_BIG_VERSIONS: Record<string, number> = { '1.2.3': 10, '2.31.0': 15, '2.32.2': 25, '2.32.3': 40, '3.0.0rc1': 10 };
export const REQUESTS_SMALL_VERSIONS = [
  ...Array.from({ length: 1493 }, (_, i) => `0.${Math.floor(i / 10)}.${i % 10}`),
  'custom-build',
  'null',
];
/** A package with the seed's breakdowns only. */
export const SEED_ONLY_PACKAGE = 'zope-interface';
/** Other packages' versions, by weight. */
const OTHER_VERSIONS: Record<string, number> = { '1.0': 30, '1.1': 70 };

/** Days (index from the first) with downloads of `sparse-pkg`. */
export const SPARSE_DAYS = [10, 100, DAYS - 1] as const;

export const FILLERS = Array.from({ length: 22 }, (_, i) => `filler-${String(i + 1).padStart(2, '0')}`);

/** Every package with downloads. */
export const SITE_PACKAGES = [
  'requests',
  'requests-oauthlib',
  'requests-toolbelt',
  'django',
  'zope-interface',
  'certifi',
  'urllib3',
  'html-in-metadata',
  'sparse-pkg',
  ...FILLERS,
];

/** Splits `total` by `weights` into whole numbers that sum to it exactly. */
function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  parts[parts.length - 1]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

/** Rows of one package and day: every dimension's categories sum to `downloads`. */
function packageRows(name: string, downloads: number, mirrors: number, withPython2: boolean): AggregateRow[] {
  const rows = [row(name, 'overall', 'with_mirrors', downloads + mirrors), row(name, 'overall', 'without_mirrors', downloads)];
  const minors = withPython2 ? REQUESTS_CATEGORIES.python_minor : REQUESTS_CATEGORIES.python_minor.slice(1);
  const minorCounts = split(downloads, withPython2 ? [2, 5, 8, 12, 18, 25, 20, 10] : [5, 8, 12, 18, 25, 20, 10]);
  minors.forEach((category, i) => minorCounts[i]! > 0 && rows.push(row(name, 'python_minor', category, minorCounts[i]!)));
  const python2 = withPython2 ? minorCounts[0]! : 0;
  const unknown = minorCounts[minorCounts.length - 1]!;
  for (const [category, count] of [['2', python2], ['3', downloads - python2 - unknown], ['null', unknown]] as const) {
    if (count > 0) rows.push(row(name, 'python_major', category, count));
  }
  const systems = split(downloads, [10, 60, 5, 3, 22]);
  REQUESTS_CATEGORIES.system.forEach((category, i) => systems[i]! > 0 && rows.push(row(name, 'system', category, systems[i]!)));
  // As if loaded before the other breakdowns were on: only the seed's.
  if (name === SEED_ONLY_PACKAGE) return rows;
  for (const [dimension, weights] of Object.entries(BREAKDOWN_WEIGHTS)) rows.push(...splitRows(name, dimension, downloads, weights));
  if (name === 'requests') {
    const small = REQUESTS_SMALL_VERSIONS.length;
    rows.push(...splitRows(name, 'version', downloads - small, REQUESTS_BIG_VERSIONS));
    rows.push(...REQUESTS_SMALL_VERSIONS.map((version) => row(name, 'version', version, 1)));
  } else rows.push(...splitRows(name, 'version', downloads, OTHER_VERSIONS));
  return rows;
}

/** Rows of `dimension` splitting `downloads` by `weights` (categories in the object's order). */
function splitRows(name: string, dimension: string, downloads: number, weights: Record<string, number>): AggregateRow[] {
  const counts = split(downloads, Object.values(weights));
  return Object.keys(weights).flatMap((category, i) => (counts[i]! > 0 ? [row(name, dimension, category, counts[i]!)] : []));
}

/** `downloads` split by `weights` as the site's rows are: each category's count. */
export function splitCounts(downloads: number, weights: Record<string, number>): Record<string, number> {
  const counts = split(downloads, Object.values(weights));
  return Object.fromEntries(Object.keys(weights).map((category, i) => [category, counts[i]!]));
}

/** Downloads without mirrors of `requests` on day `index` (from the first). */
export function requestsDownloads(index: number): number {
  return Math.round((20_000 + index * 50) * WEEKLY[index % 7]!);
}

const WEEKLY = [1, 1.1, 1.15, 1.1, 1, 0.6, 0.55];

/** Every day's rows (without `__all__`, which a load derives). */
export function siteDays(): Record<Day, AggregateRow[]> {
  const days: Record<Day, AggregateRow[]> = {};
  dayRange(FIRST_DAY, LATEST_DAY).forEach((day, i) => {
    const weekly = WEEKLY[i % 7]!;
    const rows = [
      // Python 2 is missing every tenth day: its series has zeros there.
      ...packageRows('requests', requestsDownloads(i), 300 + (i % 3) * 100, i % 10 !== 0),
      ...packageRows('requests-oauthlib', Math.round(3_000 * weekly), 10, true),
      ...packageRows('requests-toolbelt', Math.round(2_000 * weekly), 0, false),
      ...packageRows('django', Math.round(12_000 * weekly), 50, false),
      ...packageRows('zope-interface', Math.round(1_500 * weekly), 0, true),
      ...packageRows('certifi', 700, 0, false),
      ...packageRows('urllib3', 650, 0, false),
      ...packageRows('html-in-metadata', 5, 0, false),
      ...FILLERS.flatMap((name, f) => packageRows(name, 900 - f * 30, 0, false)),
    ];
    if ((SPARSE_DAYS as readonly number[]).includes(i)) rows.push(...packageRows('sparse-pkg', 7, 0, false));
    days[day] = rows;
  });
  return days;
}

/**
 * `requests`' history before the days: backfilled months, 2024-01 to 2026-04 whole and 2026-05's
 * days before FIRST_DAY, each of REQUESTS_MONTH_DOWNLOADS without mirrors (every dimension's
 * categories split as a day's), so the page has 35 months in all.
 */
export const BACKFILLED_MONTHS = { first: '2024-01', last: '2026-05' } as const;
export const REQUESTS_MONTH_DOWNLOADS = 600_000;
export const MONTHS_HELD = 35;

export function siteBackfill(): { month: string; days: Day[]; rows: AggregateRow[] }[] {
  const months: { month: string; days: Day[]; rows: AggregateRow[] }[] = [];
  for (let n = 0; n < MONTHS_HELD - 6; n++) {
    const month = `${2024 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
    const next = `${2024 + Math.floor((n + 1) / 12)}-${String(((n + 1) % 12) + 1).padStart(2, '0')}-01`;
    const last = month === BACKFILLED_MONTHS.last ? addDays(FIRST_DAY, -1) : addDays(next, -1);
    months.push({ month, days: dayRange(`${month}-01`, last), rows: packageRows('requests', REQUESTS_MONTH_DOWNLOADS, 9_000, true) });
  }
  return months;
}

/** Writes the site's data into a new SQLite file in `dir`, as loads would; returns its path. */
export async function writeSiteDatabase(dir: string): Promise<string> {
  const file = path.join(dir, 'site.sqlite');
  const store = SqliteStore.open(file);
  try {
    for (const [day, rows] of Object.entries(siteDays())) {
      await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 5000)) });
    }
    for (const { month, days, rows } of siteBackfill()) await store.replaceBackfillMonth({ month, days, rows: withAllPackagesTotals(chunks(rows, 5000)) });
  } finally {
    await store.close();
  }
  return file;
}
