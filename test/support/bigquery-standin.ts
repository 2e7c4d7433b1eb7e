/**
 * A local stand-in for BigQuery's REST API v2, as @google-cloud/bigquery uses it, and for Google's
 * OAuth token endpoint. It runs the SQL each job carries in DuckDB (bigquery-standin-engine.ts).
 *
 * - `POST /token`: a service account's JWT-bearer grant, checked against its public key.
 * - `POST /bigquery/v2/projects/{p}/jobs`: jobs.insert (a query job, or a dry run).
 * - `GET  /bigquery/v2/projects/{p}/jobs/{id}`: jobs.get.
 * - `GET  /bigquery/v2/projects/{p}/queries/{id}`: jobs.getQueryResults, `jobComplete: false` on
 *   a job's first poll, then pages of `maxResults` rows with page tokens.
 * API calls need `Authorization: Bearer` with a token it issued. Tests can make the next calls
 * answer with rate limits or 503, and the next job fail.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_BIGQUERY_TABLE } from '../../src/sources/bigquery-query.js';
import { StandInEngine, type QueryParameter, type QueryResult } from './bigquery-standin-engine.js';
import { checkAssertion, testServiceAccount, type TestServiceAccount } from './google-credentials.js';

export interface StandInOptions {
  /** Raw events as NDJSON (test/support/raw-events.ts): the table's rows. */
  eventsFile: string;
  /** The table queries must read (default: the public one). */
  table?: string;
  /** The project jobs must run in. */
  project?: string;
  /** What a dry run says the query would scan (default: estimated as BigQuery bills, see StandInEngine.estimateBytes). */
  dryRunBytes?: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export type InjectedFailure = 429 | '403 rateLimitExceeded' | 503;

interface JobRecord {
  resource: Record<string, unknown>;
  result?: QueryResult;
  error?: { reason: string; message: string };
  polls: number;
}

const failures: Record<InjectedFailure, { code: number; status: string; reason: string; message: string }> = {
  429: { code: 429, status: 'RESOURCE_EXHAUSTED', reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many api requests per user per method' },
  '403 rateLimitExceeded': { code: 403, status: 'PERMISSION_DENIED', reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many concurrent queries' },
  503: { code: 503, status: 'UNAVAILABLE', reason: 'backendError', message: 'The service is currently unavailable.' },
};

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}

/** Google's error body: `{"error": {"code", "message", "errors": [{reason, message}], "status"}}`. */
function sendError(response: ServerResponse, code: number, reason: string, message: string, status = 'INVALID_ARGUMENT'): void {
  send(response, code, { error: { code, message, errors: [{ message, domain: 'global', reason }], status } });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export class BigQueryStandIn {
  readonly calls: RecordedCall[] = [];
  readonly jobs = new Map<string, JobRecord>();
  /** Every job inserted, dry runs included, as received. */
  readonly insertedJobs: { sql: string; parameters: QueryParameter[]; dryRun: boolean; jobId?: string }[] = [];
  private readonly tokens = new Set<string>();
  private readonly pendingFailures: InjectedFailure[] = [];
  private pendingJobError: { reason: string; message: string } | null = null;
  private server!: Server;
  url = '';
  /** The one service account it knows: its key's `token_uri` is this stand-in's token endpoint. */
  account!: TestServiceAccount;

  private constructor(
    private readonly options: StandInOptions,
    private readonly engine: StandInEngine,
  ) {}

  static async start(options: StandInOptions): Promise<BigQueryStandIn> {
    const standIn = new BigQueryStandIn(options, await StandInEngine.open(options.table ?? DEFAULT_BIGQUERY_TABLE, options.eventsFile));
    standIn.server = createServer((request, response) => {
      standIn.handle(request, response).catch((error: Error) => sendError(response, 500, 'internalError', error.message, 'INTERNAL'));
    });
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.url = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    standIn.account = testServiceAccount(standIn.tokenUrl, options.project);
    return standIn;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** The next API calls (not token requests) answer with these, one each. */
  failNextCalls(...failures: InjectedFailure[]): void {
    this.pendingFailures.push(...failures);
  }

  /** The next query job fails as BigQuery reports it: in the job's `status.errorResult`. */
  failNextJob(reason: string, message: string): void {
    this.pendingJobError = { reason, message };
  }


  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.engine.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const call: RecordedCall = { method: request.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    this.calls.push(call);
    response.on('finish', () => (call.status = response.statusCode));
    const body = await readBody(request);
    if (call.method === 'POST' && url.pathname === '/token') return this.token(body, response);
    const match = /^\/bigquery\/v2\/projects\/([^/]+)\/(jobs|queries)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return sendError(response, 404, 'notFound', `Not found: ${url.pathname}`, 'NOT_FOUND');
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) {
      return sendError(response, 401, 'authError', 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
    }
    const [, project, collection, id] = match as unknown as [string, string, string, string | undefined];
    if (decodeURIComponent(project) !== this.account.project) {
      return sendError(response, 404, 'notFound', `Not found: Project ${decodeURIComponent(project)}`, 'NOT_FOUND');
    }
    const failure = this.pendingFailures.shift();
    if (failure !== undefined) {
      const { code, reason, message, status } = failures[failure];
      return sendError(response, code, reason, message, status);
    }
    if (collection === 'jobs' && id === undefined && call.method === 'POST') return this.insertJob(body, response);
    const job = id === undefined ? undefined : this.jobs.get(decodeURIComponent(id));
    if (!job) return sendError(response, 404, 'notFound', `Not found: Job ${project}:${id}`, 'NOT_FOUND');
    if (collection === 'jobs') return send(response, 200, job.resource);
    return this.queryResults(job, url.searchParams, response);
  }

  private token(body: string, response: ServerResponse): void {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return send(response, 400, { error: 'unsupported_grant_type', error_description: 'expected a JWT bearer grant' });
    }
    const problem = checkAssertion(form.get('assertion') ?? '', this.account);
    if (problem) return send(response, 400, { error: 'invalid_grant', error_description: problem });
    const token = `standin-${randomUUID()}`;
    this.tokens.add(token);
    send(response, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }

  private async insertJob(body: string, response: ServerResponse): Promise<void> {
    const request = JSON.parse(body) as {
      jobReference?: { jobId?: string };
      configuration?: { dryRun?: boolean; query?: { query?: string; useLegacySql?: boolean; queryParameters?: QueryParameter[] } };
    };
    const query = request.configuration?.query;
    if (!query?.query || query.useLegacySql !== false) return sendError(response, 400, 'invalid', 'expected a GoogleSQL query job');
    const parameters = query.queryParameters ?? [];
    this.insertedJobs.push({ sql: query.query, parameters, dryRun: request.configuration?.dryRun === true, jobId: request.jobReference?.jobId });
    const jobReference = { projectId: this.account.project, jobId: request.jobReference?.jobId ?? randomUUID(), location: 'US' };
    if (request.configuration?.dryRun) {
      try {
        await this.engine.validate(query.query, parameters);
      } catch (error) {
        return sendError(response, 400, 'invalidQuery', (error as Error).message);
      }
      const bytes = String(this.options.dryRunBytes ?? (await this.engine.estimateBytes(query.query, parameters)));
      const resource = { kind: 'bigquery#job', jobReference: { projectId: jobReference.projectId, location: 'US' }, configuration: request.configuration, status: { state: 'DONE' }, statistics: { totalBytesProcessed: bytes, query: { totalBytesProcessed: bytes } } };
      return send(response, 200, resource);
    }
    if (this.jobs.has(jobReference.jobId)) return sendError(response, 409, 'duplicate', `Already Exists: Job ${jobReference.jobId}`, 'ALREADY_EXISTS');
    const job: JobRecord = { resource: {}, polls: 0 };
    if (this.pendingJobError) {
      job.error = this.pendingJobError;
      this.pendingJobError = null;
    } else {
      try {
        job.result = await this.engine.run(query.query, parameters);
      } catch (error) {
        job.error = { reason: 'invalidQuery', message: (error as Error).message.split('\n')[0]! };
      }
    }
    const done = { state: 'DONE', ...(job.error ? { errorResult: job.error, errors: [job.error] } : {}) };
    job.resource = { kind: 'bigquery#job', id: `${jobReference.projectId}:US.${jobReference.jobId}`, jobReference, configuration: request.configuration, status: done, statistics: {} };
    this.jobs.set(jobReference.jobId, job);
    // As BigQuery does, the insert answers before the job is done.
    send(response, 200, { ...job.resource, status: { state: 'RUNNING' } });
  }

  private queryResults(job: JobRecord, query: URLSearchParams, response: ServerResponse): void {
    const jobReference = job.resource.jobReference;
    job.polls += 1;
    if (job.polls === 1) return send(response, 200, { kind: 'bigquery#getQueryResultsResponse', jobReference, jobComplete: false });
    if (job.error) return sendError(response, 400, job.error.reason, job.error.message);
    const { fields, rows } = job.result!;
    const pageToken = query.get('pageToken');
    const start = pageToken ? Number(Buffer.from(pageToken, 'base64url').toString()) : Number(query.get('startIndex') ?? 0);
    const end = Math.min(rows.length, start + Number(query.get('maxResults') ?? 100_000));
    const page = rows.slice(start, end);
    send(response, 200, {
      kind: 'bigquery#getQueryResultsResponse',
      jobReference,
      jobComplete: true,
      totalRows: String(rows.length),
      schema: { fields: fields.map((field) => ({ ...field, mode: 'NULLABLE' })) },
      ...(page.length > 0 ? { rows: page.map((row) => ({ f: row.map((v) => ({ v })) })) } : {}),
      ...(end < rows.length ? { pageToken: Buffer.from(String(end)).toString('base64url') } : {}),
      cacheHit: false,
    });
  }
}
