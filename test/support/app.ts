import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import type { PackageMetadataSource } from '../../src/domain/package-metadata.js';
import type { Store } from '../../src/store/types.js';
import type { AggregateRow } from '../../src/sources/types.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { chunks } from './rows.js';
import { sqliteKind, type StoreKind } from './stores.js';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

/**
 * An app over a fresh store of `kind` holding `days` (day → rows, `__all__` derived as a load
 * would), with PyPI's metadata from `metadata` when given.
 */
export async function appWithData(
  days: Record<string, AggregateRow[]>,
  kind: StoreKind = sqliteKind,
  metadata?: PackageMetadataSource,
): Promise<TestApp> {
  const t = await kind.create();
  const { store } = t;
  for (const [day, rows] of Object.entries(days)) {
    await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 1000)) });
  }
  const config = { retentionDays: 180, cacheMaxAge: 3600, logLevel: 'silent' as const, mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS] };
  const app = await buildApp({ store, config, metadata });
  return {
    app,
    store,
    async close() {
      await app.close();
      await t.dispose();
    },
  };
}
