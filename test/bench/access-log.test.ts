/**
 * The access-log scenario at tiny size: its day's log holds every kind of line a real index logs,
 * the load accounts for every one of them, the ceiling's query and Node's reader read the same
 * lines, and the scenario records its figures.
 */
import { readFile, rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLog, accessLogDay, ACCESS_LOG_DAY, BARE_SQL, nodeParse } from '../../bench/scenarios/access-log.js';
import { figures } from '../../bench/lib/results.js';
import { totalNotCounted } from '../../src/domain/aggregates.js';
import { AccessLogSource } from '../../src/sources/access-log.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { tempDir } from '../support/raw-events.js';

const LINES = 5000;

let duck: DuckDb;
let dir: string;
let day: { file: string; lines: number };

beforeAll(async () => {
  duck = await DuckDb.open({ threads: 2 });
  dir = await tempDir('pypistats-access-log-bench-');
  day = await accessLogDay(duck, dir, LINES);
}, 60_000);
afterAll(async () => {
  duck?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('access-log scenario', () => {
  it('writes about the lines asked, of every kind', async () => {
    // The demo's events are scaled to the day's weekday: the lines are those asked, give or take.
    expect(day.lines).toBeGreaterThan(LINES * 0.9);
    expect(day.lines).toBeLessThan(LINES * 1.1);
    const text = gunzipSync(await readFile(day.file)).toString('utf8');
    for (const kind of ['"GET /packages/', '"GET /simple/', '" 304 ', '" 404 ', '" 206 ', '"HEAD ', '\\x22installer\\x22', 'bandersnatch/', '[truncated']) {
      expect(text, kind).toContain(kind);
    }
  });

  it('loads a day that accounts for every line, read alike by the ceiling and by Node', async () => {
    const aggregation = await new AccessLogSource(duck, { inputs: [day.file] }).aggregateDay(ACCESS_LOG_DAY);
    for await (const chunk of aggregation.rows) expect(chunk.length).toBeGreaterThan(0);
    const { summary } = aggregation;
    expect(summary.logLines?.lines).toBe(day.lines);
    expect(summary.downloads).toBeGreaterThan(day.lines / 2);
    expect(summary.downloads + summary.metadataFetches + totalNotCounted(summary.logLines!.notCounted)).toBe(day.lines);

    const connection = await duck.connect();
    const bare = await connection.runAndReadAll(`SELECT sum(lines)::BIGINT FROM (${BARE_SQL})`, { files: listValue([day.file]) } as Record<string, DuckDBValue>);
    connection.closeSync();
    expect(Number(bare.getRows()[0]![0])).toBe(day.lines);
    const node = await nodeParse(day.file);
    expect(node.lines).toBe(day.lines);
    // Without the Map (a day too big for it), the same lines and matches, and no count of requests.
    expect(await nodeParse(day.file, { count: false })).toEqual({ lines: node.lines, matched: node.matched, requests: null });
  });

  it('records the ceiling, the load, the share and the memory of a load of its own', async () => {
    await accessLog(dir, { lines: 2000, target: false });
    const measures = figures.filter((figure) => figure.scenario.startsWith('access log')).map((figure) => figure.measure);
    expect(measures).toEqual(expect.arrayContaining(['lines aggregated per second', 'speed against the ceiling', 'peak Node heap of that load (sampled every 10 ms)']));
    expect(measures.some((measure) => measure.startsWith('bare DuckDB read'))).toBe(true);
    expect(measures).toContain('Node readline + the same RegExp, identical requests counted in a Map (the reader not chosen)');
    if (process.platform === 'linux') expect(measures).toContain('peak RSS of a load in a process of its own (DuckDB and Node together, from the kernel)');
    const memory = figures.filter((figure) => figure.measure.startsWith('peak ')).map((figure) => figure.value);
    for (const mib of memory) expect(mib).toBeGreaterThan(0);
  }, 120_000);

  it('reads the lines without the Map, and says so, when the day has more distinct requests than it may hold', async () => {
    figures.length = 0;
    await accessLog(dir, { lines: 2000, target: false, nodeMapMaxRequests: 0 });
    const node = figures.filter((figure) => figure.measure.startsWith('Node readline')).map((figure) => figure.measure);
    expect(node).toHaveLength(1);
    expect(node[0]).toMatch(/^Node readline \+ the same RegExp, lines only: no Map \(its [\d,]+ distinct requests would not fit Node's heap; counted up to 0\), so a floor for the reader not chosen$/);
  }, 120_000);
});
