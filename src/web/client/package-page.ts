/**
 * The package page's script: draws the seed's charts from the JSON embedded in the page, the
 * other breakdowns when their sections come into view (breakdown-section.ts), and applies the
 * page's one set of settings (range, interval, measure, drawing) to all of them. The range is
 * kept in the URL's `lookback`, so a link shows what its sender saw.
 */
import { addDays, dayNumber } from '../../domain/dates.js';
import type { PackageCharts } from '../chart-data.js';
import { DEFAULT_LOOKBACK, DRAWINGS, INTERVALS, isLookback, lookbackDays, MEASURES, type Drawing, type Interval, type Lookback, type Measure } from '../chart-settings.js';
import { BreakdownSection, describeUnit } from './breakdown-section.js';
import { ChartFigure, currentTheme } from './chart-figure.js';
import { chartView, type ViewSettings } from './chart-view.js';

/**
 * How far below the viewport a section starts loading: its data arrives as it is scrolled to,
 * yet a page read from the top fetches nothing it does not show.
 */
const LOAD_AHEAD = '0px 0px 200px 0px';

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
    drawing: oneOf<Drawing>(DRAWINGS, values.get('drawing'), 'lines'),
  };
}

/** Each chart's "Download CSV" asks for the days the charts show: from `start_date`, unless every day is shown. */
function pointCsvLinks(data: PackageCharts, lookback: Lookback): void {
  const days = lookbackDays(lookback);
  const first = Number.isFinite(days) ? addDays(data.end, -(days - 1)) : data.start;
  const from = dayNumber(first) > dayNumber(data.start) ? first : null;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-csv]')) {
    const url = new URL(link.href);
    if (from === null) url.searchParams.delete('start_date');
    else url.searchParams.set('start_date', from);
    link.href = url.pathname + url.search;
  }
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
    const months = data.months;
    const monthlyChart = months?.charts.find((c) => c.name === chart.name);
    const monthly = months && monthlyChart ? { months, chart: monthlyChart } : undefined;
    return [{ chart, figure, monthly, plot: new ChartFigure(figure, holder, drawnOnce) }];
  });

  const current = () => ({ settings: readSettings(form), theme: currentTheme() });
  const sections = [...document.querySelectorAll<HTMLElement>('section[data-breakdown]')].map((section) => new BreakdownSection(section, current));

  function draw(rebuild = false): void {
    const settings = readSettings(form!);
    const theme = currentTheme();
    const widths = charts.map(({ plot }) => plot.canvasHolder.clientWidth);
    charts.forEach(({ chart, plot, monthly }, i) => plot.show(chartView(data, chart, settings, monthly), settings.measure, widths[i]!, theme, rebuild));
    for (const { figure, monthly } of charts) {
      const unit = figure.querySelector('.chart-unit');
      if (unit) unit.textContent = describeUnit(settings, monthly !== undefined);
    }
    for (const section of sections) section.draw(rebuild);
    pointCsvLinks(data, settings.lookback);
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
  const resized = new ResizeObserver(() => {
    charts.forEach(({ plot }) => plot.resize());
    sections.forEach((section) => section.resize());
  });
  for (const { figure } of charts) resized.observe(figure);
  for (const { section } of sections) resized.observe(section);

  // A breakdown is fetched and drawn when its section comes into view, not before.
  const shown = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        shown.unobserve(entry.target);
        void sections.find((section) => section.section === entry.target)?.load();
      }
    },
    { rootMargin: LOAD_AHEAD },
  );
  for (const { section } of sections) shown.observe(section);
}

start();
