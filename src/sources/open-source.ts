/** Sources built from the configuration: the one place that knows the concrete sources. */
import type { Config } from '../config.js';
import { enabledDimensions } from '../domain/dimensions.js';
import type { RetryOptions } from './bigquery-client.js';
import type { BigQuerySource } from './bigquery.js';
import { DuckDb } from './duckdb.js';
import { FileSource } from './files.js';
import type { SpanSource } from './types.js';

export type SourceChoice =
  /** Files exported from BigQuery, aggregated by DuckDB; `{date}` in an input stands for the day. */
  | { kind: 'files'; inputs: readonly string[]; /** DuckDB's threads (default: one per core). */ threads?: number }
  /** The BigQuery table itself (BIGQUERY_* and the Google credentials variables). */
  | { kind: 'bigquery'; pageSize?: number; retry?: RetryOptions };

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

/** A source ready to aggregate days; `close()` releases what it holds (a DuckDB engine). */
export async function openSource(config: Config, choice: SourceChoice): Promise<SpanSource> {
  if (choice.kind === 'bigquery') return openBigQuerySource(config, choice);
  const duck = await DuckDb.open(choice.threads === undefined ? {} : { threads: choice.threads });
  try {
    const source = new FileSource(duck, { inputs: choice.inputs, mirrorInstallers: config.mirrorInstallers, dimensions: enabledDimensions(config.dimensions) });
    return {
      name: source.name,
      aggregateDay: (day) => source.aggregateDay(day),
      aggregateSpans: (spans, label) => source.aggregateSpans(spans, label),
      close: () => duck.close(),
    };
  } catch (error) {
    duck.close();
    throw error;
  }
}
