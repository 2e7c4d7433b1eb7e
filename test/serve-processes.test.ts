/**
 * `serve` with SERVE_PROCESSES=2: both processes answer on one port, one that dies is replaced
 * while the other keeps answering, SIGTERM stops them all with exit 0, the scheduled loads run in
 * one process only, and a process that cannot start stops the rest with exit 1.
 */
import http from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, yesterdayUtc } from '../src/domain/dates.js';
import { runCli, startServer, type RunningServer } from './support/cli.js';
import { download, tempDir, writeNdjson, writeParquet } from './support/raw-events.js';

/** Bounds of the polling loops and of each test: generous, for a busy machine (three processes start per server). */
const WAIT_MS = 90_000;
const TEST_MS = 240_000;
const REQUEST_MS = 15_000;
const day = addDays(yesterdayUtc(), -1);
const unlimited = { RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '0', PAGE_RATE_LIMIT_PER_SECOND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '0', EMBED_RATE_LIMIT_PER_SECOND: '0', EMBED_RATE_LIMIT_PER_MINUTE: '0' };

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('pypistats-processes-');
  env = { DATABASE_URL: `sqlite:${path.join(dir, 'served.sqlite')}`, DEMO_DATA: 'off', SERVE_PROCESSES: '2', ...unlimited };
  const events = Array.from({ length: 40 }, (_, i) => download(`pkg-${i % 4}`, `${day} ${String(i % 24).padStart(2, '0')}:00:00 UTC`));
  await writeParquet(path.join(dir, 'day.parquet'), events);
  const load = await runCli(['load', '--date', day, '--input', path.join(dir, 'day.parquet')], { DATABASE_URL: env.DATABASE_URL! });
  expect(load.code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function until<T>(what: string, check: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pids of the serving processes that logged they listen, in order. */
function listeningPids(server: RunningServer): number[] {
  return server
    .logs()
    .split('\n')
    .filter((line) => line.includes('Server listening at'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

/**
 * A GET on a connection of its own (so the primary hands each to the next process): status and
 * body. Bounded: a connection handed to a process as it is killed is never answered (Node's
 * cluster does not take it back), as a client with no timeout would find.
 */
function getOnNewConnection(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { connection: 'close' }, signal: AbortSignal.timeout(REQUEST_MS) }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The pids that logged an incoming request (LOG_LEVEL=debug). */
function answeringPids(server: RunningServer): Set<number> {
  const pids = new Set<number>();
  for (const line of server.logs().split('\n')) {
    if (!line.includes('"incoming request"')) continue;
    pids.add((JSON.parse(line) as { pid: number }).pid);
  }
  return pids;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('serve from several processes (SERVE_PROCESSES)', () => {
  it('answers from both, replaces one that dies while the other answers, and stops all on SIGTERM with exit 0', async () => {
    const server = await startServer({ ...env, LOG_LEVEL: 'debug' });
    let exited = false;
    try {
      const [first, second] = await until('two processes listening', () => {
        const pids = listeningPids(server);
        return pids.length >= 2 && pids;
      });
      expect(first).not.toBe(second);
      expect(first).not.toBe(server.child.pid);

      const url = `${server.url}/api/packages/pkg-1/overall?mirrors=false`;
      const answers = await Promise.all(Array.from({ length: 12 }, () => getOnNewConnection(url)));
      const expected = { data: [{ category: 'without_mirrors', date: day, downloads: 10 }], package: 'pkg-1', type: 'overall_downloads' };
      for (const answer of answers) expect([answer.status, JSON.parse(answer.body)]).toEqual([200, expected]);
      expect(answeringPids(server)).toEqual(new Set([first, second]));

      process.kill(first!, 'SIGKILL');
      // Once the primary knows the first is gone, the second answers every request while it is replaced.
      await until('the death noticed', () => server.logs().includes(`serving process ${first} was killed by SIGKILL`));
      for (let i = 0; i < 5; i++) expect((await getOnNewConnection(url)).status).toBe(200);
      const replacement = await until('a replacement listening', () => listeningPids(server)[2]);
      expect([first, second]).not.toContain(replacement);
      // Which of the two runs the loads depends on which listened first.
      expect(server.logs()).toMatch(new RegExp(`serving process ${first} was killed by SIGKILL; starting another( \\(it runs the loads\\))?"`));
      const more = await Promise.all(Array.from({ length: 8 }, () => getOnNewConnection(url)));
      expect(more.map((answer) => answer.status)).toEqual(Array(8).fill(200));

      expect(await server.stop('SIGTERM')).toBe(0);
      exited = true;
      await until('every serving process gone', () => ![second, replacement].some((pid) => isAlive(pid!)));
    } finally {
      if (!exited) await server.stop('SIGKILL');
    }
  }, TEST_MS);

  it('runs the scheduled loads in one process only: the missing day is loaded once', async () => {
    const missing = yesterdayUtc();
    const scheduledDir = path.join(dir, 'scheduled');
    const database = `sqlite:${path.join(dir, 'scheduled.sqlite')}`;
    await mkdir(scheduledDir);
    await writeNdjson(path.join(scheduledDir, `${missing}.ndjson`), Array.from({ length: 30 }, (_, i) => download(`pkg-${i % 3}`, `${missing} 10:00:00 UTC`)));
    const server = await startServer({
      ...env,
      DATABASE_URL: database,
      LOAD_SOURCE: 'files',
      LOAD_INPUT: path.join(scheduledDir, '{date}.ndjson'),
      LOAD_CATCH_UP_DAYS: '1',
    });
    try {
      const url = `${server.url}/api/packages/pkg-0/overall?mirrors=false`;
      const deadline = Date.now() + WAIT_MS;
      let status = 0;
      while (Date.now() < deadline && (status = (await getOnNewConnection(url)).status) !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(status).toBe(200);
      expect(server.logs().split('scheduled loads from files').length - 1).toBe(1);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const status = await runCli(['status'], { DATABASE_URL: database });
    expect(status.code).toBe(0);
    // One attempt in the history, and it succeeded: the day was loaded by one process, once.
    const attempts = status.stdout.split('\n').filter((line) => line.trimStart().startsWith(missing));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatch(/ succeeded /);
  }, TEST_MS);

  it('stops the others and exits 1 when a process cannot start, with its error', async () => {
    const result = await runCli(['serve'], { ...env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite:/etc/passwd/served.sqlite' }, WAIT_MS);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot create the directory of the SQLite file /etc/passwd/served.sqlite: /etc/passwd is not a directory');
    expect(result.stdout).toContain('before it listened');
  }, TEST_MS);
});
