/**
 * One chart of the package page, drawn by uPlot in its `<figure>`. It redraws in place when only
 * the range changes, and is rebuilt when its series change (downloads ↔ shares, daily ↔ weekly)
 * or the colour scheme does. Stacked, each series is drawn as the band between the sum of the
 * series before it and that sum plus its own values, so the top is the point's whole; hiding a
 * series from the legend stacks the others again. After every draw the figure says what it
 * shows in `data-*` attributes: what a reader of the DOM (the browser tests) can check without
 * reading pixels.
 */
import uPlot from 'uplot';
import { MONTH_POINT, stack, type ChartView } from './chart-view.js';
import type { Measure } from '../chart-settings.js';

/** Downloads are whole: the y axis steps by 1, 2 or 5 times a power of ten, never by 0.5. */
const WHOLE_STEPS = Array.from({ length: 13 }, (_, power) => [1, 2, 5].map((step) => step * 10 ** power)).flat();

const UNITS = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/**
 * `1500000` → `1.5M`, for axis ticks. Written here because Intl's compact notation loads locale
 * data that costs tens of milliseconds before the first chart, on every page load (as any first
 * `Intl` object does: see `whole`).
 */
function compactCount(value: number): string {
  for (const [unit, suffix] of UNITS) {
    if (Math.abs(value) >= unit) return `${Number((value / unit).toFixed(1))}${suffix}`;
  }
  return String(value);
}

/**
 * `1234567` → `1,234,567`, for the legend. Not `Intl.NumberFormat`: the first `Intl` object of a
 * fresh tab costs 15–40 ms of ICU set-up before the first chart (see src/web/uplot-lazy-intl.ts).
 */
function whole(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function utcDate(seconds: number): Date {
  return uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');
}

const formatDay = uPlot.fmtDate('{YYYY}-{MM}-{DD}');
const formatShortDay = uPlot.fmtDate('{MMM} {D}');
const formatMonth = uPlot.fmtDate('{YYYY}-{MM}');
const formatShortMonth = uPlot.fmtDate('{MMM} {YYYY}');

/** uPlot's own axis font, named so the labels can be measured in it. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
/** The right padding the chart had before it was measured: room for the line's end. */
const MIN_RIGHT_PADDING = 12;
let rightPadding: number | null = null;

/**
 * An x-axis label is centred on its day, and the latest day sits at the plot's right edge: the
 * padding must hold half of the widest label, or the last one is cut ("Nov 2" for "Nov 24").
 * Measured once, in the font the labels are drawn in, over every month's longest label.
 */
function rightPaddingForLabels(): number {
  if (rightPadding === null) {
    const context = document.createElement('canvas').getContext('2d');
    let widest = 0;
    if (context) {
      context.font = AXIS_FONT;
      for (let month = 0; month < 12; month++) {
        const date = new Date(Date.UTC(2026, month, 28));
        // A chart by month labels its months ("Sep 2026").
        widest = Math.max(widest, context.measureText(formatShortDay(date)).width, context.measureText(formatShortMonth(date)).width);
      }
    }
    // 2 px more than half: the label's anti-aliased edge stays inside too.
    rightPadding = Math.max(MIN_RIGHT_PADDING, Math.ceil(widest / 2) + 2);
  }
  return rightPadding;
}

function isoDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

export interface Theme {
  axis: string;
  grid: string;
}

/** The chart colours of the page's colour scheme, from its CSS. */
export function currentTheme(): Theme {
  const style = getComputedStyle(document.documentElement);
  return { axis: style.getPropertyValue('--chart-axis').trim(), grid: style.getPropertyValue('--chart-grid').trim() };
}

/** The point the legend speaks of: the one under the cursor, or else the latest. */
function shownIndex(plot: uPlot, index: number | null): number {
  return index ?? plot.data[0].length - 1;
}

function chartHeight(width: number): number {
  return width < 520 ? 220 : 280;
}

/** A CSS hex colour with an alpha: stacked areas are filled a little transparent, as the grid shows through. */
function translucent(colour: string): string {
  return /^#[0-9a-f]{6}$/i.test(colour) ? `${colour}b3` : colour;
}


export class ChartFigure {
  private plot: uPlot | null = null;
  /** What the series are (measure and interval): when it changes, the chart is built anew. */
  private shape: string | null = null;
  private onFirstDraw: (() => void) | null;
  /** The values shown, before stacking: the legend says these. */
  private values: (number | null)[][] = [];
  private stacked = false;

  constructor(
    private readonly figure: HTMLElement,
    /** The element the chart is drawn in: its width is the chart's. */
    readonly canvasHolder: HTMLElement,
    onFirstDraw: () => void,
  ) {
    this.onFirstDraw = onFirstDraw;
  }

  /**
   * `width` and `theme` are read by the caller for every chart before any is drawn: reading them
   * between one chart's drawing and the next would lay the page out again each time.
   */
  show(view: ChartView, measure: Measure, width: number, theme: Theme, rebuild = false): void {
    this.values = view.series.map((s) => s.values);
    this.stacked = view.stacked;
    // The same categories in the same order: hidden series stay hidden when the range changes.
    const categories = view.series.map((s) => s.category).join('\u0000');
    const shape = `${measure}/${view.daysPerPoint}${view.stacked ? '/stacked' : ''}`;
    if (this.plot && this.shape === shape && !rebuild && this.categories === categories) {
      this.setData(this.plot, view.x);
      return;
    }
    this.plot?.destroy();
    this.shape = shape;
    this.categories = categories;
    const stacked = view.stacked ? stack(this.values, () => true) : null;
    const data = [view.x, ...(stacked?.data ?? this.values)] as uPlot.AlignedData;
    this.plot = new uPlot(this.options(view, measure, width, theme, stacked?.bands ?? []), data, this.canvasHolder);
  }

  private categories: string | null = null;

  private setData(plot: uPlot, x: readonly number[]): void {
    if (!this.stacked) {
      plot.setData([x, ...this.values] as uPlot.AlignedData);
      return;
    }
    const { data, bands } = stack(this.values, (i) => plot.series[i + 1]?.show !== false);
    plot.delBand(null);
    for (const band of bands) plot.addBand(band);
    plot.setData([x, ...data] as uPlot.AlignedData);
  }

  /**
   * Fits the chart to its holder's width. The observer that calls this also calls it once when it
   * starts watching, right after the first draw: uPlot redraws on every `setSize`, so an unchanged
   * size is left alone rather than drawing every chart twice.
   */
  resize(): void {
    if (!this.plot) return;
    const width = this.canvasHolder.clientWidth;
    const height = chartHeight(width);
    if (width === this.plot.width && height === this.plot.height) return;
    this.plot.setSize({ width, height });
  }

  private options(view: ChartView, measure: Measure, width: number, theme: Theme, bands: uPlot.Band[]): uPlot.Options {
    const shares = measure === 'shares';
    const weekly = view.daysPerPoint > 1;
    const monthly = view.daysPerPoint === MONTH_POINT;
    const axis = { stroke: theme.axis, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 } };
    return {
      width,
      height: chartHeight(width),
      tzDate: utcDate,
      padding: [10, rightPaddingForLabels(), 0, 0],
      cursor: { drag: { x: false, y: false, setScale: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => (shares ? [0, 100] : [0, max > 0 ? max * 1.08 : 1]) },
      },
      legend: { markers: { fill: (_u, i) => view.series[i - 1]?.colour ?? 'transparent' } },
      series: [
        {
          label: monthly ? 'Month' : weekly ? 'Week from' : 'Day',
          value: (u, _seconds, _series, index) => {
            const seconds = u.data[0][shownIndex(u, index)];
            return seconds == null ? '–' : (monthly ? formatMonth : formatDay)(utcDate(seconds));
          },
        },
        ...view.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.colour,
            width: view.stacked ? 1 : 1.75,
            ...(view.stacked ? { fill: translucent(s.colour) } : {}),
            ...(s.dashed ? { dash: [5, 4] } : {}),
            points: { show: weekly, size: 5 },
            value: (u, _value, series, index) => {
              // Its own value, not the stacked sum.
              const value = this.values[series - 1]?.[shownIndex(u, index)];
              return value == null ? '–' : shares ? `${value.toFixed(1)} %` : whole(value);
            },
          }),
        ),
      ],
      axes: [
        { ...axis, font: AXIS_FONT, values: (_u, splits) => splits.map((seconds) => (monthly ? formatShortMonth : formatShortDay)(utcDate(seconds))) },
        {
          ...axis,
          font: AXIS_FONT,
          size: 52,
          ...(shares ? {} : { incrs: WHOLE_STEPS }),
          values: (_u, splits) => splits.map((v) => (shares ? `${v} %` : compactCount(v))),
        },
      ],
      bands,
      hooks: {
        draw: [(plot) => this.drawn(plot)],
        // A series hidden or shown from the legend: the others stack again without it.
        setSeries: [(plot) => this.stacked && this.setData(plot, plot.data[0] as number[])],
      },
    };
  }

  private drawn(plot: uPlot): void {
    const x = plot.data[0];
    const dataset = this.figure.dataset;
    dataset.points = String(x.length);
    dataset.series = String(plot.series.length - 1);
    dataset.firstDay = x.length ? isoDay(x[0]!) : '';
    dataset.lastDay = x.length ? isoDay(x[x.length - 1]!) : '';
    dataset.shape = this.shape ?? '';
    dataset.hidden = plot.series
      .slice(1)
      .filter((series) => series.show === false)
      .map((series) => series.label)
      .join('|');
    const first = this.onFirstDraw;
    this.onFirstDraw = null;
    first?.();
  }
}
