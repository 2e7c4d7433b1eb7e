/**
 * A package page's chart as a standalone SVG for a README (`/chart/<package>.svg`): drawn on the
 * server, no script and no font to fetch (the viewer's sans-serif), 800×300, light or dark by the
 * viewer's `prefers-color-scheme` through the SVG's own `<style>`. Lines in the categories'
 * colours (category-style.ts, chosen to read on both backgrounds), the package name and the range
 * written in it, and its legend's labels measured (anafanafo's Verdana metrics, about as wide as
 * any sans-serif) so they never run into each other.
 */
import measure from 'anafanafo';
import { dayNumber, type Day } from '../../domain/dates.js';
import type { Dimension } from '../../domain/dimensions.js';
import type { SeriesPoint } from '../../store/types.js';
import { categoryStyle } from '../category-style.js';
import { denseSeries, type ChartSeries } from '../chart-data.js';
import { MAX_SERIES, MAX_UNFOLDED, OTHERS } from '../chart-settings.js';
import { formatDay } from '../format.js';
import { formatDownloads } from './units.js';
import { escapeXml } from './xml.js';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 300;

const MARGIN = { left: 56, right: 16, top: 52, bottom: 24 };
const LEGEND_ROW = 18;
const LEGEND_SWATCH = 14;
const LEGEND_GAP = 16;
/** A label longer than this is cut with an ellipsis: a long version or distro name would take a row. */
const MAX_LABEL_CHARACTERS = 24;
/** Horizontal grid lines (and y labels) wanted: enough to read a value, few enough to stay quiet. */
const Y_TICKS = 4;
const X_TICKS = 5;

/** Light first; the dark palette is GitHub's dark background and text, where READMEs are read. */
const STYLE = `.bg{fill:#ffffff}.fg{fill:#1f2328}.muted{fill:#59636e}.grid{stroke:#d1d9e0}.axis{stroke:#818b98}
@media (prefers-color-scheme: dark){.bg{fill:#0d1117}.fg{fill:#f0f6fc}.muted{fill:#9198a1}.grid{stroke:#3d444d}.axis{stroke:#656c76}}
text{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif}`;

export interface ChartSvgInput {
  packageName: string;
  dimension: Dimension;
  start: Day;
  end: Day;
  /** The lines, in the order drawn and listed; each has one value per day from start to end. */
  series: ChartSeries[];
}

/**
 * The lines drawn, as the page draws its charts: every category when there are at most
 * MAX_UNFOLDED, else the MAX_SERIES largest over the range (a tie to the first in the dimension's
 * order) in the dimension's order, and the rest summed into one "others" line, drawn last.
 */
export function chartLines(dimension: Dimension, points: readonly SeriesPoint[], start: Day, end: Day): ChartSeries[] {
  const all = denseSeries(dimension, points, start, end);
  if (all.length <= MAX_UNFOLDED) return all;
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const totals = new Map(all.map((line) => [line.category, sum(line.values)]));
  const kept = new Set(
    [...all]
      .sort((a, b) => totals.get(b.category)! - totals.get(a.category)! || dimension.compareCategories(a.category, b.category))
      .slice(0, MAX_SERIES)
      .map((line) => line.category),
  );
  const others = new Array<number>(all[0]!.values.length).fill(0);
  for (const line of all) if (!kept.has(line.category)) line.values.forEach((value, i) => (others[i]! += value));
  const style = categoryStyle(dimension.name, OTHERS, dimension.name === 'version' ? 'other versions' : 'others');
  return [...all.filter((line) => kept.has(line.category)), { category: OTHERS, ...style, values: others }];
}

function labelWidth(text: string, size: number): number {
  return (measure(text, { font: '11px Verdana', guess: true }) * size) / 11;
}

function shortened(label: string): string {
  return label.length > MAX_LABEL_CHARACTERS ? `${label.slice(0, MAX_LABEL_CHARACTERS - 1)}…` : label;
}

/** A step of 1, 2 or 5 × 10^n, so that about Y_TICKS steps cover `max`. */
function niceStep(max: number): number {
  const rough = max / Y_TICKS;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough)!;
  return Math.max(1, step);
}

const shortDays = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });
function shortDay(dayIndex: number, start: Day): string {
  return shortDays.format(new Date((dayNumber(start) + dayIndex) * 86_400_000));
}

const round = (value: number) => Math.round(value * 10) / 10;

interface LegendItem {
  label: string;
  colour: string;
  dashed: boolean;
  x: number;
  row: number;
}

function legendLayout(series: ChartSeries[], width: number): { items: LegendItem[]; rows: number } {
  const items: LegendItem[] = [];
  let x = 0;
  let row = 0;
  for (const line of series) {
    const label = shortened(line.label);
    const itemWidth = LEGEND_SWATCH + 4 + labelWidth(label, 11);
    if (x > 0 && x + itemWidth > width) {
      row++;
      x = 0;
    }
    items.push({ label, colour: line.colour, dashed: line.dashed, x, row });
    x += itemWidth + LEGEND_GAP;
  }
  return { items, rows: series.length === 0 ? 0 : row + 1 };
}

export function chartSvg({ packageName, dimension, start, end, series }: ChartSvgInput): string {
  const days = dayNumber(end) - dayNumber(start) + 1;
  const plotLeft = MARGIN.left;
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const legend = legendLayout(series, plotWidth);
  const legendTop = CHART_HEIGHT - 8 - legend.rows * LEGEND_ROW;
  const plotTop = MARGIN.top;
  const plotBottom = legendTop - MARGIN.bottom;
  const plotHeight = plotBottom - plotTop;

  const max = Math.max(0, ...series.flatMap((line) => line.values));
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const xOf = (i: number) => round(days === 1 ? plotLeft + plotWidth / 2 : plotLeft + (i / (days - 1)) * plotWidth);
  const yOf = (value: number) => round(plotBottom - (value / top) * plotHeight);

  const title = `${packageName}: ${dimension.title}`;
  const counted = dimension.categories.kind === 'mirror_split' ? 'daily downloads' : 'daily downloads without mirrors';
  const range = `${formatDay(start)} – ${formatDay(end)} (UTC), ${counted}`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="title desc">`,
    `<title id="title">${escapeXml(`Daily downloads of ${packageName} by ${dimension.title.toLowerCase()}, ${start} to ${end}`)}</title>`,
    `<desc id="desc">${escapeXml(series.map((line) => `${line.label}: ${line.values.reduce((a, b) => a + b, 0)} downloads`).join('; '))}</desc>`,
    `<style>${STYLE}</style>`,
    `<rect class="bg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" rx="6"/>`,
    `<text class="fg" x="${plotLeft}" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
    `<text class="muted" x="${plotLeft}" y="40" font-size="11">${escapeXml(range)}</text>`,
  );
  for (let value = 0; value <= top; value += step) {
    const y = yOf(value);
    parts.push(
      `<line class="${value === 0 ? 'axis' : 'grid'}" x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${y}" y2="${y}" stroke-width="1"/>`,
      `<text class="muted" x="${plotLeft - 6}" y="${round(y + 4)}" font-size="11" text-anchor="end">${formatDownloads(value, 'international_system')}</text>`,
    );
  }
  const tickCount = Math.min(X_TICKS, days);
  for (let t = 0; t < tickCount; t++) {
    const i = tickCount === 1 ? 0 : Math.round((t * (days - 1)) / (tickCount - 1));
    const anchor = tickCount === 1 ? 'middle' : t === 0 ? 'start' : t === tickCount - 1 ? 'end' : 'middle';
    parts.push(`<text class="muted" x="${xOf(i)}" y="${round(plotBottom + 16)}" font-size="11" text-anchor="${anchor}">${shortDay(i, start)}</text>`);
  }
  for (const line of series) {
    const points = line.values.map((value, i) => `${xOf(i)},${yOf(value)}`).join(' ');
    const dash = line.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<polyline fill="none" stroke="${line.colour}" stroke-width="1.75" stroke-linejoin="round"${dash} points="${points}"/>`);
  }
  for (const item of legend.items) {
    const x = round(plotLeft + item.x);
    const y = legendTop + item.row * LEGEND_ROW;
    const dash = item.dashed ? ' stroke-dasharray="4 2"' : '';
    parts.push(
      `<line x1="${x}" x2="${x + LEGEND_SWATCH}" y1="${y + 9}" y2="${y + 9}" stroke="${item.colour}" stroke-width="3"${dash}/>`,
      `<text class="fg" x="${round(x + LEGEND_SWATCH + 4)}" y="${y + 13}" font-size="11">${escapeXml(item.label)}</text>`,
    );
  }
  if (series.length === 0) {
    parts.push(`<text class="muted" x="${CHART_WIDTH / 2}" y="${round(plotTop + plotHeight / 2)}" font-size="13" text-anchor="middle">No downloads in this range</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The chart's frame with a message in place of the lines (the store unavailable): a README shows
 * a readable image of the chart's size, not a broken one.
 */
export function messageChartSvg(message: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="title">`,
    `<title id="title">${escapeXml(message)}</title>`,
    `<style>${STYLE}</style>`,
    `<rect class="bg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" rx="6"/>`,
    `<text class="muted" x="${CHART_WIDTH / 2}" y="${CHART_HEIGHT / 2}" font-size="13" text-anchor="middle">${escapeXml(message)}</text>`,
    '</svg>',
  ].join('');
}
