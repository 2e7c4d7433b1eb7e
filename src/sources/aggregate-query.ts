/**
 * The DuckDB aggregation of raw download events into aggregate rows, generated from the
 * dimension registry and the data rules of API.md.
 *
 * Four steps, each over fewer rows than the last:
 * 1. `day_groups`: one scan of the raw files; events of the day (and events without a timestamp,
 *    to count them) grouped by the raw fields the rules look at. Regexes never run per event.
 * 2. `day_projects`: each distinct raw project name, normalized and checked once.
 * 3. `day_downloads`: valid downloads by package, mirror or not, and category in every dimension.
 * 4. The aggregate rows: per dimension, downloads summed by (package, category).
 */
import { seedDimensions as dimensions, WITH_MIRRORS, WITHOUT_MIRRORS, type Dialect } from '../domain/dimensions.js';
import { MAX_NAME_LENGTH, SEPARATOR_RUN_PATTERN, VALID_NAME_PATTERN } from '../domain/names.js';

export type RawFormat = 'parquet' | 'ndjson';

/**
 * The fields of `bigquery-public-data.pypi.file_downloads` the rules need, as DuckDB reads them
 * from newline-delimited JSON. Fields not named here are ignored; absent ones read as NULL.
 * `timestamp` stays text: `bq extract` writes `2026-11-20 13:45:12.123456 UTC`.
 */
const NDJSON_COLUMNS = `{
  'timestamp': 'VARCHAR',
  'project': 'VARCHAR',
  'file': 'STRUCT(filename VARCHAR, project VARCHAR)',
  'details': 'STRUCT(installer STRUCT(name VARCHAR), python VARCHAR, system STRUCT(name VARCHAR))'
}`;

export function rawEventsSql(format: RawFormat, filesParam: string): string {
  const from =
    format === 'parquet'
      ? `read_parquet(${filesParam}, union_by_name = true)`
      : `read_json(${filesParam}, format = 'newline_delimited', columns = ${NDJSON_COLUMNS}, compression = 'auto_detect', maximum_object_size = 16777216)`;
  // `file.project` is the rule; the top-level `project` (the same in BigQuery) fills a gap.
  return `SELECT try_cast("timestamp" AS TIMESTAMPTZ) AS ts,
      coalesce("file".project, project) AS project,
      "file".filename AS filename,
      details.installer.name AS installer,
      details.python AS python,
      details.system.name AS system_name
    FROM ${from}`;
}

/**
 * Step 1. Parameters: `$day_start`, `$day_end` (timestamps) and one list of files per format
 * present, `$parquet_files` / `$ndjson_files`. The fields are kept raw (only `.metadata` is
 * decided per event: file names are too many to group by); everything else is decided per group.
 */
export function dayGroupsSql(formats: readonly RawFormat[]): string {
  if (formats.length === 0) throw new Error('no raw event files to read');
  const events = formats.map((format) => rawEventsSql(format, `$${format}_files`)).join('\nUNION ALL\n');
  return `CREATE OR REPLACE TEMP TABLE day_groups AS
WITH events AS (${events})
SELECT ts IS NULL AS no_timestamp,
  project,
  coalesce(ends_with(filename, '.metadata'), false) AS is_metadata,
  installer,
  python,
  system_name,
  count(*)::BIGINT AS events
FROM events
WHERE ts IS NULL OR (ts >= $day_start AND ts < $day_end)
GROUP BY ALL`;
}

const normalizedSql = (column: string) => `lower(regexp_replace(${column}, '${SEPARATOR_RUN_PATTERN}', '-', 'g'))`;

/** Step 2: every distinct project name of the day, with its normalized name and its verdict. */
export const DAY_PROJECTS_SQL = `CREATE OR REPLACE TEMP TABLE day_projects AS
SELECT project, package,
  CASE
    WHEN project IS NULL OR project = '' THEN 'no_project'
    WHEN NOT regexp_full_match(project, '${VALID_NAME_PATTERN}') THEN 'invalid_name'
    WHEN length(package) > ${MAX_NAME_LENGTH} THEN 'name_too_long'
    ELSE 'ok'
  END AS verdict
FROM (SELECT DISTINCT project, ${normalizedSql('project')} AS package FROM day_groups WHERE NOT no_timestamp)`;

/** What the day's events came to: downloads, `.metadata` fetches, and skipped events by reason. */
export const DAY_SUMMARY_SQL = `SELECT
  coalesce(sum(g.events) FILTER (WHERE g.no_timestamp), 0)::BIGINT AS no_timestamp,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'no_project'), 0)::BIGINT AS no_project,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'name_too_long'), 0)::BIGINT AS name_too_long,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'invalid_name'), 0)::BIGINT AS invalid_name,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND g.is_metadata), 0)::BIGINT AS metadata_fetches,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND NOT g.is_metadata), 0)::BIGINT AS downloads,
  count(DISTINCT p.package) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND NOT g.is_metadata)::BIGINT AS packages
FROM day_groups g LEFT JOIN day_projects p ON g.project IS NOT DISTINCT FROM p.project`;

/**
 * Step 3: each valid download group's mirror flag and category in every dimension, computed once
 * per group, and the groups summed again by those (many raw Python strings share one minor
 * version). Parameter: `$mirrors` (installer names).
 */
export function dayDownloadsSql(dialect: Dialect = 'duckdb'): string {
  const categories = dimensions.flatMap((dimension) =>
    dimension.categories.kind === 'expression' ? [`${dimension.categories.sql[dialect]} AS "${dimension.name}"`] : [],
  );
  return `CREATE OR REPLACE TEMP TABLE day_downloads AS
SELECT p.package, coalesce(list_contains($mirrors, g.installer), false) AS is_mirror, ${categories.join(',\n  ')}, sum(g.events)::BIGINT AS events
FROM day_groups g JOIN day_projects p ON g.project = p.project
WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND NOT g.is_metadata
GROUP BY ALL`;
}

/** Step 4: the aggregate rows `(package, dimension, category, downloads)`, one SELECT per rule. */
export function aggregateRowsSql(): string {
  const parts: string[] = [];
  const select = (dimension: string, category: string, where: string) =>
    `SELECT package, '${dimension}' AS dimension, ${category} AS category, sum(events)::BIGINT AS downloads
  FROM day_downloads${where} GROUP BY ALL`;
  for (const dimension of dimensions) {
    if (dimension.categories.kind === 'mirror_split') {
      parts.push(select(dimension.name, `'${WITH_MIRRORS}'`, ''));
      parts.push(select(dimension.name, `'${WITHOUT_MIRRORS}'`, ' WHERE NOT is_mirror'));
    } else {
      parts.push(select(dimension.name, `"${dimension.name}"`, ' WHERE NOT is_mirror'));
    }
  }
  return parts.join('\nUNION ALL\n');
}
