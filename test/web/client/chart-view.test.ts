import { describe, expect, it } from 'vitest';
import { dimensionNamed } from '../../../src/domain/dimensions.js';
import { denseSeries, type Chart, type PackageCharts } from '../../../src/web/chart-data.js';
import { chartView } from '../../../src/web/client/chart-view.js';

/** 10 days; linux 1..10 a day, windows 10 a day but nothing on day 3. */
const start = '2026-11-01';
const end = '2026-11-10';
const linux = Array.from({ length: 10 }, (_, i) => i + 1);
const windows = linux.map((_, i) => (i === 2 ? 0 : 10));
const system = dimensionNamed('system');
const points = [
  ...linux.map((downloads, i) => ({ category: 'linux', day: `2026-11-${String(i + 1).padStart(2, '0')}`, downloads })),
  ...windows.flatMap((downloads, i) => (downloads ? [{ category: 'windows', day: `2026-11-${String(i + 1).padStart(2, '0')}`, downloads }] : [])),
];
const chart: Chart = { name: 'system', title: '', description: '', downloads: denseSeries(system, points, start, end), shareParts: null };
const data: PackageCharts = { start, end, charts: [chart], months: null };
const seconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

describe('the charts’ dense series', () => {
  it('have one value per day of the span, zeros where the store has no row, categories in the registry’s order', () => {
    expect(chart.downloads.map((s) => [s.category, s.label])).toEqual([['linux', 'Linux'], ['windows', 'Windows']]);
    expect(chart.downloads[1]!.values).toEqual([10, 10, 0, 10, 10, 10, 10, 10, 10, 10]);
  });
});

describe('a chart’s view', () => {
  it('shows every day, or the last N', () => {
    const all = chartView(data, chart, { lookback: 'all', interval: 'day', measure: 'downloads' });
    expect(all.x).toHaveLength(10);
    expect(all.x[0]).toBe(seconds(start));
    expect(all.series[0]!.values).toEqual(linux);
    const last = chartView({ ...data, start: '2026-10-12' }, { ...chart, downloads: chart.downloads.map((s) => ({ ...s, values: [...new Array(20).fill(0), ...s.values] })) }, {
      lookback: '30',
      interval: 'day',
      measure: 'downloads',
    });
    expect(last.x).toHaveLength(30);
    const thirty = chartView(data, chart, { lookback: '30', interval: 'day', measure: 'downloads' });
    expect(thirty.x).toHaveLength(10);
  });

  it('sums whole weeks ending on the latest day, leaving out a partial first week', () => {
    const weekly = chartView(data, chart, { lookback: 'all', interval: 'week', measure: 'downloads' });
    expect(weekly.daysPerPoint).toBe(7);
    expect(weekly.x).toEqual([seconds('2026-11-04')]);
    expect(weekly.series[0]!.values).toEqual([4 + 5 + 6 + 7 + 8 + 9 + 10]);
    expect(weekly.series[1]!.values).toEqual([70]);
  });

  it('keeps a partial week when there is no whole one', () => {
    const short: PackageCharts = { start: '2026-11-01', end: '2026-11-03', charts: [], months: null };
    const shortChart = { ...chart, downloads: chart.downloads.map((s) => ({ ...s, values: s.values.slice(0, 3) })) };
    const weekly = chartView(short, shortChart, { lookback: 'all', interval: 'week', measure: 'downloads' });
    expect(weekly.x).toEqual([seconds('2026-11-01')]);
    expect(weekly.series[0]!.values).toEqual([6]);
  });

  it('gives each day’s shares in %, summing to 100, and nothing for a day without downloads', () => {
    const zeroDay = { ...chart, downloads: chart.downloads.map((s) => ({ ...s, values: s.values.map((v, i) => (i === 0 ? 0 : v)) })) };
    const shares = chartView(data, zeroDay, { lookback: 'all', interval: 'day', measure: 'shares' });
    expect(shares.series[0]!.values[0]).toBeNull();
    expect(shares.series[0]!.values[2]).toBe(100);
    expect(shares.series[0]!.values[1]! + shares.series[1]!.values[1]!).toBeCloseTo(100);
    expect(shares.series[0]!.values[9]).toBeCloseTo(50);
  });

  it('takes the shares of the overall chart from its parts: without mirrors and from mirrors', () => {
    const overall: Chart = {
      name: 'overall',
      title: '',
      description: '',
      downloads: [],
      shareParts: [
        { category: 'without_mirrors', label: '', colour: '', dashed: false, values: new Array(10).fill(3) },
        { category: 'mirrors', label: '', colour: '', dashed: false, values: new Array(10).fill(1) },
      ],
    };
    const shares = chartView(data, overall, { lookback: '30', interval: 'week', measure: 'shares' });
    expect(shares.series.map((s) => [s.category, s.values])).toEqual([['without_mirrors', [75]], ['mirrors', [25]]]);
  });

  it('draws a point per month at a range of months, from the monthly charts: the latest 12, 24 or every month', () => {
    // 30 months, 2024-06 to 2026-11: linux n+1 in the nth.
    const monthly: Chart = { ...chart, downloads: [{ ...chart.downloads[0]!, values: Array.from({ length: 30 }, (_, i) => i + 1) }] };
    const months = { start: '2024-06', end: '2026-11', charts: [monthly] };
    const year = chartView(data, chart, { lookback: '1y', interval: 'week', measure: 'downloads' }, { months, chart: monthly });
    expect(year.daysPerPoint).toBe(30);
    expect(year.x).toHaveLength(12);
    expect(year.x[0]).toBe(seconds('2025-12-01'));
    expect(year.x.at(-1)).toBe(seconds('2026-11-01'));
    expect(year.series[0]!.values).toEqual(Array.from({ length: 12 }, (_, i) => 19 + i));
    expect(chartView(data, chart, { lookback: '2y', interval: 'day', measure: 'downloads' }, { months, chart: monthly }).x[0]).toBe(seconds('2024-12-01'));
    const all = chartView(data, chart, { lookback: 'history', interval: 'day', measure: 'shares' }, { months, chart: monthly });
    expect(all.x).toHaveLength(30);
    expect(all.x[0]).toBe(seconds('2024-06-01'));
    expect(all.series[0]!.values.every((share) => share === 100)).toBe(true);
    // Without months (a breakdown section), a range of months shows every day kept.
    expect(chartView(data, chart, { lookback: 'history', interval: 'day', measure: 'downloads' }).x).toHaveLength(10);
  });
});
