import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensions } from '../../src/domain/dimensions.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { writeDemoDay } from '../../src/sources/synthetic.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/raw-events.js';

const DAY = '2026-11-20';
let dir: string;
let database: string;
let env: Record<string, string>;

/** Everything a reader sees of the day: totals per dimension, rows, the load record. */
async function snapshot(): Promise<string> {
  const db = new Database(database, { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  const store = SqliteStore.open(database);
  try {
    const state: Record<string, unknown> = { integrity, status: { ...(await store.status()), dataVersion: null, bytes: null } };
    for (const dimension of dimensions) state[dimension.name] = (await store.series('__all__', dimension.name, {})).sort((a, b) => a.category.localeCompare(b.category));
    state.days = (await store.loadedDays()).map((day) => [day.day, day.rows, day.packages]);
    return JSON.stringify(state);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  dir = await tempDir();
  database = path.join(dir, 'kill.sqlite');
  env = { DATABASE_URL: `sqlite:${database}` };
  const duck = await DuckDb.open();
  await writeDemoDay(duck, { packages: 50, seed: 1, eventsPerDay: 5_000 }, DAY, path.join(dir, 'old.parquet'));
  await writeDemoDay(duck, { packages: 4_000, seed: 2, eventsPerDay: 400_000 }, DAY, path.join(dir, 'new.parquet'));
  duck.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a load killed with SIGKILL', () => {
  it('leaves the previous day or the new one, never a partial day', async () => {
    const load = (file: string) => ['load', '--date', DAY, '--input', path.join(dir, file)];
    expect((await runCli(load('old.parquet'), env)).code).toBe(0);
    const before = await snapshot();
    await copyFile(database, `${database}.before`);

    const started = performance.now();
    expect((await runCli(load('new.parquet'), env)).code).toBe(0);
    const duration = performance.now() - started;
    const after = await snapshot();
    expect(after).not.toBe(before);

    const outcomes: string[] = [];
    // Kill points spread over the whole run: process start, aggregation, the write, the commit.
    for (const fraction of [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]) {
      await rm(`${database}-wal`, { force: true });
      await rm(`${database}-shm`, { force: true });
      await copyFile(`${database}.before`, database);
      const result = await runCli(load('new.parquet'), env, Math.round(duration * fraction));
      const state = await snapshot();
      expect([before, after]).toContain(state);
      outcomes.push(`${fraction}: ${result.signal ?? `exit ${result.code}`} → ${state === before ? 'previous day' : 'new day'}`);
    }
    // The kills did interrupt loads: some left the previous state.
    expect(outcomes.some((outcome) => outcome.includes('SIGKILL → previous day'))).toBe(true);
    console.log(`SIGKILL outcomes (full load ${Math.round(duration)} ms):\n${outcomes.join('\n')}`);
  });
});
