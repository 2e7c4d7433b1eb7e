import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import type { AggregateRow } from '../../src/sources/types.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { tempDir } from './raw-events.js';
import { chunks } from './rows.js';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

/** What a test may set beyond the data: by default no rate limits and no trusted proxies. */
export interface TestAppOptions {
  rateLimit?: AppOptions['config']['rateLimit'];
  trustedProxies?: string[];
  sharedRateLimits?: AppOptions['sharedRateLimits'];
}

/** An app over a fresh SQLite store holding `days` (day → rows, `__all__` derived as a load would). */
export async function appWithData(days: Record<string, AggregateRow[]>, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await tempDir();
  const store = SqliteStore.open(path.join(dir, 'api.sqlite'));
  for (const [day, rows] of Object.entries(days)) {
    await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 1000)) });
  }
  const app = await appOver(store, options);
  return {
    app,
    store,
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Another app over the same store: a second process serving the same database. */
export function appOver(store: Store, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const config = {
    retentionDays: 180,
    cacheMaxAge: 3600,
    logLevel: 'silent' as const,
    rateLimit: options.rateLimit ?? { perSecond: 0, perMinute: 0 },
    trustedProxies: options.trustedProxies ?? [],
  };
  return buildApp({ store, config, sharedRateLimits: options.sharedRateLimits });
}
