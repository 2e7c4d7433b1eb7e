/**
 * The stores every store, pipeline and API suite runs against: SQLite always, PostgreSQL when
 * TEST_POSTGRES_URL is set (a fresh schema per store, dropped afterwards).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeEach } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { describeWith } from './describe-with.js';
import { tempDir } from './raw-events.js';
import { postgres, type ExternalService } from './services.js';

export interface TestStore {
  store: Store;
  /** The DATABASE_URL that reaches this same store from a child process (or a second store object). */
  databaseUrl: string;
  /** Another store object over the same data, as a second process would open it. */
  openAgain(): Promise<Store>;
  /** Closes the store and deletes its data. */
  dispose(): Promise<void>;
}

export interface StoreKind {
  name: 'SQLite' | 'PostgreSQL';
  needs: readonly ExternalService[];
  create(): Promise<TestStore>;
}

async function openUrl(url: string): Promise<Store> {
  if (url.startsWith('sqlite:')) return openStore({ kind: 'sqlite', file: url.slice('sqlite:'.length) });
  return openStore({ kind: 'postgres', url, poolSize: 4 });
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgres.value });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** TEST_POSTGRES_URL with a search_path naming `schema`. */
export function postgresUrlFor(schema: string): string {
  const url = new URL(postgres.value!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export const sqliteKind: StoreKind = {
  name: 'SQLite',
  needs: [],
  async create() {
    const dir = await tempDir('pypistats-store-');
    const databaseUrl = `sqlite:${path.join(dir, 'store.sqlite')}`;
    const store = await openUrl(databaseUrl);
    return {
      store,
      databaseUrl,
      openAgain: () => openUrl(databaseUrl),
      async dispose() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresKind: StoreKind = {
  name: 'PostgreSQL',
  needs: [postgres],
  async create() {
    const schema = `pypistats_test_${randomBytes(6).toString('hex')}`;
    await withAdmin((client) => client.query(`CREATE SCHEMA ${schema}`));
    const databaseUrl = postgresUrlFor(schema);
    const store = await openUrl(databaseUrl);
    return {
      store,
      databaseUrl,
      openAgain: () => openUrl(databaseUrl),
      async dispose() {
        await store.close();
        await withAdmin((client) => client.query(`DROP SCHEMA ${schema} CASCADE`));
      },
    };
  },
};

export const storeKinds: readonly StoreKind[] = [sqliteKind, postgresKind];

/** The suite once per store kind; a kind whose service is not configured is skipped, and said so. */
export function describeEachStore(name: string, body: (kind: StoreKind) => void): void {
  for (const kind of storeKinds) describeWith(kind.needs, `${name} on ${kind.name}`, () => body(kind));
}

/** A fresh store of `kind` before each test of the suite it is called in, handed to `use`, disposed after the test. */
export function freshStoreEachTest(kind: StoreKind, use: (fresh: TestStore) => void): void {
  beforeEach(async () => {
    const fresh = await kind.create();
    use(fresh);
    return () => fresh.dispose();
  });
}

/** Raw SQL on a test store's database, in its dialect: for rebuilding it as a database of an earlier schema. */
export async function onDatabase(kind: StoreKind, t: TestStore, sql: { sqlite: string; postgres: string }): Promise<void> {
  if (kind.name === 'SQLite') {
    const db = new Database(t.databaseUrl.slice('sqlite:'.length));
    try {
      db.exec(sql.sqlite);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query(sql.postgres);
  } finally {
    await client.end();
  }
}
