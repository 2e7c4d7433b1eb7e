/** Sources built from the configuration: the one place that knows the concrete sources. */
import type { Config } from '../config.js';
import { enabledDimensions } from '../domain/dimensions.js';
import type { RetryOptions } from './bigquery-client.js';
import type { BigQuerySource } from './bigquery.js';
import { DuckDb } from './duckdb.js';
import { FileSource } from './files.js';
import { AccessLogSource } from './access-log.js';
import type { Source, SpanSource } from './types.js';

export type SourceChoice =
  /** Files exported from BigQuery, aggregated by DuckDB; `{date}` in an input stands for the day. */
  | { kind: 'files'; inputs: readonly string[]; /** DuckDB's threads (default: one per core). */ threads?: number }
  /** The BigQuery table itself (BIGQUERY_* and the Google credentials variables). */
  | { kind: 'bigquery'; pageSize?: number; retry?: RetryOptions }
  /** A private index's web server access logs (ACCESS_LOG_*, COUNTRY_DATABASE); `{date}` as for files. */
  | { kind: 'access-log'; inputs: readonly string[]; threads?: number };

export async function openBigQuerySource(config: Config, choice: Omit<Extract<SourceChoice, { kind: 'bigquery' }>, 'kind'> = {}): Promise<BigQuerySource> {
  // Loaded on demand: Google's client library takes half a second to import, and `serve` never needs it.
  const [{ connectBigQuery }, { BigQuerySource }] = await Promise.all([import('./bigquery-client.js'), import('./bigquery.js')]);
  const connection = await connectBigQuery(config.bigquery, choice.retry);
  return new BigQuerySource(connection, {
    table: config.bigquery.table,
    mirrorInstallers: config.mirrorInstallers,
    pageSize: choice.pageSize,
    dimensions: enabledDimensions(config.dimensions),
  });
}

/** A source that aggregates spans of days too (a backfill's months): raw exports, or BigQuery. */
export type SpanSourceChoice = Exclude<SourceChoice, { kind: 'access-log' }>;

/**
 * A source ready to aggregate days; `close()` releases what it holds (a DuckDB engine). Access logs
 * are read a day at a time (their files are the web server's days), so only the others take spans.
 */
export async function openSource(config: Config, choice: SpanSourceChoice): Promise<SpanSource>;
export async function openSource(config: Config, choice: SourceChoice): Promise<Source>;
export async function openSource(config: Config, choice: SourceChoice): Promise<Source | SpanSource> {
  if (choice.kind === 'bigquery') return openBigQuerySource(config, choice);
  const duck = await DuckDb.open(choice.threads === undefined ? {} : { threads: choice.threads });
  try {
    const dimensions = enabledDimensions(config.dimensions);
    if (choice.kind === 'files') {
      const source = new FileSource(duck, { inputs: choice.inputs, mirrorInstallers: config.mirrorInstallers, dimensions });
      return {
        name: source.name,
        aggregateDay: (day) => source.aggregateDay(day),
        aggregateSpans: (spans, label) => source.aggregateSpans(spans, label),
        close: () => duck.close(),
      };
    }
    const source = new AccessLogSource(duck, {
      inputs: choice.inputs,
      format: config.accessLog.format,
      countNotModified: config.accessLog.countNotModified,
      countries: config.accessLog.countries,
      mirrorInstallers: config.mirrorInstallers,
      dimensions,
    });
    return { name: source.name, aggregateDay: (day) => source.aggregateDay(day), close: () => duck.close() };
  } catch (error) {
    duck.close();
    throw error;
  }
}
