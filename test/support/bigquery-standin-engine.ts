/**
 * The stand-in's query engine: it runs the very SQL a BigQuery job carries, in DuckDB, over raw
 * events loaded into a table shaped like `bigquery-public-data.pypi.file_downloads`.
 *
 * The whole shim, and all of it is mechanical:
 * - the backticked table name becomes the DuckDB table holding the test's events;
 * - `@name` becomes `$name`, bound from the job's `queryParameters`;
 * - REGEXP_CONTAINS is defined as DuckDB's regexp_matches (both: RE2, true on a partial match).
 * Anything else the SQL needs must be written so both engines read it the same.
 *
 * A dry run's bytes are estimated as BigQuery bills them (estimateBytes), so a test can see that a
 * query reading fewer columns scans less.
 */
import { DuckDBTypeId, LIST, TIMESTAMPTZ, VARCHAR, listValue, timestampTZValue, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FILE_DOWNLOADS_COLUMNS } from './raw-events.js';

export const STANDIN_TABLE = 'file_downloads';


/** A query parameter as the REST API carries it (jobs.insert, `configuration.query.queryParameters`). */
export interface QueryParameter {
  name: string;
  parameterType: { type: string; arrayType?: { type: string } };
  parameterValue: { value?: string; arrayValues?: { value: string }[] };
}

export interface QueryResult {
  fields: { name: string; type: 'STRING' | 'INTEGER' | 'BOOLEAN' | 'FLOAT' }[];
  /** Cells as the REST API encodes them: strings, or null. */
  rows: (string | null)[][];
}

function bind(parameter: QueryParameter): { value: unknown; type: DuckDBType } {
  const { type, arrayType } = parameter.parameterType;
  const { value, arrayValues } = parameter.parameterValue;
  if (type === 'TIMESTAMP') {
    const millis = Date.parse(value ?? '');
    if (Number.isNaN(millis)) throw new Error(`query parameter @${parameter.name}: "${value}" is not a TIMESTAMP`);
    return { value: timestampTZValue(BigInt(millis) * 1000n), type: TIMESTAMPTZ };
  }
  if (type === 'STRING') return { value: value ?? null, type: VARCHAR };
  if (type === 'ARRAY' && arrayType?.type === 'STRING') {
    return { value: listValue((arrayValues ?? []).map((item) => item.value)), type: LIST(VARCHAR) };
  }
  throw new Error(`query parameter @${parameter.name}: the stand-in does not know type ${type}`);
}

const schemaType = (duckType: string): QueryResult['fields'][number]['type'] =>
  /^(BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER)$/.test(duckType)
    ? 'INTEGER'
    : duckType === 'BOOLEAN'
      ? 'BOOLEAN'
      : duckType === 'DOUBLE'
        ? 'FLOAT'
        : 'STRING';

/** A leaf column of the table: its path, and what a non-NULL value of it counts, in SQL. */
interface LeafColumn {
  path: string[];
  bytesSql: string;
}

/**
 * BigQuery's data size of a value ("Data size calculation" in its pricing): STRING 2 bytes plus
 * its UTF-8 length, BOOL 1, TIMESTAMP and INT64 8, a STRUCT its fields; NULL counts 0.
 */
function leafColumns(prefix: string[], type: DuckDBType): LeafColumn[] {
  if (type.typeId === DuckDBTypeId.STRUCT) return type.entryNames.flatMap((name, i) => leafColumns([...prefix, name], type.entryTypes[i]!));
  const sql = prefix.map((part) => `"${part}"`).join('.');
  const size = type.typeId === DuckDBTypeId.VARCHAR ? `2 + strlen(${sql})` : type.typeId === DuckDBTypeId.BOOLEAN ? '1' : '8';
  return [{ path: prefix.map((part) => part.toLowerCase()), bytesSql: `CASE WHEN ${sql} IS NULL THEN 0 ELSE ${size} END` }];
}

export class StandInEngine {
  private constructor(
    private readonly duck: DuckDb,
    private readonly connection: DuckDBConnection,
    /** The BigQuery table name queries must read, as they quote it. */
    readonly table: string,
  ) {}

  /**
   * What a dry run reports: as BigQuery bills on demand, the data size of every column the query
   * references (a struct named whole counts all its fields) in the partitions its day bounds select
   * (the table is partitioned by day of `timestamp`; rows without one are in no day's partition).
   * The columns are found in the text: every dotted name that starts with a column of the table.
   */
  async estimateBytes(sql: string, parameters: readonly QueryParameter[]): Promise<number> {
    const reader = await this.connection.runAndReadAll(`SELECT * FROM ${STANDIN_TABLE} LIMIT 0`);
    const leaves = reader.columnNames().flatMap((name, i) => leafColumns([name], reader.columnTypes()[i]!));
    const topLevel = new Set(leaves.map((leaf) => leaf.path[0]!));
    // Names only: string literals and the quoted table name are not column references.
    const text = this.toDuckDbSql(sql).replace(/'[^']*'/g, "''");
    const referenced = new Set<LeafColumn>();
    for (const [chain] of text.matchAll(/(?<![\w.$])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g)) {
      const parts = chain.toLowerCase().split('.');
      if (!topLevel.has(parts[0]!)) continue;
      for (const leaf of leaves) {
        const depth = Math.min(parts.length, leaf.path.length);
        if (leaf.path.slice(0, depth).join('.') === parts.slice(0, depth).join('.')) referenced.add(leaf);
      }
    }
    if (referenced.size === 0) return 0;
    // The partitions of every span of days the query reads (`@day_start`/`@day_end`, then `_1`, `_2`… of a backfilled month's runs).
    const { values, types } = this.bindAll(parameters.filter((parameter) => /^day_(start|end)(_\d+)?$/.test(parameter.name)));
    const spans = Object.keys(values)
      .filter((name) => name.startsWith('day_start'))
      .map((start) => `("timestamp" >= $${start} AND "timestamp" < $${start.replace('start', 'end')})`);
    const where = spans.length > 0 ? `WHERE ${spans.join(' OR ')}` : '';
    const total = await this.connection.runAndReadAll(
      `SELECT coalesce(sum(${[...referenced].map((leaf) => leaf.bytesSql).join(' + ')}), 0)::BIGINT AS bytes FROM ${STANDIN_TABLE} ${where}`,
      values,
      types,
    );
    return Number(total.getRowObjects()[0]!.bytes);
  }

  /** Loads the raw events of an NDJSON file (written with test/support/raw-events.ts) as the table. */
  static async open(table: string, eventsFile: string): Promise<StandInEngine> {
    const duck = await DuckDb.open({ threads: 1 });
    const connection = await duck.connect();
    await connection.run(
      `CREATE TABLE ${STANDIN_TABLE} AS
       SELECT * REPLACE (try_cast("timestamp" AS TIMESTAMPTZ) AS "timestamp")
       FROM read_json($file, format = 'newline_delimited', columns = ${FILE_DOWNLOADS_COLUMNS})`,
      { file: eventsFile },
    );
    await connection.run('CREATE MACRO regexp_contains(value, pattern) AS regexp_matches(value, pattern)');
    return new StandInEngine(duck, connection, table);
  }

  /** The two rewrites, and nothing else. */
  toDuckDbSql(sql: string): string {
    const quoted = `\`${this.table}\``;
    if (sql.split('`').length !== 3 || !sql.includes(quoted)) throw new Error(`the query must read exactly one table, ${quoted}`);
    return sql.replace(quoted, STANDIN_TABLE).replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, '$$$1');
  }

  private bindAll(parameters: readonly QueryParameter[]) {
    const values: Record<string, never> = {};
    const types: Record<string, DuckDBType> = {};
    for (const parameter of parameters) {
      const bound = bind(parameter);
      values[parameter.name] = bound.value as never;
      types[parameter.name] = bound.type;
    }
    return { values, types };
  }

  /** What a dry run checks: the statement parses and binds. */
  async validate(sql: string, parameters: readonly QueryParameter[]): Promise<void> {
    const prepared = await this.connection.prepare(this.toDuckDbSql(sql));
    const { values, types } = this.bindAll(parameters);
    prepared.bind(values, types);
  }

  async run(sql: string, parameters: readonly QueryParameter[]): Promise<QueryResult> {
    const { values, types } = this.bindAll(parameters);
    const reader = await this.connection.runAndReadAll(this.toDuckDbSql(sql), values, types);
    const fields = reader.columnNames().map((name, i) => ({ name, type: schemaType(reader.columnTypes()[i]!.toString()) }));
    const rows = reader.getRows().map((row) => row.map((cell) => (cell === null ? null : String(cell))));
    return { fields, rows };
  }

  close(): void {
    this.connection.closeSync();
    this.duck.close();
  }
}
