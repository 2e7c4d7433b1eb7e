/**
 * Several `pypistats serve` processes on one PostgreSQL and one Redis, as behind a load balancer:
 * scheduled loads happen once per day whichever instance gets there first, a load by any process
 * is served by all of them, and a client's rate limit holds across them.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, yesterdayUtc } from '../src/domain/dates.js';
import type { Store } from '../src/store/types.js';
import { describeWith } from './support/describe-with.js';
import { runCli, startServer, type RunningServer } from './support/cli.js';
import { download, tempDir, writeNdjson } from './support/raw-events.js';
import { postgres, redis } from './support/services.js';
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

/** The servers trust the loopback proxy: each probe comes from a client address of its own, never limited. */
let probes = 0;
const probeClient = () => `10.0.${Math.floor(++probes / 250)}.${probes % 250}`;

async function overall(server: RunningServer, name: string): Promise<{ category: string; date: string; downloads: number }[] | undefined> {
  const response = await fetch(`${server.url}/api/packages/${name}/overall?mirrors=false`, { headers: { 'x-forwarded-for': probeClient() } });
  return response.status === 200 ? ((await response.json()) as { data: never[] }).data : undefined;
}

describeWith([postgres, redis], 'several instances on one PostgreSQL and one Redis', () => {
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
      REDIS_URL: redis.value!,
      REDIS_KEY_PREFIX: `pypistats-test-${randomBytes(6).toString('hex')}:`,
      RATE_LIMIT_PER_SECOND: '0',
      RATE_LIMIT_PER_MINUTE: '10',
      TRUSTED_PROXIES: '127.0.0.1',
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

  it("holds a client's limit across the instances", async () => {
    const ask = (server: RunningServer, client: string) =>
      fetch(`${server.url}/api/packages/shared-pkg/recent`, { headers: { 'x-forwarded-for': client } });
    // Ten a minute in all, whichever instance answers.
    for (let i = 0; i < 10; i++) {
      const response = await ask(servers[i % 2]!, '192.0.2.7');
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-remaining')).toBe(String(9 - i));
    }
    for (const server of servers) {
      const refused = await ask(server, '192.0.2.7');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ status: 429 });
    }
    expect((await ask(servers[1]!, '192.0.2.8')).status).toBe(200);
  });
});
