/**
 * PostgreSQL failing under the service: a server that accepts and never answers, one that stops
 * answering mid-session, and one restarted while `serve` is serving (a cluster of the test's own).
 */
import net from 'node:net';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { isStoreUnavailable } from '../../src/store/types.js';
import { runCli, startServer } from '../support/cli.js';
import { describeWith } from '../support/describe-with.js';
import { postgresBinaries, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { download, tempDir, writeParquet } from '../support/raw-events.js';
import { postgres } from '../support/services.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { postgresKind } from '../support/stores.js';

/** A TCP listener that accepts connections and never sends a byte: a hung server or a black-holing firewall. */
async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a PostgreSQL server that accepts and never answers', () => {
  let listener: Awaited<ReturnType<typeof silentListener>>;
  let url: string;
  beforeAll(async () => {
    listener = await silentListener();
    url = `postgres://stats:secret-password@127.0.0.1:${listener.port}/stats`;
  });
  afterAll(() => listener.close());

  const expected = () =>
    new RegExp(`^pypistats: cannot open the PostgreSQL store at postgres://stats:\\*\\*\\*@127\\.0\\.0\\.1:${listener.port}/stats: no connection within 300 ms \\(DATABASE_CONNECT_TIMEOUT_MS\\)\\n$`);

  it('makes `serve` fail at start, in one line naming the host and not the password, with exit 1', async () => {
    // Killed after 30 s: without a connect timeout it would hang there.
    const result = await runCli(['serve'], { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_MS: '300', PORT: '0', HOST: '127.0.0.1' }, 30_000);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(expected());
    expect(result.stdout).not.toContain('Server listening');
  });

  it('makes `status` fail the same way', async () => {
    const result = await runCli(['status'], { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_MS: '300' }, 30_000);
    expect([result.signal, result.code]).toEqual([null, 1]);
    expect(result.stderr).toMatch(expected());
    expect(result.stderr + result.stdout).not.toContain('secret-password');
  });

  it('waits DATABASE_CONNECT_TIMEOUT_MS, 5 s unless set', async () => {
    const started = Date.now();
    const error = await PostgresStore.open({ url, poolSize: 2 }).catch((error: unknown) => error);
    // Only a lower bound: the machine is shared, and how much later it gives up is no contract.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(isStoreUnavailable(error)).toBe(true);
    expect((error as Error).message).toMatch(/no connection within 5000 ms \(DATABASE_CONNECT_TIMEOUT_MS\)$/);
  });
});

describeWith([postgres], 'a PostgreSQL server that stops answering mid-session', () => {
  it('fails the read after DATABASE_QUERY_TIMEOUT_MS as unavailable, and reads again once it answers', async () => {
    // A schema of its own: the shared server's default one may hold another version's tables.
    const fresh = await postgresKind.create();
    const target = new URL(fresh.databaseUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const store = await PostgresStore.open({ url: viaProxy.toString(), poolSize: 2, connectTimeoutMs: 1000, queryTimeoutMs: 300 });
    try {
      expect(await store.packageCount()).toBeGreaterThanOrEqual(0);
      proxy.stall();
      const error = await store.packageCount().catch((error: unknown) => error);
      expect(isStoreUnavailable(error)).toBe(true);
      expect((error as Error).message).toMatch(/^the database is unavailable \(PostgreSQL at postgres:\/\/.*127\.0\.0\.1:\d+\/.*\): no answer within 300 ms \(DATABASE_QUERY_TIMEOUT_MS\)$/);
      // The stalled connection was dropped: the next read connects anew (the proxy relays new connections).
      expect(await store.packageCount()).toBeGreaterThanOrEqual(0);
    } finally {
      await store.close();
      await proxy.close();
      await fresh.dispose();
    }
  });
});

const DAY = '2026-11-20';

describeWith([postgres], 'PostgreSQL restarted while `serve` is serving', () => {
  let cluster: PostgresCluster;
  let dir: string;

  beforeAll(async () => {
    // TEST_POSTGRES_URL is set (CI): the server binaries must be here too, or the suite fails.
    if (!(await postgresBinaries())) throw new Error('TEST_POSTGRES_URL is set, so initdb and pg_ctl must be installed: this suite starts a cluster of its own');
    [cluster, dir] = await Promise.all([startPostgresCluster(), tempDir('pypistats-pg-restart-')]);
    const events = Array.from({ length: 60 }, (_, i) => download(`pkg-${i % 3}`, `${DAY} ${String(i % 24).padStart(2, '0')}:00:00 UTC`));
    await writeParquet(path.join(dir, 'day.parquet'), events);
    const load = await runCli(['load', '--date', DAY, '--input', path.join(dir, 'day.parquet')], { DATABASE_URL: cluster.url });
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await cluster?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 while the database is away (API JSON, pages HTML, health), then recovers without a restart', async () => {
    const server = await startServer({
      DATABASE_URL: cluster.url,
      DEMO_DATA: 'off',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_SECOND: '0',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    const get = (url: string) => fetch(`${server.url}${url}`, { headers: { connection: 'close' } });
    const api = '/api/packages/pkg-1/recent';
    try {
      const before = await get(api);
      expect(before.status).toBe(200);
      expect(await before.json()).toMatchObject({ data: { last_day: 20 }, package: 'pkg-1' });
      expect((await get('/packages/pkg-1')).status).toBe(200);
      expect((await get('/health')).status).toBe(200);

      await cluster.stop();
      // The data version is checked at most once a second, so the first answers may still be 200s.
      await expect.poll(async () => (await get(api)).status, { timeout: 15_000, interval: 200 }).toBe(503);
      const away = await get(api);
      expect(away.headers.get('content-type')).toMatch(/^application\/json/);
      expect(away.headers.get('retry-after')).toBe('10');
      expect(away.headers.get('cache-control')).toBe('no-store');
      expect(await away.json()).toEqual({ error: 'the database is unavailable; try again shortly', status: 503 });
      // An answer this process has in its cache is not served either: whether it is current cannot be told.
      expect((await get('/api/packages/pkg-2/overall')).status).toBe(503);
      const page = await get('/packages/pkg-1');
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('retry-after')).toBe('10');
      expect(await page.text()).toContain('The database is unavailable');
      expect((await get('/')).status).toBe(503);
      const health = await get('/health');
      expect([health.status, await health.text()]).toEqual([503, 'the database is unavailable']);
      // Requests while it is away keep getting 503s, and the process stays up.
      for (let i = 0; i < 20; i++) expect((await get(i % 2 ? api : '/top')).status).toBe(503);
      expect(server.child.exitCode).toBeNull();

      await cluster.start();
      await expect.poll(async () => (await get(api)).status, { timeout: 20_000, interval: 250 }).toBe(200);
      expect(await (await get(api)).json()).toMatchObject({ data: { last_day: 20 }, package: 'pkg-1' });
      expect((await get('/packages/pkg-1')).status).toBe(200);
      expect((await get('/health')).status).toBe(200);
      expect(server.logs()).not.toMatch(/uncaught|unhandled|"level":50/i);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);
});
