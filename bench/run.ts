/**
 * `npm run bench [-- --quick] [-- --only NAME,…]`: every performance target, each next to a
 * ceiling measured in the same run. Writes bench/RESULTS.md (quick: RESULTS-quick.md) and JSON.
 * Scenarios: first-start, ingestion, access-log (ACCESS_LOG_LINES, default 20 million in full mode), api, embeds (badges and shields), store-scale, store-scale-postgres, api-scale, pages, page-cache,
 * breakdowns (BREAKDOWN_DAYS, default 180 in full mode: every breakdown at PyPI scale),
 * breakdown-layouts (BREAKDOWN_LAYOUT_SIZES, packages×days: issue 12's three layouts compared),
 * top-lists, compare-page, serve-during-load (SERVE_LOAD_DAYS, default 180 in full mode, 3 in quick; or a store built
 * earlier by bench/build-store.ts, copied first: BENCH_SERVE_SQLITE=<file>,
 * BENCH_SERVE_POSTGRES=<url with options=-c search_path=SCHEMA>); serve-during-load-admin, the same
 * with the day loaded by an admin job (POST /admin/jobs, signed in through the GitHub stand-in).
 * BENCH_SCALE_SQLITE=FILE runs api-scale (without store-scale) on a store built before.
 * months (MONTHS_DAYS, MONTHS_BACKFILLED: default 180 days and 114 months in full mode, so the
 * monthly read spans 10 years; 2 and 3 in quick): issue 15's months kept forever; month-layouts
 * (MONTH_LAYOUT_SIZES, packages×days×months): issue 15's layouts of the months compared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeName } from '../src/domain/names.js';
import { DEFAULT_DEMO_OPTIONS, demoPackageNames } from '../src/sources/synthetic.js';
import { loadGenerator } from './lib/load-generator.js';
import { root } from './lib/processes.js';
import { skipped, writeResults } from './lib/results.js';
import { accessLog } from './scenarios/access-log.js';
import { api } from './scenarios/api.js';
import { breakdownLayouts, layoutSizes } from './scenarios/breakdown-layouts.js';
import { monthLayouts, monthLayoutSizes } from './scenarios/month-layouts.js';
import { breakdowns } from './scenarios/breakdowns.js';
import { embeds } from './scenarios/embeds.js';
import { firstStart } from './scenarios/first-start.js';
import { ingestion } from './scenarios/ingestion.js';
import { pageCache } from './scenarios/page-cache.js';
import { pages } from './scenarios/pages.js';
import { serveDuringLoad } from './scenarios/serve-during-load.js';
import { months } from './scenarios/months.js';
import { postgresUnreachable, storeScale } from './scenarios/store-scale.js';
import { topLists } from './scenarios/top-lists.js';
import { comparePage } from './scenarios/compare-page.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick;
const only = values.only ? new Set(values.only.split(',')) : null;
const runs = (name: string) => only === null || only.has(name);

const sizes = quick
  ? { demoDays: 30, parquetEvents: 1_000_000, ndjsonEvents: 300_000, apiSeconds: 3, warmUpSeconds: 1, scaleDays: 1, postgresDays: 1 }
  : { demoDays: 180, parquetEvents: 50_000_000, ndjsonEvents: 5_000_000, apiSeconds: 20, warmUpSeconds: 3, scaleDays: 180, postgresDays: 180 };

const ALL_ENDPOINTS = ['recent', 'overall', 'python_major', 'python_minor', 'system'] as const;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pypistats-bench-'));
  const started = performance.now();
  try {
    if (runs('first-start') || runs('api') || runs('embeds') || runs('page-cache')) {
      const database = await firstStart(dir, sizes.demoDays, !quick);
      if (runs('api')) {
        const top = normalizeName(demoPackageNames(DEFAULT_DEMO_OPTIONS)[0]!);
        await api(dir, `sqlite:${database}`, {
          title: `API, ${sizes.demoDays} demo days`,
          cases: [{ label: 'most popular', package: top, endpoints: ['overall', 'recent'] }],
          seconds: sizes.apiSeconds,
          warmUpSeconds: sizes.warmUpSeconds,
          p99Target: quick ? null : 5,
          shareTarget: null,
        });
      }
      if (runs('embeds')) {
        const packages = demoPackageNames(DEFAULT_DEMO_OPTIONS).map(normalizeName);
        await embeds(dir, `sqlite:${database}`, { packages, seconds: sizes.apiSeconds, warmUpSeconds: sizes.warmUpSeconds, withTargets: !quick });
      }
      if (runs('page-cache')) await pageCache(dir, `sqlite:${database}`, { seconds: sizes.apiSeconds, warmUpSeconds: sizes.warmUpSeconds });
    }
    if (runs('pages')) await pages(dir, { loads: quick ? 5 : 15 });
    if (runs('ingestion')) await ingestion(dir, { parquetEvents: sizes.parquetEvents, ndjsonEvents: sizes.ndjsonEvents, target: !quick });
    if (runs('access-log')) await accessLog(dir, { lines: Number(process.env.ACCESS_LOG_LINES ?? (quick ? 300_000 : 20_000_000)), target: !quick });
    if (runs('store-scale-postgres')) {
      const unreachable = only === null ? await postgresUnreachable() : null;
      if (unreachable) {
        skipped.push(`store-scale-postgres (${unreachable}; set BENCH_POSTGRES_URL)`);
      } else {
        const postgres = await storeScale(dir, sizes.postgresDays, !quick, 'postgres');
        await postgres.remove();
      }
    }
    if (runs('breakdowns')) {
      const unreachable = await postgresUnreachable();
      if (unreachable) skipped.push(`breakdowns on PostgreSQL (${unreachable}; set BENCH_POSTGRES_URL)`);
      await breakdowns(dir, {
        days: Number(process.env.BREAKDOWN_DAYS ?? (quick ? 2 : 180)),
        packages: quick ? 20_000 : 300_000,
        topDownloads: 20_000_000,
        crawlSeconds: sizes.apiSeconds,
        warmUpSeconds: sizes.warmUpSeconds,
        withTargets: !quick,
        kinds: unreachable ? ['sqlite'] : ['sqlite', 'postgres'],
      });
    }
    if (runs('breakdown-layouts')) {
      // Full width for the days it can hold in minutes, and fewer packages over more days for the trend as days accumulate.
      await breakdownLayouts(dir, layoutSizes(process.env.BREAKDOWN_LAYOUT_SIZES ?? (quick ? '2000x3' : '300000x3,1000x64')));
    }
    for (const [name, via] of [
      ['serve-during-load', 'scheduler'],
      ['serve-during-load-admin', 'admin'],
    ] as const) {
      if (!runs(name)) continue;
      const unreachable = process.env.BENCH_SERVE_POSTGRES ? null : await postgresUnreachable();
      if (unreachable) skipped.push(`${name} on PostgreSQL (${unreachable}; set BENCH_POSTGRES_URL)`);
      await serveDuringLoad(dir, {
        days: Number(process.env.SERVE_LOAD_DAYS ?? (quick ? 3 : 180)),
        packages: quick ? 20_000 : 300_000,
        topDownloads: 20_000_000,
        warmUpSeconds: sizes.warmUpSeconds,
        minSeconds: sizes.apiSeconds,
        withTargets: !quick,
        kinds: unreachable ? ['sqlite'] : ['sqlite', 'postgres'],
        via,
      });
    }
    if (runs('top-lists')) {
      await topLists(dir, {
        days: quick ? 3 : 60,
        packages: quick ? 20_000 : 300_000,
        coldRuns: quick ? 3 : 10,
        warmRequests: quick ? 200 : 2000,
        withTargets: !quick,
      });
    }
    if (runs('compare-page')) await comparePage(dir, { days: quick ? 30 : 180, packages: 200, loads: quick ? 3 : 15, withTargets: !quick });
    if (runs('month-layouts')) {
      // Months' layouts compared on one store's months (packages×days×months); a year row needs 12 months.
      await monthLayouts(dir, monthLayoutSizes(process.env.MONTH_LAYOUT_SIZES ?? (quick ? '2000x2x12' : '20000x2x24')));
    }
    if (runs('months')) {
      const unreachable = await postgresUnreachable();
      if (unreachable) skipped.push(`months on PostgreSQL (${unreachable}; set BENCH_POSTGRES_URL)`);
      await months(dir, {
        days: Number(process.env.MONTHS_DAYS ?? (quick ? 2 : 180)),
        months: Number(process.env.MONTHS_BACKFILLED ?? (quick ? 3 : 114)),
        packages: quick ? 20_000 : 300_000,
        topDownloads: 20_000_000,
        rawMonth: { packages: quick ? 20_000 : 300_000, topDownloads: quick ? 2_000_000 : 20_000_000 },
        withTargets: !quick,
        kinds: unreachable ? ['sqlite'] : ['sqlite', 'postgres'],
      });
    }
    if (runs('store-scale') || runs('api-scale')) {
      // BENCH_SCALE_SQLITE: api-scale on a store of PyPI-sized days built before (bench/build-store.ts), not rebuilt.
      const prebuilt = !runs('store-scale') && process.env.BENCH_SCALE_SQLITE;
      const databaseUrl = prebuilt ? `sqlite:${prebuilt}` : (await storeScale(dir, sizes.scaleDays, !quick)).databaseUrl;
      if (prebuilt) console.log(`api-scale on the store built before at ${prebuilt}`);
      if (runs('api-scale')) {
        await api(dir, databaseUrl, {
          title: `API, ${sizes.scaleDays} PyPI-sized days`,
          cases: [
            { label: 'popular', package: 'package-1', endpoints: quick ? ['overall', 'python_minor'] : ALL_ENDPOINTS },
            { label: 'median', package: 'package-150000', endpoints: quick ? ['overall'] : ALL_ENDPOINTS },
            { label: 'rare', package: 'package-300000', endpoints: quick ? ['overall'] : ALL_ENDPOINTS },
          ],
          seconds: sizes.apiSeconds,
          warmUpSeconds: sizes.warmUpSeconds,
          p99Target: quick ? null : 10,
          shareTarget: quick ? null : 50,
          crawl: { prefix: 'package-', count: 300_000 },
        });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const notes = [
    `Load generator: ${loadGenerator}, ${sizes.apiSeconds} s per case after a ${sizes.warmUpSeconds} s warm-up, on the same cores as the server.`,
    `Whole run: ${minutes} minutes${only ? ` (only ${[...only].join(', ')})` : ''}.`,
    ...(skipped.length > 0 ? [`Skipped: ${skipped.join('; ')}.`] : []),
  ];
  for (const scenario of skipped) console.log(`skipped: ${scenario}`);
  const file = await writeResults(root, quick ? 'quick' : 'full', notes, only !== null);
  console.log(`\nwritten to ${file}`);
}

await main();
