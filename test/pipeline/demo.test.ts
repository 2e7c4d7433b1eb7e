import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensions, WITH_MIRRORS, WITHOUT_MIRRORS } from '../../src/domain/dimensions.js';
import { normalizeName } from '../../src/domain/names.js';
import { runDemo } from '../../src/pipeline/demo.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { demoPackageNames } from '../../src/sources/synthetic.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { DayLoadResult } from '../../src/pipeline/load.js';
import { tempDir } from '../support/raw-events.js';

const options = { packages: 60, seed: 3, eventsPerDay: 15_000 };
let dir: string;
let duck: DuckDb;
let store: SqliteStore;
let results: DayLoadResult[];

beforeAll(async () => {
  dir = await tempDir();
  duck = await DuckDb.open();
  store = SqliteStore.open(path.join(dir, 'demo.sqlite'));
  // Spans 2026-08-24, when PyPI stopped logging .metadata fetches.
  results = await runDemo(store, duck, {
    ...options,
    days: 14,
    endDay: '2026-08-30',
    retentionDays: 180,
    mirrorInstallers: ['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'],
  });
});
afterAll(async () => {
  await store.close();
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

function sumByDay(points: { day: string; downloads: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const point of points) sums.set(point.day, (sums.get(point.day) ?? 0) + point.downloads);
  return sums;
}

describe('the demo through the real pipeline', () => {
  it('loads every day asked for, with malformed events skipped and counted', () => {
    expect(results.map((r) => r.day)).toEqual(
      Array.from({ length: 14 }, (_, i) => `2026-08-${String(17 + i).padStart(2, '0')}`),
    );
    const skipped = results.reduce((sum, r) => sum + r.summary.skipped.noTimestamp + r.summary.skipped.invalidName, 0);
    expect(skipped).toBeGreaterThan(0);
    expect(results.filter((r) => r.day < '2026-08-24').every((r) => r.summary.metadataFetches > 0)).toBe(true);
    expect(results.filter((r) => r.day >= '2026-08-24').every((r) => r.summary.metadataFetches === 0)).toBe(true);
  });

  it('holds the invariant for every package and day: each breakdown, the seed\'s and every new one, sums to without_mirrors ≤ with_mirrors', async () => {
    const names = [...demoPackageNames(options).map(normalizeName), '__all__'];
    let checked = 0;
    for (const name of names) {
      if (!(await store.hasPackage(name))) continue;
      const overall = await store.series(name, 'overall', {});
      const withMirrors = sumByDay(overall.filter((p) => p.category === WITH_MIRRORS));
      const without = sumByDay(overall.filter((p) => p.category === WITHOUT_MIRRORS));
      for (const [day, count] of without) expect(count).toBeLessThanOrEqual(withMirrors.get(day)!);
      // __all__ has every breakdown but the per-package ones (a version means nothing summed across packages).
      for (const dimension of dimensions.filter((d) => d.name !== 'overall' && (name !== '__all__' || d.scope === 'global'))) {
        const sums = sumByDay(await store.series(name, dimension.name, {}));
        expect({ name, dimension: dimension.name, sums }).toEqual({ name, dimension: dimension.name, sums: without });
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('has __all__ equal to the sum over packages, and mirror downloads in it', async () => {
    const all = await store.series('__all__', 'overall', {});
    const total = (category: string) => all.filter((p) => p.category === category).reduce((s, p) => s + p.downloads, 0);
    expect(total(WITH_MIRRORS)).toBe(results.reduce((sum, r) => sum + r.summary.downloads, 0));
    expect(total(WITH_MIRRORS)).toBeGreaterThan(total(WITHOUT_MIRRORS));
  });

  it('has the breadth of real data: Python 2.7 to 3.14 and null, every system category', async () => {
    const minors = new Set((await store.series('__all__', 'python_minor', {})).map((p) => p.category));
    for (const minor of ['2.7', '3.9', '3.12', '3.14', 'null']) expect(minors).toContain(minor);
    const systems = new Set((await store.series('__all__', 'system', {})).map((p) => p.category));
    expect([...systems].sort()).toEqual(['darwin', 'linux', 'null', 'other', 'windows']);
  });

  it('is deterministic for a seed', async () => {
    const again = SqliteStore.open(path.join(dir, 'again.sqlite'));
    try {
      await runDemo(again, duck, { ...options, days: 2, endDay: '2026-08-30', retentionDays: 180, mirrorInstallers: ['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'] });
      for (const dimension of dimensions) {
        const range = { start: '2026-08-29', end: '2026-08-30' };
        const sort = (points: { day: string; category: string }[]) => points.sort((a, b) => `${a.day}${a.category}`.localeCompare(`${b.day}${b.category}`));
        expect(sort(await again.series('__all__', dimension.name, range))).toEqual(sort(await store.series('__all__', dimension.name, range)));
      }
    } finally {
      await again.close();
    }
  });

  it('computes only the dimensions turned on (DIMENSIONS), the seed four always', async () => {
    const subset = SqliteStore.open(path.join(dir, 'subset.sqlite'));
    try {
      // No mirror installers at all (MIRROR_INSTALLERS set empty) is a list DuckDB must still type.
      await runDemo(subset, duck, { ...options, days: 1, endDay: '2026-08-30', retentionDays: 180, mirrorInstallers: [], dimensions: ['country'] });
      const categoriesOf = async (dimension: string) => new Set((await subset.series('__all__', dimension, {})).map((point) => point.category));
      expect((await categoriesOf('country')).size).toBeGreaterThan(10);
      expect((await categoriesOf('python_minor')).size).toBeGreaterThan(5);
      for (const off of ['installer', 'cpu', 'distro', 'file_type']) expect(await categoriesOf(off)).toEqual(new Set());
      const top = normalizeName(demoPackageNames(options)[0]!);
      expect(await subset.series(top, 'version', {})).toEqual([]);
      expect((await store.series(top, 'version', {})).length).toBeGreaterThan(0);
    } finally {
      await subset.close();
    }
  });
});
