import type { DatabaseConfig } from '../config.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/** The store the configuration names. The only place that knows the concrete stores. */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  switch (database.kind) {
    case 'sqlite':
      return SqliteStore.open(database.file);
    case 'postgres': {
      // Loaded only when configured: the embedded default never loads the PostgreSQL client.
      const { PostgresStore } = await import('./postgres/postgres-store.js');
      return PostgresStore.open(database);
    }
  }
}
