/**
 * Several `pypistats serve` processes on one PostgreSQL, as behind a load balancer: scheduled
 * loads happen once per day whichever instance gets there first, and a load by any process is
 * served by all of them.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, yesterdayUtc } from '../src/domain/dates.js';
import type { Store } from '../src/store/types.js';
import { describeWith } from './support/describe-with.js';
import { runCli, startServer, type RunningServer } from './support/cli.js';
import { download, tempDir, writeNdjson } from './support/raw-events.js';
import { postgres } from './support/services.js';
import { postgresKind, type TestStore } from './support/stores.js';

const yesterday = yesterdayUtc();
const days = [addDays(yesterday, -2), addDays(yesterday, -1), yesterday];

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function overall(server: RunningServer, name: string): Promise<{ category: string; date: string; downloads: number }[] | undefined> {
  const response = await fetch(`${server.url}/api/packages/${name}/overall?mirrors=false`);
  return response.status === 200 ? ((await response.json()) as { data: never[] }).data : undefined;
}

describeWith([postgres], 'several instances on one PostgreSQL', () => {
  let dir: string;
  let t: TestStore;
  let store: Store;
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    t = await postgresKind.create();
    store = t.store;
    for (const [i, day] of days.entries()) {
      const events = Array.from({ length: i + 1 }, (_, n) => download('shared-pkg', `${day} 0${n}:00:00 UTC`));
      await writeNdjson(path.join(dir, `${day}.ndjson`), events);
    }
    const env = {
      DATABASE_URL: t.databaseUrl,
      DEMO_DATA: 'off',
      LOAD_SOURCE: 'files',
      LOAD_INPUT: path.join(dir, '{date}.ndjson'),
      LOAD_CATCH_UP_DAYS: '3',
      LOAD_RETRY_DELAY: '0',
    };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await t?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('catches up each missing day once between them, and both serve every day', async () => {
    for (const server of servers) {
      const data = await eventually('every day to be served', async () => {
        const rows = await overall(server, 'shared-pkg');
        return rows?.length === 3 ? rows : undefined;
      });
      expect(data.map((row) => [row.date, row.downloads])).toEqual(days.map((day, i) => [day, i + 1]));
    }
    const history = await store.loadHistory(100);
    expect(history.map((record) => [record.day, record.status]).sort()).toEqual(days.map((day) => [day, 'succeeded']));
  });

  it('serves a day loaded by another process on every instance within seconds', async () => {
    await writeNdjson(path.join(dir, 'reloaded.ndjson'), Array.from({ length: 7 }, () => download('shared-pkg', `${yesterday} 12:00:00 UTC`)));
    const load = await runCli(['load', '--date', yesterday, '--input', path.join(dir, 'reloaded.ndjson')], { DATABASE_URL: t.databaseUrl });
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    for (const server of servers) {
      await eventually('the reloaded day on every instance', async () => {
        const rows = await overall(server, 'shared-pkg');
        return rows?.find((row) => row.date === yesterday)?.downloads === 7 ? rows : undefined;
      }, 10_000);
    }
  });
});
