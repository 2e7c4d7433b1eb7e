/**
 * The DuckDB aggregation of raw download events into aggregate rows, generated from the enabled
 * dimensions of the registry and the data rules of API.md.
 *
 * Three steps, each over fewer rows than the last:
 * 1. `day_groups`: one scan of the raw files; events of the day (and events without a timestamp,
 *    to count them) grouped, by GROUPING SETS (grouping-sets.ts), once per set of raw fields the
 *    enabled dimensions read. Regexes never run per event.
 * 2. `day_projects`: each distinct raw project name, normalized and checked once.
 * 3. The aggregate rows: each valid download group fanned out into the rows it counts in (a join
 *    with a constant list of row kinds, one per dimension of its set, two for the mirror split)
 *    and summed by (package, dimension, category). Each group's category is computed once per
 *    dimension it serves (many raw Python strings share one minor version).
 */
import { dimensions as registry, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension, type RawColumn } from '../domain/dimensions.js';
import { MAX_NAME_LENGTH, SEPARATOR_RUN_PATTERN, VALID_NAME_PATTERN } from '../domain/names.js';
import { groupingIdSql, groupingPlan, groupingSetsSql, MIRROR_INSTALLER_PATH, type GroupingPlan } from './grouping-sets.js';

export type RawFormat = 'parquet' | 'ndjson';

/** A field of a raw event the query reads: its name in SQL, its path, its type in the raw events. */
interface RawField {
  readonly name: string;
  readonly path: readonly string[];
  readonly type: 'VARCHAR' | 'BOOLEAN';
}

/**
 * The fields every load reads, whatever the dimensions. `timestamp` is read as text from NDJSON
 * (`bq extract` writes `2026-11-20 13:45:12.123456 UTC`) and cast after; `file.project` is the
 * rule and the top-level `project` (the same in BigQuery) fills a gap.
 */
const BASE_FIELDS: readonly RawField[] = [
  { name: 'raw_timestamp', path: ['timestamp'], type: 'VARCHAR' },
  { name: 'file_project', path: ['file', 'project'], type: 'VARCHAR' },
  { name: 'top_project', path: ['project'], type: 'VARCHAR' },
  { name: 'filename', path: ['file', 'filename'], type: 'VARCHAR' },
  { name: 'mirror_installer', path: MIRROR_INSTALLER_PATH, type: 'VARCHAR' },
];

/**
 * Which paths of a raw event the files hold. NDJSON holds every path (an absent field reads as
 * NULL); Parquet holds what its schema says, and a path it lacks is selected as NULL.
 */
export type HasPath = (path: readonly string[]) => boolean;

const everyPath: HasPath = () => true;

/** The enabled dimensions' plan, memoized: a source builds its queries for every day it loads. */
const plans = new WeakMap<readonly Dimension[], GroupingPlan>();

export function planFor(dimensions: readonly Dimension[] = registry): GroupingPlan {
  let plan = plans.get(dimensions);
  if (!plan) {
    plan = groupingPlan(dimensions);
    plans.set(dimensions, plan);
  }
  return plan;
}

function fieldsOf(plan: GroupingPlan): RawField[] {
  return [...BASE_FIELDS, ...plan.columns.map((column: RawColumn) => ({ name: column.name, path: column.path, type: column.type }))];
}

interface TypeTree {
  [name: string]: TypeTree | RawField['type'];
}

/** read_json's `columns` for every field a plan reads: what a query over NDJSON of the same events declares. */
export function ndjsonColumnsOf(plan: GroupingPlan): string {
  return ndjsonColumns(fieldsOf(plan));
}

/** `{'timestamp': 'VARCHAR', 'file': 'STRUCT(filename VARCHAR, …)', …}`: read_json's `columns`. */
function ndjsonColumns(fields: readonly RawField[]): string {
  const tree: TypeTree = {};
  for (const field of fields) {
    let node = tree;
    field.path.forEach((part, i) => {
      if (i === field.path.length - 1) node[part] = field.type;
      else node = (node[part] ??= {}) as TypeTree;
    });
  }
  const typeOf = (value: TypeTree | string): string =>
    typeof value === 'string' ? value : `STRUCT(${Object.entries(value).map(([name, inner]) => `"${name}" ${typeOf(inner)}`).join(', ')})`;
  return `{${Object.entries(tree).map(([name, value]) => `'${name}': '${typeOf(value)}'`).join(', ')}}`;
}

/** A path into a raw event as SQL: `"details"."installer"."name"`. */
export const pathSql = (path: readonly string[]) => path.map((part) => `"${part}"`).join('.');

/**
 * The raw events of one format, as the fields the query reads. Parameter: the list of files
 * (`filesParam`, such as `$parquet_files`).
 */
export function rawEventsSql(format: RawFormat, filesParam: string, plan: GroupingPlan = planFor(), has: HasPath = everyPath): string {
  const fields = fieldsOf(plan);
  const from =
    format === 'parquet'
      ? `read_parquet(${filesParam}, union_by_name = true)`
      : `read_json(${filesParam}, format = 'newline_delimited', columns = ${ndjsonColumns(fields)}, compression = 'auto_detect', maximum_object_size = 16777216)`;
  const read = (field: RawField) => (format === 'ndjson' || has(field.path) ? pathSql(field.path) : `CAST(NULL AS ${field.type})`);
  const byName = new Map(fields.map((field) => [field.name, field]));
  const own = plan.columns.map((column) => `${read(byName.get(column.name)!)} AS ${column.name}`);
  return `SELECT try_cast(${read(byName.get('raw_timestamp')!)} AS TIMESTAMPTZ) AS ts,
      coalesce(${read(byName.get('file_project')!)}, ${read(byName.get('top_project')!)}) AS project,
      ${read(byName.get('filename')!)} AS filename,
      ${read(byName.get('mirror_installer')!)} AS mirror_installer${own.map((select) => `,\n      ${select}`).join('')}
    FROM ${from}`;
}

/** The keys every grouping set has. */
const SHARED_KEYS = ['no_timestamp', 'project', 'is_metadata', 'is_mirror'];

/** The `grouping_id` of the set the summary and the mirror split read. */
const baseSetId = (plan: GroupingPlan) => plan.sets[0]!.id;

/**
 * Step 1. Parameters: `$day_start`, `$day_end` (timestamps), `$mirrors` (installer names) and one
 * list of files per format present, `$parquet_files` / `$ndjson_files`. Only what needs no regex
 * is decided per event (no timestamp, a `.metadata` file, a mirror installer); everything else is
 * decided per group.
 */
export function dayGroupsSql(formats: readonly RawFormat[], plan: GroupingPlan = planFor(), has: HasPath = everyPath, spans = 1): string {
  if (formats.length === 0) throw new Error('no raw event files to read');
  const events = formats.map((format) => rawEventsSql(format, `$${format}_files`, plan, has)).join('\nUNION ALL\n');
  return groupEventsSql(events, plan, undefined, spans);
}

/**
 * Step 1 over any relation of raw events with the columns rawEventsSql selects (`ts`, `project`,
 * `filename`, `mirror_installer` and the plan's own). With `weight`, a row stands for that many
 * events (a source that has already counted identical events, such as the access log's). `spans`:
 * the pairs of day bounds read (see spanCondition).
 */
export function groupEventsSql(events: string, plan: GroupingPlan = planFor(), weight?: string, spans = 1): string {
  const own = plan.columns.map((column) => column.name);
  return `CREATE OR REPLACE TEMP TABLE day_groups AS
WITH events AS (${events})
SELECT ${[...SHARED_KEYS, ...own].join(', ')},
  ${groupingIdSql(plan)} AS grouping_id,
  ${weight ? 'sum(weight)' : 'count(*)'}::BIGINT AS events
FROM (
  SELECT ts IS NULL AS no_timestamp,
    project,
    coalesce(ends_with(filename, '.metadata'), false) AS is_metadata,
    coalesce(list_contains($mirrors, mirror_installer), false) AS is_mirror${own.map((name) => `,\n    ${name}`).join('')}${weight ? `,\n    ${weight} AS weight` : ''}
  FROM events
  WHERE ts IS NULL OR ${spanCondition(spans)}
) AS day_events
${groupingSetsSql(plan, SHARED_KEYS)}`;
}

/**
 * The spans of days read: `$day_start` to `$day_end` (end excluded) for a day; for a backfilled
 * month, each run of the days it counts as its own pair (`$day_start_1`, `$day_end_1`, …).
 */
function spanCondition(spans: number): string {
  const suffix = (i: number) => (i === 0 ? '' : `_${i}`);
  return `(${Array.from({ length: spans }, (_, i) => `(ts >= $day_start${suffix(i)} AND ts < $day_end${suffix(i)})`).join(' OR ')})`;
}

const normalizedSql = (column: string) => `lower(regexp_replace(${column}, '${SEPARATOR_RUN_PATTERN}', '-', 'g'))`;

/** Step 2: every distinct project name of the day, with its normalized name and its verdict. */
export function dayProjectsSql(plan: GroupingPlan = planFor()): string {
  return `CREATE OR REPLACE TEMP TABLE day_projects AS
SELECT project, package,
  CASE
    WHEN project IS NULL OR project = '' THEN 'no_project'
    WHEN NOT regexp_full_match(project, '${VALID_NAME_PATTERN}') THEN 'invalid_name'
    WHEN length(package) > ${MAX_NAME_LENGTH} THEN 'name_too_long'
    ELSE 'ok'
  END AS verdict
FROM (SELECT DISTINCT project, ${normalizedSql('project')} AS package FROM day_groups WHERE grouping_id = ${baseSetId(plan)} AND NOT no_timestamp)`;
}

/** What the day's events came to: downloads, `.metadata` fetches, and skipped events by reason. */
export function daySummarySql(plan: GroupingPlan = planFor()): string {
  return `SELECT
  coalesce(sum(g.events) FILTER (WHERE g.no_timestamp), 0)::BIGINT AS no_timestamp,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'no_project'), 0)::BIGINT AS no_project,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'name_too_long'), 0)::BIGINT AS name_too_long,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'invalid_name'), 0)::BIGINT AS invalid_name,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND g.is_metadata), 0)::BIGINT AS metadata_fetches,
  coalesce(sum(g.events) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND NOT g.is_metadata), 0)::BIGINT AS downloads,
  count(DISTINCT p.package) FILTER (WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND NOT g.is_metadata)::BIGINT AS packages
FROM day_groups g LEFT JOIN day_projects p ON g.project IS NOT DISTINCT FROM p.project
WHERE g.grouping_id = ${baseSetId(plan)}`;
}

interface RowKind {
  dimension: string;
  /** SQL of the category, over a group of its set. */
  category: string;
  /** The set whose groups count in this kind of row. */
  groupingId: number;
  /** Whether mirror downloads count (only in `with_mirrors`). */
  countsMirrors: boolean;
}

function rowKinds(plan: GroupingPlan): RowKind[] {
  const kinds: RowKind[] = [];
  for (const dimension of plan.dimensions) {
    const groupingId = plan.setOf(dimension).id;
    if (dimension.categories.kind === 'mirror_split') {
      kinds.push({ dimension: dimension.name, category: `'${WITH_MIRRORS}'`, groupingId, countsMirrors: true });
      kinds.push({ dimension: dimension.name, category: `'${WITHOUT_MIRRORS}'`, groupingId, countsMirrors: false });
    } else {
      kinds.push({ dimension: dimension.name, category: dimension.categories.sql.duckdb, groupingId, countsMirrors: false });
    }
  }
  return kinds;
}

/** Step 3: the aggregate rows `(package, dimension, category, downloads)`, in one aggregation. */
export function aggregateRowsSql(plan: GroupingPlan = planFor()): string {
  const kinds = rowKinds(plan);
  const values = kinds.map((kind, i) => `(${i}, '${kind.dimension}', ${kind.groupingId}, ${kind.countsMirrors})`).join(', ');
  return `SELECT p.package, k.dimension, CASE k.kind ${kinds.map((kind, i) => `WHEN ${i} THEN ${kind.category}`).join(' ')} END AS category,
  sum(g.events)::BIGINT AS downloads
FROM day_groups g
JOIN day_projects p ON g.project = p.project
JOIN (VALUES ${values}) AS k(kind, dimension, kind_grouping_id, counts_mirrors)
  ON g.grouping_id = k.kind_grouping_id AND (k.counts_mirrors OR NOT g.is_mirror)
WHERE NOT g.no_timestamp AND p.verdict = 'ok' AND NOT g.is_metadata
GROUP BY ALL`;
}
