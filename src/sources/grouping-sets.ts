/**
 * How one scan of a day's raw events computes every enabled dimension without exploding, shared by
 * the DuckDB query (aggregate-query.ts) and the BigQuery one (bigquery-query.ts).
 *
 * Grouping the events by every raw field at once would make one group per combination (version ×
 * country × installer × …): about one per event on PyPI. `GROUP BY GROUPING SETS` groups the one
 * scan several ways instead: every set has the shared keys (the project, the `.metadata` check, the
 * mirror flag), and each adds the raw columns of the dimensions it serves. The first set adds none:
 * it serves the mirror split and the day's summary. Dimensions that read the same columns (Python
 * major and minor) share a set. A group's set is told by its `grouping_id`, written with
 * single-column `GROUPING()` (BigQuery's takes one column; DuckDB's takes several and means the
 * same for one), as GROUPING_ID does: a bit per raw column, set when the column is not grouped.
 */
import type { Dimension, RawColumn } from '../domain/dimensions.js';

/** Where the mirror flag's installer name is in a raw event (the mirror split declares no columns). */
export const MIRROR_INSTALLER_PATH: readonly string[] = ['details', 'installer', 'name'];

/**
 * Names the queries give their own columns: a raw column may not take one, or a category rule
 * would read the wrong thing.
 */
const RESERVED_NAMES = new Set([
  'no_timestamp', 'ts', 'raw_timestamp', 'project', 'file_project', 'top_project', 'filename', 'package', 'verdict',
  'outcome', 'is_metadata', 'is_mirror', 'mirror_installer', 'grouping_id', 'events', 'kind', 'kind_grouping_id',
  'dimension', 'category', 'downloads', 'counts_mirrors', 'weight',
]);

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

export interface GroupingSet {
  /** The raw columns this set groups by beyond the shared keys. */
  readonly columns: readonly RawColumn[];
  /** The `grouping_id` of its groups. */
  readonly id: number;
}

export interface GroupingPlan {
  /** The enabled dimensions, in registry order. */
  readonly dimensions: readonly Dimension[];
  /** Every raw column they read, each once, in registry order. */
  readonly columns: readonly RawColumn[];
  /** The sets; the first (no raw columns) serves the mirror split and the summary. */
  readonly sets: readonly GroupingSet[];
  /** The set whose groups a dimension's rows are summed from. */
  setOf(dimension: Dimension): GroupingSet;
}

export function groupingPlan(dimensions: readonly Dimension[]): GroupingPlan {
  const columns = new Map<string, RawColumn>();
  for (const dimension of dimensions) {
    if (!SQL_NAME.test(dimension.name)) throw new Error(`dimension name "${dimension.name}" cannot be a column name`);
    for (const column of dimension.columns) {
      if (!SQL_NAME.test(column.name) || RESERVED_NAMES.has(column.name)) throw new Error(`raw column name "${column.name}" of ${dimension.name} is reserved or not a column name`);
      if (!column.path.every((part) => SQL_NAME.test(part))) throw new Error(`raw column path ${column.path.join('.')} of ${dimension.name} is not a path of names`);
      const known = columns.get(column.name);
      if (known && (known.path.join('.') !== column.path.join('.') || known.type !== column.type)) {
        throw new Error(`raw column "${column.name}" is declared twice, differently (${known.path.join('.')} and ${column.path.join('.')})`);
      }
      columns.set(column.name, column);
    }
  }
  const allColumns = [...columns.values()];
  // GROUPING_ID's bits, first column most significant; a bit is set when its column is not grouped.
  const bit = new Map(allColumns.map((column, i) => [column.name, 2 ** (allColumns.length - 1 - i)]));
  const idOf = (grouped: readonly RawColumn[]) => (2 ** allColumns.length - 1) - grouped.reduce((sum, column) => sum + bit.get(column.name)!, 0);
  const sets: GroupingSet[] = [{ columns: [], id: idOf([]) }];
  const setByKey = new Map<string, GroupingSet>([['', sets[0]!]]);
  const setByDimension = new Map<string, GroupingSet>();
  for (const dimension of dimensions) {
    const grouped = allColumns.filter((column) => dimension.columns.some((own) => own.name === column.name));
    const key = grouped.map((column) => column.name).join(',');
    let set = setByKey.get(key);
    if (!set) {
      set = { columns: grouped, id: idOf(grouped) };
      sets.push(set);
      setByKey.set(key, set);
    }
    setByDimension.set(dimension.name, set);
  }
  return {
    dimensions,
    columns: allColumns,
    sets,
    setOf: (dimension) => {
      const set = setByDimension.get(dimension.name);
      if (!set) throw new Error(`dimension ${dimension.name} is not in this plan`);
      return set;
    },
  };
}

/** `GROUP BY GROUPING SETS ((keys…), (keys…, python), …)`, in plain SQL both engines read alike. */
export function groupingSetsSql(plan: GroupingPlan, sharedKeys: readonly string[]): string {
  const sets = plan.sets.map((set) => `(${[...sharedKeys, ...set.columns.map((column) => column.name)].join(', ')})`);
  return `GROUP BY GROUPING SETS (\n    ${sets.join(',\n    ')}\n  )`;
}

/** A group's `grouping_id`, from one-column GROUPING() calls (0 when the plan reads no column). */
export function groupingIdSql(plan: GroupingPlan): string {
  const n = plan.columns.length;
  if (n === 0) return '0';
  return plan.columns.map((column, i) => `GROUPING(${column.name}) * ${2 ** (n - 1 - i)}`).join(' + ');
}
