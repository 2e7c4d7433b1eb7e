/**
 * Rate limits shared through a real Redis (TEST_REDIS_URL). Every test writes under a key prefix
 * of its own, so parallel runs on one Redis never meet. Windows are a minute long and tests count
 * requests, so nothing depends on how fast a loaded machine runs them.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { closeRedis, connectRedis } from '../../src/rate-limit/redis.js';
import type { FastifyInstance } from 'fastify';
import { appOver, appWithData } from '../support/app.js';
import { describeWith } from '../support/describe-with.js';
import { row } from '../support/rows.js';
import { redis } from '../support/services.js';
import { hostAndPort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const DAYS = { '2026-11-01': [row('requests', 'overall', 'with_mirrors', 3), row('requests', 'overall', 'without_mirrors', 2)] };
const FIVE_A_MINUTE = { perSecond: 0, perMinute: 5 };
const URL = '/api/packages/requests/recent';
const RUN_PREFIX = `pypistats-test:${process.pid}-${randomUUID()}:`;

describeWith([redis], 'rate limits shared through Redis', () => {
  const clients: Redis[] = [];
  const apps: { close(): Promise<void> }[] = [];
  const proxies: TcpProxy[] = [];
  let admin: Redis;

  beforeAll(async () => {
    admin = await connectRedis(redis.value!);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
    await Promise.all(clients.splice(0).map(closeRedis));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });
  afterAll(async () => {
    const keys = await admin.keys(`${RUN_PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await closeRedis(admin);
  });

  async function client(url = redis.value!): Promise<Redis> {
    const connected = await connectRedis(url);
    clients.push(connected);
    return connected;
  }

  /**
   * Two apps over one database, each with a Redis connection of its own, counting under `prefix`:
   * two processes behind a load balancer.
   */
  async function twoInstances(prefix: string): Promise<[FastifyInstance, FastifyInstance]> {
    const options = async () => ({ rateLimit: FIVE_A_MINUTE, sharedRateLimits: { client: await client(), keyPrefix: `${RUN_PREFIX}${prefix}:` } });
    const first = await appWithData(DAYS, await options());
    apps.push(first);
    const second = await appOver(first.store, await options());
    apps.unshift(second);
    return [first.app, second];
  }

  /** An app whose Redis is reached through a relay the test can cut or stall. */
  async function behindProxy(prefix: string) {
    const proxy = await startTcpProxy(hostAndPort(redis.value!));
    proxies.push(proxy);
    const url = new globalThis.URL(redis.value!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const redisClient = await client(url.href);
    const t = await appWithData(DAYS, { rateLimit: FIVE_A_MINUTE, sharedRateLimits: { client: redisClient, keyPrefix: `${RUN_PREFIX}${prefix}:` } });
    apps.push(t);
    return { proxy, app: t.app, redisClient };
  }

  async function get(app: FastifyInstance, ip = '198.51.100.1', headers: Record<string, string> = {}) {
    const response = await app.inject({ url: URL, remoteAddress: ip, headers });
    return { status: response.statusCode, remaining: response.headers['ratelimit-remaining'], etag: response.headers.etag as string };
  }

  /** What Redis holds for a client's minute window. */
  const counted = async (prefix: string, ip: string) => Number((await admin.get(`${RUN_PREFIX}${prefix}:60s:${ip}`)) ?? 0);

  it('gives two app instances one budget per client between them', async () => {
    const [a, b] = await twoInstances('shared');
    const seen = [];
    for (const t of [a, a, b, a, b, b, a]) seen.push(await get(t));
    expect(seen.map(({ status, remaining }) => [status, remaining])).toEqual([
      [200, '4'],
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
      [429, '0'],
      [429, '0'],
    ]);
    expect((await get(b, '198.51.100.2')).status).toBe(200);
    expect(await counted('shared', '198.51.100.2')).toBe(1);
    const ttl = await admin.pttl(`${RUN_PREFIX}shared:60s:198.51.100.1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('does not count revalidations answered 304', async () => {
    const [a, b] = await twoInstances('revalidate');
    const { etag } = await get(a);
    for (let i = 0; i < 20; i++) expect((await get(i % 2 ? a : b, '198.51.100.1', { 'if-none-match': etag })).status).toBe(304);
    expect(await counted('revalidate', '198.51.100.1')).toBe(1);
    expect((await get(b)).remaining).toBe('3');
  });

  it('counts revalidations once the client is over its limit, on every instance: 429, never a 404 that tells a name exists', async () => {
    const [a, b] = await twoInstances('revalidate-over');
    const { etag } = await get(a);
    for (let i = 0; i < 4; i++) expect((await get(i % 2 ? a : b)).status).toBe(200);
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      const app = i % 2 ? a : b;
      const response = await app.inject({ url: `/api/packages/no-such-package-${i}/overall`, remoteAddress: '198.51.100.1', headers: { 'if-none-match': etag } });
      seen.push(response.statusCode);
    }
    // No 404: a client over its limit cannot tell which names exist.
    expect(seen).toEqual(Array(20).fill(429));
  });

  it('counts If-None-Match: * like any request, on every instance', async () => {
    const [a, b] = await twoInstances('revalidate-any');
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await get(i % 2 ? a : b, '198.51.100.1', { 'if-none-match': '*' })).status);
    expect(seen).toEqual([...Array(5).fill(304), 429]);
    expect(await counted('revalidate-any', '198.51.100.1')).toBe(6);
  });

  it('shares the package pages’ own budget between instances, apart from the API’s', async () => {
    const options = async () => ({ pageRateLimit: { perSecond: 0, perMinute: 3 }, sharedRateLimits: { client: await client(), keyPrefix: `${RUN_PREFIX}pages-shared:` } });
    const first = await appWithData(DAYS, await options());
    apps.push(first);
    const second = await appOver(first.store, await options());
    apps.unshift({ close: () => second.close() });
    const seen: number[] = [];
    for (const app of [first.app, second, first.app, second]) seen.push((await app.inject({ url: '/packages/requests', remoteAddress: '198.51.100.1' })).statusCode);
    expect(seen).toEqual([200, 200, 200, 429]);
    expect(Number(await admin.get(`${RUN_PREFIX}pages-shared:pages:60s:198.51.100.1`))).toBe(4);
    expect((await second.inject({ url: URL, remoteAddress: '198.51.100.1' })).statusCode).toBe(200);
  });

  it('keeps answering while Redis is unreachable, limiting per process, and shares again once it is back', async () => {
    const { proxy, app, redisClient } = await behindProxy('outage');

    expect([(await get(app)).remaining, (await get(app)).remaining]).toEqual(['4', '3']);
    await proxy.cut();
    const during = [];
    for (let i = 0; i < 6; i++) during.push(await get(app));
    // This process's own count starts afresh: its budget, not none, and not an error.
    expect(during.map(({ status, remaining }) => [status, remaining])).toEqual([
      ...['4', '3', '2', '1', '0'].map((remaining) => [200, remaining]),
      [429, '0'],
    ]);
    expect(await counted('outage', '198.51.100.1')).toBe(2);

    await proxy.restore();
    for (let tries = 0; redisClient.status !== 'ready'; tries++) {
      expect(tries, 'the client reconnects to Redis').toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The limiter asks Redis again a second after its last failure.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await get(app)).remaining).toBe('2');
    expect(await counted('outage', '198.51.100.1')).toBe(3);
  });

  it('does not wait on a Redis that stops answering', async () => {
    const { proxy, app } = await behindProxy('stall');
    expect((await get(app)).remaining).toBe('4');
    proxy.stall();
    // The count times out and the request goes ahead on this process's own count.
    expect(await get(app)).toMatchObject({ status: 200, remaining: '4' });
    expect(await get(app)).toMatchObject({ status: 200, remaining: '3' });
  });

  it("shares the embeds' budget between instances too, apart from the API's", async () => {
    const options = async () => ({
      rateLimit: { perSecond: 0, perMinute: 1 },
      embedRateLimit: { perSecond: 0, perMinute: 3 },
      sharedRateLimits: { client: await client(), keyPrefix: `${RUN_PREFIX}embeds:` },
    });
    const first = await appWithData(DAYS, await options());
    apps.push(first);
    const second = await appOver(first.store, await options());
    apps.unshift(second);
    const status = async (app: FastifyInstance, url: string) => (await app.inject({ url })).statusCode;
    expect(await status(first.app, URL)).toBe(200);
    expect(await status(second, URL)).toBe(429);
    expect(await status(first.app, '/badge/requests')).toBe(200);
    expect(await status(second, '/api/shields/requests')).toBe(200);
    expect(await status(first.app, '/chart/requests.svg')).toBe(200);
    expect(await status(second, '/badge/requests')).toBe(429);
    expect(await status(first.app, '/api/shields/requests')).toBe(429);
  });
});
