import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { describeWith } from '../support/describe-with.js';
import { chunks, row } from '../support/rows.js';
import { postgres } from '../support/services.js';
import { postgresKind, type TestStore } from '../support/stores.js';

describeWith([postgres], 'PostgreSQL store', () => {
  let t: TestStore;
  let sql: pg.Client;

  beforeEach(async () => {
    t = await postgresKind.create();
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
  });
  afterEach(async () => {
    await sql.end();
    await t.dispose();
  });

  it('unpacks its rows as bigint in the downloads view, for people who query it with SQL', async () => {
    await t.store.replaceDay({
      day: '2026-11-01',
      source: 'test',
      summary: null,
      rows: chunks([row('big', 'overall', 'with_mirrors', 2 ** 40 + 3), row('big', 'system', 'linux', 7)]),
    });
    const { rows } = await sql.query("SELECT package, to_char(date, 'YYYY-MM-DD') AS date, dimension, category, downloads FROM downloads ORDER BY dimension");
    // pg hands bigint over as text: exact.
    expect(rows).toEqual([
      { package: 'big', date: '2026-11-01', dimension: 'overall', category: 'with_mirrors', downloads: '1099511627779' },
      { package: 'big', date: '2026-11-01', dimension: 'system', category: 'linux', downloads: '7' },
    ]);
    const types = await sql.query(
      "SELECT table_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'downloads' ORDER BY table_name",
    );
    expect(types.rows).toEqual([
      { table_name: 'daily', data_type: 'bytea' },
      { table_name: 'downloads', data_type: 'bigint' },
      { table_name: 'package_days', data_type: 'bigint' },
      { table_name: 'top_packages', data_type: 'bigint' },
    ]);
  });

  it('migrates once when several instances open a fresh schema together, and keeps data on reopening', async () => {
    await t.store.replaceDay({ day: '2026-11-01', source: 'test', summary: null, rows: chunks([row('a', 'overall', 'with_mirrors', 1)]) });
    const others = await Promise.all([t.openAgain(), t.openAgain(), t.openAgain()]);
    for (const other of others) expect(await other.latestDay()).toBe('2026-11-01');
    await Promise.all(others.map((other) => other.close()));
    expect((await sql.query('SELECT version FROM schema_version')).rows).toEqual([{ version: 1 }]);
  });

  it('refuses a schema made by a newer version', async () => {
    await sql.query('UPDATE schema_version SET version = 99');
    await expect(t.openAgain()).rejects.toThrow(/newer version of pypistats \(schema 99/);
  });

  it('says which server it could not reach, without the password', async () => {
    await expect(PostgresStore.open({ url: 'postgres://someone:secret@127.0.0.1:1/none', poolSize: 2 })).rejects.toThrow(
      /^cannot open the PostgreSQL store at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/none: /,
    );
  });

  it('reports its size and where it is, without the password', async () => {
    const status = await t.store.status();
    expect(status.bytes).toBeGreaterThan(0);
    expect(status.location).toContain('127.0.0.1');
  });
});
