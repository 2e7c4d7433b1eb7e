/**
 * A breakdown's section of the package page (every dimension but the seed's): its data is
 * fetched from the site (not the API) when the section first comes into view, then drawn as the
 * seed's charts are, under the page's settings. Versions get a switch to their release series and
 * a table of every version; countries a table of names and shares and a map, whose script is
 * fetched with the data. The section says how far it got in `data-state` (`loading`, `drawn`,
 * `failed`), for its readers and the browser tests.
 */
import type { BreakdownData, BreakdownView, CategoryRow, GroupingName } from '../chart-data.js';
import { dayRangeIndex, lookbackMonths } from '../chart-settings.js';
import { ChartFigure, type Theme } from './chart-figure.js';
import { chartView, type ViewSettings } from './chart-view.js';

/** What the country map's script (country-map.ts) puts on the window when it has run. */
export interface CountryMap {
  draw(container: HTMLElement, shares: ReadonlyMap<string, number>): void;
}

declare global {
  interface Window {
    pypistatsCountryMap?: CountryMap;
  }
}

let countryMap: Promise<CountryMap> | null = null;

/** Fetches the map's script once, when the first country section is shown. */
function loadCountryMap(src: string): Promise<CountryMap> {
  countryMap ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => (window.pypistatsCountryMap ? resolve(window.pypistatsCountryMap) : reject(new Error('the map script defined no map')));
    script.onerror = () => reject(new Error(`the map script ${src} did not load`));
    document.head.append(script);
  });
  return countryMap;
}

/** `1234567` → `1,234,567` (see chart-figure.ts on why not Intl.NumberFormat). */
function whole(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

let regionNames: Intl.DisplayNames | null = null;

/** A country's name in English from its ISO 3166-1 alpha-2 code; the code when there is none. */
export function countryName(code: string): string {
  if (code === 'null') return 'unknown';
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  try {
    return regionNames.of(code) ?? code;
  } catch {
    // Not a well-formed region code: a User-Agent can claim anything.
    return code;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

type VersionColumn = 'version' | 0 | 1 | 2;
const RECENT_HEADINGS = ['Last day', 'Last week', 'Last month'] as const;

export class BreakdownSection {
  state: 'waiting' | 'loading' | 'drawn' | 'failed' = 'waiting';
  private data: BreakdownData | null = null;
  private grouping: GroupingName = 'category';
  private readonly plot: ChartFigure;
  private readonly name: string;
  /** The version table's order: by version (newest first), or by one recent count, largest first. */
  private sortedBy: VersionColumn = 'version';

  constructor(
    readonly section: HTMLElement,
    private readonly current: () => { settings: ViewSettings; theme: Theme },
  ) {
    this.name = section.dataset.breakdown!;
    const figure = section.querySelector<HTMLElement>('figure')!;
    this.plot = new ChartFigure(figure, figure.querySelector<HTMLElement>('.chart-canvas')!, () => {});
    section.querySelector('fieldset.grouping')?.addEventListener('change', (event) => {
      this.grouping = (event.target as HTMLInputElement).value as GroupingName;
      this.draw(true);
    });
  }

  /** Fetches the data and draws it; the map's script is fetched alongside. */
  async load(): Promise<void> {
    if (this.state !== 'waiting') return;
    this.state = 'loading';
    this.section.dataset.state = 'loading';
    const mapScript = this.section.dataset.mapScript;
    const map = mapScript ? loadCountryMap(mapScript) : null;
    try {
      const response = await fetch(this.section.dataset.src!, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`${this.section.dataset.src} answered ${response.status}`);
      this.data = (await response.json()) as BreakdownData;
      this.section.querySelector<HTMLElement>('fieldset.grouping')?.removeAttribute('hidden');
      this.state = 'drawn';
      if (this.data.views[0]!.rows.length === 0) {
        // A database loaded before this breakdown was on: its days fill from the next loads.
        this.section.append(element('p', 'No downloads in this breakdown yet: it fills from the loads made since it was turned on.', 'empty-state breakdown-empty'));
      }
      this.draw(true);
      if (map) this.drawMap(await map);
      this.section.dataset.state = 'drawn';
    } catch (error) {
      this.state = 'failed';
      this.section.dataset.state = 'failed';
      const note = element('p', 'This breakdown could not be loaded; reload the page to try again.', 'empty-state');
      this.section.append(note);
      console.warn(error);
    }
  }

  private view(): BreakdownView {
    const views = this.data!.views;
    return views.find((view) => view.grouping === this.grouping) ?? views[0]!;
  }

  /** Draws the chart and tables under the page's settings (again); nothing before the data came. */
  draw(rebuild = false): void {
    if (this.state !== 'drawn' || !this.data) return;
    const { settings, theme } = this.current();
    const view = this.view();
    const holder = this.plot.canvasHolder;
    this.plot.show(chartView(this.data, view.chart, settings), settings.measure, holder.clientWidth, theme, rebuild);
    const unit = this.section.querySelector('.chart-unit');
    if (unit) unit.textContent = describeUnit(settings);
    if (this.name === 'version') this.versionTable(view);
    if (this.name === 'country') this.countryTable(view, settings);
    if (this.map) this.shadeMap(this.map, view, settings);
  }

  resize(): void {
    this.plot.resize();
  }

  private tableHolder(): HTMLElement | null {
    const holder = this.section.querySelector<HTMLElement>('.breakdown-table');
    holder?.removeAttribute('hidden');
    return holder;
  }

  /** Every version (or release series) with its last day, week and month; the largest month marked. */
  private versionTable(view: BreakdownView): void {
    const holder = this.tableHolder();
    if (!holder) return;
    const rows = [...view.rows];
    // Rows come in PEP 440 order: newest last. Shown newest first, or by the count asked.
    if (this.sortedBy === 'version') rows.reverse();
    else {
      const column = this.sortedBy;
      rows.sort((a, b) => b.recent[column] - a.recent[column]);
    }
    const largest = Math.max(0, ...view.rows.map((row) => row.recent[2]));
    const table = element('table', undefined, 'version-table');
    table.append(element('caption', `${view.rows.length} ${view.grouping === 'category' ? 'versions' : 'release series'}, by downloads without mirrors`));
    const head = table.createTHead().insertRow();
    const columns: [VersionColumn, string][] = [['version', view.grouping === 'category' ? 'Version' : 'Series'], ...RECENT_HEADINGS.map((label, i) => [i as VersionColumn, label] as [VersionColumn, string])];
    for (const [column, label] of columns) {
      const cell = element('th');
      cell.scope = 'col';
      const button = element('button', label);
      button.type = 'button';
      button.dataset.sort = String(column);
      // Every order is descending: newest version first, or largest count first.
      if (column === this.sortedBy) cell.setAttribute('aria-sort', 'descending');
      button.addEventListener('click', () => {
        this.sortedBy = column;
        this.versionTable(view);
      });
      cell.append(button);
      head.append(cell);
    }
    const body = table.createTBody();
    for (const row of rows) body.append(this.versionRow(row, largest));
    holder.replaceChildren(table);
  }

  private versionRow(row: CategoryRow, largest: number): HTMLTableRowElement {
    const tr = element('tr');
    tr.dataset.category = row.category;
    const name = element('th', row.label ?? row.category);
    name.scope = 'row';
    tr.append(name);
    row.recent.forEach((count, i) => {
      const cell = element('td', whole(count), 'num');
      if (i === 2) {
        // A bar under the month's count: the largest versions stand out in a long table.
        const bar = element('span', undefined, 'bar');
        bar.style.width = `${largest > 0 ? (count / largest) * 100 : 0}%`;
        cell.prepend(bar);
        if (count === largest && largest > 0) tr.classList.add('largest');
      }
      tr.append(cell);
    });
    return tr;
  }

  /** Every country's name and share of the downloads over the range shown, largest first. */
  private countryTable(view: BreakdownView, settings: ViewSettings): void {
    const holder = this.tableHolder();
    if (!holder) return;
    const range = dayRangeIndex(settings.lookback);
    const whole = view.rows.reduce((sum, row) => sum + row.totals[range]!, 0);
    const rows = view.rows.filter((row) => row.totals[range]! > 0).sort((a, b) => b.totals[range]! - a.totals[range]!);
    const table = element('table', undefined, 'country-table');
    table.append(element('caption', 'Share of downloads without mirrors over the range shown'));
    const head = table.createTHead().insertRow();
    for (const label of ['Country', 'Share', 'Downloads']) {
      const cell = element('th', label);
      cell.scope = 'col';
      head.append(cell);
    }
    const body = table.createTBody();
    for (const row of rows) {
      const tr = element('tr');
      tr.dataset.category = row.category;
      const name = element('th', countryName(row.category));
      name.scope = 'row';
      tr.append(name, element('td', `${((row.totals[range]! / whole) * 100).toFixed(1)} %`, 'num'), element('td', formatCount(row.totals[range]!), 'num'));
      body.append(tr);
    }
    holder.replaceChildren(table);
  }

  private map: CountryMap | null = null;

  private drawMap(map: CountryMap): void {
    this.map = map;
    this.shadeMap(map, this.view(), this.current().settings);
  }

  private shadeMap(map: CountryMap, view: BreakdownView, settings: ViewSettings): void {
    const holder = this.section.querySelector<HTMLElement>('.country-map');
    if (!holder) return;
    const range = dayRangeIndex(settings.lookback);
    const total = view.rows.reduce((sum, row) => sum + row.totals[range]!, 0);
    const shares = new Map(view.rows.filter((row) => row.category !== 'null' && row.totals[range]! > 0).map((row) => [row.category, row.totals[range]! / total]));
    map.draw(holder, shares);
  }
}

function formatCount(value: number): string {
  return whole(value);
}

/** `monthly`: the chart has its months, so a range of months draws a point per month. */
export function describeUnit(settings: ViewSettings, monthly = false): string {
  if (monthly && lookbackMonths(settings.lookback) !== null) {
    return settings.measure === 'shares' ? 'Share of each month’s downloads, %' : 'Downloads per month (UTC)';
  }
  const period = settings.interval === 'week' ? 'week' : 'day';
  const weeks = settings.interval === 'week' ? ' (7 days from the date shown)' : '';
  return settings.measure === 'shares' ? `Share of each ${period}’s downloads, %${weeks}` : `Downloads per ${period}${weeks}`;
}
