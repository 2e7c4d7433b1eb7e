/**
 * The dimension registry: every breakdown the service offers is defined here once. The aggregation
 * query, the store's categories, the API routes and the API page are generated from this list.
 *
 * Category expressions are SQL over the columns of one reduced raw event (see
 * sources/aggregate-query.ts and sources/bigquery-query.ts): `python` (details.python) and
 * `system_name` (details.system.name). Each rule is written once per dialect, here.
 */

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
  /** What a filter value selects. Values arrive lowercased: every filter is case-insensitive. */
  readonly toCategory: (value: string) => string;
  readonly examples: readonly string[];
  readonly description: string;
}

export interface Dimension {
  /** The store's name, the endpoint's path segment and the chart's key. */
  readonly name: string;
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

// Plain SQL that reads the same in both dialects.
const SYSTEM_SQL = `CASE WHEN system_name IS NULL OR system_name = '' THEN '${NULL_CATEGORY}' WHEN system_name = 'Windows' THEN 'windows' WHEN system_name = 'Linux' THEN 'linux' WHEN system_name = 'Darwin' THEN 'darwin' ELSE 'other' END`;

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
    categories: { kind: 'mirror_split' },
    compareCategories: compareAlphabetically,
  },
  {
    name: 'python_major',
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
];

const byName = new Map(dimensions.map((d) => [d.name, d]));

export function dimensionNamed(name: string): Dimension {
  const dimension = byName.get(name);
  if (!dimension) throw new Error(`unknown dimension "${name}"`);
  return dimension;
}
