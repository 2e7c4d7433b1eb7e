import { describe, expect, it } from 'vitest';
import { seriesBody } from '../../src/api/responses.js';
import { dimensionNamed } from '../../src/domain/dimensions.js';
import type { SeriesPoint } from '../../src/store/types.js';

/** The body as the seed built it: objects in key order, JSON.stringify. */
function plainBody(packageName: string, type: string, points: SeriesPoint[]): string {
  return JSON.stringify({ data: points.map(({ category, day, downloads }) => ({ category, date: day, downloads })), package: packageName, type });
}

describe('series bodies, written as bytes', () => {
  it('are the JSON text of the rows, whatever the categories and counts hold', () => {
    const distro = dimensionNamed('distro');
    const categories = ['Gentoo Bäse', 'Linux "Mint"\\', 'ﾃｽﾄ 🐍', 'tab\there', 'null'];
    const counts = [0, 1, 9, 10, 99, 100, 2 ** 31, 3_000_000_000, Number.MAX_SAFE_INTEGER];
    const points: SeriesPoint[] = [];
    for (const [i, category] of categories.entries()) {
      for (const [j, downloads] of counts.entries()) points.push({ category, day: `2026-11-${String(10 + ((i + j) % 9)).padStart(2, '0')}`, downloads });
    }
    const body = seriesBody('zope-interface', distro, points);
    expect(Buffer.isBuffer(body)).toBe(true);
    const parsed = JSON.parse(body.toString('utf8'));
    const sorted = [...points].sort((a, b) => distro.compareCategories(a.category, b.category) || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    expect(body.toString('utf8')).toBe(plainBody('zope-interface', 'distro_downloads', sorted));
    expect(parsed.data).toHaveLength(points.length);
  });

  it('is an empty list for no rows', () => {
    expect(seriesBody('requests', dimensionNamed('version'), []).toString()).toBe('{"data":[],"package":"requests","type":"version_downloads"}');
  });
});
