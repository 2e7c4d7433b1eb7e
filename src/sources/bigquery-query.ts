/**
 * The BigQuery aggregation of one day of `bigquery-public-data.pypi.file_downloads` into aggregate
 * rows and the day's summary, generated from the dimension registry and the data rules of API.md
 * (the same rules as the DuckDB query in aggregate-query.ts).
 *
 * One statement, one pass. The table appears once, and every step reads the one before it once:
 * BigQuery runs a WITH clause again for each reference to it, so a step read twice could scan
 * the table twice (and bill it twice).
 * 1. `day_groups`: the day's partition, grouped by the raw fields the rules look at. Regexes never
 *    run per event.
 * 2. `day_checked`: per group, the normalized name, its verdict, the mirror flag, and the category
 *    in every dimension.
 * 3. `day_rows`: each group fanned out (a join with a constant list of row kinds) into the rows it
 *    counts in: one per dimension it belongs to, and one summary row for what became of it.
 * 4. Summed by (package, dimension, category). The count of packages with downloads, which no sum
 *    gives, is a window count of the `with_mirrors` rows. Summary rows sort first, so the source
 *    reads the summary from the first page before it streams the rest: the sort and the window
 *    work on the result (a few million rows for a PyPI day), not on the events.
 *
 * Written only with what BigQuery and DuckDB both have, with the same meaning, so the test
 * stand-in runs this very text in DuckDB (see test/support/bigquery-standin.ts).
 */
import { seedDimensions as dimensions, WITH_MIRRORS, WITHOUT_MIRRORS } from '../domain/dimensions.js';
import { addDays, type Day } from '../domain/dates.js';
import { MAX_NAME_LENGTH, VALID_NAME_PATTERN } from '../domain/names.js';

export const DEFAULT_BIGQUERY_TABLE = 'bigquery-public-data.pypi.file_downloads';

/** The reserved dimension of summary rows; `category` names the measure, `package` is empty. */
export const SUMMARY_DIMENSION = '__summary__';

/** What the summary rows measure: an outcome of an event group, or the packages with downloads. */
export const SUMMARY_MEASURES = ['downloads', 'metadata_fetches', 'no_project', 'invalid_name', 'name_too_long', 'packages'] as const;
export type SummaryMeasure = (typeof SUMMARY_MEASURES)[number];

/** `project.dataset.table`, as BigQuery spells table names; nothing that could end the quoting. */
const TABLE_NAME = /^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]*[.][A-Za-z0-9_]+[.][A-Za-z0-9_-]+$/;

export function isBigQueryTableName(name: string): boolean {
  return TABLE_NAME.test(name);
}

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

function rowKinds(): RowKind[] {
  const kinds: RowKind[] = [
    // What became of every group: downloads, a .metadata fetch, or skipped for a reason.
    { package: `''`, dimension: `'${SUMMARY_DIMENSION}'`, category: 'outcome', when: 'TRUE' },
    // A row that holds the count of packages with downloads (its sum is replaced at the end).
    { package: `''`, dimension: `'${SUMMARY_DIMENSION}'`, category: `'packages'`, when: DOWNLOAD },
  ];
  for (const dimension of dimensions) {
    if (!/^[a-z][a-z0-9_]*$/.test(dimension.name)) throw new Error(`dimension name "${dimension.name}" cannot be a column name`);
    if (dimension.categories.kind === 'mirror_split') {
      kinds.push({ package: 'package', dimension: `'${dimension.name}'`, category: `'${WITH_MIRRORS}'`, when: DOWNLOAD });
      kinds.push({ package: 'package', dimension: `'${dimension.name}'`, category: `'${WITHOUT_MIRRORS}'`, when: `${DOWNLOAD} AND NOT is_mirror` });
    } else {
      kinds.push({ package: 'package', dimension: `'${dimension.name}'`, category: categoryColumn(dimension.name), when: `${DOWNLOAD} AND NOT is_mirror` });
    }
  }
  return kinds;
}

/** `CASE kind WHEN 0 THEN … WHEN 1 THEN … END` over the row kinds. */
function byKind(kinds: RowKind[], part: keyof RowKind): string {
  return `CASE k.kind ${kinds.map((kind, i) => `WHEN ${i} THEN ${kind[part]}`).join(' ')} END`;
}

/**
 * The query. Parameters: `@day_start` and `@day_end` (TIMESTAMP: the day's partition, end
 * excluded) and `@mirrors` (ARRAY<STRING>: installers counted only in `with_mirrors`). The table
 * name cannot be a parameter in BigQuery; it is checked (isBigQueryTableName) and quoted.
 */
export function bigQueryAggregationSql(table: string = DEFAULT_BIGQUERY_TABLE): string {
  if (!isBigQueryTableName(table)) throw new Error(`"${table}" is not a BigQuery table name (project.dataset.table)`);
  const kinds = rowKinds();
  // A package has downloads when it has a `with_mirrors` row.
  const mirrorSplit = dimensions.find((dimension) => dimension.categories.kind === 'mirror_split');
  if (!mirrorSplit) throw new Error('the registry has no dimension that splits mirrors');
  const categories = dimensions.flatMap((dimension) =>
    dimension.categories.kind === 'expression' ? [`${dimension.categories.sql.bigquery} AS ${categoryColumn(dimension.name)}`] : [],
  );
  // PEP 503 for a valid name: its runs of letters and digits, lower-cased, joined by `-`.
  const normalized = `ARRAY_TO_STRING(REGEXP_EXTRACT_ALL(LOWER(project), '[a-z0-9]+'), '-')`;
  return `WITH
day_groups AS (
  SELECT
    COALESCE(file.project, project, '') AS project,
    COALESCE(ENDS_WITH(file.filename, '.metadata'), FALSE) AS is_metadata,
    details.installer.name AS installer,
    details.python AS python,
    details.system.name AS system_name,
    COUNT(*) AS events
  FROM \`${table}\`
  WHERE timestamp >= @day_start AND timestamp < @day_end
  GROUP BY 1, 2, 3, 4, 5
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
    COALESCE(installer IN (SELECT * FROM UNNEST(@mirrors)), FALSE) AS is_mirror,
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
  GROUP BY 1, 2, 3
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

export interface BigQueryParameters {
  params: { day_start: Date; day_end: Date; mirrors: string[] };
  /** Given explicitly: BigQuery cannot tell the element type of an empty array. */
  types: { day_start: 'TIMESTAMP'; day_end: 'TIMESTAMP'; mirrors: ['STRING'] };
}

export function bigQueryParameters(day: Day, mirrors: readonly string[]): BigQueryParameters {
  return {
    params: {
      day_start: new Date(`${day}T00:00:00Z`),
      day_end: new Date(`${addDays(day, 1)}T00:00:00Z`),
      mirrors: [...mirrors],
    },
    types: { day_start: 'TIMESTAMP', day_end: 'TIMESTAMP', mirrors: ['STRING'] },
  };
}
