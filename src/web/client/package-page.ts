/**
 * The package page's script: draws every chart from the JSON embedded in the page and applies the
 * page's one set of settings (range, interval, measure) to all of them. The range is kept in the
 * URL's `lookback`, so a link shows what its sender saw.
 */
import type { PackageCharts } from '../chart-data.js';
import { DEFAULT_LOOKBACK, INTERVALS, isLookback, MEASURES, type Interval, type Measure } from '../chart-settings.js';
import { ChartFigure, currentTheme } from './chart-figure.js';
import { chartView, type ViewSettings } from './chart-view.js';

/** Set when every chart has drawn once: the benchmark measures from navigation to this mark. */
const DRAWN_MARK = 'pypistats:charts-drawn';

function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return (values as readonly unknown[]).includes(value) ? (value as T) : fallback;
}

function readSettings(form: HTMLFormElement): ViewSettings {
  const values = new FormData(form);
  const lookback = String(values.get('lookback'));
  return {
    lookback: isLookback(lookback) ? lookback : DEFAULT_LOOKBACK,
    interval: oneOf<Interval>(INTERVALS, values.get('interval'), 'day'),
    measure: oneOf<Measure>(MEASURES, values.get('measure'), 'downloads'),
  };
}

function describeUnit(settings: ViewSettings): string {
  const period = settings.interval === 'week' ? 'week' : 'day';
  const weeks = settings.interval === 'week' ? ' (7 days from the date shown)' : '';
  return settings.measure === 'shares' ? `Share of each ${period}’s downloads, %${weeks}` : `Downloads per ${period}${weeks}`;
}

function start(): void {
  const source = document.getElementById('chart-data');
  const form = document.querySelector<HTMLFormElement>('form.chart-settings');
  if (!source || !form) return;
  const data = JSON.parse(source.textContent ?? '') as PackageCharts;

  const figures = [...document.querySelectorAll<HTMLElement>('figure[data-chart]')];
  let waiting = figures.length;
  const charts = figures.flatMap((figure) => {
    const chart = data.charts.find((c) => c.name === figure.dataset.chart);
    const holder = figure.querySelector<HTMLElement>('.chart-canvas');
    if (!chart || !holder) return [];
    const drawnOnce = () => {
      if (--waiting === 0) performance.mark(DRAWN_MARK);
    };
    return [{ chart, figure, plot: new ChartFigure(figure, holder, drawnOnce) }];
  });

  function draw(rebuild = false): void {
    const settings = readSettings(form!);
    const theme = currentTheme();
    const widths = charts.map(({ plot }) => plot.canvasHolder.clientWidth);
    charts.forEach(({ chart, plot }, i) => plot.show(chartView(data, chart, settings), settings.measure, widths[i]!, theme, rebuild));
    for (const { figure } of charts) {
      const unit = figure.querySelector('.chart-unit');
      if (unit) unit.textContent = describeUnit(settings);
    }
  }

  // Drawn before the form is shown: the charts' widths are then read from the layout the page
  // already has (showing the form first would lay the page out again before the first chart).
  // Showing it does not change their widths, only moves them down.
  draw();
  form.hidden = false;
  form.addEventListener('change', (event) => {
    draw();
    if ((event.target as HTMLInputElement).name === 'lookback') {
      const url = new URL(location.href);
      url.searchParams.set('lookback', readSettings(form).lookback);
      history.replaceState(null, '', url);
    }
  });
  // The form is not sent anywhere: its controls apply at once.
  form.addEventListener('submit', (event) => event.preventDefault());
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => draw(true));
  const resized = new ResizeObserver(() => charts.forEach(({ plot }) => plot.resize()));
  for (const { figure } of charts) resized.observe(figure);
}

start();
