/**
 * The BigQuery aggregation of one day of `bigquery-public-data.pypi.file_downloads` into aggregate
 * rows and the day's summary, generated from the enabled dimensions of the registry and the data
 * rules of API.md (the same rules as the DuckDB query in aggregate-query.ts).
 *
 * One statement, one pass. The table appears once, and every step reads the one before it once:
 * BigQuery runs a WITH clause again for each reference to it, so a step read twice could scan
 * the table twice (and bill it twice). Only the columns the enabled dimensions read are named, and
 * BigQuery bills by the columns a query reads: turning dimensions off scans fewer bytes.
 * 1. `day_groups`: the day's partition, grouped by GROUPING SETS (grouping-sets.ts): once by the
 *    shared keys (project, `.metadata`, mirror flag: the set of the mirror split and the summary),
 *    and once more per set of raw columns the dimensions read, never by all of them together.
 *    Regexes never run per event.
 * 2. `day_checked`: per group, the normalized name, its verdict, and the category in every
 *    dimension.
 * 3. `day_rows`: each group fanned out (a join with a constant list of row kinds) into the rows it
 *    counts in: one per dimension its grouping set serves, and one summary row for what became of it.
 * 4. Summed by (package, dimension, category). The count of packages with downloads, which no sum
 *    gives, is a window count of the `with_mirrors` rows. Summary rows sort first, so the source
 *    reads the summary from the first page before it streams the rest: the sort and the window
 *    work on the result (a few million rows for a PyPI day), not on the events.
 *
 * Written only with what BigQuery and DuckDB both have, with the same meaning, so the test
 * stand-in runs this very text in DuckDB (see test/support/bigquery-standin.ts).
 */
import { dimensions as registry, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';
import { DEFAULT_BIGQUERY_TABLE, isBigQueryTableName } from '../domain/bigquery-table.js';
import { addDays, type Day } from '../domain/dates.js';
import type { DaySpan } from './types.js';
import { MAX_NAME_LENGTH, VALID_NAME_PATTERN } from '../domain/names.js';
import { groupingIdSql, groupingPlan, groupingSetsSql, MIRROR_INSTALLER_PATH, type GroupingPlan } from './grouping-sets.js';

export { DEFAULT_BIGQUERY_TABLE, isBigQueryTableName };

/** The reserved dimension of summary rows; `category` names the measure, `package` is empty. */
export const SUMMARY_DIMENSION = '__summary__';

/** What the summary rows measure: an outcome of an event group, or the packages with downloads. */
export const SUMMARY_MEASURES = ['downloads', 'metadata_fetches', 'no_project', 'invalid_name', 'name_too_long', 'packages'] as const;
export type SummaryMeasure = (typeof SUMMARY_MEASURES)[number];

/** A dimension's category column in `day_checked`. */
const categoryColumn = (dimension: string) => `category_${dimension}`;

interface RowKind {
  /** SQL for the row's package, dimension and category, over `day_checked`. */
  package: string;
  dimension: string;
  category: string;
  /** SQL: whether a group counts in this kind of row. */
  when: string;
}

const DOWNLOAD = `outcome = 'downloads'`;

function rowKinds(plan: GroupingPlan): RowKind[] {
  const base = `grouping_id = ${plan.sets[0]!.id}`;
  const kinds: RowKind[] = [
    // What became of every group of the base set: downloads, a .metadata fetch, or skipped for a reason.
    { package: `''`, dimension: `'${SUMMARY_DIMENSION}'`, category: 'outcome', when: base },
    // A row that holds the count of packages with downloads (its sum is replaced at the end).
    { package: `''`, dimension: `'${SUMMARY_DIMENSION}'`, category: `'packages'`, when: `${base} AND ${DOWNLOAD}` },
  ];
  for (const dimension of plan.dimensions) {
    const inSet = `grouping_id = ${plan.setOf(dimension).id}`;
    if (dimension.categories.kind === 'mirror_split') {
      kinds.push({ package: 'package', dimension: `'${dimension.name}'`, category: `'${WITH_MIRRORS}'`, when: `${inSet} AND ${DOWNLOAD}` });
      kinds.push({ package: 'package', dimension: `'${dimension.name}'`, category: `'${WITHOUT_MIRRORS}'`, when: `${inSet} AND ${DOWNLOAD} AND NOT is_mirror` });
    } else {
      kinds.push({ package: 'package', dimension: `'${dimension.name}'`, category: categoryColumn(dimension.name), when: `${inSet} AND ${DOWNLOAD} AND NOT is_mirror` });
    }
  }
  return kinds;
}

/** `CASE kind WHEN 0 THEN … WHEN 1 THEN … END` over the row kinds. */
function byKind(kinds: RowKind[], part: keyof RowKind): string {
  return `CASE k.kind ${kinds.map((kind, i) => `WHEN ${i} THEN ${kind[part]}`).join(' ')} END`;
}

/** The keys every grouping set has. */
const SHARED_KEYS = ['project', 'is_metadata', 'is_mirror'];

/**
 * The query. Parameters: `@day_start` and `@day_end` (TIMESTAMP: the day's partition, end
 * excluded) and `@mirrors` (ARRAY<STRING>: installers counted only in `with_mirrors`). The table
 * name cannot be a parameter in BigQuery; it is checked (isBigQueryTableName) and quoted.
 * `dimensions`: those to compute (default: every one of the registry); see enabledDimensions.
 */
export function bigQueryAggregationSql(table: string = DEFAULT_BIGQUERY_TABLE, dimensions: readonly Dimension[] = registry, spans = 1): string {
  if (!Number.isInteger(spans) || spans < 1) throw new Error(`a query reads at least one span of days, not ${spans}`);
  if (!isBigQueryTableName(table)) throw new Error(`"${table}" is not a BigQuery table name (project.dataset.table)`);
  const plan = groupingPlan(dimensions);
  const kinds = rowKinds(plan);
  // A package has downloads when it has a `with_mirrors` row.
  const mirrorSplit = dimensions.find((dimension) => dimension.categories.kind === 'mirror_split');
  if (!mirrorSplit) throw new Error('the registry has no dimension that splits mirrors');
  const categories = dimensions.flatMap((dimension) =>
    dimension.categories.kind === 'expression' ? [`${dimension.categories.sql.bigquery} AS ${categoryColumn(dimension.name)}`] : [],
  );
  const own = plan.columns.map((column) => column.name);
  const reads = plan.columns.map((column) => `${column.path.join('.')} AS ${column.name}`);
  // PEP 503 for a valid name: its runs of letters and digits, lower-cased, joined by `-`.
  const normalized = `ARRAY_TO_STRING(REGEXP_EXTRACT_ALL(LOWER(project), '[a-z0-9]+'), '-')`;
  return `WITH
day_groups AS (
  SELECT ${[...SHARED_KEYS, ...own].join(', ')},
    ${groupingIdSql(plan)} AS grouping_id,
    COUNT(*) AS events
  FROM (
    SELECT
      COALESCE(file.project, project, '') AS project,
      COALESCE(ENDS_WITH(file.filename, '.metadata'), FALSE) AS is_metadata,
      COALESCE(${MIRROR_INSTALLER_PATH.join('.')} IN (SELECT * FROM UNNEST(@mirrors)), FALSE) AS is_mirror${reads.map((read) => `,
      ${read}`).join('')}
    FROM \`${table}\`
    WHERE ${spanCondition(spans)}
  ) AS day_events
  ${groupingSetsSql(plan, SHARED_KEYS)}
),
day_checked AS (
  SELECT
    package,
    CASE
      WHEN project = '' THEN 'no_project'
      WHEN NOT REGEXP_CONTAINS(project, '^${VALID_NAME_PATTERN}$') THEN 'invalid_name'
      WHEN LENGTH(package) > ${MAX_NAME_LENGTH} THEN 'name_too_long'
      WHEN is_metadata THEN 'metadata_fetches'
      ELSE 'downloads'
    END AS outcome,
    is_mirror,
    grouping_id,
    ${categories.join(',\n    ')},
    events
  FROM (SELECT *, ${normalized} AS package FROM day_groups)
),
row_kinds AS (
  ${kinds.map((_, i) => `SELECT ${i} AS kind`).join(' UNION ALL ')}
),
day_rows AS (
  SELECT
    ${byKind(kinds, 'package')} AS package,
    ${byKind(kinds, 'dimension')} AS dimension,
    ${byKind(kinds, 'category')} AS category,
    events
  FROM day_checked CROSS JOIN row_kinds AS k
  WHERE ${byKind(kinds, 'when')}
),
day_totals AS (
  SELECT package, dimension, category, SUM(events) AS downloads
  FROM day_rows
  GROUP BY package, dimension, category
)
SELECT
  package,
  dimension,
  category,
  CAST(CASE
    WHEN dimension = '${SUMMARY_DIMENSION}' AND category = 'packages'
    THEN SUM(CASE WHEN dimension = '${mirrorSplit.name}' AND category = '${WITH_MIRRORS}' THEN 1 ELSE 0 END) OVER ()
    ELSE downloads
  END AS BIGINT) AS downloads
FROM day_totals
ORDER BY CASE WHEN dimension = '${SUMMARY_DIMENSION}' THEN 0 ELSE 1 END`;
}

/**
 * The partitions read: one span of days (`@day_start` to `@day_end`, end excluded) for a day;
 * for a backfilled month the runs of its days the backfill counts, each its own pair
 * (`@day_start_1`, `@day_end_1`, …), so BigQuery still prunes to those partitions and the days a
 * daily load counts are never read.
 */
function spanCondition(spans: number): string {
  const suffix = (i: number) => (i === 0 ? '' : `_${i}`);
  const ranges = Array.from({ length: spans }, (_, i) => `timestamp >= @day_start${suffix(i)} AND timestamp < @day_end${suffix(i)}`);
  return spans === 1 ? ranges[0]! : ranges.map((range) => `(${range})`).join(' OR ');
}

export type { DaySpan } from './types.js';

export interface BigQueryParameters {
  params: { day_start: Date; day_end: Date; mirrors: string[] } & Record<string, Date | string[]>;
  /** Given explicitly: BigQuery cannot tell the element type of an empty array. */
  types: { day_start: 'TIMESTAMP'; day_end: 'TIMESTAMP'; mirrors: ['STRING'] } & Record<string, 'TIMESTAMP' | ['STRING']>;
}

export function bigQueryParameters(day: Day, mirrors: readonly string[]): BigQueryParameters {
  return bigQuerySpanParameters([{ first: day, last: day }], mirrors);
}

/** The parameters of bigQueryAggregationSql(…, spans.length). */
export function bigQuerySpanParameters(spans: readonly DaySpan[], mirrors: readonly string[]): BigQueryParameters {
  const params: Record<string, Date | string[]> = { mirrors: [...mirrors] };
  const types: Record<string, 'TIMESTAMP' | ['STRING']> = { mirrors: ['STRING'] };
  spans.forEach(({ first, last }, i) => {
    const suffix = i === 0 ? '' : `_${i}`;
    params[`day_start${suffix}`] = new Date(`${first}T00:00:00Z`);
    params[`day_end${suffix}`] = new Date(`${addDays(last, 1)}T00:00:00Z`);
    types[`day_start${suffix}`] = 'TIMESTAMP';
    types[`day_end${suffix}`] = 'TIMESTAMP';
  });
  return { params, types } as BigQueryParameters;
}
