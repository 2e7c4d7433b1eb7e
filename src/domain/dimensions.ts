/**
 * The dimension registry: every breakdown the service offers is defined here once. The aggregation
 * queries, the store's layout, the API routes, the pages and the API page are generated from it.
 *
 * A dimension names the raw columns it reads (`columns`: a path into a raw event of
 * `bigquery-public-data.pypi.file_downloads`, and the name its SQL uses), and its category rule is
 * SQL over those names, written once per dialect, here.
 */
import { compare as comparePep440, valid as validPep440 } from '@renovatebot/pep440';

/**
 * `bigquery` SQL uses only what BigQuery and DuckDB both have with the same meaning (so the test
 * stand-in runs it in DuckDB): no capture groups in REGEXP_EXTRACT (BigQuery returns the group,
 * DuckDB the whole match), `[.]` rather than a backslash (string escapes differ).
 */
export type Dialect = 'duckdb' | 'bigquery';

export type CategoryRule =
  /** `with_mirrors` counts every download, `without_mirrors` leaves the mirror installers out. */
  | { kind: 'mirror_split' }
  /** One category per event from an SQL expression; mirror downloads are left out. */
  | { kind: 'expression'; sql: Record<Dialect, string> };

export interface DimensionFilter {
  /** The query parameter that selects one category. */
  readonly param: string;
  /** A closed set of accepted values (anything else is a 400); absent: any short string. */
  readonly values?: readonly string[];
  /**
   * Whether the value is matched as given (`version=1.0RC1` is not `1.0rc1`); otherwise values
   * arrive lowercased and the filter is case-insensitive.
   */
  readonly caseSensitive?: boolean;
  /** What a filter value selects (lowercased first unless caseSensitive). */
  readonly toCategory: (value: string) => string;
  /**
   * The categories are kept as logged (`Ubuntu`, `Debian GNU/Linux`) and the filter matches them
   * in any case, so one value can select several spellings: compare lowercased, not by toCategory.
   */
  readonly matchesAnyCase?: boolean;
  readonly examples: readonly string[];
  readonly description: string;
}

/** A field of a raw event a dimension reads. */
export interface RawColumn {
  /** The name the category SQL uses for it (unique across the registry). */
  readonly name: string;
  /** Where it is in a raw event: `['details', 'distro', 'libc', 'lib']`. */
  readonly path: readonly string[];
  /** Its type in the raw events (BigQuery's and DuckDB's names agree on these). */
  readonly type: 'VARCHAR' | 'BOOLEAN';
}

export interface Dimension {
  /** The store's name, the endpoint's path segment and the chart's key. */
  readonly name: string;
  /**
   * One of the four breakdowns of pypistats.org: always on, kept in every package's small block
   * that `/overall` and `/recent` read; the others are kept apart so those reads stay as cheap.
   */
  readonly seed: boolean;
  /**
   * `global`: a category means the same for every package (Python 3.12, Linux, DE), so it sums
   * into `__all__`; `package`: it belongs to one package (its versions) and `__all__` has none.
   */
  readonly scope: 'global' | 'package';
  /** The raw columns the category rule reads (the mirror split reads the installer itself). */
  readonly columns: readonly RawColumn[];
  /** The `type` field of responses. */
  readonly responseType: string;
  readonly title: string;
  readonly description: string;
  readonly filter: DimensionFilter;
  readonly categories: CategoryRule;
  readonly compareCategories: (a: string, b: string) => number;
}

export const NULL_CATEGORY = 'null';
export const WITH_MIRRORS = 'with_mirrors';
export const WITHOUT_MIRRORS = 'without_mirrors';

export function compareAlphabetically(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Alphabetical (by code unit, as the seed's examples), with `null` after every other category. */
export function compareAlphabeticallyNullLast(a: string, b: string): number {
  if (a === NULL_CATEGORY || b === NULL_CATEGORY) return a === b ? 0 : a === NULL_CATEGORY ? 1 : -1;
  return compareAlphabetically(a, b);
}

const parsedPep440 = new Map<string, boolean>();

/** Memoized like versionParts: a popular package's series compares a thousand versions many times. */
function isPep440(value: string): boolean {
  let valid = parsedPep440.get(value);
  if (valid === undefined) {
    valid = validPep440(value) !== null;
    if (parsedPep440.size < 100_000) parsedPep440.set(value, valid);
  }
  return valid;
}

/**
 * Package versions in PEP 440 order (`1.9` < `1.10` < `2.0rc1` < `2.0`), by @renovatebot/pep440;
 * strings PEP 440 cannot parse after them, alphabetically; `null` last. Two spellings of one
 * version (`1.0` and `1.0.0`) are equal to PEP 440 and ordered alphabetically, so the order is total.
 */
export function comparePackageVersions(a: string, b: string): number {
  if (a === NULL_CATEGORY || b === NULL_CATEGORY) return a === b ? 0 : a === NULL_CATEGORY ? 1 : -1;
  const validA = isPep440(a);
  const validB = isPep440(b);
  if (validA && validB) return comparePep440(a, b) || compareAlphabetically(a, b);
  if (validA !== validB) return validA ? -1 : 1;
  return compareAlphabetically(a, b);
}

/** CI first, then not CI, then unknown: the order of the contract. */
const CI_ORDER = ['true', 'false', NULL_CATEGORY];

function compareCi(a: string, b: string): number {
  const rank = (value: string) => (CI_ORDER.includes(value) ? CI_ORDER.indexOf(value) : CI_ORDER.length);
  return rank(a) - rank(b) || compareAlphabetically(a, b);
}

/** Versions compare part by part as numbers (`2.7` < `3.9` < `3.10`); `null` and non-versions last. */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : compareAlphabetically(a, b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

const parsedVersions = new Map<string, number[] | null>();

/** Memoized: categories are few, and sorting a long series compares them thousands of times. */
function versionParts(value: string): number[] | null {
  let parts = parsedVersions.get(value);
  if (parts === undefined) {
    parts = /^\d+(\.\d+)*$/.test(value) ? value.split('.').map(Number) : null;
    if (parsedVersions.size < 10_000) parsedVersions.set(value, parts);
  }
  return parts;
}

/** A Python version string counts when it starts with `major.minor` (at most 3 digits each). */
const PYTHON_VERSION_SQL = `regexp_matches(python, '^[0-9]{1,3}\\.[0-9]{1,3}([^0-9]|$)')`;
const PYTHON_MAJOR_SQL = `CAST(CAST(regexp_extract(python, '^([0-9]+)', 1) AS INTEGER) AS VARCHAR)`;
const PYTHON_MINOR_SQL = `CAST(CAST(regexp_extract(python, '^[0-9]+\\.([0-9]+)', 1) AS INTEGER) AS VARCHAR)`;

const BQ_PYTHON_VERSION_SQL = `REGEXP_CONTAINS(python, '^[0-9]{1,3}[.][0-9]{1,3}([^0-9]|$)')`;
const BQ_PYTHON_MAJOR_SQL = `CAST(CAST(REGEXP_EXTRACT(python, '^[0-9]+') AS BIGINT) AS STRING)`;
// The digits after the first `.`: the version check above puts it right after the major digits.
const BQ_PYTHON_MINOR_SQL = `CAST(CAST(REGEXP_EXTRACT(SUBSTR(python, STRPOS(python, '.') + 1), '^[0-9]+') AS BIGINT) AS STRING)`;

const PYTHON_COLUMN: RawColumn = { name: 'python', path: ['details', 'python'], type: 'VARCHAR' };

// Plain SQL that reads the same in both dialects.
const SYSTEM_SQL = `CASE WHEN system_name IS NULL OR system_name = '' THEN '${NULL_CATEGORY}' WHEN system_name = 'Windows' THEN 'windows' WHEN system_name = 'Linux' THEN 'linux' WHEN system_name = 'Darwin' THEN 'darwin' ELSE 'other' END`;

/**
 * Longest category kept from a free-text field: a User-Agent can claim any distro name, and a
 * category is stored per package; every real value on PyPI is far shorter.
 */
export const MAX_CATEGORY_LENGTH = 128;

interface TextDimensionSpec {
  name: string;
  scope?: 'global' | 'package';
  path: readonly string[];
  /** The column's name in SQL (default: the dimension's). */
  column?: string;
  lowercase?: boolean;
  uppercase?: boolean;
  title: string;
  description: string;
  filter: { param: string; caseSensitive?: boolean; examples: readonly string[]; description: string };
  compareCategories?: (a: string, b: string) => number;
}

/**
 * A dimension whose category is one text field of the raw event, as logged or with its case
 * folded: a missing or empty field is `null`, and a value is cut at MAX_CATEGORY_LENGTH. The SQL
 * reads the same in both dialects. A filter matches as the category is folded.
 */
function textDimension(spec: TextDimensionSpec): Dimension {
  const column = spec.column ?? spec.name;
  const value = spec.lowercase ? `LOWER(${column})` : spec.uppercase ? `UPPER(${column})` : column;
  const sql = `CASE WHEN ${column} IS NULL OR ${column} = '' THEN '${NULL_CATEGORY}' ELSE SUBSTR(${value}, 1, ${MAX_CATEGORY_LENGTH}) END`;
  const fold = (filterValue: string) => (spec.uppercase && filterValue !== NULL_CATEGORY ? filterValue.toUpperCase() : filterValue);
  return {
    name: spec.name,
    seed: false,
    scope: spec.scope ?? 'global',
    responseType: `${spec.name}_downloads`,
    title: spec.title,
    description: spec.description,
    columns: [{ name: column, path: spec.path, type: 'VARCHAR' }],
    filter: {
      param: spec.filter.param,
      ...(spec.filter.caseSensitive ? { caseSensitive: true } : {}),
      toCategory: fold,
      // A field kept as logged (distro, file type) is matched without regard to case.
      ...(spec.lowercase || spec.uppercase || spec.filter.caseSensitive ? {} : { matchesAnyCase: true }),
      examples: spec.filter.examples,
      description: spec.filter.description,
    },
    categories: { kind: 'expression', sql: { duckdb: sql, bigquery: sql } },
    compareCategories: spec.compareCategories ?? compareAlphabeticallyNullLast,
  };
}

export const dimensions: readonly Dimension[] = [
  {
    name: 'overall',
    responseType: 'overall_downloads',
    title: 'Overall',
    description: 'Daily downloads, with and without mirrors.',
    filter: {
      param: 'mirrors',
      values: ['true', 'false'],
      toCategory: (value) => (value === 'true' ? WITH_MIRRORS : WITHOUT_MIRRORS),
      examples: ['true', 'false'],
      description: '`true`: only the series with mirror downloads; `false`: only the series without them. Omitted: both.',
    },
    seed: true,
    scope: 'global',
    columns: [],
    categories: { kind: 'mirror_split' },
    compareCategories: compareAlphabetically,
  },
  {
    name: 'python_major',
    seed: true,
    scope: 'global',
    columns: [PYTHON_COLUMN],
    responseType: 'python_major_downloads',
    title: 'Python major version',
    description: 'Daily downloads without mirrors, by Python major version.',
    filter: {
      param: 'version',
      toCategory: (value) => value,
      examples: ['2', '3', 'null'],
      description: 'One major version, such as `2` or `3`, or `null` for unknown. Omitted: every category.',
    },
    categories: {
      kind: 'expression',
      sql: {
        duckdb: `CASE WHEN ${PYTHON_VERSION_SQL} THEN ${PYTHON_MAJOR_SQL} ELSE '${NULL_CATEGORY}' END`,
        bigquery: `CASE WHEN ${BQ_PYTHON_VERSION_SQL} THEN ${BQ_PYTHON_MAJOR_SQL} ELSE '${NULL_CATEGORY}' END`,
      },
    },
    compareCategories: compareVersions,
  },
  {
    name: 'python_minor',
    seed: true,
    scope: 'global',
    columns: [PYTHON_COLUMN],
    responseType: 'python_minor_downloads',
    title: 'Python minor version',
    description: 'Daily downloads without mirrors, by Python major.minor version.',
    filter: {
      param: 'version',
      toCategory: (value) => value,
      examples: ['2.7', '3.12', 'null'],
      description: 'One minor version, such as `2.7` or `3.12`, or `null` for unknown. Omitted: every category.',
    },
    categories: {
      kind: 'expression',
      sql: {
        duckdb: `CASE WHEN ${PYTHON_VERSION_SQL} THEN ${PYTHON_MAJOR_SQL} || '.' || ${PYTHON_MINOR_SQL} ELSE '${NULL_CATEGORY}' END`,
        bigquery: `CASE WHEN ${BQ_PYTHON_VERSION_SQL} THEN ${BQ_PYTHON_MAJOR_SQL} || '.' || ${BQ_PYTHON_MINOR_SQL} ELSE '${NULL_CATEGORY}' END`,
      },
    },
    compareCategories: compareVersions,
  },
  {
    name: 'system',
    seed: true,
    scope: 'global',
    columns: [{ name: 'system_name', path: ['details', 'system', 'name'], type: 'VARCHAR' }],
    responseType: 'system_downloads',
    title: 'Operating system',
    description: 'Daily downloads without mirrors, by operating system.',
    filter: {
      param: 'os',
      toCategory: (value) => value,
      examples: ['windows', 'linux', 'darwin', 'other', 'null'],
      description: 'One of `windows`, `linux`, `darwin`, `other` or `null`. Omitted: every category.',
    },
    categories: {
      kind: 'expression',
      // A missing or empty system name is unknown (`null`); any name not listed is `other`.
      sql: { duckdb: SYSTEM_SQL, bigquery: SYSTEM_SQL },
    },
    compareCategories: compareAlphabetically,
  },
  textDimension({
    name: 'version',
    scope: 'package',
    path: ['file', 'version'],
    title: 'Package version',
    description: 'Daily downloads without mirrors, by version of the package, as logged.',
    filter: {
      param: 'version',
      caseSensitive: true,
      examples: ['2.32.3', '1.0rc1', 'null'],
      description: 'One version exactly as logged (case matters), or `null` for unknown. Omitted: every version.',
    },
    compareCategories: comparePackageVersions,
  }),
  textDimension({
    name: 'installer',
    path: ['details', 'installer', 'name'],
    column: 'installer',
    lowercase: true,
    title: 'Installer',
    description: 'Daily downloads without mirrors, by installer (pip, uv, poetry, …), lowercased.',
    filter: { param: 'installer', examples: ['pip', 'uv', 'poetry', 'null'], description: 'One installer, such as `pip` or `uv` (any case), or `null` for unknown. Omitted: every installer.' },
  }),
  {
    name: 'ci',
    seed: false,
    scope: 'global',
    responseType: 'ci_downloads',
    title: 'CI',
    description: 'Daily downloads without mirrors, from continuous integration (`true`) or not (`false`), as the installer reports it.',
    columns: [{ name: 'ci', path: ['details', 'ci'], type: 'BOOLEAN' }],
    filter: {
      param: 'ci',
      values: ['true', 'false', 'null'],
      toCategory: (value) => value,
      examples: ['true', 'false', 'null'],
      description: '`true` (a CI run), `false` (not one) or `null` (not reported). Omitted: all three.',
    },
    categories: {
      kind: 'expression',
      sql: {
        duckdb: `CASE WHEN ci IS NULL THEN '${NULL_CATEGORY}' WHEN ci THEN 'true' ELSE 'false' END`,
        bigquery: `CASE WHEN ci IS NULL THEN '${NULL_CATEGORY}' WHEN ci THEN 'true' ELSE 'false' END`,
      },
    },
    compareCategories: compareCi,
  },
  textDimension({
    name: 'country',
    path: ['country_code'],
    uppercase: true,
    title: 'Country',
    description: 'Daily downloads without mirrors, by country of the downloading address (ISO 3166-1 alpha-2, upper-case).',
    filter: { param: 'country', examples: ['US', 'DE', 'null'], description: 'One country code, such as `US` or `de` (any case), or `null` for unknown. Omitted: every country.' },
  }),
  textDimension({
    name: 'implementation',
    path: ['details', 'implementation', 'name'],
    lowercase: true,
    title: 'Python implementation',
    description: 'Daily downloads without mirrors, by Python implementation (cpython, pypy, …), lowercased.',
    filter: { param: 'implementation', examples: ['cpython', 'pypy', 'null'], description: 'One implementation, such as `cpython` (any case), or `null` for unknown. Omitted: every implementation.' },
  }),
  textDimension({
    name: 'cpu',
    path: ['details', 'cpu'],
    lowercase: true,
    title: 'CPU',
    description: 'Daily downloads without mirrors, by CPU architecture as logged, lowercased (`x86_64` and `amd64` stay apart).',
    filter: { param: 'cpu', examples: ['x86_64', 'aarch64', 'arm64', 'null'], description: 'One CPU, such as `x86_64` or `aarch64` (any case), or `null` for unknown. Omitted: every CPU.' },
  }),
  textDimension({
    name: 'libc',
    path: ['details', 'distro', 'libc', 'lib'],
    lowercase: true,
    title: 'C library',
    description: 'Daily downloads without mirrors, by C library (glibc, musl, …), lowercased.',
    filter: { param: 'libc', examples: ['glibc', 'musl', 'null'], description: 'One C library, such as `glibc` or `musl` (any case), or `null` for unknown. Omitted: every C library.' },
  }),
  textDimension({
    name: 'distro',
    path: ['details', 'distro', 'name'],
    title: 'Distribution',
    description: 'Daily downloads without mirrors, by operating system distribution, as logged (`Ubuntu`, `Debian GNU/Linux`, …).',
    filter: { param: 'distro', examples: ['Ubuntu', 'debian gnu/linux', 'null'], description: 'One distribution, such as `Ubuntu` (any case), or `null` for unknown. Omitted: every distribution.' },
  }),
  textDimension({
    name: 'file_type',
    path: ['file', 'type'],
    title: 'File type',
    description: 'Daily downloads without mirrors, by type of the file downloaded (`bdist_wheel`, `sdist`, …).',
    filter: { param: 'file_type', examples: ['bdist_wheel', 'sdist', 'null'], description: 'One file type, such as `bdist_wheel` or `sdist` (any case), or `null` for unknown. Omitted: every file type.' },
  }),
];

const byName = new Map(dimensions.map((d) => [d.name, d]));

/** The four breakdowns of pypistats.org, always on. */
export const seedDimensions: readonly Dimension[] = dimensions.filter((dimension) => dimension.seed);

/** The breakdowns an operator may turn off (DIMENSIONS). */
export const optionalDimensions: readonly Dimension[] = dimensions.filter((dimension) => !dimension.seed);

/** The dimensions named, with the seed's four, in registry order. Unknown names throw. */
export function enabledDimensions(names: readonly string[]): readonly Dimension[] {
  for (const name of names) dimensionNamed(name);
  const on = new Set(names);
  return dimensions.filter((dimension) => dimension.seed || on.has(dimension.name));
}

export function dimensionNamed(name: string): Dimension {
  const dimension = byName.get(name);
  if (!dimension) throw new Error(`unknown dimension "${name}"`);
  return dimension;
}
