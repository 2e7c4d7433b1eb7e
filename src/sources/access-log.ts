/**
 * Raw download events from a web server's access logs (a private index behind nginx or Apache),
 * aggregated as the other sources' are.
 *
 * 1. One DuckDB scan reads every line (plain or gzip) and takes the fields apart with the log
 *    format's regular expression (access-log-format.ts), decides what each line is (a request of
 *    the day that may be a download, or one of the reasons it is not: LogLineReasons) and counts
 *    the identical requests: `access_requests`, one row per client, target and User-Agent.
 * 2. What needs our own rules runs in Node once per distinct value, never per line: each target's
 *    file name (distribution-files.ts), each User-Agent's details (user-agents.ts), each client's
 *    country (countries.ts). They go back into DuckDB through its appender.
 * 3. The requests joined to those are raw events in BigQuery's schema, each weighted by its
 *    count, and the shared aggregation (aggregate-query.ts: GROUPING SETS, the registry's rules)
 *    does the rest, as for the files source.
 */
import { listValue, LIST, timestampTZValue, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { addDays, dayNumber, type Day } from '../domain/dates.js';
import { dimensions as registry, type Dimension, type RawColumn } from '../domain/dimensions.js';
import { fileNameOfTarget, parseDistributionFilename, type DistributionFile } from '../domain/distribution-files.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../domain/mirrors.js';
import { detailAt, parseUserAgent } from '../domain/user-agents.js';
import type { LogLineReasons } from '../domain/aggregates.js';
import { aggregateRowsSql, dayProjectsSql, daySummarySql, groupEventsSql, planFor } from './aggregate-query.js';
import { compileLogFormat, unescapeLogged, type Field, type LogFormat } from '../domain/access-log-format.js';
import { openCountryLookup, type CountryDatabaseChoice, type CountryLookup } from './countries.js';
import type { DuckDb } from './duckdb.js';
import { closingOnReturn, daySummaryOf, resolveInputs, streamRows, toNumber } from './files.js';
import type { GroupingPlan } from './grouping-sets.js';
import type { DayAggregation, Source } from './types.js';

export interface AccessLogOptions {
  /** Log files or globs (`/var/log/nginx/access.log*`); `{date}` in one stands for the day. */
  inputs: readonly string[];
  /** `combined` (default) or an nginx `log_format` / Apache `LogFormat` string. */
  format?: string;
  /** Whether a `304 Not Modified` counts as a download (a client revalidating its cached file). */
  countNotModified?: boolean;
  countries?: CountryDatabaseChoice;
  mirrorInstallers?: readonly string[];
  dimensions?: readonly Dimension[];
}

/** What step 1 makes of a line, stored in `access_requests.outcome`. */
const OUTCOMES: Record<keyof LogLineReasons | 'request', string> = {
  malformed: 'malformed',
  otherDay: 'other_day',
  notGet: 'not_get',
  partial: 'partial',
  status: 'status',
  notAFile: 'not_a_file',
  request: 'request',
};

/** A field as logged: its Latin-1 characters back into the UTF-8 bytes they were, then unescaped. */
function logged(value: string): string {
  const text = /[^\u0000-\u007f]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  return unescapeLogged(text);
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The line reader: one VARCHAR per line, whatever it holds (no delimiter, no quoting, no header).
 * Read as Latin-1, in which every byte is a character: a line that is not UTF-8 (a server logging
 * raw bytes) cannot fail the load. nginx and Apache escape such bytes anyway; the fields that may
 * hold text are decoded back from UTF-8 in Node (`logged`), once per distinct value.
 */
const linesSql = (filesParam: string) =>
  `read_csv(${filesParam}, columns = {'line': 'VARCHAR'}, delim = '\\0', quote = '', escape = '', header = false, auto_detect = false, compression = 'auto', strict_mode = false, encoding = 'latin-1')`;

/** The fields of each line as a struct `f` (every field `''` when the line is not in the format). */
export function logFieldsSql(format: LogFormat, filesParam = '$files'): string {
  return `SELECT regexp_extract(line, ${quote(format.pattern)}, [${format.groups.map(quote).join(', ')}]) AS f FROM ${linesSql(filesParam)}`;
}

function fieldSql(format: LogFormat, field: Field): string {
  if (format.groups.includes(field)) return `f.${field}`;
  // `METHOD TARGET PROTOCOL`: anything else (a TLS handshake sent to the HTTP port) is no GET.
  if (field === 'method' && format.groups.includes('request')) return `split_part(f.request, ' ', 1)`;
  if (field === 'target' && format.groups.includes('request')) return `split_part(f.request, ' ', 2)`;
  return 'CAST(NULL AS VARCHAR)';
}

function timeSql(format: LogFormat): string {
  return format.timeFormat === 'clf' ? `try_strptime(f.time, '%d/%b/%Y:%H:%M:%S %z')` : `try_cast(f.time AS TIMESTAMPTZ)`;
}

/** Step 1. Parameters: `$files`, `$day_start`, `$day_end`, `$count_not_modified`. */
export function accessRequestsSql(format: LogFormat): string {
  const status = fieldSql(format, 'status');
  const request = (sql: string) => `CASE WHEN outcome = '${OUTCOMES.request}' THEN ${sql} END`;
  return `CREATE OR REPLACE TEMP TABLE access_requests AS
SELECT outcome,
  ${request(fieldSql(format, 'client'))} AS client,
  ${request(fieldSql(format, 'target'))} AS target,
  ${request(fieldSql(format, 'user_agent'))} AS user_agent,
  count(*)::BIGINT AS lines
FROM (
  SELECT f, CASE
      WHEN f IS NULL OR ${status} = '' OR ts IS NULL THEN '${OUTCOMES.malformed}'
      WHEN ts < $day_start OR ts >= $day_end THEN '${OUTCOMES.otherDay}'
      WHEN ${fieldSql(format, 'method')} <> 'GET' THEN '${OUTCOMES.notGet}'
      WHEN ${status} = '206' THEN '${OUTCOMES.partial}'
      WHEN NOT (${status} LIKE '2__' OR ($count_not_modified AND ${status} = '304')) THEN '${OUTCOMES.status}'
      -- A directory (\`/simple/foo/\`) names no file: told here, it never reaches step 2.
      WHEN ends_with(split_part(${fieldSql(format, 'target')}, '?', 1), '/') THEN '${OUTCOMES.notAFile}'
      ELSE '${OUTCOMES.request}'
    END AS outcome
  FROM (SELECT f, ${timeSql(format)} AS ts FROM (${logFieldsSql(format)}))
)
GROUP BY ALL`;
}

/** Where a raw column of the registry comes from: the file's table, the agent's, the client's, or nowhere (NULL). */
interface Origin {
  table: 'f' | 'a' | 'c' | null;
  column: RawColumn;
}

function originOf(column: RawColumn): Origin {
  const [head] = column.path;
  if (head === 'file') return { table: 'f', column };
  if (head === 'details') return { table: 'a', column };
  if (column.path.length === 1 && head === 'country_code') return { table: 'c', column };
  return { table: null, column };
}

/** The file fields a DistributionFile holds, by their name under `file`. */
function fileField(file: DistributionFile, name: string | undefined): string | null {
  switch (name) {
    case 'filename': return file.filename;
    case 'project': return file.project;
    case 'version': return file.version;
    case 'type': return file.type;
    default: return null;
  }
}

function append(appender: DuckDBAppender, value: string | boolean | null): void {
  if (value === null) appender.appendNull();
  else if (typeof value === 'boolean') appender.appendBoolean(value);
  else appender.appendVarchar(value);
}

async function column<T>(connection: DuckDBConnection, sql: string): Promise<T[]> {
  return (await connection.runAndReadAll(sql)).getRows().map((row) => row[0] as T);
}

async function fill(connection: DuckDBConnection, table: string, rows: Iterable<(string | boolean | null)[]>): Promise<void> {
  const appender = await connection.createAppender(table, 'main', 'temp');
  try {
    for (const row of rows) {
      for (const value of row) append(appender, value);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

export class AccessLogSource implements Source {
  readonly name = 'access-log';
  private readonly format: LogFormat;
  private readonly plan: GroupingPlan;
  private readonly mirrors: readonly string[];
  private readonly countries: CountryLookup;
  private readonly origins: Origin[];

  constructor(
    private readonly duck: DuckDb,
    private readonly options: AccessLogOptions,
  ) {
    if (options.inputs.length === 0) throw new Error('the access-log source needs at least one input (--input GLOB)');
    this.format = compileLogFormat(options.format ?? 'combined');
    this.plan = planFor(options.dimensions ?? registry);
    this.mirrors = options.mirrorInstallers ?? DEFAULT_MIRROR_INSTALLERS;
    this.origins = this.plan.columns.map(originOf);
    // A country database is opened only when the country breakdown is on.
    const wantsCountry = this.origins.some((origin) => origin.table === 'c');
    this.countries = openCountryLookup(wantsCountry ? (options.countries ?? { kind: 'shipped' }) : { kind: 'none' });
  }

  async aggregateDay(day: Day): Promise<DayAggregation> {
    const files = await resolveInputs(this.options.inputs, day, () => undefined);
    const connection = await this.duck.connect();
    try {
      const dayStart = timestampTZValue(BigInt(dayNumber(day)) * 86_400_000_000n);
      const dayEnd = timestampTZValue(BigInt(dayNumber(addDays(day, 1))) * 86_400_000_000n);
      try {
        await connection.run(accessRequestsSql(this.format), {
          files: listValue(files),
          day_start: dayStart,
          day_end: dayEnd,
          count_not_modified: this.options.countNotModified ?? false,
        } as never);
      } catch (error) {
        throw new Error(`cannot read the access logs (${files.join(', ')}): ${firstLine(error)}`);
      }
      await this.describeDistinctValues(connection);
      await connection.run(groupEventsSql(this.eventsSql(), this.plan, 'weight'), { day_start: dayStart, day_end: dayEnd, mirrors: listValue([...this.mirrors]) } as never, {
        mirrors: LIST(VARCHAR),
      });
      await connection.run(dayProjectsSql(this.plan));
      const [summaryRow] = (await connection.runAndReadAll(daySummarySql(this.plan))).getRowObjects();
      const [linesRow] = (await connection.runAndReadAll(linesSummarySql())).getRowObjects();
      const summary = {
        ...daySummaryOf(day, summaryRow),
        logLines: {
          lines: toNumber(linesRow?.lines),
          notCounted: {
            malformed: toNumber(linesRow?.malformed),
            otherDay: toNumber(linesRow?.other_day),
            notGet: toNumber(linesRow?.not_get),
            partial: toNumber(linesRow?.partial),
            status: toNumber(linesRow?.status),
            notAFile: toNumber(linesRow?.not_a_file),
          },
        },
      };
      return { summary, rows: closingOnReturn(streamRows(connection, aggregateRowsSql(this.plan)), () => connection.closeSync()) };
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  /** Step 2: the file, agent and country tables, each value parsed once. */
  private async describeDistinctValues(connection: DuckDBConnection): Promise<void> {
    const own = (table: Origin['table']) => this.origins.filter((origin) => origin.table === table).map((origin) => origin.column);
    const declare = (columns: readonly RawColumn[]) => columns.map((c) => `, ${c.name} ${c.type}`).join('');
    const fileColumns = own('f');
    const agentColumns = own('a');
    await connection.run(`CREATE OR REPLACE TEMP TABLE access_files (target VARCHAR, filename VARCHAR, project VARCHAR${declare(fileColumns)})`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE access_agents (user_agent VARCHAR, mirror_installer VARCHAR${declare(agentColumns)})`);
    await connection.run('CREATE OR REPLACE TEMP TABLE access_countries (client VARCHAR, country_code VARCHAR)');

    const targets = await column<string>(connection, `SELECT DISTINCT target FROM access_requests WHERE outcome = '${OUTCOMES.request}' AND target IS NOT NULL`);
    const fileRows: (string | null)[][] = [];
    for (const target of targets) {
      const name = fileNameOfTarget(logged(target));
      const file = name === null ? null : parseDistributionFilename(name);
      if (file) fileRows.push([target, file.filename, file.project, ...fileColumns.map((c) => fileField(file, c.path[1]))]);
    }
    await fill(connection, 'access_files', fileRows);

    const agents = await column<string>(
      connection,
      `SELECT DISTINCT r.user_agent FROM access_requests r JOIN access_files f ON r.target = f.target WHERE r.outcome = '${OUTCOMES.request}' AND r.user_agent IS NOT NULL`,
    );
    // Each agent's row made as the appender takes it, not all of them first: a day has hundreds of
    // thousands of distinct agents, each parsed into a dozen fields.
    function* agentRows() {
      for (const agent of agents) {
        const details = parseUserAgent(logged(agent));
        yield [agent, detailAt(details, ['installer', 'name']), ...agentColumns.map((c) => detailAt(details, c.path.slice(1)))];
      }
    }
    await fill(connection, 'access_agents', agentRows());

    if (own('c').length > 0) {
      const clients = await column<string>(
        connection,
        `SELECT DISTINCT r.client FROM access_requests r JOIN access_files f ON r.target = f.target WHERE r.outcome = '${OUTCOMES.request}' AND r.client IS NOT NULL`,
      );
      await fill(connection, 'access_countries', clients.map((client) => [client, this.countries.countryOf(client)]));
    }
  }

  /** Step 3's input: the day's requests of distribution files as raw events, each weighted by its count. */
  private eventsSql(): string {
    const own = this.origins.map(({ table, column: c }) => `${table === null ? `CAST(NULL AS ${c.type})` : `${table}.${table === 'c' ? 'country_code' : c.name}`} AS ${c.name}`);
    return `SELECT $day_start AS ts, f.project, f.filename, a.mirror_installer${own.map((select) => `, ${select}`).join('')}, r.lines AS weight
  FROM access_requests r
  JOIN access_files f ON r.target = f.target
  LEFT JOIN access_agents a ON r.user_agent = a.user_agent
  LEFT JOIN access_countries c ON r.client = c.client
  WHERE r.outcome = '${OUTCOMES.request}'`;
  }
}

/** Every line counted once: the outcomes of step 1, with the requests of no distribution file apart. */
function linesSummarySql(): string {
  const of = (outcome: string) => `coalesce(sum(r.lines) FILTER (WHERE r.outcome = '${outcome}'), 0)::BIGINT`;
  return `SELECT coalesce(sum(r.lines), 0)::BIGINT AS lines,
  ${of(OUTCOMES.malformed)} AS malformed, ${of(OUTCOMES.otherDay)} AS other_day, ${of(OUTCOMES.notGet)} AS not_get,
  ${of(OUTCOMES.partial)} AS partial, ${of(OUTCOMES.status)} AS status,
  coalesce(sum(r.lines) FILTER (WHERE r.outcome = '${OUTCOMES.notAFile}' OR (r.outcome = '${OUTCOMES.request}' AND f.target IS NULL)), 0)::BIGINT AS not_a_file
FROM access_requests r LEFT JOIN access_files f ON r.target = f.target`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
