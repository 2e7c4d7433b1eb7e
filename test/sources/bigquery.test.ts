/**
 * BigQuerySource against a local stand-in of BigQuery's REST API that runs the received SQL in
 * DuckDB over the test's raw events. Nothing of ours is mocked; no request leaves the machine.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { dimensions } from '../../src/domain/dimensions.js';
import { loadDay } from '../../src/pipeline/load.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { openBigQuerySource } from '../../src/sources/open-source.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { BigQueryStandIn } from '../support/bigquery-standin.js';
import { everyRuleEvents } from '../support/every-rule-events.js';
import { testServiceAccount } from '../support/google-credentials.js';
import { tempDir, writeNdjson } from '../support/raw-events.js';
import { collectRows, rowTable } from '../support/rows.js';

const DAY = '2026-11-20';
const DAYS = ['2026-11-19', DAY, '2026-11-21'];
/** Back-off waits of at most 10 ms, so retries take no time. */
const FAST_RETRY = { maxRetries: 4, maxRetryDelaySeconds: 0.01 };

let dir: string;
let eventsFile: string;
let duck: DuckDb;
let standIn: BigQueryStandIn;
let config: Config;

beforeAll(async () => {
  dir = await tempDir();
  eventsFile = await writeNdjson(path.join(dir, 'events.ndjson'), everyRuleEvents(DAY));
  duck = await DuckDb.open();
  standIn = await BigQueryStandIn.start({ eventsFile, dryRunBytes: 3 * 2 ** 40 });
  config = loadConfig({ GOOGLE_SERVICE_ACCOUNT_JSON: standIn.account.json, BIGQUERY_API_ENDPOINT: standIn.url });
});
afterAll(async () => {
  await standIn.close();
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

const bigQuery = (pageSize?: number) => openBigQuerySource(config, { pageSize, retry: FAST_RETRY });
const files = () => new FileSource(duck, { inputs: [eventsFile] });

describe('BigQuery source: a month of a backfill, runs of days summed in one query', () => {
  it('gives the rows of the files source over the same runs of days, and their days summed', async () => {
    const spans = [{ first: '2026-11-19', last: '2026-11-19' }, { first: '2026-11-21', last: '2026-11-21' }];
    const source = await bigQuery();
    const actual = await source.aggregateSpans(spans, '2026-11');
    const expected = await files().aggregateSpans(spans, '2026-11');
    const expectedRows = rowTable(await collectRows(expected));
    expect(rowTable(await collectRows(actual))).toEqual(expectedRows);
    expect(actual.summary.downloads).toBe(expected.summary.downloads);
    expect(actual.summary.day).toBe('2026-11');
    const summed: Record<string, number> = {};
    for (const day of ['2026-11-19', '2026-11-21']) {
      for (const [key, downloads] of Object.entries(rowTable(await collectRows(await files().aggregateDay(day))))) summed[key] = (summed[key] ?? 0) + downloads;
    }
    expect(expectedRows).toEqual(summed);
    // The day between the runs is not read: its events would change the sums.
    const job = standIn.insertedJobs.at(-1)!;
    expect(job.sql).toContain('(timestamp >= @day_start AND timestamp < @day_end) OR (timestamp >= @day_start_1 AND timestamp < @day_end_1)');
  });
});

describe('BigQuery source: the same numbers as the files source', () => {
  it('gives exactly the aggregate rows and summary of the files source, day by day (noTimestamp aside)', async () => {
    const source = await bigQuery();
    for (const day of DAYS) {
      const expected = await files().aggregateDay(day);
      const expectedRows = rowTable(await collectRows(expected));
      const actual = await source.aggregateDay(day);
      expect(rowTable(await collectRows(actual))).toEqual(expectedRows);
      expect(actual.summary).toEqual({ ...expected.summary, skipped: { ...expected.summary.skipped, noTimestamp: 0 } });
    }
    // The events cover every rule, so the comparison means something.
    const day = await files().aggregateDay(DAY);
    const rows = rowTable(await collectRows(day));
    expect(day.summary.skipped).toEqual({ noTimestamp: 2, noProject: 3, nameTooLong: 2, invalidName: 5 });
    expect(day.summary.metadataFetches).toBeGreaterThan(10);
    expect(rows['foo-bar/overall/with_mirrors']).toBeGreaterThan(rows['foo-bar/overall/without_mirrors']!);
    for (const key of ['foo-bar/python_minor/3.13', 'foo-bar/system/other', 'foo-bar/system/null', 'foo-bar/python_major/null', 'top-level/overall/with_mirrors', 'django-rest-framework/overall/with_mirrors']) {
      expect(Object.keys(rows)).toContain(key);
    }
    expect(Object.keys(rows).some((key) => key.startsWith('meta-only/'))).toBe(false);
  });

  it('loads the same series into a SQLite store through the pipeline', async () => {
    const fromFiles = SqliteStore.open(path.join(dir, 'files.sqlite'));
    const fromBigQuery = SqliteStore.open(path.join(dir, 'bigquery.sqlite'));
    try {
      const source = await bigQuery(25);
      for (const day of DAYS) {
        const viaFiles = await loadDay(fromFiles, files(), day, { retentionDays: 180 });
        const viaBigQuery = await loadDay(fromBigQuery, source, day, { retentionDays: 180 });
        expect({ rows: viaBigQuery.rows, packages: viaBigQuery.packages }).toEqual({ rows: viaFiles.rows, packages: viaFiles.packages });
      }
      for (const name of ['__all__', 'foo-bar', 'django-rest-framework', 'requests', 'a-b-c', 'top-level', 'edge', 'from-file']) {
        for (const dimension of dimensions) {
          const byDay = (points: { day: string; category: string }[]) => [...points].sort((a, b) => `${a.day}${a.category}`.localeCompare(`${b.day}${b.category}`));
          expect(byDay(await fromBigQuery.series(name, dimension.name, {}))).toEqual(byDay(await fromFiles.series(name, dimension.name, {})));
        }
      }
      expect((await fromBigQuery.series('foo-bar', 'overall', {})).length).toBe(6);
      const summaries = (await fromBigQuery.loadedDays()).map((loaded) => [loaded.source, loaded.summary?.skipped.noTimestamp]);
      expect(summaries).toEqual([['bigquery', 0], ['bigquery', 0], ['bigquery', 0]]);
    } finally {
      await fromFiles.close();
      await fromBigQuery.close();
    }
  });
});

describe('BigQuery source: paging', () => {
  it('reads the results page by page, each page a chunk, asking for the next page only when the rows are wanted', async () => {
    const all = rowTable(await collectRows(await (await bigQuery()).aggregateDay(DAY)));
    const source = await bigQuery(7);
    const before = standIn.calls.length;
    const aggregation = await source.aggregateDay(DAY);
    const resultCalls = () => standIn.calls.slice(before).filter((call) => call.path.includes('/queries/'));
    // The first poll finds the job running; the next page holds the summary rows and more.
    expect(resultCalls().length).toBe(2);
    const chunks: AggregateRow[][] = [];
    for await (const chunk of aggregation.rows) {
      chunks.push(chunk);
      expect(resultCalls().length).toBe(chunks.length + 1);
    }
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(Object.keys(all).length / 7));
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(7);
    expect(rowTable(chunks.flat())).toEqual(all);
    expect(resultCalls().every((call) => call.query.maxResults === '7' && call.status === 200)).toBe(true);
    expect(resultCalls().slice(2).every((call) => call.query.pageToken !== undefined)).toBe(true);
  });

  it('gives an empty day no rows and a zero summary', async () => {
    const aggregation = await (await bigQuery()).aggregateDay('2026-10-01');
    expect(await collectRows(aggregation)).toEqual([]);
    expect(aggregation.summary).toEqual({
      day: '2026-10-01',
      downloads: 0,
      metadataFetches: 0,
      packages: 0,
      skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 },
    });
  });
});

describe('BigQuery source: retries and failures', () => {
  it('loads through rate limits (429, 403 rateLimitExceeded) and 503s, retried by the client library', async () => {
    const source = await bigQuery(50);
    const before = standIn.calls.length;
    standIn.failNextCalls(429, '403 rateLimitExceeded', 503);
    const aggregation = await source.aggregateDay(DAY);
    standIn.failNextCalls(503, 429);
    const rows = rowTable(await collectRows(aggregation));
    expect(rows).toEqual(rowTable(await collectRows(await files().aggregateDay(DAY))));
    const apiCalls = standIn.calls.slice(before).filter((call) => call.path.startsWith('/bigquery/'));
    const statuses = apiCalls.map((call) => `${call.method} ${call.path.split('/')[5]} ${call.status}`);
    expect(statuses.slice(0, 4)).toEqual(['POST jobs 429', 'POST jobs 403', 'POST jobs 503', 'POST jobs 200']);
    expect(statuses.filter((status) => status.startsWith('GET queries 503') || status.startsWith('GET queries 429'))).toHaveLength(2);
  });

  it('fails with the rate limit message once the retries are used up', async () => {
    const source = await bigQuery();
    standIn.failNextCalls(429, 429, 429, 429, 429);
    await expect(source.aggregateDay(DAY)).rejects.toThrow(/^BigQuery: cannot start the query job for 2026-11-20: Exceeded rate limits/);
  });

  it('fails a load whose job fails with one line naming the job and BigQuery\'s message, keeping the stored day', async () => {
    const store = SqliteStore.open(path.join(dir, 'failing.sqlite'));
    try {
      const source = await bigQuery();
      await loadDay(store, source, DAY, { retentionDays: 180 });
      const before = await store.series('foo-bar', 'overall', {});
      const loadedBefore = await store.loadedDays();
      standIn.failNextJob('resourcesExceeded', 'Resources exceeded during query execution: The query could not be executed in the allotted memory.');
      const failure = loadDay(store, source, DAY, { retentionDays: 180 });
      await expect(failure).rejects.toThrow(
        /^BigQuery job pypistats_20261120_[0-9a-f-]+ failed: Resources exceeded during query execution: The query could not be executed in the allotted memory\. \(resourcesExceeded\)$/,
      );
      expect(await store.series('foo-bar', 'overall', {})).toEqual(before);
      expect(await store.loadedDays()).toEqual(loadedBefore);
    } finally {
      await store.close();
    }
  });
});

describe('BigQuery source: credentials', () => {
  it('authenticates with a key file named by GOOGLE_APPLICATION_CREDENTIALS, its token_uri honoured', async () => {
    const keyFile = path.join(dir, 'key.json');
    await writeFile(keyFile, standIn.account.json);
    const before = standIn.calls.length;
    const source = await openBigQuerySource(loadConfig({ GOOGLE_APPLICATION_CREDENTIALS: keyFile, BIGQUERY_API_ENDPOINT: standIn.url }));
    expect((await source.aggregateDay(DAY)).summary.downloads).toBeGreaterThan(0);
    expect(standIn.calls.slice(before).map((call) => `${call.method} ${call.path.split('/').slice(0, 2).join('/')} ${call.status}`)[0]).toBe('POST /token 200');
  });

  it('says what is wrong with missing, unreadable, unknown or project-less credentials', async () => {
    const endpoint = { BIGQUERY_API_ENDPOINT: standIn.url };
    await expect(openBigQuerySource(loadConfig(endpoint))).rejects.toThrow(
      'the BigQuery source needs credentials: set GOOGLE_SERVICE_ACCOUNT_JSON (a service-account key as JSON) or GOOGLE_APPLICATION_CREDENTIALS (the path of a key file)',
    );
    const missing = path.join(dir, 'no-such-key.json');
    await expect(openBigQuerySource(loadConfig({ ...endpoint, GOOGLE_APPLICATION_CREDENTIALS: missing }))).rejects.toThrow(
      `GOOGLE_APPLICATION_CREDENTIALS: cannot read ${missing} (ENOENT)`,
    );
    const notJson = path.join(dir, 'not-json.json');
    await writeFile(notJson, 'not json');
    await expect(openBigQuerySource(loadConfig({ ...endpoint, GOOGLE_APPLICATION_CREDENTIALS: notJson }))).rejects.toThrow(
      `GOOGLE_APPLICATION_CREDENTIALS: ${notJson} is not a JSON credentials file`,
    );
    const userFile = path.join(dir, 'user.json');
    await writeFile(userFile, JSON.stringify({ type: 'authorized_user', client_id: 'x', client_secret: 'y', refresh_token: 'z' }));
    await expect(openBigQuerySource(loadConfig({ ...endpoint, GOOGLE_APPLICATION_CREDENTIALS: userFile }))).rejects.toThrow(
      'the BigQuery source needs a project: set BIGQUERY_PROJECT (the credentials name no project_id)',
    );
    // A key the token endpoint does not know: the grant is refused, and the load says so.
    const stranger = testServiceAccount(standIn.tokenUrl, standIn.account.project);
    const refused = await openBigQuerySource(loadConfig({ ...endpoint, GOOGLE_SERVICE_ACCOUNT_JSON: stranger.json }), { retry: FAST_RETRY });
    await expect(refused.aggregateDay(DAY)).rejects.toThrow(/^BigQuery: cannot start the query job for 2026-11-20: invalid_grant: the assertion/);
    // BIGQUERY_PROJECT wins over the key's project_id.
    const elsewhere = await openBigQuerySource(loadConfig({ ...endpoint, GOOGLE_SERVICE_ACCOUNT_JSON: standIn.account.json, BIGQUERY_PROJECT: 'another-project' }));
    await expect(elsewhere.aggregateDay(DAY)).rejects.toThrow('BigQuery: cannot start the query job for 2026-11-20: Not found: Project another-project');
  });
});

describe('BigQuery source: dry run', () => {
  it('asks for a dry-run job and reports the bytes it would scan, running nothing', async () => {
    const source = await bigQuery();
    const jobsBefore = standIn.jobs.size;
    const dryRun = await source.dryRun(DAY);
    expect(dryRun).toEqual({
      day: DAY,
      sql: source.sql,
      parameters: expect.objectContaining({ mirrors: config.mirrorInstallers }),
      dimensions: dimensions.map((dimension) => dimension.name),
      bytes: 3 * 2 ** 40,
    });
    expect(standIn.insertedJobs.at(-1)).toMatchObject({ sql: source.sql, dryRun: true });
    expect(standIn.jobs.size).toBe(jobsBefore);
  });
});
