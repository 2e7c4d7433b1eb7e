/**
 * The compare page's script: draws each package's downloads overlaid in one chart, with the
 * package page's chart code and settings, and suggests packages as a name is typed (the site's
 * search, as JSON). Adding or removing a package is a link to the page of the new list: the URL is
 * the state, so whatever is shown can be shared.
 */
import type { PackageCharts } from '../chart-data.js';
import { DEFAULT_LOOKBACK, DRAWINGS, INTERVALS, isLookback, MEASURES, type Drawing, type Interval, type Measure } from '../chart-settings.js';
import { describeUnit } from './breakdown-section.js';
import { ChartFigure, currentTheme } from './chart-figure.js';
import { chartView, type ViewSettings } from './chart-view.js';

/** Set when the chart has drawn once: the benchmark measures from navigation to this mark. */
const DRAWN_MARK = 'pypistats:charts-drawn';
/** Typing pauses this long before the search is asked: one request per word, not per key. */
const SUGGEST_DELAY_MS = 120;
const MAX_SUGGESTIONS = 8;

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

/** The page of `names`, in this order. */
function compareHref(names: readonly string[]): string {
  return names.length === 0 ? '/compare' : `/compare?packages=${names.map(encodeURIComponent).join(',')}`;
}

function drawChart(): void {
  const source = document.getElementById('compare-data');
  const form = document.querySelector<HTMLFormElement>('form.chart-settings');
  const figure = document.querySelector<HTMLElement>('figure[data-chart]');
  const holder = figure?.querySelector<HTMLElement>('.chart-canvas');
  if (!source || !form || !figure || !holder) return;
  const data = JSON.parse(source.textContent ?? '') as PackageCharts;
  const chart = data.charts[0]!;
  for (const swatch of document.querySelectorAll<HTMLElement>('.compare-list .swatch')) {
    swatch.style.background = chart.downloads[Number(swatch.dataset.index)]?.colour ?? 'transparent';
  }
  const plot = new ChartFigure(figure, holder, () => performance.mark(DRAWN_MARK));
  const draw = (rebuild = false) => {
    const settings = readSettings(form);
    plot.show(chartView(data, chart, settings), settings.measure, holder.clientWidth, currentTheme(), rebuild);
    const unit = figure.querySelector('.chart-unit');
    if (unit) unit.textContent = describeUnit(settings);
  };
  draw();
  form.hidden = false;
  form.addEventListener('change', () => draw());
  form.addEventListener('submit', (event) => event.preventDefault());
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => draw(true));
  new ResizeObserver(() => plot.resize()).observe(figure);
}

function suggestAsTyped(): void {
  const form = document.querySelector<HTMLFormElement>('form.compare-add');
  const input = form?.querySelector<HTMLInputElement>('input[name="add"]');
  const list = document.getElementById('compare-suggestions');
  if (!form || !input || !list) return;
  const current = [...document.querySelectorAll<HTMLElement>('.compare-list li')].map((item) => item.dataset.package!);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const show = (names: string[]) => {
    list.replaceChildren(
      ...names.map((name) => {
        const item = document.createElement('li');
        item.setAttribute('role', 'option');
        const link = document.createElement('a');
        link.href = compareHref([...current, name]);
        link.textContent = name;
        item.append(link);
        return item;
      }),
    );
    list.hidden = names.length === 0;
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query === '') return show([]);
    timer = setTimeout(async () => {
      const mine = ++asked;
      const response = await fetch(`/search.json?${new URLSearchParams({ q: query })}`);
      if (!response.ok || mine !== asked) return;
      const { names } = (await response.json()) as { names: string[] };
      show(names.filter((name) => !current.includes(name)).slice(0, MAX_SUGGESTIONS));
    }, SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      list.querySelector('a')?.focus();
      event.preventDefault();
    }
  });
  list.addEventListener('keydown', (event) => {
    const item = (event.target as HTMLElement).closest('li');
    if (event.key === 'ArrowDown') (item?.nextElementSibling?.querySelector('a') as HTMLElement | null)?.focus();
    else if (event.key === 'ArrowUp') ((item?.previousElementSibling?.querySelector('a') as HTMLElement | null) ?? input).focus();
    else return;
    event.preventDefault();
  });
}

drawChart();
suggestAsTyped();
