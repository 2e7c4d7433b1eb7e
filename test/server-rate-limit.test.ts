/** Rate limits as a client of `pypistats serve` meets them over HTTP, one server process or two. */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withAllPackagesTotals } from '../src/pipeline/derived.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runCli, startServer, type RunningServer } from './support/cli.js';
import { describeWith } from './support/describe-with.js';
import { tempDir } from './support/raw-events.js';
import { chunks, row } from './support/rows.js';
import { redis } from './support/services.js';
import { hostAndPort, startTcpProxy } from './support/tcp-proxy.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir();
  const file = path.join(dir, 'rate-limit.sqlite');
  const store = SqliteStore.open(file);
  const rows = [row('requests', 'overall', 'with_mirrors', 3), row('requests', 'overall', 'without_mirrors', 2)];
  await store.replaceDay({ day: '2026-11-20', source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows)) });
  await store.close();
  env = { DATABASE_URL: `sqlite:${file}`, DEMO_DATA: 'off', RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '3' };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const API = '/api/packages/requests/recent';

async function withServers(envs: Record<string, string>[], work: (...servers: RunningServer[]) => Promise<void>): Promise<void> {
  const servers = await Promise.all(envs.map((serverEnv) => startServer(serverEnv)));
  try {
    await work(...servers);
  } finally {
    expect(await Promise.all(servers.map((server) => server.stop()))).toEqual(servers.map(() => 0));
  }
}

function rateHeaders(response: Response): (string | null)[] {
  return ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-policy'].map((name) => response.headers.get(name));
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('pypistats serve with rate limits', () => {
  it('limits each client address over HTTP, saying so in the draft standard headers', async () => {
    await withServers([env], async (server) => {
      const seen = [];
      let etag = '';
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${server.url}${API}`);
        seen.push([response.status, ...rateHeaders(response)]);
        etag = response.headers.get('etag')!;
      }
      expect(seen).toEqual([2, 1, 0].map((remaining) => [200, '3', String(remaining), '3;w=60']));
      const refused = await fetch(`${server.url}${API}`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect((await refused.json()).error).toMatch(/^too many requests: the API answers at most 3 requests a minute from one address; retry in \d+ s$/);
      // Over the limit, a revalidation is counted and refused too; the pages that are not the API stay free.
      expect((await fetch(`${server.url}${API}`, { headers: { 'if-none-match': etag } })).status).toBe(429);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/api`)).status).toBe(200);
    });
  });

  it('believes X-Forwarded-For only from TRUSTED_PROXIES', async () => {
    await withServers([{ ...env, TRUSTED_PROXIES: '127.0.0.1' }, env], async (behindProxy, direct) => {
      const forwarded = (server: RunningServer, client: string) => fetch(`${server.url}${API}`, { headers: { 'x-forwarded-for': client } });
      const statuses = async (server: RunningServer, clients: string[]) => {
        const seen = [];
        for (const client of clients) seen.push((await forwarded(server, client)).status);
        return seen;
      };
      expect(await statuses(behindProxy, ['198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.2'])).toEqual([200, 200, 200, 429, 200]);
      expect(await statuses(direct, ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'])).toEqual([200, 200, 200, 429]);
    });
  });

  it('stops at start-up when REDIS_URL cannot be reached, or a variable is bad', async () => {
    const port = await closedPort();
    for (const [variables, message] of [
      [{ REDIS_URL: `redis://127.0.0.1:${port}` }, `pypistats: cannot connect to Redis at 127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED 127.0.0.1:${port}`],
      [{ REDIS_URL: 'localhost:6379' }, 'pypistats: configuration: REDIS_URL must be a URL like redis://HOST:PORT, got "localhost:6379"'],
      [{ RATE_LIMIT_PER_SECOND: 'fast' }, 'pypistats: configuration: RATE_LIMIT_PER_SECOND must be a whole number from 0 to 1000000, got "fast"'],
      [{ TRUSTED_PROXIES: 'proxy.internal' }, 'pypistats: configuration: TRUSTED_PROXIES must list addresses or CIDR ranges: invalid IP address: proxy.internal'],
    ] as const) {
      const result = await runCli(['serve'], { ...env, ...variables });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: `${message}\n` });
    }
  });
});

describeWith([redis], 'pypistats serve sharing rate limits through Redis', () => {
  const shared = () => ({ ...env, REDIS_URL: redis.value!, REDIS_KEY_PREFIX: `pypistats-test:${process.pid}-${randomUUID()}:` });

  it('gives two server processes one budget per client', async () => {
    const both = shared();
    await withServers([both, both], async (a, b) => {
      const seen = [];
      for (const server of [a, b, a, b, a]) {
        const response = await fetch(`${server.url}${API}`);
        seen.push([response.status, response.headers.get('ratelimit-remaining')]);
      }
      expect(seen).toEqual([
        [200, '2'],
        [200, '1'],
        [200, '0'],
        [429, '0'],
        [429, '0'],
      ]);
    });
  });

  it('keeps serving when Redis goes away, logging a warning, and stops cleanly', async () => {
    const proxy = await startTcpProxy(hostAndPort(redis.value!));
    try {
      const url = new URL(redis.value!);
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      await withServers([{ ...shared(), REDIS_URL: url.href }], async (server) => {
        expect((await fetch(`${server.url}${API}`)).headers.get('ratelimit-remaining')).toBe('2');
        await proxy.cut();
        const during = await fetch(`${server.url}${API}`);
        expect([during.status, during.headers.get('ratelimit-remaining')]).toEqual([200, '2']);
        // The log comes through a pipe of its own, not necessarily before the response.
        await vi.waitFor(() => expect(server.logs()).toMatch(/rate limits: Redis failed \([^)]+\); counting in this process's memory until Redis answers again/), {
          timeout: 10_000,
        });
      });
    } finally {
      await proxy.close();
    }
  });
});
