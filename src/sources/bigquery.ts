/**
 * Raw download events from the public BigQuery table: the aggregation runs in BigQuery, one query
 * job per day, and only aggregate rows come back, page by page.
 */
import type { Job } from '@google-cloud/bigquery';
import type { Day } from '../domain/dates.js';
import { dimensions as registry, type Dimension } from '../domain/dimensions.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../domain/mirrors.js';
import type { BigQueryConnection } from './bigquery-client.js';
import {
  bigQueryAggregationSql,
  bigQuerySpanParameters,
  type DaySpan,
  DEFAULT_BIGQUERY_TABLE,
  SUMMARY_DIMENSION,
  SUMMARY_MEASURES,
  type BigQueryParameters,
  type SummaryMeasure,
} from './bigquery-query.js';
import type { AggregateRow, DaySummary } from '../domain/aggregates.js';
import type { DayAggregation, Source } from './types.js';

export interface BigQuerySourceOptions {
  table?: string;
  mirrorInstallers?: readonly string[];
  /** Rows asked for per results page; each page becomes one chunk of rows. */
  pageSize?: number;
  /** The dimensions to compute (default: every one of the registry); see enabledDimensions. */
  dimensions?: readonly Dimension[];
}

export interface DryRun {
  /** The day, or the month (`YYYY-MM`) of a backfill. */
  day: Day;
  sql: string;
  parameters: BigQueryParameters['params'];
  /** The dimensions the query computes (only their raw columns are read). */
  dimensions: string[];
  /** What BigQuery says the job would scan (and bill, on demand). */
  bytes: number;
}

const DEFAULT_PAGE_SIZE = 50_000;

function firstLine(message: string): string {
  return message.trim().split('\n')[0] ?? message;
}

interface JobStatus {
  errorResult?: { message?: string; reason?: string } | null;
}

function jobFailed(jobId: string, status: JobStatus | undefined): Error | null {
  const result = status?.errorResult;
  if (!result) return null;
  return new Error(`BigQuery job ${jobId} failed: ${firstLine(result.message ?? 'no message')}${result.reason ? ` (${result.reason})` : ''}`);
}

/** BigQuery answers a failed job's results with an error; the job itself says why it failed. */
async function explainResultsFailure(job: Job, error: unknown): Promise<Error> {
  try {
    const [metadata] = await job.getMetadata();
    const failed = jobFailed(job.id ?? '?', metadata.status);
    if (failed) return failed;
  } catch {
    // The original error says more than this one.
  }
  return new Error(`BigQuery job ${job.id}: cannot read its results: ${firstLine((error as Error).message ?? String(error))}`);
}

function toRow(row: Record<string, unknown>): AggregateRow {
  return {
    package: row.package as string,
    dimension: row.dimension as string,
    category: row.category as string,
    downloads: row.downloads as number,
  };
}

export class BigQuerySource implements Source {
  readonly name = 'bigquery';
  readonly sql: string;
  readonly dimensions: readonly Dimension[];
  private readonly mirrors: readonly string[];
  private readonly pageSize: number;
  private readonly table: string;

  constructor(
    private readonly connection: BigQueryConnection,
    options: BigQuerySourceOptions = {},
  ) {
    this.dimensions = options.dimensions ?? registry;
    this.table = options.table ?? DEFAULT_BIGQUERY_TABLE;
    this.sql = bigQueryAggregationSql(this.table, this.dimensions);
    this.mirrors = options.mirrorInstallers ?? DEFAULT_MIRROR_INSTALLERS;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** Asks BigQuery what the day's job would scan, without running it. */
  dryRun(day: Day): Promise<DryRun> {
    return this.dryRunSpans([{ first: day, last: day }], day);
  }

  /** What one job over the spans of days (`label`: the day or month they make) would scan. */
  async dryRunSpans(spans: readonly DaySpan[], label: string): Promise<DryRun> {
    const { params, types } = bigQuerySpanParameters(spans, this.mirrors);
    const sql = this.sqlFor(spans);
    try {
      const [job] = await this.connection.client.createQueryJob({ query: sql, params, types, dryRun: true });
      const dimensions = this.dimensions.map((dimension) => dimension.name);
      return { day: label, sql, parameters: params, dimensions, bytes: Number(job.metadata?.statistics?.totalBytesProcessed ?? 0) };
    } catch (error) {
      throw new Error(`BigQuery dry run for ${label} failed: ${firstLine((error as Error).message)}`);
    }
  }

  private sqlFor(spans: readonly DaySpan[]): string {
    return spans.length === 1 ? this.sql : bigQueryAggregationSql(this.table, this.dimensions, spans.length);
  }

  aggregateDay(day: Day): Promise<DayAggregation> {
    return this.aggregateSpans([{ first: day, last: day }], day);
  }

  /**
   * The spans of days summed as one (a month's backfill: only its rows come back, the grouping
   * done in BigQuery), `label` naming them in the summary and the job's id.
   */
  async aggregateSpans(spans: readonly DaySpan[], label: string): Promise<DayAggregation> {
    const job = await this.startJob(spans, label);
    const day = label;
    const pages = this.pages(job)[Symbol.asyncIterator]();
    const summary: DaySummary = {
      day,
      downloads: 0,
      metadataFetches: 0,
      packages: 0,
      // Events without a timestamp cannot be in a day's partition: BigQuery never shows them.
      skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 },
    };
    // Summary rows sort first; the first other row starts the aggregate rows.
    let rest: AggregateRow[] = [];
    let done = false;
    while (rest.length === 0) {
      const page = await pages.next();
      if (page.done) {
        done = true;
        break;
      }
      const firstRow = page.value.findIndex((row) => row.dimension !== SUMMARY_DIMENSION);
      const summaryRows = firstRow === -1 ? page.value : page.value.slice(0, firstRow);
      for (const row of summaryRows) addToSummary(summary, row);
      if (firstRow !== -1) rest = page.value.slice(firstRow);
    }
    return { summary, rows: done ? emptyRows() : aggregateRows(rest, pages) };
  }

  private async startJob(spans: readonly DaySpan[], day: string): Promise<Job> {
    const { params, types } = bigQuerySpanParameters(spans, this.mirrors);
    let job: Job;
    try {
      [job] = await this.connection.client.createQueryJob({ query: this.sqlFor(spans), params, types, jobPrefix: `pypistats_${day.replaceAll('-', '')}_` });
    } catch (error) {
      // A job that failed at once comes back as an error carrying the job.
      const response = (error as { response?: { jobReference?: { jobId?: string }; status?: JobStatus } }).response;
      throw (
        jobFailed(response?.jobReference?.jobId ?? '?', response?.status) ??
        new Error(`BigQuery: cannot start the query job for ${day}: ${firstLine((error as Error).message)}`)
      );
    }
    const failed = jobFailed(job.id ?? '?', job.metadata?.status);
    if (failed) throw failed;
    return job;
  }

  /** The job's results page by page, waiting for the job first. Never more than a page in memory. */
  private async *pages(job: Job): AsyncGenerator<AggregateRow[]> {
    let pageToken: string | undefined;
    for (;;) {
      let rows: Record<string, unknown>[];
      let response: { jobComplete?: boolean; pageToken?: string | null } | undefined;
      try {
        [rows, , response] = await job.getQueryResults({ autoPaginate: false, maxResults: this.pageSize, pageToken });
      } catch (error) {
        throw await explainResultsFailure(job, error);
      }
      // Not done yet: BigQuery held the call for up to ten seconds; ask again.
      if (response?.jobComplete === false) continue;
      yield rows.map(toRow);
      pageToken = response?.pageToken ?? undefined;
      if (!pageToken) return;
    }
  }
}

const measureFields: Record<SummaryMeasure, (summary: DaySummary, value: number) => void> = {
  downloads: (s, v) => (s.downloads = v),
  metadata_fetches: (s, v) => (s.metadataFetches = v),
  packages: (s, v) => (s.packages = v),
  no_project: (s, v) => (s.skipped.noProject = v),
  invalid_name: (s, v) => (s.skipped.invalidName = v),
  name_too_long: (s, v) => (s.skipped.nameTooLong = v),
};

function addToSummary(summary: DaySummary, row: AggregateRow): void {
  if (!(SUMMARY_MEASURES as readonly string[]).includes(row.category)) throw new Error(`BigQuery returned an unknown summary measure "${row.category}"`);
  measureFields[row.category as SummaryMeasure](summary, row.downloads);
}

async function* emptyRows(): AsyncGenerator<AggregateRow[]> {}

async function* aggregateRows(first: AggregateRow[], pages: AsyncIterator<AggregateRow[]>): AsyncGenerator<AggregateRow[]> {
  try {
    yield first;
    for (let page = await pages.next(); !page.done; page = await pages.next()) {
      if (page.value.some((row) => row.dimension === SUMMARY_DIMENSION)) throw new Error('BigQuery returned a summary row after the aggregate rows');
      if (page.value.length > 0) yield page.value;
    }
  } finally {
    await pages.return?.();
  }
}
