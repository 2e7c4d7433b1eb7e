import type { DatabaseConfig } from '../config.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export interface OpenOptions {
  /**
   * For commands that only read or delete: refuse a store that was never created (a SQLite file
   * that does not exist, a PostgreSQL schema never migrated) rather than create an empty one.
   */
  mustExist?: boolean;
}

/** The store the configuration names. The only place that knows the concrete stores. */
export async function openStore(database: DatabaseConfig, options: OpenOptions = {}): Promise<Store> {
  switch (database.kind) {
    case 'sqlite':
      return SqliteStore.open(database.file, options);
    case 'postgres': {
      // Loaded only when configured: the embedded default never loads the PostgreSQL client.
      const { PostgresStore } = await import('./postgres/postgres-store.js');
      return PostgresStore.open({ ...database, ...options });
    }
  }
}
