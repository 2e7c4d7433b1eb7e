/**
 * Access-log lines aggregated per second: a private index's day of nginx `combined` lines (gzip,
 * written from a demo day's raw events by synthetic-access-log.ts: downloads by every installer,
 * `/simple/` pages, 304s, 404s, HEADs, range requests, malformed lines), loaded through the
 * access-log source into SQLite, against the ceiling of a bare DuckDB read of the same file that
 * extracts the same fields with the same expression and counts the identical requests (the least
 * any reader must do), in the same run. Also the reader the source did not choose, for the record:
 * Node reading the same file line by line (zlib, readline) with the same regular expression.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { loadDay } from '../../src/pipeline/load.js';
import { compileLogFormat } from '../../src/domain/access-log-format.js';
import { AccessLogSource, logFieldsSql } from '../../src/sources/access-log.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { writeAccessLog } from '../../src/sources/synthetic-access-log.js';
import { DEFAULT_DEMO_OPTIONS, writeDemoDay } from '../../src/sources/synthetic.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { record, round } from '../lib/results.js';

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

/** A day's access log of about `lines` lines, from a demo day of PACKAGES packages. */
export async function accessLogDay(duck: DuckDb, dir: string, lines: number): Promise<{ file: string; lines: number }> {
  const events = path.join(dir, 'access-log-events.parquet');
  await writeDemoDay(duck, { ...DEFAULT_DEMO_OPTIONS, packages: PACKAGES, eventsPerDay: Math.max(100, Math.round(lines / LINES_PER_EVENT)) }, ACCESS_LOG_DAY, events);
  const file = path.join(dir, `access-${ACCESS_LOG_DAY}.log.gz`);
  return { file, ...(await writeAccessLog(duck, events, file, { seed: DEFAULT_DEMO_OPTIONS.seed })) };
}

/** Node's way: every line through the same expression, identical requests counted in a Map. */
export async function nodeParse(file: string): Promise<{ lines: number; requests: number }> {
  const pattern = new RegExp(FORMAT.pattern);
  const counts = new Map<string, number>();
  let lines = 0;
  const input = createReadStream(file).pipe(createGunzip());
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lines++;
    const match = pattern.exec(line);
    const key = match ? `${match[1]}\u0000${match[3]}\u0000${match[4]}\u0000${match[5]}` : '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { lines, requests: counts.size };
}

export async function accessLog(dir: string, sizes: { lines: number; target: boolean }): Promise<void> {
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
    for (let attempt = 0; attempt < 2; attempt++) {
      const connection = await duck.connect();
      started = performance.now();
      await connection.run(`CREATE OR REPLACE TEMP TABLE bare AS ${BARE_SQL}`, { files: listValue([day.file]) } as Record<string, DuckDBValue>);
      bare = Math.min(bare, (performance.now() - started) / 1000);
      connection.closeSync();

      const store = SqliteStore.open(path.join(dir, `access-log-${attempt}.sqlite`));
      started = performance.now();
      const result = await loadDay(store, new AccessLogSource(duck, { inputs: [day.file] }), ACCESS_LOG_DAY, { retentionDays: 180 });
      load = Math.min(load, (performance.now() - started) / 1000);
      rows = result.rows;
      await store.close();
    }
    started = performance.now();
    const node = await nodeParse(day.file);
    const nodeSeconds = (performance.now() - started) / 1000;
    record({ scenario, measure: 'bare DuckDB read extracting the same fields, identical requests counted (ceiling), best of 2', value: round(bare), unit: 's' });
    record({ scenario, measure: 'Node readline + the same RegExp, identical requests counted in a Map (the reader not chosen)', value: round(nodeSeconds), unit: 's' });
    record({ scenario, measure: `load the day through the access-log source, best of 2 (${rows.toLocaleString('en-US')} rows)`, value: round(load), unit: 's' });
    record({ scenario, measure: 'lines aggregated per second', value: Math.round(day.lines / load), unit: 'lines/s' });
    const share = round((bare / load) * 100);
    record({ scenario, measure: 'speed against the ceiling', value: share, unit: '%', ...(sizes.target ? { target: '≥ 70 %', met: share >= 70 } : {}) });
    if (node.lines !== day.lines) throw new Error(`Node read ${node.lines} lines of ${day.lines}`);
  } finally {
    duck.close();
  }
}
