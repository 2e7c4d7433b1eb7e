/**
 * Access-log lines aggregated per second: a private index's day of nginx `combined` lines (gzip,
 * written from a demo day's raw events by synthetic-access-log.ts: downloads by every installer,
 * `/simple/` pages, 304s, 404s, HEADs, range requests, malformed lines), loaded through the
 * access-log source into SQLite, against the ceiling of a bare DuckDB read of the same file that
 * extracts the same fields with the same expression and counts the identical requests (the least
 * any reader must do), in the same run. Also the reader the source did not choose, for the record:
 * Node reading the same file line by line (zlib, readline) with the same regular expression, and
 * the load's own memory, in a process of its own (its peak RSS, DuckDB's and Node's together, and
 * Node's heap).
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { loadDay } from '../../src/pipeline/load.js';
import { compileLogFormat } from '../../src/domain/access-log-format.js';
import { AccessLogSource, logFieldsSql } from '../../src/sources/access-log.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { writeAccessLog } from '../../src/sources/synthetic-access-log.js';
import { DEFAULT_DEMO_OPTIONS, demoDayEvents, writeDemoDay } from '../../src/sources/synthetic.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { LoadMemory } from '../access-log-load-memory.js';
import { root } from '../lib/processes.js';
import { record, round } from '../lib/results.js';

const run = promisify(execFile);

export const ACCESS_LOG_DAY = '2026-11-20';
/** Lines a demo event becomes on average (its download, most of the time a `/simple/` page, a few others): measured, 1.71. */
const LINES_PER_EVENT = 1.71;
const FORMAT = compileLogFormat('combined');

/** The ceiling: the same read and field extraction as the source's first step, identical requests counted; nothing decided. */
export const BARE_SQL = `SELECT f.client, f.request, f.status, f.user_agent, max(f.time), count(*) AS lines FROM (${logFieldsSql(FORMAT)}) GROUP BY ALL`;

/**
 * A private index's size: a few hundred packages (a company's own and the dependencies it
 * proxies), far fewer than PyPI's, so a day's rows are few beside its lines.
 */
const PACKAGES = 500;

/**
 * Entries of Node's Map of identical requests it counts at most (they are nearly one a line: every
 * event's User-Agent carries its own details): an entry takes ~1 KB of heap (measured: 1,047
 * bytes over 238,964 of them; a key of ~600 characters, most of it pip's JSON, and the Map's own),
 * so 2 million take ~2 GB, half of Node's default heap of 4 GB. A full-size day (~20 million
 * distinct requests) ran out of it.
 */
const NODE_MAP_MAX_REQUESTS = 2_000_000;

/**
 * A day's access log of about `lines` lines, from a demo day of PACKAGES packages: the demo's
 * events per day are scaled so that ACCESS_LOG_DAY, a Friday (a weekday has more events than the
 * week's mean), has `lines / LINES_PER_EVENT` of them.
 */
export async function accessLogDay(duck: DuckDb, dir: string, lines: number): Promise<{ file: string; lines: number }> {
  const events = path.join(dir, 'access-log-events.parquet');
  const options = { ...DEFAULT_DEMO_OPTIONS, packages: PACKAGES };
  const perMean = demoDayEvents({ ...options, eventsPerDay: 1_000_000 }, ACCESS_LOG_DAY) / 1_000_000;
  await writeDemoDay(duck, { ...options, eventsPerDay: Math.max(100, Math.round(lines / LINES_PER_EVENT / perMean)) }, ACCESS_LOG_DAY, events);
  const file = path.join(dir, `access-${ACCESS_LOG_DAY}.log.gz`);
  return { file, ...(await writeAccessLog(duck, events, file, { seed: DEFAULT_DEMO_OPTIONS.seed })) };
}

/**
 * Node's way: every line through the same expression, identical requests counted in a Map; with
 * `count: false`, the lines only (memory bounded whatever the size: what Node must do at least).
 */
export async function nodeParse(file: string, options: { count: boolean } = { count: true }): Promise<{ lines: number; matched: number; requests: number | null }> {
  const pattern = new RegExp(FORMAT.pattern);
  const counts = new Map<string, number>();
  let lines = 0;
  let matched = 0;
  const input = createReadStream(file).pipe(createGunzip());
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lines++;
    const match = pattern.exec(line);
    if (match) matched++;
    if (!options.count) continue;
    const key = match ? `${match[1]}\u0000${match[3]}\u0000${match[4]}\u0000${match[5]}` : '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { lines, matched, requests: options.count ? counts.size : null };
}

const MIB = 2 ** 20;

/** One more load of `file`, in a process of its own (bench/access-log-load-memory.ts): its memory. */
async function loadMemory(file: string): Promise<LoadMemory> {
  const script = path.join(root, 'bench/access-log-load-memory.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, file, ACCESS_LOG_DAY], { cwd: root, maxBuffer: 16 * MIB });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadMemory;
}

/** `nodeMapMaxRequests`: NODE_MAP_MAX_REQUESTS unless given (a test gives 0 to see the lines-only reading). */
export async function accessLog(dir: string, sizes: { lines: number; target: boolean; nodeMapMaxRequests?: number }): Promise<void> {
  const nodeMapMax = sizes.nodeMapMaxRequests ?? NODE_MAP_MAX_REQUESTS;
  const duck = await DuckDb.open();
  try {
    let started = performance.now();
    const day = await accessLogDay(duck, dir, sizes.lines);
    const scenario = `access log, ${day.lines.toLocaleString('en-US')} lines`;
    record({ scenario, measure: 'generate the day’s access log (gzip)', value: round((performance.now() - started) / 1000), unit: 's' });
    // Each side twice, alternating, and the faster of each, as the ingestion scenario does.
    let bare = Infinity;
    let load = Infinity;
    let rows = 0;
    let requests = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      const connection = await duck.connect();
      started = performance.now();
      await connection.run(`CREATE OR REPLACE TEMP TABLE bare AS ${BARE_SQL}`, { files: listValue([day.file]) } as Record<string, DuckDBValue>);
      bare = Math.min(bare, (performance.now() - started) / 1000);
      const [counted] = (await connection.runAndReadAll('SELECT count(*) FROM bare')).getRows();
      requests = Number(counted?.[0] ?? 0);
      await connection.run('DROP TABLE bare');
      connection.closeSync();

      const store = SqliteStore.open(path.join(dir, `access-log-${attempt}.sqlite`));
      started = performance.now();
      const result = await loadDay(store, new AccessLogSource(duck, { inputs: [day.file] }), ACCESS_LOG_DAY, { retentionDays: 180 });
      load = Math.min(load, (performance.now() - started) / 1000);
      rows = result.rows;
      await store.close();
    }
    // Node's Map holds every distinct request: past NODE_MAP_MAX_REQUESTS it would outgrow Node's
    // heap, so Node then reads the lines without it, what it would have to do at the least.
    const counting = requests <= nodeMapMax;
    started = performance.now();
    const node = await nodeParse(day.file, { count: counting });
    const nodeSeconds = (performance.now() - started) / 1000;
    record({ scenario, measure: `bare DuckDB read extracting the same fields, identical requests counted (ceiling), best of 2 (${requests.toLocaleString('en-US')} distinct requests)`, value: round(bare), unit: 's' });
    record({
      scenario,
      measure: counting
        ? 'Node readline + the same RegExp, identical requests counted in a Map (the reader not chosen)'
        : `Node readline + the same RegExp, lines only: no Map (its ${requests.toLocaleString('en-US')} distinct requests would not fit Node's heap; counted up to ${nodeMapMax.toLocaleString('en-US')}), so a floor for the reader not chosen`,
      value: round(nodeSeconds),
      unit: 's',
    });
    record({ scenario, measure: `load the day through the access-log source, best of 2 (${rows.toLocaleString('en-US')} rows)`, value: round(load), unit: 's' });
    // A third load, alone in a process, for its memory: the scenario's own (the bare read's, kept by DuckDB) does not count.
    const memory = await loadMemory(day.file);
    if (memory.rows !== rows) throw new Error(`the load of its own made ${memory.rows} rows, not ${rows}`);
    if (memory.peakRss !== null) record({ scenario, measure: 'peak RSS of a load in a process of its own (DuckDB and Node together, from the kernel)', value: Math.round(memory.peakRss / MIB), unit: 'MiB' });
    record({ scenario, measure: 'peak Node heap of that load (sampled every 10 ms)', value: Math.round(memory.peakHeap / MIB), unit: 'MiB' });
    record({ scenario, measure: 'lines aggregated per second', value: Math.round(day.lines / load), unit: 'lines/s' });
    const share = round((bare / load) * 100);
    record({ scenario, measure: 'speed against the ceiling', value: share, unit: '%', ...(sizes.target ? { target: '≥ 70 %', met: share >= 70 } : {}) });
    if (node.lines !== day.lines) throw new Error(`Node read ${node.lines} lines of ${day.lines}`);
    if (node.requests !== null && node.requests !== requests) throw new Error(`Node counted ${node.requests} distinct requests, DuckDB ${requests}`);
  } finally {
    duck.close();
  }
}
