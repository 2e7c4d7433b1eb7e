/** The HTTP server's own limits, as buildApp sets them from the configuration. */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { appWithData, type TestApp } from './support/app.js';
import { sqliteKind } from './support/stores.js';

let apps: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(apps.map((t) => t.close()));
  apps = [];
});

describe('the server’s limits', () => {
  it('applies the configured timeouts and connection cap to the HTTP server', async () => {
    const config = loadConfig({ HEADERS_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '3000', KEEP_ALIVE_TIMEOUT_MS: '4000', MAX_CONNECTIONS: '50', LOG_LEVEL: 'silent' });
    const t = await sqliteKind.create();
    const app = await buildApp({ store: t.store, config });
    apps.push({ close: async () => (await app.close(), await t.dispose()) });
    const { headersTimeout, requestTimeout, keepAliveTimeout, timeout, maxConnections } = app.server;
    expect({ headersTimeout, requestTimeout, keepAliveTimeout, timeout, maxConnections }).toEqual({
      headersTimeout: 2000,
      requestTimeout: 3000,
      keepAliveTimeout: 4000,
      timeout: 3000,
      maxConnections: 50,
    });
  });

  it('never leaves a request or a silent socket without a timeout, by default', async () => {
    const t: TestApp = await appWithData({});
    apps.push(t);
    const { headersTimeout, requestTimeout, keepAliveTimeout, timeout, maxConnections } = t.app.server;
    expect({ headersTimeout, requestTimeout, keepAliveTimeout, timeout }).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5000, timeout: 30_000 });
    expect(maxConnections).toBeGreaterThan(0);
  });

  it('never reads a body: other methods get 405 whatever they carry, a GET\'s body is ignored, and 1 KiB is the limit besides', async () => {
    const t = await appWithData({});
    apps.push(t);
    const posted = await t.app.inject({ method: 'POST', url: '/api/packages/requests/recent', payload: 'x'.repeat(100_000), headers: { 'content-type': 'text/plain' } });
    expect([posted.statusCode, posted.json().status]).toEqual([405, 405]);
    const put = await t.app.inject({ method: 'PUT', url: '/', payload: 'x'.repeat(2000), headers: { 'content-type': 'application/json' } });
    expect(put.statusCode).toBe(405);
    const get = await t.app.inject({ method: 'GET', url: '/api/packages/requests/recent', payload: 'x'.repeat(2000), headers: { 'content-type': 'application/json' } });
    const plain = await t.app.inject({ method: 'GET', url: '/api/packages/requests/recent' });
    expect([get.statusCode, get.body]).toEqual([plain.statusCode, plain.body]);
    // Unreachable through the routes above; it bounds whatever route may one day read a body.
    expect(t.app.initialConfig.bodyLimit).toBe(1024);
  });
});
