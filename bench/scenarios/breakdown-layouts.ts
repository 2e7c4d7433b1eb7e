/**
 * Issue 12's layout alternatives for the breakdowns, measured on the same PyPI-sized days with
 * every breakdown (bench/pypi-breakdowns.ts, `__all__` included), each written into a SQLite file
 * with the store's own packed entries (src/store/packed-downloads.ts) and blocks of 32 days:
 *
 * - (a) `chosen`: the real store (seed in `package_blocks` with global ids, the rest in
 *   `package_breakdown_blocks` with per-package ids from `package_categories`);
 * - (b) `one blob, global ids`: every dimension in one blob per package and block, ids from one
 *   global `categories (dimension, name)` in order of first appearance, versions included (what
 *   the store had before the breakdowns, extended);
 * - (c) `row per dimension`: a row per package, dimension and block, ids as in (a).
 *
 * (b) and (c) are written here (same keys, block length and entry format as the store; one
 * transaction per day, appended with the store's `ON CONFLICT` statement). For each: bytes per
 * category-row of the blocks and category tables (SQLite's dbstat), and the CPU of reading the
 * most popular package's `/overall` and `/version` over every day, decoded by the store's own
 * seriesPoints (median of repeated reads from the page cache, the process's global category index
 * already loaded, as a serving process holds it).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { addDays, dayNumber } from '../../src/domain/dates.js';
import { dimensions, dimensionNamed } from '../../src/domain/dimensions.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { loadDay } from '../../src/pipeline/load.js';
import { categoriesByDimension, categoriesOf, type CategoryRow, type DimensionCategories } from '../../src/store/category-index.js';
import { numberBreakdown, type BreakdownRow, type PackageCategory } from '../../src/store/day-rows.js';
import { dayEntry, packDownloads } from '../../src/store/packed-downloads.js';
import { LAST_DAY_NUMBER, seriesPoints } from '../../src/store/package-days-read.js';
import { openStore } from '../../src/store/open.js';
import { blockKey, blockKeyRange } from '../../src/store/sqlite/block-keys.js';
import type { SeriesPoint } from '../../src/store/types.js';
import { record, round } from '../lib/results.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { FIRST_DAY, pypiSource } from './store-scale.js';

export interface LayoutSize {
  packages: number;
  days: number;
}

type Layout = 'chosen' | 'blob' | 'rows';
const LAYOUT_NAMES: Record<Layout, string> = {
  chosen: '(a) chosen: seed blob + breakdown blob, per-package ids',
  blob: '(b) one blob, global ids',
  rows: '(c) row per dimension',
};
/** The tables that hold what the layouts differ in; `packages` and the derived tables are alike in all three. */
const LAYOUT_TABLES: Record<Layout, string[]> = {
  chosen: ['package_blocks', 'package_breakdown_blocks', 'categories', 'package_categories'],
  blob: ['blocks', 'categories'],
  rows: ['dimension_blocks', 'categories', 'package_categories'],
};

/** Reads repeated per figure: the median of them is recorded. */
const READS = 25;
const TOP_PACKAGE = 'package-1';

/** Bytes of the tables and their indexes, page by page. */
function tableBytes(db: Database.Database, tables: readonly string[]): number {
  const placeholders = tables.map(() => '?').join(', ');
  return db.prepare<string[], number>(`SELECT sum(d.pgsize) FROM dbstat d JOIN sqlite_schema s ON s.name = d.name WHERE s.tbl_name IN (${placeholders})`).pluck().get(...tables) ?? 0;
}

/** A dimension's place in the registry: (c)'s key holds it. */
const dimensionIndex = new Map(dimensions.map((dimension, i) => [dimension.name, i]));
/** (c)'s key: the package id and dimension, then the block, as block-keys.ts packs package and block. */
function dimensionBlockKey(packageId: number, dimension: string, day: number): number {
  return blockKey(packageId * 16 + dimensionIndex.get(dimension)!, day);
}

const APPEND = (table: string) =>
  `INSERT INTO ${table} (key, last_day, days) VALUES (?, ?, ?)
   ON CONFLICT (key) DO UPDATE SET days = CAST(days || excluded.days AS BLOB), last_day = max(last_day, excluded.last_day)`;

/** (b) and (c): a writer of the day's rows, in one transaction, with the store's entries. */
class ModelWriter {
  readonly db: Database.Database;
  private readonly packageIds = new Map<string, number>();
  private readonly globalIds = new Map<string, number>();
  private readonly insertPackage: Database.Statement<[string]>;

  constructor(file: string, private readonly layout: 'blob' | 'rows') {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE packages (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE categories (id INTEGER PRIMARY KEY, dimension TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (dimension, name));`);
    if (layout === 'blob') this.db.exec('CREATE TABLE blocks (key INTEGER PRIMARY KEY, last_day INTEGER NOT NULL, days BLOB NOT NULL)');
    else {
      this.db.exec(`CREATE TABLE package_categories (package_id INTEGER NOT NULL, id INTEGER NOT NULL, dimension TEXT NOT NULL, name TEXT NOT NULL,
          PRIMARY KEY (package_id, id)) WITHOUT ROWID;
        CREATE TABLE dimension_blocks (key INTEGER PRIMARY KEY, last_day INTEGER NOT NULL, days BLOB NOT NULL);`);
    }
    this.insertPackage = this.db.prepare('INSERT INTO packages (name) VALUES (?)');
  }

  private globalId(dimension: string, name: string): number {
    const key = `${dimension}\u0000${name}`;
    let id = this.globalIds.get(key);
    if (id === undefined) {
      id = Number(this.db.prepare('INSERT INTO categories (dimension, name) VALUES (?, ?)').run(dimension, name).lastInsertRowid);
      this.globalIds.set(key, id);
    }
    return id;
  }

  async writeDay(index: number, options: PypiDayOptions): Promise<number> {
    const day = dayNumber(addDays(FIRST_DAY, index));
    // Per package: the pairs of global ids by dimension ((b): every dimension; (c): the seed's), and (c)'s other rows.
    const globalPairs = new Map<string, Map<string, number[]>>();
    const breakdowns = new Map<string, BreakdownRow[]>();
    let rows = 0;
    this.db.exec('BEGIN');
    // Global ids in order of first appearance over the day's rows as they stream, as the store gives them.
    for await (const chunk of withAllPackagesTotals(pypiSizedDay(index, options))) {
      for (const row of chunk) {
        rows++;
        if (!this.packageIds.has(row.package)) this.packageIds.set(row.package, Number(this.insertPackage.run(row.package).lastInsertRowid));
        if (this.layout === 'rows' && !dimensionNamed(row.dimension).seed) {
          listOf(breakdowns, row.package).push(row);
          continue;
        }
        let byDimension = globalPairs.get(row.package);
        if (!byDimension) globalPairs.set(row.package, (byDimension = new Map()));
        listOf(byDimension, this.layout === 'blob' ? '' : row.dimension).push(this.globalId(row.dimension, row.category), row.downloads);
      }
    }
    const append = this.db.prepare<[number, number, Buffer]>(APPEND(this.layout === 'blob' ? 'blocks' : 'dimension_blocks'));
    const key = (packageId: number, dimension: string) => (this.layout === 'blob' ? blockKey(packageId, day) : dimensionBlockKey(packageId, dimension, day));
    for (const [name, byDimension] of globalPairs) {
      for (const [dimension, pairs] of byDimension) append.run(key(this.packageIds.get(name)!, dimension), day, dayEntry(day, packDownloads(pairs)));
    }
    if (this.layout === 'rows') {
      const known = this.db.prepare<[number], PackageCategory>('SELECT id, dimension, name FROM package_categories WHERE package_id = ?').raw();
      const insert = this.db.prepare<[number, number, string, string]>('INSERT INTO package_categories (package_id, id, dimension, name) VALUES (?, ?, ?, ?)');
      for (const [name, breakdown] of breakdowns) {
        const id = this.packageIds.get(name)!;
        const pairs = numberBreakdown(breakdown, known.all(id), (categoryId, row) => insert.run(id, categoryId, row.dimension, row.category));
        const byDimension = new Map<string, number[]>();
        breakdown.forEach((row, i) => listOf(byDimension, row.dimension).push(pairs[2 * i]!, pairs[2 * i + 1]!));
        for (const [dimension, dimensionPairs] of byDimension) append.run(dimensionBlockKey(id, dimension, day), day, dayEntry(day, packDownloads(dimensionPairs)));
      }
    }
    this.db.exec('COMMIT');
    return rows;
  }
}

function listOf<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** A read of one package's dimension over every day, in each layout: the blocks, then the store's seriesPoints. */
function reader(db: Database.Database, layout: Layout) {
  const packageId = db.prepare<[string], number>('SELECT id FROM packages WHERE name = ?').pluck();
  const globalIndex = categoriesByDimension(db.prepare<[], CategoryRow>('SELECT id, dimension, name FROM categories').all());
  const perPackage = layout === 'blob' ? null : db.prepare<[number], CategoryRow>('SELECT id, dimension, name FROM package_categories WHERE package_id = ?');
  const blocks = (table: string) => db.prepare<[number, number], Buffer>(`SELECT days FROM ${table} WHERE key BETWEEN ? AND ?`).pluck();
  const seedBlocks = blocks(layout === 'chosen' ? 'package_blocks' : layout === 'blob' ? 'blocks' : 'dimension_blocks');
  const breakdownBlocks = blocks(layout === 'chosen' ? 'package_breakdown_blocks' : layout === 'blob' ? 'blocks' : 'dimension_blocks');
  const firstDay = dayNumber(FIRST_DAY);
  const end = LAST_DAY_NUMBER;
  const cache = new Map<number, Map<string, DimensionCategories>>();
  return {
    /**
     * The series, and the bytes of blocks it read. `wholeBlob` decodes every pair (a dimension
     * whose highest id is past the versions); `cachedCategories` takes the package's categories
     * from memory, as the store keeps them per package and data version, instead of reading them.
     */
    read(name: string, dimension: string, { wholeBlob = false, cachedCategories = false } = {}): { points: SeriesPoint[]; bytes: number } {
      const id = packageId.get(name)!;
      const seed = dimensionNamed(dimension).seed;
      const keys = layout === 'rows' ? [dimensionBlockKey(id, dimension, firstDay), dimensionBlockKey(id, dimension, end)] : blockKeyRange(id, firstDay, end);
      const read = (seed ? seedBlocks : breakdownBlocks).all(keys[0]!, keys[1]!);
      let categories: DimensionCategories;
      if (seed || layout === 'blob') categories = categoriesOf(globalIndex, dimension);
      else {
        let byDimension = cachedCategories ? cache.get(id) : undefined;
        if (!byDimension) cache.set(id, (byDimension = categoriesByDimension(perPackage!.all(id))));
        categories = categoriesOf(byDimension, dimension);
      }
      if (wholeBlob) categories = { ...categories, maxId: Number.MAX_SAFE_INTEGER };
      const points = seriesPoints({ blocks: read, from: firstDay, to: end, categories });
      return { points, bytes: read.reduce((sum, block) => sum + block.length, 0) };
    },
  };
}

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  run();
  for (let i = 0; i < READS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function measureSize(dir: string, size: LayoutSize): Promise<void> {
  const options: PypiDayOptions = { packages: size.packages, topDownloads: 20_000_000, breakdowns: true };
  const scenario = `breakdown layouts, ${size.days} PyPI-sized days of ${size.packages.toLocaleString('en-US')} packages, every breakdown (SQLite)`;
  const here = path.join(dir, `layouts-${size.packages}x${size.days}`);
  await mkdir(here, { recursive: true });
  const files: Record<Layout, string> = { chosen: path.join(here, 'chosen.sqlite'), blob: path.join(here, 'blob.sqlite'), rows: path.join(here, 'rows.sqlite') };

  let rows = 0;
  const store = await openStore({ kind: 'sqlite', file: files.chosen });
  try {
    for (let i = 0; i < size.days; i++) {
      const result = await loadDay(store, pypiSource(options), addDays(FIRST_DAY, i), { retentionDays: size.days + 1, allowEmpty: true });
      rows += result.rows;
    }
  } finally {
    await store.close();
  }
  console.log(`  ${scenario}: (a) written`);
  for (const layout of ['blob', 'rows'] as const) {
    const writer = new ModelWriter(files[layout], layout);
    let written = 0;
    for (let i = 0; i < size.days; i++) written += await writer.writeDay(i, options);
    if (written !== rows) throw new Error(`layout ${layout} wrote ${written} rows where the store wrote ${rows}`);
    writer.db.pragma('wal_checkpoint(TRUNCATE)');
    writer.db.close();
    console.log(`  ${scenario}: ${LAYOUT_NAMES[layout]} written`);
  }
  record({ scenario, measure: 'category rows written (every breakdown, __all__ included)', value: rows, unit: '' });

  let expectedOverall: SeriesPoint[] | null = null;
  let expectedVersion: SeriesPoint[] | null = null;
  for (const layout of ['chosen', 'blob', 'rows'] as const) {
    const db = new Database(files[layout], { readonly: true });
    try {
      const name = LAYOUT_NAMES[layout];
      const bytes = tableBytes(db, LAYOUT_TABLES[layout]);
      record({ scenario, measure: `${name}: bytes per category-row (${LAYOUT_TABLES[layout].join(', ')})`, value: round(bytes / rows), unit: 'B' });
      if (layout === 'blob') record({ scenario, measure: `${name}: global categories (every version string of every package)`, value: db.prepare('SELECT count(*) FROM categories').pluck().get() as number, unit: '' });
      const categoryBytes = tableBytes(db, LAYOUT_TABLES[layout].filter((table) => table.includes('categories')));
      record({ scenario, measure: `${name}: of which category tables, bytes per category-row`, value: round(categoryBytes / rows), unit: 'B' });
      const read = reader(db, layout);
      const overall = read.read(TOP_PACKAGE, 'overall');
      const version = read.read(TOP_PACKAGE, 'version');
      // The same answers from every layout, or the figures compare nothing.
      const key = (points: SeriesPoint[]) => JSON.stringify([...points].sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category)));
      expectedOverall ??= overall.points;
      expectedVersion ??= version.points;
      if (key(overall.points) !== key(expectedOverall) || key(version.points) !== key(expectedVersion)) throw new Error(`layout ${layout} reads other points than the store`);
      record({ scenario, measure: `${name}: top package's /overall over every day, read and decoded (${round(overall.bytes / 1024)} KB of blocks)`, value: round(medianMs(() => read.read(TOP_PACKAGE, 'overall'))), unit: 'ms' });
      if (layout === 'blob') {
        record({ scenario, measure: `${name}: the same once overall's highest id is past the versions (a category first seen after them), every pair decoded`, value: round(medianMs(() => read.read(TOP_PACKAGE, 'overall', { wholeBlob: true }))), unit: 'ms' });
      }
      const versionMeasure = `${name}: top package's /version over every day, read and decoded (${round(version.bytes / 1024)} KB of blocks, ${version.points.length} points)`;
      if (layout === 'blob') {
        record({ scenario, measure: versionMeasure, value: round(medianMs(() => read.read(TOP_PACKAGE, 'version'))), unit: 'ms' });
        // What (b) pays instead of a package's categories: every process reloads the global index when a load adds a category (every release on PyPI).
        const all = db.prepare<[], CategoryRow>('SELECT id, dimension, name FROM categories');
        record({ scenario, measure: `${name}: reloading the global category index (every process, after every load that adds a version)`, value: round(medianMs(() => categoriesByDimension(all.all()))), unit: 'ms' });
      } else {
        record({ scenario, measure: `${versionMeasure}, the package's categories read`, value: round(medianMs(() => read.read(TOP_PACKAGE, 'version'))), unit: 'ms' });
        record({ scenario, measure: `${versionMeasure}, the package's categories cached`, value: round(medianMs(() => read.read(TOP_PACKAGE, 'version', { cachedCategories: true }))), unit: 'ms' });
      }
    } finally {
      db.close();
    }
  }
}

export async function breakdownLayouts(dir: string, sizes: readonly LayoutSize[]): Promise<void> {
  for (const size of sizes) await measureSize(dir, size);
}

/** `BREAKDOWN_LAYOUT_SIZES`, e.g. `300000x3,3000x64` (packages × days). */
export function layoutSizes(spec: string): LayoutSize[] {
  return spec.split(',').map((part) => {
    const match = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!match) throw new Error(`BREAKDOWN_LAYOUT_SIZES: "${part}" is not packages×days such as 300000x3`);
    return { packages: Number(match[1]), days: Number(match[2]) };
  });
}
