import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import type { Store } from '../../src/store/types.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { chunks } from './rows.js';
import { sqliteKind, type StoreKind } from './stores.js';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

/**
 * What a test may set beyond the data: by default SQLite, no rate limits, no trusted proxies and
 * no PyPI metadata.
 */
export interface TestAppOptions {
  kind?: StoreKind;
  metadata?: AppOptions['metadata'];
  rateLimit?: AppOptions['config']['rateLimit'];
  /** Limits on the package pages; unset: none. */
  pageRateLimit?: AppOptions['config']['pageRateLimit'];
  /** Limits on badges, charts and shields answers; unset: none. */
  embedRateLimit?: AppOptions['config']['embedRateLimit'];
  trustedProxies?: string[];
  hstsMaxAge?: number;
  sharedRateLimits?: AppOptions['sharedRateLimits'];
  /** Sign-in and what comes with it; unset: off. */
  accounts?: AppOptions['config']['accounts'];
}

/** An app over a fresh store holding `days` (day → rows, `__all__` derived as a load would). */
export async function appWithData(days: Record<string, AggregateRow[]>, options: TestAppOptions = {}): Promise<TestApp> {
  const t = await (options.kind ?? sqliteKind).create();
  const { store } = t;
  for (const [day, rows] of Object.entries(days)) {
    await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 1000)) });
  }
  const app = await appOver(store, options);
  return {
    app,
    store,
    async close() {
      await app.close();
      await t.dispose();
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
    pageRateLimit: options.pageRateLimit,
    embedRateLimit: options.embedRateLimit,
    trustedProxies: options.trustedProxies ?? [],
    hstsMaxAge: options.hstsMaxAge ?? 31_536_000,
    mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS],
    accounts: options.accounts,
  };
  return buildApp({ store, config, sharedRateLimits: options.sharedRateLimits, metadata: options.metadata });
}
