/**
 * A database of the schema before the breakdowns (main at 1666993: SQLite schema 5, PostgreSQL
 * schema 2), built here as that code built it (its migrations only, then days written the way its
 * day writers wrote them: global category ids in order of first appearance, one entry per package
 * and day in `package_blocks`), opened by this code: its days read back with the same numbers, and
 * the new breakdowns fill from the next load.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dayFromNumber, dayNumber } from '../../src/domain/dates.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { dayEntry, packDownloads } from '../../src/store/packed-downloads.js';
import { openStore } from '../../src/store/open.js';
import { blockKey } from '../../src/store/sqlite/block-keys.js';
import { migrations as sqliteMigrations } from '../../src/store/sqlite/migrations.js';
import type { SeriesPoint, Store } from '../../src/store/types.js';
import { describeWith } from '../support/describe-with.js';
import { tempDir } from '../support/raw-events.js';
import { chunks, row } from '../support/rows.js';
import { postgres } from '../support/services.js';
import { postgresUrlFor } from '../support/stores.js';

/** The migrations main had before the breakdowns. */
const SQLITE_SCHEMA_BEFORE = 5;
const POSTGRES_SCHEMA_BEFORE = 2;

const FIRST_DAY = dayNumber('2026-10-10');
const DAYS = 40;

interface OldRow {
  package: string;
  dimension: string;
  category: string;
  downloads: number;
}

/** The days the old database holds: three packages (`__all__` their sum) in the seed's four dimensions, 40 days over two blocks. */
function oldDays(): { day: number; rows: OldRow[] }[] {
  return Array.from({ length: DAYS }, (_, i) => {
    const day = FIRST_DAY + i;
    const rows: OldRow[] = [];
    for (const [p, name] of ['alpha', 'beta', 'gamma'].entries()) {
      if (name === 'gamma' && i % 3 !== 0) continue;
      const without = 100 * (p + 1) + i;
      rows.push({ package: name, dimension: 'overall', category: 'with_mirrors', downloads: without + 7 });
      rows.push({ package: name, dimension: 'overall', category: 'without_mirrors', downloads: without });
      rows.push({ package: name, dimension: 'python_major', category: '3', downloads: without - 1 });
      rows.push({ package: name, dimension: 'python_major', category: 'null', downloads: 1 });
      rows.push({ package: name, dimension: 'python_minor', category: i < 20 ? '3.12' : '3.13', downloads: without - 1 });
      rows.push({ package: name, dimension: 'python_minor', category: 'null', downloads: 1 });
      rows.push({ package: name, dimension: 'system', category: 'linux', downloads: without });
    }
    const totals = new Map<string, OldRow>();
    for (const r of rows) {
      const key = `${r.dimension} ${r.category}`;
      const total = totals.get(key) ?? { ...r, package: '__all__', downloads: 0 };
      total.downloads += r.downloads;
      totals.set(key, total);
    }
    return { day, rows: [...rows, ...totals.values()] };
  });
}

/** Ids as the old writers gave them: packages and categories numbered from 1 in order of first appearance. */
function oldIds(days: { rows: OldRow[] }[]) {
  const packages = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const { rows } of days) {
    for (const r of rows) {
      if (!packages.has(r.package)) packages.set(r.package, packages.size + 1);
      const key = `${r.dimension}\u0000${r.category}`;
      if (!categories.has(key)) categories.set(key, categories.size + 1);
    }
  }
  return { packages, categories };
}

/** Per day and package: the packed entry and the downloads without mirrors, as the old writers made them. */
function oldEntries(days: { day: number; rows: OldRow[] }[], ids: ReturnType<typeof oldIds>) {
  return days.map(({ day, rows }) => {
    const pairs = new Map<number, number[]>();
    for (const r of rows) {
      const id = ids.packages.get(r.package)!;
      const list = pairs.get(id) ?? [];
      list.push(ids.categories.get(`${r.dimension}\u0000${r.category}`)!, r.downloads);
      pairs.set(id, list);
    }
    return {
      day,
      packages: [...pairs].map(([packageId, list]) => ({
        packageId,
        entry: dayEntry(day, packDownloads(list)),
        without: rows.find((r) => ids.packages.get(r.package) === packageId && r.category === 'without_mirrors')!.downloads,
      })),
      rows: rows.length,
    };
  });
}

function expectedSeries(days: { day: number; rows: OldRow[] }[], name: string, dimension: string): SeriesPoint[] {
  return days.flatMap(({ day, rows }) =>
    rows.filter((r) => r.package === name && r.dimension === dimension).map((r) => ({ category: r.category, day: dayFromNumber(day), downloads: r.downloads })),
  );
}

const sorted = (points: SeriesPoint[]) => [...points].sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));

/** What the migrated store must answer as the old one did, then a load with breakdowns on top. */
async function checkMigrated(store: Store): Promise<void> {
  const days = oldDays();
  const latest = dayFromNumber(FIRST_DAY + DAYS - 1);
  for (const name of ['alpha', 'beta', 'gamma', '__all__']) {
    for (const dimension of ['overall', 'python_major', 'python_minor', 'system']) {
      expect(sorted(await store.series(name, dimension, {}))).toEqual(sorted(expectedSeries(days, name, dimension)));
    }
    const without = expectedSeries(days, name, 'overall').filter((p) => p.category === 'without_mirrors');
    const sum = (from: number) => without.filter((p) => dayNumber(p.day) >= from).reduce((s, p) => s + p.downloads, 0);
    const last = dayNumber(latest);
    expect(await store.recent(name, latest)).toEqual({ lastDay: sum(last), lastWeek: sum(last - 6), lastMonth: sum(last - 29) });
  }
  expect(await store.latestDay()).toBe(latest);
  expect((await store.loadedDays()).length).toBe(DAYS);
  expect(await store.packageCount()).toBe(3);
  const monthOf = (name: string) =>
    expectedSeries(days, name, 'overall')
      .filter((p) => p.category === 'without_mirrors' && dayNumber(p.day) > dayNumber(latest) - 30)
      .reduce((s, p) => s + p.downloads, 0);
  const month = ['alpha', 'beta', 'gamma'].map((name) => ({ package: name, downloads: monthOf(name) })).sort((a, b) => b.downloads - a.downloads);
  expect(await store.topPackages('month', 3)).toEqual(month);

  // The next load fills the breakdowns; the old days keep theirs.
  const next = dayFromNumber(FIRST_DAY + DAYS);
  await store.replaceDay({
    day: next,
    source: 'test',
    summary: null,
    rows: chunks([row('alpha', 'overall', 'without_mirrors', 5), row('alpha', 'python_minor', '3.14', 5), row('alpha', 'version', '2.0', 4), row('alpha', 'country', 'DE', 5)]),
  });
  expect(await store.series('alpha', 'version', {})).toEqual([{ category: '2.0', day: next, downloads: 4 }]);
  expect(await store.series('alpha', 'country', {})).toEqual([{ category: 'DE', day: next, downloads: 5 }]);
  expect(sorted(await store.series('alpha', 'python_minor', { end: latest }))).toEqual(sorted(expectedSeries(days, 'alpha', 'python_minor')));
  expect(await store.series('alpha', 'python_minor', { start: next })).toEqual([{ category: '3.14', day: next, downloads: 5 }]);
}

describeWith([], 'a SQLite database of the schema before the breakdowns', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await tempDir('pypistats-migrate-');
    file = path.join(dir, 'store.sqlite');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('upgrades in place on open, its days keeping their numbers, the breakdowns filling from the next load', async () => {
    const days = oldDays();
    const ids = oldIds(days);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    for (const [version, migration] of sqliteMigrations.slice(0, SQLITE_SCHEMA_BEFORE).entries()) {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      if (version === 0) db.prepare("INSERT INTO meta (key, value) VALUES ('data_version', 'old')").run();
    }
    db.pragma(`user_version = ${SQLITE_SCHEMA_BEFORE}`);
    for (const [name, id] of ids.packages) db.prepare('INSERT INTO packages (id, name) VALUES (?, ?)').run(id, name);
    for (const [key, id] of ids.categories) db.prepare('INSERT INTO categories (id, dimension, name) VALUES (?, ?, ?)').run(id, ...key.split('\u0000'));
    const append = db.prepare(
      `INSERT INTO package_blocks (key, last_day, days) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET days = CAST(days || excluded.days AS BLOB), last_day = max(last_day, excluded.last_day)`,
    );
    for (const { day, packages, rows } of oldEntries(days, ids)) {
      for (const { packageId, entry, without } of packages) {
        append.run(blockKey(packageId, day), day, entry);
        if (day > FIRST_DAY + DAYS - 1 - 30) db.prepare('INSERT INTO package_days (day, package_id, downloads) VALUES (?, ?, ?)').run(day, packageId, without);
      }
      db.prepare("INSERT INTO loaded_days (day, source, loaded_at, packages, rows, summary) VALUES (?, 'test', 'then', ?, ?, NULL)").run(day, packages.length, rows);
    }
    // The old derived table filled as that schema held it, by package id; the upgrade ranks anew.
    db.exec(`INSERT INTO top_packages (period, rank, package_id, downloads) SELECT 'month', row_number() OVER (ORDER BY sum(downloads) DESC, package_id), package_id, sum(downloads) FROM package_days GROUP BY package_id`);
    const blocksBefore = db.prepare('SELECT key, last_day, days FROM package_blocks ORDER BY key').all();
    db.close();

    const store = await openStore({ kind: 'sqlite', file });
    try {
      const check = new Database(file, { readonly: true });
      try {
        expect(check.pragma('user_version', { simple: true })).toBe(sqliteMigrations.length);
        expect(check.prepare('SELECT key, last_day, days FROM package_blocks ORDER BY key').all()).toEqual(blocksBefore);
      } finally {
        check.close();
      }
      await checkMigrated(store);
    } finally {
      await store.close();
    }
  });
});

describeWith([postgres], 'a PostgreSQL database of the schema before the breakdowns', () => {
  let admin: pg.Client;
  let schema: string;

  beforeEach(async () => {
    schema = `pypistats_test_before_${Date.now().toString(36)}`;
    admin = new pg.Client({ connectionString: postgres.value });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
  afterEach(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('upgrades in place on open, its days keeping their numbers, the breakdowns filling from the next load', async () => {
    const days = oldDays();
    const ids = oldIds(days);
    const url = postgresUrlFor(schema);
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    let blocksBefore: unknown[];
    try {
      await old.query('BEGIN');
      await old.query('CREATE TABLE schema_version (version integer NOT NULL)');
      for (const [version, migration] of postgresMigrations.slice(0, POSTGRES_SCHEMA_BEFORE).entries()) {
        await old.query(migration as string);
        if (version === 0) await old.query("INSERT INTO meta (key, value) VALUES ('data_version', 'old')");
      }
      await old.query('INSERT INTO schema_version (version) VALUES ($1)', [POSTGRES_SCHEMA_BEFORE]);
      for (const [name, id] of ids.packages) await old.query('INSERT INTO packages (id, name) VALUES ($1, $2)', [id, name]);
      for (const [key, id] of ids.categories) await old.query('INSERT INTO categories (id, dimension, name) VALUES ($1, $2, $3)', [id, ...key.split('\u0000')]);
      // The identity columns go on from the ids taken, as the old writers left them.
      await old.query("SELECT setval(pg_get_serial_sequence('packages', 'id'), (SELECT max(id) FROM packages))");
      await old.query("SELECT setval(pg_get_serial_sequence('categories', 'id'), (SELECT max(id) FROM categories))");
      for (const { day, packages, rows } of oldEntries(days, ids)) {
        for (const { packageId, entry, without } of packages) {
          await old.query(
            `INSERT INTO package_blocks (package_id, block, last_day, days) VALUES ($1, $2, $3, $4)
             ON CONFLICT (package_id, block) DO UPDATE SET days = package_blocks.days || excluded.days, last_day = greatest(package_blocks.last_day, excluded.last_day)`,
            [packageId, day >> 5, day, entry],
          );
          if (day > FIRST_DAY + DAYS - 1 - 30) await old.query('INSERT INTO package_days (day, package_id, downloads) VALUES ($1, $2, $3)', [day, packageId, without]);
        }
        await old.query("INSERT INTO loaded_days (day, source, loaded_at, packages, rows, summary) VALUES ($1, 'test', now(), $2, $3, NULL)", [day, packages.length, rows]);
      }
      // The old derived table filled as that schema held it, by package id; the upgrade ranks anew.
      await old.query(`INSERT INTO top_packages (period, rank, package_id, downloads) SELECT 'month', row_number() OVER (ORDER BY sum(downloads) DESC, package_id), package_id, sum(downloads) FROM package_days GROUP BY package_id`);
      await old.query('COMMIT');
      blocksBefore = (await old.query('SELECT package_id, block, last_day, days FROM package_blocks ORDER BY package_id, block')).rows;
    } finally {
      await old.end();
    }

    const store = await openStore({ kind: 'postgres', url, poolSize: 2 });
    try {
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      try {
        expect((await check.query('SELECT version FROM schema_version')).rows).toEqual([{ version: postgresMigrations.length }]);
        expect((await check.query('SELECT package_id, block, last_day, days FROM package_blocks ORDER BY package_id, block')).rows).toEqual(blocksBefore);
      } finally {
        await check.end();
      }
      await checkMigrated(store);
    } finally {
      await store.close();
    }
  });
});
