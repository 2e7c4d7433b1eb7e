/** Raw download events from files exported from BigQuery (Parquet, NDJSON plain or gzip), via DuckDB. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { isDynamicPattern, glob } from 'tinyglobby';
import { DuckDBTypeId, LIST, listValue, timestampTZValue, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { addDays, dayNumber, type Day } from '../domain/dates.js';
import type { DaySpan } from './types.js';
import { aggregateRowsSql, dayGroupsSql, dayProjectsSql, daySummarySql, planFor, rawEventsSql, type HasPath, type RawFormat } from './aggregate-query.js';
import type { GroupingPlan } from './grouping-sets.js';
import type { Dimension } from '../domain/dimensions.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../domain/mirrors.js';
import type { DuckDb } from './duckdb.js';
import type { AggregateRow, DaySummary } from '../domain/aggregates.js';
import type { DayAggregation, Source } from './types.js';

export interface FileSourceOptions {
  /** File paths or globs; `{date}` in one stands for the day being loaded (`raw/{date}/*.parquet`). */
  inputs: readonly string[];
  mirrorInstallers?: readonly string[];
  /** The dimensions to compute (default: every one of the registry); see enabledDimensions. */
  dimensions?: readonly Dimension[];
}

const formatByExtension: [RegExp, RawFormat][] = [
  [/\.parquet$/i, 'parquet'],
  [/\.(json|jsonl|ndjson)(\.gz)?$/i, 'ndjson'],
];

export function rawFormatOf(file: string): RawFormat {
  for (const [pattern, format] of formatByExtension) if (pattern.test(file)) return format;
  throw new Error(`cannot tell the format of input file ${file}: expected .parquet, .json, .jsonl or .ndjson (optionally .gz)`);
}

/**
 * The files for one day, each checked readable (and by `check`, of a format the source reads), so
 * a load never starts on a partial input.
 */
export async function resolveInputs(inputs: readonly string[], day: Day, check: (file: string) => unknown = rawFormatOf): Promise<string[]> {
  const files = new Set<string>();
  for (const input of inputs) {
    const pattern = input.replaceAll('{date}', day);
    if (isDynamicPattern(pattern)) {
      const matches = await glob(pattern, { absolute: true, onlyFiles: true, expandDirectories: false });
      if (matches.length === 0) throw new Error(`no input file matches ${pattern}`);
      for (const match of matches.sort()) files.add(match);
    } else {
      files.add(path.resolve(pattern));
    }
  }
  for (const file of files) {
    try {
      await access(file, constants.R_OK);
    } catch {
      throw new Error(`cannot read input file ${file}: it does not exist or is not readable`);
    }
    check(file);
  }
  return [...files];
}

export function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

export class FileSource implements Source {
  readonly name = 'files';
  private readonly mirrors: readonly string[];
  private readonly plan: GroupingPlan;

  constructor(
    private readonly duck: DuckDb,
    private readonly options: FileSourceOptions,
  ) {
    if (options.inputs.length === 0) throw new Error('the files source needs at least one input (--input GLOB)');
    this.mirrors = options.mirrorInstallers ?? DEFAULT_MIRROR_INSTALLERS;
    this.plan = planFor(options.dimensions);
  }

  aggregateDay(day: Day): Promise<DayAggregation> {
    return this.aggregateSpans([{ first: day, last: day }], day);
  }

  /**
   * The spans of days summed as one (a month's backfill), `label` naming them in the summary;
   * `{date}` in an input stands for the label, `{month}` for its month (`YYYY-MM`).
   */
  async aggregateSpans(spans: readonly DaySpan[], label: string): Promise<DayAggregation> {
    const day = label;
    const files = await resolveInputs(this.options.inputs.map((input) => input.replaceAll('{month}', label.slice(0, 7))), day);
    const byFormat = new Map<RawFormat, string[]>();
    for (const file of files) {
      const format = rawFormatOf(file);
      byFormat.set(format, [...(byFormat.get(format) ?? []), file]);
    }
    const connection = await this.duck.connect();
    try {
      const params: Record<string, unknown> = { mirrors: listValue([...this.mirrors]) };
      spans.forEach(({ first, last }, i) => {
        const suffix = i === 0 ? '' : `_${i}`;
        params[`day_start${suffix}`] = timestampTZValue(BigInt(dayNumber(first)) * 86_400_000_000n);
        params[`day_end${suffix}`] = timestampTZValue(BigInt(dayNumber(addDays(last, 1))) * 86_400_000_000n);
      });
      for (const [format, list] of byFormat) params[`${format}_files`] = listValue(list);
      try {
        const parquet = byFormat.get('parquet');
        const has = parquet ? await parquetPaths(connection, parquet) : undefined;
        // Typed: DuckDB cannot tell the item type of an empty list (MIRROR_INSTALLERS set empty).
        await connection.run(dayGroupsSql([...byFormat.keys()], this.plan, has, spans.length), params as never, { mirrors: LIST(VARCHAR) });
      } catch (error) {
        throw await explainReadFailure(connection, byFormat, this.plan, error);
      }
      await connection.run(dayProjectsSql(this.plan));
      const [summaryRow] = (await connection.runAndReadAll(daySummarySql(this.plan))).getRowObjects();
      const summary = daySummaryOf(day, summaryRow);
      return { summary, rows: closingOnReturn(streamRows(connection, aggregateRowsSql(this.plan)), () => connection.closeSync()) };
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }
}

/**
 * The rows, with `return()` closing the connection even before the first chunk: a load refused on
 * the summary ends the rows unread, and a generator not yet started never runs its `finally`.
 */
export function closingOnReturn(rows: AsyncGenerator<AggregateRow[]>, close: () => void): AsyncIterable<AggregateRow[]> {
  let started = false;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => ((started = true), rows.next()),
      return: async (value?: unknown) => {
        if (!started) close();
        return rows.return(value as never);
      },
    }),
  };
}

export async function* streamRows(connection: DuckDBConnection, sql: string): AsyncGenerator<AggregateRow[]> {
  try {
    const result = await connection.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const rows: AggregateRow[] = new Array(chunk.rowCount);
      const columns = chunk.getColumns();
      const [packages, dimensionNames, categories, downloads] = columns as unknown[][];
      for (let i = 0; i < chunk.rowCount; i++) {
        rows[i] = {
          package: packages![i] as string,
          dimension: dimensionNames![i] as string,
          category: categories![i] as string,
          downloads: toNumber(downloads![i]),
        };
      }
      yield rows;
    }
  } finally {
    connection.closeSync();
  }
}

/**
 * The paths the Parquet files hold, from their schema (merged across files by name, as the load
 * reads them): an older export, or one whose `details` has no `cpu`, still loads, that field NULL.
 */
async function parquetPaths(connection: DuckDBConnection, files: readonly string[]): Promise<HasPath> {
  const reader = await connection.runAndReadAll('SELECT * FROM read_parquet($files, union_by_name = true) LIMIT 0', { files: listValue([...files]) });
  const present = new Set<string>();
  const walk = (prefix: string, type: DuckDBType) => {
    present.add(prefix);
    if (type.typeId === DuckDBTypeId.STRUCT) type.entryNames.forEach((name, i) => walk(`${prefix}.${name.toLowerCase()}`, type.entryTypes[i]!));
  };
  reader.columnNames().forEach((name, i) => walk(name.toLowerCase(), reader.columnTypes()[i]!));
  // DuckDB matches column and field names without regard to case.
  return (path) => present.has(path.join('.').toLowerCase());
}

/** DuckDB's message may not say which file failed: find it, so the error names it. */
async function explainReadFailure(
  connection: DuckDBConnection,
  byFormat: Map<RawFormat, string[]>,
  plan: GroupingPlan,
  error: unknown,
): Promise<Error> {
  const reason = error instanceof Error ? error.message : String(error);
  for (const [format, files] of byFormat) {
    for (const file of files) {
      try {
        // The relation the load reads, over this one file, read to the end.
        const has = format === 'parquet' ? await parquetPaths(connection, [file]) : undefined;
        const fields = ['ts', 'project', 'filename', 'mirror_installer', ...plan.columns.map((column) => column.name)];
        await connection.run(`SELECT count(*), ${fields.map((field) => `max(${field})`).join(', ')} FROM (${rawEventsSql(format, '$files', plan, has)})`, {
          files: listValue([file]),
        });
      } catch (fileError) {
        const message = fileError instanceof Error ? fileError.message : String(fileError);
        return new Error(`cannot read input file ${file}: ${firstLine(message)}`);
      }
    }
  }
  return new Error(`cannot read the input files: ${firstLine(reason)}`);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** A day's summary from the row of daySummarySql (the counts DuckDB gives as BIGINT). */
export function daySummaryOf(day: Day, summaryRow: Record<string, unknown> | undefined): DaySummary {
  return {
    day,
    downloads: toNumber(summaryRow?.downloads),
    metadataFetches: toNumber(summaryRow?.metadata_fetches),
    packages: toNumber(summaryRow?.packages),
    skipped: {
      noTimestamp: toNumber(summaryRow?.no_timestamp),
      noProject: toNumber(summaryRow?.no_project),
      nameTooLong: toNumber(summaryRow?.name_too_long),
      invalidName: toNumber(summaryRow?.invalid_name),
    },
  };
}
