/**
 * What the pages read from the store, computed once per data version: facts about the whole site
 * (latest day, span of the charts, package count, top packages) and each package's page data,
 * its chart JSON serialized once.
 */
import { addDays, dayNumber, type Day } from '../domain/dates.js';
import { includesDemoData } from '../domain/demo.js';
import { ALL_PACKAGES } from '../domain/names.js';
import { TOP_PERIODS, TRENDING_PERIODS, type TopPeriod, type TrendingPeriod } from '../domain/api-parameters.js';
import type { PackageDownloads, RecentDownloads, Store, TrendingPackage } from '../store/types.js';
import type { Dimension } from '../domain/dimensions.js';
import { breakdownData, packageCharts } from './chart-data.js';
import { jsonScript, type Html } from './html.js';
import { PerVersionCache } from './per-version-cache.js';

export interface SiteFacts {
  /** The latest day loaded, or null before the first load. */
  latestDay: Day | null;
  /** The first day the charts show: the first day loaded within the retention window. */
  firstDay: Day | null;
  packageCount: number;
  /** The most downloaded packages of each period, SITE_LIST_LENGTH of them. */
  top: Record<TopPeriod, PackageDownloads[]>;
  /** The packages that grew most in each period, SITE_LIST_LENGTH of them. */
  trending: Record<TrendingPeriod, TrendingPackage[]>;
  /** Downloads of all of PyPI, when a day is loaded. */
  allRecent: RecentDownloads | null;
  /** Whether any loaded day is demo data: every page then says so. */
  demo: boolean;
}

export interface PackagePageData {
  name: string;
  latestDay: Day;
  firstDay: Day;
  recent: RecentDownloads;
  /** All-time downloads without mirrors, over every month held (null: none held). */
  allTime: number | null;
  /** The charts' data, as the `<script type="application/json">` the page embeds. */
  chartScript: Html;
}

export const CHART_DATA_ID = 'chart-data';

/** How long the site's top and trending lists are: a page's worth, the API gives the rest. */
export const SITE_LIST_LENGTH = 20;

export class SiteData {
  private readonly factsCache: PerVersionCache<SiteFacts>;
  private readonly pagesCache: PerVersionCache<PackagePageData | null>;
  private readonly breakdownsCache: PerVersionCache<string | null>;

  constructor(
    private readonly store: Store,
    private readonly retentionDays: number,
  ) {
    this.factsCache = new PerVersionCache(store, 1);
    this.pagesCache = new PerVersionCache(store, 1000);
    // A page has up to nine breakdowns, each fetched when its section is shown.
    this.breakdownsCache = new PerVersionCache(store, 2000);
  }

  facts(): Promise<SiteFacts> {
    return this.factsCache.get('', async () => {
      const [days, packageCount, topLists, trendingLists] = await Promise.all([
        this.store.loadedDays(),
        this.store.packageCount(),
        Promise.all(TOP_PERIODS.map((period) => this.store.topPackages(period, SITE_LIST_LENGTH))),
        Promise.all(TRENDING_PERIODS.map((period) => this.store.trendingPackages(period, SITE_LIST_LENGTH))),
      ]);
      const top = Object.fromEntries(TOP_PERIODS.map((period, i) => [period, topLists[i]!])) as SiteFacts['top'];
      const trending = Object.fromEntries(TRENDING_PERIODS.map((period, i) => [period, trendingLists[i]!])) as SiteFacts['trending'];
      const latestDay = days.at(-1)?.day ?? null;
      let firstDay = days[0]?.day ?? null;
      if (latestDay !== null && firstDay !== null) {
        const windowStart = addDays(latestDay, -(this.retentionDays - 1));
        if (dayNumber(firstDay) < dayNumber(windowStart)) firstDay = windowStart;
      }
      const allRecent = latestDay === null ? null : await this.store.recent(ALL_PACKAGES, latestDay);
      return { latestDay, firstDay, packageCount, top, trending, allRecent, demo: includesDemoData(days) };
    });
  }

  /** Null when the store holds no downloads of the package. */
  packagePage(name: string): Promise<PackagePageData | null> {
    return this.pagesCache.get(name, async () => {
      const { latestDay, firstDay } = await this.facts();
      if (latestDay === null || firstDay === null) return null;
      const recent = await this.store.recent(name, latestDay);
      if (recent.lastMonth === 0 && !(await this.store.hasPackage(name))) return null;
      const [charts, total] = await Promise.all([packageCharts(this.store, name, firstDay, latestDay), this.store.allTimeTotals(name)]);
      return { name, latestDay, firstDay, recent, allTime: total?.withoutMirrors ?? null, chartScript: jsonScript(CHART_DATA_ID, charts) };
    });
  }

  /**
   * One breakdown of a package as the JSON its page fetches (serialized once per data version),
   * over the span of the page's charts; null when the store holds no downloads of the package.
   */
  breakdown(name: string, dimension: Dimension): Promise<string | null> {
    return this.breakdownsCache.get(`${name}\u0000${dimension.name}`, async () => {
      const page = await this.packagePage(name);
      if (page === null) return null;
      return JSON.stringify(await breakdownData(this.store, name, dimension, page.firstDay, page.latestDay));
    });
  }
}
