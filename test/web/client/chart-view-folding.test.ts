import { describe, expect, it } from 'vitest';
import type { Chart, ChartSeries } from '../../../src/web/chart-data.js';
import { chartView, stack } from '../../../src/web/client/chart-view.js';

const start = '2026-11-01';
const end = '2026-11-04';
const data = { start, end };

function series(category: string, values: number[]): ChartSeries {
  return { category, label: category, colour: '#000000', dashed: false, values };
}

/** Twelve categories over four days: category `cN` has N downloads a day, but c1 has 100 on the last day. */
const twelve = Array.from({ length: 12 }, (_, i) => series(`c${i + 1}`, i === 0 ? [1, 1, 1, 100] : [i + 1, i + 1, i + 1, i + 1]));
const chart: Chart = { name: 'cpu', title: '', description: '', downloads: twelve, shareParts: null };

describe('folding a chart’s smaller categories into others', () => {
  it('draws the eight largest over the range shown, in their order, and the rest summed as others', () => {
    const all = chartView(data, chart, { lookback: 'all', interval: 'day', measure: 'downloads' });
    expect(all.series.map((s) => s.category)).toEqual(['c1', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', '__others__']);
    expect(all.series.at(-1)).toMatchObject({ label: 'others', values: [2 + 3 + 4 + 5, 14, 14, 14] });
  });

  it('takes the whole from the data when only some categories were sent, and its remainder is others', () => {
    const sent: Chart = { ...chart, downloads: twelve.slice(0, 2), total: [100, 100, 100, 200], othersLabel: 'other versions' };
    const view = chartView(data, sent, { lookback: 'all', interval: 'day', measure: 'downloads' });
    expect(view.series.map((s) => [s.label, s.values])).toEqual([
      ['c1', [1, 1, 1, 100]],
      ['c2', [2, 2, 2, 2]],
      ['other versions', [97, 97, 97, 98]],
    ]);
    const shares = chartView(data, sent, { lookback: 'all', interval: 'day', measure: 'shares', drawing: 'stacked' });
    expect(shares.stacked).toBe(true);
    expect(shares.series.at(-1)!.values).toEqual([97, 97, 97, 49]);
  });

  it('leaves nine categories or fewer unfolded', () => {
    const nine: Chart = { ...chart, downloads: twelve.slice(0, 9) };
    expect(chartView(data, nine, { lookback: 'all', interval: 'day', measure: 'downloads' }).series).toHaveLength(9);
  });
});

describe('stacking', () => {
  it('adds each visible series to those before it, so the top is each point’s whole; a hidden one is left out', () => {
    const values = [
      [1, 2, null],
      [10, 20, 30],
      [100, 200, 300],
    ];
    expect(stack(values, () => true)).toEqual({
      data: [
        [1, 2, 0],
        [11, 22, 30],
        [111, 222, 330],
      ],
      bands: [{ series: [2, 1] }, { series: [3, 2] }],
    });
    const hidden = stack(values, (i) => i !== 1);
    expect(hidden.data).toEqual([
      [1, 2, 0],
      [10, 20, 30],
      [101, 202, 300],
    ]);
    expect(hidden.bands).toEqual([{ series: [3, 1] }]);
  });
});
