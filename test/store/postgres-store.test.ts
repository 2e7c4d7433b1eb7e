import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { packDownloads } from '../../src/store/packed-downloads.js';
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
      { table_name: 'downloads', data_type: 'bigint' },
      { table_name: 'package_days', data_type: 'bigint' },
      { table_name: 'top_packages', data_type: 'bigint' },
      { table_name: 'trending_packages', data_type: 'bigint' },
    ]);
  });

  it('migrates once when several instances open a fresh schema together, and keeps data on reopening', async () => {
    await t.store.replaceDay({ day: '2026-11-01', source: 'test', summary: null, rows: chunks([row('a', 'overall', 'with_mirrors', 1)]) });
    const others = await Promise.all([t.openAgain(), t.openAgain(), t.openAgain()]);
    for (const other of others) expect(await other.latestDay()).toBe('2026-11-01');
    await Promise.all(others.map((other) => other.close()));
    expect((await sql.query('SELECT version FROM schema_version')).rows).toEqual([{ version: postgresMigrations.length }]);
  });

  it('keeps a package to a few rows: one per block of 32 days', async () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) {
      await t.store.replaceDay({ day, source: 'test', summary: null, rows: chunks([row('pkg', 'overall', 'with_mirrors', 1)]) });
    }
    const { rows } = await sql.query("SELECT count(*)::int AS blocks FROM package_blocks b JOIN packages p ON p.id = b.package_id WHERE p.name = 'pkg'");
    expect(rows).toEqual([{ blocks: 1 }]);
  });

  it('moves the data of the first schema (a row per package and day) into blocks', async () => {
    await t.dispose();
    const schema = `pypistats_test_v1_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: postgres.value });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(postgres.value!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const old = new pg.Client({ connectionString: url.toString() });
    await old.connect();
    try {
      await old.query('CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (1);');
      await old.query(postgresMigrations[0] as string);
      await old.query("INSERT INTO meta VALUES ('data_version', 'v1')");
      await old.query("INSERT INTO packages (id, name) VALUES (1, 'a'), (2, 'b')");
      await old.query("INSERT INTO categories (id, dimension, name) VALUES (1, 'overall', 'with_mirrors'), (2, 'overall', 'without_mirrors'), (3, 'system', 'linux')");
      const day1 = 20400; // 2025-11-08
      for (let day = day1; day < day1 + 40; day++) {
        await old.query('INSERT INTO daily VALUES (1, $1, $2)', [day, packDownloads([1, day, 2, day - 1, 3, 7])]);
        await old.query('INSERT INTO package_days VALUES ($1, 1, $2)', [day, day - 1]);
        await old.query("INSERT INTO loaded_days VALUES ($1, 'test', now(), 1, 3, NULL)", [day]);
      }
      await old.query('INSERT INTO daily VALUES (2, $1, $2)', [day1, packDownloads([1, 3_000_000_000])]);
      await old.query('INSERT INTO package_days VALUES ($1, 2, 0)', [day1]);
      const store = await PostgresStore.open({ url: url.toString(), poolSize: 2 });
      try {
        expect(await store.series('a', 'system', {})).toHaveLength(40);
        expect(await store.series('a', 'overall', { start: '2025-11-09', end: '2025-11-09' })).toEqual([
          { category: 'with_mirrors', day: '2025-11-09', downloads: 20401 },
          { category: 'without_mirrors', day: '2025-11-09', downloads: 20400 },
        ]);
        expect(await store.series('b', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2025-11-08', downloads: 3_000_000_000 }]);
        expect(await store.recent('a', '2025-12-17')).toEqual({ lastDay: 20438, lastWeek: 7 * 20435, lastMonth: 30 * 20423.5 });
        // Only the last 30 days stay in package_days: they are what the top packages are summed from.
        expect((await old.query('SELECT count(*)::int AS n FROM package_days')).rows).toEqual([{ n: 30 }]);
        expect((await old.query('SELECT count(*)::int AS n FROM package_blocks')).rows).toEqual([{ n: 3 }]);
      } finally {
        await store.close();
      }
    } finally {
      await old.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
      t = await postgresKind.create();
      sql = new pg.Client({ connectionString: t.databaseUrl });
      await sql.connect();
    }
  });

  it('keeps the locks of deployments in other schemas of the database apart', async () => {
    const other = await postgresKind.create();
    try {
      const lock = await t.store.tryLock('load 2026-11-01');
      const elsewhere = await other.store.tryLock('load 2026-11-01');
      expect(lock).not.toBeNull();
      expect(elsewhere).not.toBeNull();
      await Promise.all([lock!.release(), elsewhere!.release()]);
    } finally {
      await other.dispose();
    }
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
