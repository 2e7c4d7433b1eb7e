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

  it('refuses a body over 1 KiB with 413 before reading it: the API takes none', async () => {
    const t = await appWithData({});
    apps.push(t);
    const tooLarge = await t.app.inject({ method: 'POST', url: '/api/packages/requests/recent', payload: 'x'.repeat(1025), headers: { 'content-type': 'text/plain' } });
    expect([tooLarge.statusCode, tooLarge.json()]).toEqual([413, { error: 'Request body is too large', status: 413 }]);
    const declared = await t.app.inject({ method: 'PUT', url: '/', payload: 'x'.repeat(2000), headers: { 'content-type': 'application/json' } });
    expect(declared.statusCode).toBe(413);
  });
});
