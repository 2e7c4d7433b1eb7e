import net from 'node:net';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer } from './support/cli.js';
import { download, tempDir, writeParquet } from './support/raw-events.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir();
  env = { DATABASE_URL: `sqlite:${path.join(dir, 'server.sqlite')}`, DEMO_DATA: 'off' };
  const events = Array.from({ length: 50 }, (_, i) => download(`pkg-${i % 5}`, `2026-11-20 ${String(i % 24).padStart(2, '0')}:00:00 UTC`));
  await writeParquet(path.join(dir, 'day.parquet'), events);
  const load = await runCli(['load', '--date', '2026-11-20', '--input', path.join(dir, 'day.parquet')], env);
  expect(load.code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Sends a request in two parts over one raw connection, and collects the whole response. */
function splitRequest(url: string, path: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  let response = '';
  socket.on('data', (data) => (response += data.toString()));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(response)));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return {
    async sendHead() {
      await connected;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n`);
    },
    finish() {
      socket.write('Connection: close\r\n\r\n');
      return closed;
    },
  };
}

describe('pypistats serve', () => {
  it('serves the loaded data and the health checks', async () => {
    const server = await startServer(env);
    try {
      const health = await fetch(`${server.url}/_health/`);
      expect([health.status, await health.text()]).toEqual([200, 'OK']);
      const recent = await fetch(`${server.url}/api/packages/pkg-1/recent`);
      expect(await recent.json()).toEqual({ data: { last_day: 10, last_month: 10, last_week: 10 }, package: 'pkg-1', type: 'recent_downloads' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('serves a day loaded by another process within a second, under a new ETag', async () => {
    const server = await startServer(env);
    try {
      const url = `${server.url}/api/packages/pkg-1/overall?mirrors=false`;
      const before = await fetch(url);
      const etag = before.headers.get('etag')!;
      expect((await before.json()).data).toHaveLength(1);
      await writeParquet(path.join(dir, 'next.parquet'), [download('pkg-1', '2026-11-21 10:00:00 UTC')]);
      const load = await runCli(['load', '--date', '2026-11-21', '--input', path.join(dir, 'next.parquet')], env);
      expect(load.code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await fetch(url, { headers: { 'if-none-match': etag } });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect((await after.json()).data).toEqual([
        { category: 'without_mirrors', date: '2026-11-20', downloads: 10 },
        { category: 'without_mirrors', date: '2026-11-21', downloads: 1 },
      ]);
    } finally {
      await server.stop();
    }
  });

  it('drains a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const server = await startServer(env);
    const request = splitRequest(server.url, '/api/packages/pkg-2/overall');
    await request.sendHead();
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    const response = await request.finish();
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain('"package":"pkg-2","type":"overall_downloads"}');
    expect(await server.exited).toBe(0);
    expect(server.logs()).toContain('SIGTERM: finishing requests in flight, then stopping');
  });

  it('closes stalled clients at the drain deadline on SIGTERM, and still exits 0', async () => {
    // Timeouts far past the drain: only the shutdown can close these connections.
    const drainMs = 3000;
    const server = await startServer({ ...env, DRAIN_TIMEOUT_MS: String(drainMs), HEADERS_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '60000', KEEP_ALIVE_TIMEOUT_MS: '60000' });
    const { port } = new URL(server.url);
    const open = async (send: string) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => {});
      // Read what comes, or the socket would never see its end.
      socket.resume();
      await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
      if (send !== '') socket.write(send);
      return { closed };
    };
    const stalled = await Promise.all([
      // Half its headers (slowloris), headers and never the body they announce, nothing at all.
      open('GET /api/packages/pkg-1/recent HTTP/1.1\r\nHost: localhost\r\nX-Slow: a'),
      open('POST /api/packages/pkg-1/recent HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n'),
      open(''),
      // A keep-alive connection, idle after one answer.
      open('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    // Past the drain timeout the process would exit 1: 0 says it finished within it.
    expect(await server.exited).toBe(0);
    await Promise.all(stalled.map((socket) => socket.closed));
    expect(server.logs()).toContain('closing the connections still open at the drain deadline');
  });

  it('stops at start-up on an invalid variable, naming it', async () => {
    for (const [variable, value, message] of [
      ['PORT', 'http', 'pypistats: configuration: PORT must be a whole number from 0 to 65535, got "http"'],
      ['RETENTION_DAYS', '-3', 'pypistats: configuration: RETENTION_DAYS must be a whole number from 1 to 36500, got "-3"'],
      ['DATABASE_URL', 'oracle://db', 'pypistats: configuration: DATABASE_URL must look like sqlite:PATH or postgres://host/database, got "oracle://db"'],
      ['DEMO_DATA', 'sometimes', 'pypistats: configuration: DEMO_DATA must be on or off, got "sometimes"'],
    ]) {
      const result = await runCli(['serve'], { ...env, [variable!]: value! });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: `${message}\n` });
    }
  });

  it('fails with a one-line message when the port is taken', async () => {
    const server = await startServer(env);
    try {
      const { port } = new URL(server.url);
      const second = await runCli(['serve'], { ...env, PORT: port, HOST: '127.0.0.1' });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^pypistats: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+\n$/);
    } finally {
      await server.stop();
    }
  });
});
