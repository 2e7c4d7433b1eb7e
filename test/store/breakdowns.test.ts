/**
 * The breakdowns beyond the seed's four, on both stores: kept apart from the seed's blocks with
 * per-package category ids (src/store/layout.ts), read back exactly through the Store interface.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { addDays, dayRange } from '../../src/domain/dates.js';
import { optionalDimensions } from '../../src/domain/dimensions.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import type { SeriesPoint, Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore, freshStoreEachTest, type StoreKind, type TestStore } from '../support/stores.js';

const byDayThenCategory = (a: SeriesPoint, b: SeriesPoint) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category);
const sorted = (points: SeriesPoint[]) => [...points].sort(byDayThenCategory);

/** Three categories per dimension, as the registry's examples name them. */
function categoriesOf(dimension: string): string[] {
  const examples = optionalDimensions.find((d) => d.name === dimension)!.filter.examples;
  return [...new Set([...examples, 'null', `other-${dimension}`])].slice(0, 3);
}

/** SQL on the store's own database, for what the Store interface does not show (ids, blobs). */
async function rawQuery(kind: StoreKind, t: TestStore, sql: { sqlite: string; postgres: string }, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (kind.name === 'SQLite') {
    const db = new Database(t.databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(sql.sqlite).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql.postgres, params)).rows;
  } finally {
    await client.end();
  }
}

describeEachStore('breakdowns beyond the seed', (kind) => {
  let t: TestStore;
  let store: Store;

  freshStoreEachTest(kind, (fresh) => {
    t = fresh;
    store = fresh.store;
  });

  function write(day: string, rows: AggregateRow[], options: { purgeBefore?: string; chunkSize?: number } = {}) {
    return store.replaceDay({ day, source: 'test', summary: null, rows: chunks(rows, options.chunkSize), purgeBefore: options.purgeBefore });
  }

  it('reads every new dimension back exactly: series, only= and categoryTotals', async () => {
    const days = ['2026-11-01', '2026-11-02'];
    const expected = new Map<string, SeriesPoint[]>();
    for (const [d, day] of days.entries()) {
      const rows: AggregateRow[] = [row('pkg', 'overall', 'with_mirrors', 1000), row('pkg', 'overall', 'without_mirrors', 900)];
      for (const dimension of optionalDimensions) {
        const points = expected.get(dimension.name) ?? [];
        for (const [c, category] of categoriesOf(dimension.name).entries()) {
          const downloads = 100 * (d + 1) + 10 * c + dimension.name.length;
          rows.push(row('pkg', dimension.name, category, downloads));
          points.push({ category, day, downloads });
        }
        expected.set(dimension.name, points);
      }
      await write(day, rows, { chunkSize: 5 });
    }
    for (const dimension of optionalDimensions) {
      const points = expected.get(dimension.name)!;
      expect(sorted(await store.series('pkg', dimension.name, {}))).toEqual(sorted(points));
      expect(sorted(await store.series('pkg', dimension.name, { start: '2026-11-02' }))).toEqual(sorted(points.filter((p) => p.day === '2026-11-02')));
      const [first] = categoriesOf(dimension.name);
      expect(await store.series('pkg', dimension.name, {}, new Set([first!, 'absent']))).toHaveLength(2);
      const totals = new Map<string, number>();
      for (const point of points) totals.set(point.category, (totals.get(point.category) ?? 0) + point.downloads);
      expect(await store.categoryTotals('pkg', dimension.name, {})).toEqual(totals);
    }
    // The seed's reads are untouched by them.
    expect(sorted(await store.series('pkg', 'overall', {}))).toHaveLength(4);
    expect(await store.recent('pkg', '2026-11-02')).toEqual({ lastDay: 900, lastWeek: 1800, lastMonth: 1800 });
    expect(await store.series('pkg', 'python_minor', {})).toEqual([]);
  });

  it('keeps a package with 2,000 versions a day over 180 days exactly', { timeout: 300_000 }, async () => {
    const days = dayRange('2026-05-01', addDays('2026-05-01', 179));
    // Versions are released over time: day d logs versions d … d + 1999.
    const downloadsOf = (d: number, v: number) => 1 + ((d * 7919 + v * 104_729) % 100_000);
    for (const [d, day] of days.entries()) {
      const rows: AggregateRow[] = [row('popular', 'overall', 'without_mirrors', 1)];
      for (let v = d; v < d + 2000; v++) rows.push(row('popular', 'version', `1.${v}.0`, downloadsOf(d, v)));
      await write(day, rows, { chunkSize: 4096 });
    }
    const points = await store.series('popular', 'version', {});
    expect(points).toHaveLength(180 * 2000);
    let mismatches = 0;
    for (const point of points) {
      const d = days.indexOf(point.day);
      const v = Number(point.category.split('.')[1]);
      if (v < d || v >= d + 2000 || point.downloads !== downloadsOf(d, v)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(new Set(points.map((p) => `${p.day} ${p.category}`)).size).toBe(points.length);
    const totals = await store.categoryTotals('popular', 'version', { start: days[179] });
    expect(totals.size).toBe(2000);
    expect(totals.get('1.179.0')).toBe(downloadsOf(179, 179));
    expect(totals.get('1.2178.0')).toBe(downloadsOf(179, 2178));
    // Ids are dense from 0 per package: 2,179 versions seen.
    const [ids] = await rawQuery(kind, t, {
      sqlite: "SELECT count(*) AS n, min(c.id) AS low, max(c.id) AS high FROM package_categories c JOIN packages p ON p.id = c.package_id WHERE p.name = 'popular'",
      postgres: "SELECT count(*)::int AS n, min(c.id) AS low, max(c.id) AS high FROM package_categories c JOIN packages p ON p.id = c.package_id WHERE p.name = 'popular'",
    });
    expect(ids).toEqual({ n: 2179, low: 0, high: 2178 });
  });

  it('gives packages sharing category names their own ids, and reads each back as its own', async () => {
    await write('2026-11-01', [
      row('a', 'version', '1.0', 1),
      row('a', 'version', '2.0', 2),
      row('b', 'country', 'DE', 3),
      row('b', 'version', '2.0', 4),
      row('b', 'version', '1.0', 5),
    ]);
    await write('2026-11-02', [row('a', 'country', 'DE', 6), row('b', 'version', '3.0', 7), row('a', 'version', '1.0', 8)]);
    expect(sorted(await store.series('a', 'version', {}))).toEqual([
      { category: '1.0', day: '2026-11-01', downloads: 1 },
      { category: '2.0', day: '2026-11-01', downloads: 2 },
      { category: '1.0', day: '2026-11-02', downloads: 8 },
    ]);
    expect(sorted(await store.series('b', 'version', {}))).toEqual([
      { category: '1.0', day: '2026-11-01', downloads: 5 },
      { category: '2.0', day: '2026-11-01', downloads: 4 },
      { category: '3.0', day: '2026-11-02', downloads: 7 },
    ]);
    expect(await store.series('a', 'country', {})).toEqual([{ category: 'DE', day: '2026-11-02', downloads: 6 }]);
    expect(await store.series('b', 'country', {})).toEqual([{ category: 'DE', day: '2026-11-01', downloads: 3 }]);
    // In order of first appearance within each package.
    const ids = await rawQuery(kind, t, {
      sqlite: 'SELECT p.name AS package, c.id, c.dimension, c.name FROM package_categories c JOIN packages p ON p.id = c.package_id ORDER BY p.name, c.id',
      postgres: 'SELECT p.name AS package, c.id, c.dimension, c.name FROM package_categories c JOIN packages p ON p.id = c.package_id ORDER BY p.name, c.id',
    });
    expect(ids).toEqual([
      { package: 'a', id: 0, dimension: 'version', name: '1.0' },
      { package: 'a', id: 1, dimension: 'version', name: '2.0' },
      { package: 'a', id: 2, dimension: 'country', name: 'DE' },
      { package: 'b', id: 0, dimension: 'country', name: 'DE' },
      { package: 'b', id: 1, dimension: 'version', name: '2.0' },
      { package: 'b', id: 2, dimension: 'version', name: '1.0' },
      { package: 'b', id: 3, dimension: 'version', name: '3.0' },
    ]);
    // The seed's global table holds none of them (only the mirror split's without_mirrors, which every day counts).
    const global = await rawQuery(kind, t, { sqlite: 'SELECT dimension, name FROM categories', postgres: 'SELECT dimension, name FROM categories' });
    expect(global).toEqual([{ dimension: 'overall', name: 'without_mirrors' }]);
  });

  it('shows a category a later load adds to a package, to a reader that has read the package before and to another store object', async () => {
    const other = await t.openAgain();
    try {
      await write('2026-11-01', [row('pkg', 'version', '1.0', 5)]);
      for (const reader of [store, other]) expect(await reader.series('pkg', 'version', {})).toHaveLength(1);
      await write('2026-11-02', [row('pkg', 'version', '1.0', 6), row('pkg', 'version', '1.1', 2)]);
      // Another store object sees a load within the data version's check interval.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      for (const reader of [store, other]) {
        expect(sorted(await reader.series('pkg', 'version', { start: '2026-11-02' }))).toEqual([
          { category: '1.0', day: '2026-11-02', downloads: 6 },
          { category: '1.1', day: '2026-11-02', downloads: 2 },
        ]);
      }
    } finally {
      await other.close();
    }
  });

  it('sums every global breakdown into __all__ over packages, and no version', async () => {
    const rows = [
      row('a', 'overall', 'without_mirrors', 10),
      row('a', 'country', 'DE', 6),
      row('a', 'country', 'US', 4),
      row('a', 'installer', 'pip', 10),
      row('a', 'version', '1.0', 10),
      row('b', 'overall', 'without_mirrors', 5),
      row('b', 'country', 'DE', 5),
      row('b', 'installer', 'uv', 5),
      row('b', 'version', '1.0', 5),
    ];
    await store.replaceDay({ day: '2026-11-01', source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows)) });
    expect(Object.fromEntries(await store.categoryTotals('__all__', 'country', {}))).toEqual({ DE: 11, US: 4 });
    expect(Object.fromEntries(await store.categoryTotals('__all__', 'installer', {}))).toEqual({ pip: 10, uv: 5 });
    expect(await store.series('__all__', 'version', {})).toEqual([]);
    expect(await store.series('a', 'version', {})).toEqual([{ category: '1.0', day: '2026-11-01', downloads: 10 }]);
  });

  it('replaces a day with its breakdowns, and keeps the other days of a dimension the new load leaves out', async () => {
    await write('2026-11-01', [row('pkg', 'overall', 'without_mirrors', 3), row('pkg', 'version', '1.0', 3), row('pkg', 'country', 'DE', 3)]);
    await write('2026-11-02', [row('pkg', 'overall', 'without_mirrors', 4), row('pkg', 'version', '1.0', 4), row('pkg', 'country', 'FR', 4)]);
    // 2026-11-02 again, with DIMENSIONS turned country off, and another version.
    await write('2026-11-02', [row('pkg', 'overall', 'without_mirrors', 5), row('pkg', 'version', '2.0', 5)]);
    expect(sorted(await store.series('pkg', 'version', {}))).toEqual([
      { category: '1.0', day: '2026-11-01', downloads: 3 },
      { category: '2.0', day: '2026-11-02', downloads: 5 },
    ]);
    expect(await store.series('pkg', 'country', {})).toEqual([{ category: 'DE', day: '2026-11-01', downloads: 3 }]);
    // A package whose breakdowns all go when its day is replaced without it.
    await write('2026-11-01', [row('pkg', 'overall', 'without_mirrors', 3)]);
    expect(await store.series('pkg', 'country', {})).toEqual([]);
    expect(await store.series('pkg', 'version', {})).toEqual([{ category: '2.0', day: '2026-11-02', downloads: 5 }]);
  });

  it('purges the breakdowns of purged days, whole blocks and cut ones', async () => {
    const days = dayRange('2026-10-01', '2026-11-10');
    for (const day of days) await write(day, [row('pkg', 'overall', 'without_mirrors', 1), row('pkg', 'cpu', 'x86_64', 2), row('pkg', 'version', day, 3)]);
    expect(await store.purgeBefore('2026-11-05')).toHaveLength(35);
    const cpu = await store.series('pkg', 'cpu', {});
    expect(cpu.map((p) => p.day)).toEqual(dayRange('2026-11-05', '2026-11-10'));
    expect((await store.categoryTotals('pkg', 'version', {})).size).toBe(6);
    // The blocks wholly before the purge are gone from the breakdown table too.
    const [left] = await rawQuery(kind, t, {
      sqlite: 'SELECT count(*) AS n FROM package_breakdown_blocks',
      postgres: 'SELECT count(*)::int AS n FROM package_breakdown_blocks',
    });
    expect(left).toEqual({ n: 1 });
    // A day older than every loaded one, loaded after the purge, shows alone: the purged ones stay gone.
    await write('2026-10-02', [row('pkg', 'overall', 'without_mirrors', 1), row('pkg', 'cpu', 'arm64', 9)]);
    expect(sorted(await store.series('pkg', 'cpu', { end: '2026-10-31' }))).toEqual([{ category: 'arm64', day: '2026-10-02', downloads: 9 }]);
  });

  it('writes the seed blob of a package byte for byte as without its versions, so /overall decodes no version', async () => {
    const seed = [row('x', 'overall', 'with_mirrors', 20), row('x', 'overall', 'without_mirrors', 19), row('x', 'python_minor', '3.12', 19), row('x', 'system', 'linux', 19)];
    const versions = Array.from({ length: 1500 }, (_, i) => row('x', 'version', `0.${i}`, 1 + i));
    const as = (name: string, rows: AggregateRow[]) => rows.map((r) => ({ ...r, package: name }));
    await write('2026-11-01', [...as('bare', seed), ...as('versioned', [...seed, ...versions])]);
    const blobs = await rawQuery(kind, t, {
      sqlite: "SELECT p.name, b.days FROM package_blocks b JOIN packages p ON b.key BETWEEN p.id * 134217728 AND p.id * 134217728 + 134217727 WHERE p.name IN ('bare', 'versioned') ORDER BY p.name",
      postgres: "SELECT p.name, b.days FROM package_blocks b JOIN packages p ON p.id = b.package_id WHERE p.name IN ('bare', 'versioned') ORDER BY p.name",
    });
    expect(blobs.map((b) => b.name)).toEqual(['bare', 'versioned']);
    expect(Buffer.compare(blobs[0]!.days as Buffer, blobs[1]!.days as Buffer)).toBe(0);
    expect((blobs[0]!.days as Buffer).length).toBeLessThan(40);
    expect(await store.series('versioned', 'overall', {})).toEqual(await store.series('bare', 'overall', {}));
    expect(await store.categoryTotals('versioned', 'version', {})).toHaveProperty('size', 1500);
  });

  it('refuses a row or a read of a dimension the registry does not know, and writes nothing of that day', async () => {
    await expect(write('2026-11-01', [row('pkg', 'overall', 'with_mirrors', 1), row('pkg', 'colour', 'blue', 1)])).rejects.toThrow('unknown dimension "colour"');
    expect(await store.loadedDays()).toEqual([]);
    await expect(store.series('pkg', 'colour', {})).rejects.toThrow('unknown dimension "colour"');
  });

  it('keeps categories with the characters COPY escapes exactly, and knows them again on the next day', async () => {
    const odd = ['tab\there', 'line\nbreak', 'back\\slash', '\\N', 'carriage\rreturn', 'Debian GNU/Linux', 'ünïcode ✓', ''];
    const day = (downloads: number) => odd.map((name) => row('pkg', 'distro', name, downloads));
    await write('2026-11-01', day(1));
    await write('2026-11-02', day(2));
    const expected = ['2026-11-01', '2026-11-02'].flatMap((d, i) => odd.map((category) => ({ category, day: d, downloads: i + 1 })));
    expect(sorted(await store.series('pkg', 'distro', {}))).toEqual(sorted(expected));
    const stored = await rawQuery(kind, t, { sqlite: 'SELECT id, name FROM package_categories ORDER BY id', postgres: 'SELECT id, name FROM package_categories ORDER BY id' });
    expect(stored).toEqual(odd.map((name, id) => ({ id, name })));
  });

  it('numbers the categories of more packages in a day than the PostgreSQL writer reads at once (10,000)', async () => {
    const names = Array.from({ length: 10_050 }, (_, i) => `pkg-${i}`);
    await write('2026-11-01', names.flatMap((name, i) => [row(name, 'version', '1.0', i + 1), row(name, 'country', 'DE', 1)]));
    await write('2026-11-02', names.flatMap((name, i) => [row(name, 'country', 'FR', 2), row(name, 'version', '1.0', i + 2)]));
    expect(sorted(await store.series('pkg-10049', 'version', {}))).toEqual([
      { category: '1.0', day: '2026-11-01', downloads: 10_050 },
      { category: '1.0', day: '2026-11-02', downloads: 10_051 },
    ]);
    expect(await store.series('pkg-10049', 'country', {})).toEqual([
      { category: 'DE', day: '2026-11-01', downloads: 1 },
      { category: 'FR', day: '2026-11-02', downloads: 2 },
    ]);
    const counts = await rawQuery(kind, t, {
      sqlite: 'SELECT count(*) AS categories, count(DISTINCT package_id) AS packages, max(id) AS highest FROM package_categories',
      postgres: 'SELECT count(*)::int AS categories, count(DISTINCT package_id)::int AS packages, max(id) AS highest FROM package_categories',
    });
    expect(counts).toEqual([{ categories: 3 * names.length, packages: names.length, highest: 2 }]);
  });

  it('refuses a category repeated for one package and day', async () => {
    await expect(write('2026-11-01', [row('pkg', 'version', '1.0', 1), row('pkg', 'version', '1.0', 2)])).rejects.toThrow('appears twice');
    expect(await store.loadedDays()).toEqual([]);
  });
});
