import type pg from 'pg';
import { ADVISORY_KEY_SQL } from './advisory-lock.js';
import { refreshDerived } from './derived.js';
import { postgresMigrations } from './migrations.js';


export async function migrate(pool: pg.Pool, firstDataVersion: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Held while migrating, so instances starting together migrate once.
    await client.query(`SELECT pg_advisory_xact_lock(${ADVISORY_KEY_SQL('$1')})`, ['migrate']);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const applied = rows[0]?.version ?? 0;
    if (applied > postgresMigrations.length) {
      throw new Error(`the database was made by a newer version of pypistats (schema ${applied}, this one knows ${postgresMigrations.length})`);
    }
    for (let version = applied; version < postgresMigrations.length; version++) {
      const migration = postgresMigrations[version]!;
      if (typeof migration === 'string') await client.query(migration);
      else await migration(client);
      if (version === 0) await client.query("INSERT INTO meta (key, value) VALUES ('data_version', $1)", [firstDataVersion]);
    }
    // A store made before the latest lists (trending, 1000 ranked) gets them now, not at its next load.
    if (applied > 0 && applied < postgresMigrations.length) await refreshDerived(client);
    if (applied === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [postgresMigrations.length]);
    else await client.query('UPDATE schema_version SET version = $1', [postgresMigrations.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
