/** Raw download events from files exported from BigQuery (Parquet, NDJSON plain or gzip), via DuckDB. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { isDynamicPattern, glob } from 'tinyglobby';
import { listValue, timestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import { addDays, dayNumber, type Day } from '../domain/dates.js';
import {
  aggregateRowsSql,
  DAY_PROJECTS_SQL,
  DAY_SUMMARY_SQL,
  dayDownloadsSql,
  dayGroupsSql,
  rawEventsSql,
  type RawFormat,
} from './aggregate-query.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../domain/mirrors.js';
import type { DuckDb } from './duckdb.js';
import type { AggregateRow } from '../domain/aggregates.js';
import type { DayAggregation, Source } from './types.js';

export interface FileSourceOptions {
  /** File paths or globs; `{date}` in one stands for the day being loaded (`raw/{date}/*.parquet`). */
  inputs: readonly string[];
  mirrorInstallers?: readonly string[];
}

const formatByExtension: [RegExp, RawFormat][] = [
  [/\.parquet$/i, 'parquet'],
  [/\.(json|jsonl|ndjson)(\.gz)?$/i, 'ndjson'],
];

export function rawFormatOf(file: string): RawFormat {
  for (const [pattern, format] of formatByExtension) if (pattern.test(file)) return format;
  throw new Error(`cannot tell the format of input file ${file}: expected .parquet, .json, .jsonl or .ndjson (optionally .gz)`);
}

/** The files for one day, each checked readable, so a load never starts on a partial input. */
export async function resolveInputs(inputs: readonly string[], day: Day): Promise<string[]> {
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
    rawFormatOf(file);
  }
  return [...files];
}

function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

export class FileSource implements Source {
  readonly name = 'files';
  private readonly mirrors: readonly string[];

  constructor(
    private readonly duck: DuckDb,
    private readonly options: FileSourceOptions,
  ) {
    if (options.inputs.length === 0) throw new Error('the files source needs at least one input (--input GLOB)');
    this.mirrors = options.mirrorInstallers ?? DEFAULT_MIRROR_INSTALLERS;
  }

  async aggregateDay(day: Day): Promise<DayAggregation> {
    const files = await resolveInputs(this.options.inputs, day);
    const byFormat = new Map<RawFormat, string[]>();
    for (const file of files) {
      const format = rawFormatOf(file);
      byFormat.set(format, [...(byFormat.get(format) ?? []), file]);
    }
    const connection = await this.duck.connect();
    try {
      const params: Record<string, unknown> = {
        day_start: timestampTZValue(BigInt(dayNumber(day)) * 86_400_000_000n),
        day_end: timestampTZValue(BigInt(dayNumber(addDays(day, 1))) * 86_400_000_000n),
      };
      for (const [format, list] of byFormat) params[`${format}_files`] = listValue(list);
      try {
        await connection.run(dayGroupsSql([...byFormat.keys()]), params as never);
      } catch (error) {
        throw await explainReadFailure(connection, byFormat, error);
      }
      await connection.run(DAY_PROJECTS_SQL);
      await connection.run(dayDownloadsSql(), { mirrors: listValue([...this.mirrors]) } as never);
      const [summaryRow] = (await connection.runAndReadAll(DAY_SUMMARY_SQL)).getRowObjects();
      const summary = {
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
      return { summary, rows: closingOnReturn(streamRows(connection), () => connection.closeSync()) };
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
function closingOnReturn(rows: AsyncGenerator<AggregateRow[]>, close: () => void): AsyncIterable<AggregateRow[]> {
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

async function* streamRows(connection: DuckDBConnection): AsyncGenerator<AggregateRow[]> {
  try {
    const result = await connection.stream(aggregateRowsSql());
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

/** DuckDB's message may not say which file failed: find it, so the error names it. */
async function explainReadFailure(
  connection: DuckDBConnection,
  byFormat: Map<RawFormat, string[]>,
  error: unknown,
): Promise<Error> {
  const reason = error instanceof Error ? error.message : String(error);
  for (const [format, files] of byFormat) {
    for (const file of files) {
      try {
        // The relation the load reads, over this one file, read to the end.
        await connection.run(`SELECT count(*), max(ts), max(project), max(python) FROM (${rawEventsSql(format, '$files')})`, {
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
