/**
 * `/api/top?limit=1000` (and `/api/trending?limit=1000`) over a store of PyPI-sized days: the
 * lists are ranked at load time, so an answer reads 1000 rows of a ranked table, cold (the first
 * request of a data version, nothing cached, in a process that has answered before) and warm
 * (from the response cache). Measured in the process through Fastify's inject: the server's
 * work, without the network or a load generator.
 */
import path from 'node:path';
import { buildApp } from '../../src/app.js';
import { addDays } from '../../src/domain/dates.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { pypiSizedDay } from '../pypi-sized-day.js';
import { record, round } from '../lib/results.js';

/** Target of issue 16: an answer of the longest list under 2 ms, cold and warm. */
const TARGET_MS = 2;
const FIRST_DAY = '2026-10-01';
/** Limits asked before measuring, each a computed answer: enough calls for V8 to optimize the path. */
const WARM_UP_LIMITS = 50;

export interface TopListsOptions {
  days: number;
  packages: number;
  /** Cold answers measured: each after a day is written anew (a new data version). */
  coldRuns: number;
  warmRequests: number;
  withTargets: boolean;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function writeDay(store: Store, index: number, packages: number): Promise<void> {
  const rows = pypiSizedDay(index, { packages, topDownloads: 20_000_000 });
  await store.replaceDay({ day: addDays(FIRST_DAY, index), source: 'bench', summary: null, rows: withAllPackagesTotals(rows) });
}

/** The medians measured, by URL. */
export type TopListsResult = Record<string, { coldMs: number; warmMs: number }>;

export async function topLists(dir: string, options: TopListsOptions): Promise<TopListsResult> {
  const result: TopListsResult = {};
  const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'top-lists.sqlite') });
  const scenario = `top lists, ${options.days} days of ${options.packages} packages, SQLite`;
  try {
    for (let i = 0; i < options.days; i++) await writeDay(store, i, options.packages);
    const app = await buildApp({
      store,
      config: { retentionDays: 180, cacheMaxAge: 60, logLevel: 'silent', rateLimit: { perSecond: 0, perMinute: 0 }, trustedProxies: [], hstsMaxAge: 0, mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS] },
    });
    await app.ready();
    try {
      const ask = async (url: string) => {
        const started = performance.now();
        const response = await app.inject({ url });
        const ms = performance.now() - started;
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
        return ms;
      };
      // The process warmed first, as a server is that has answered before a load lands: each
      // list computed at other limits (each a cache miss), so a cold answer measured is the new
      // data version's cost, not the JIT's or a module's first load.
      for (let limit = 1; limit <= WARM_UP_LIMITS; limit++) {
        for (const list of ['top', 'trending']) await ask(`/api/${list}?limit=${limit}`);
        await ask(`/api/top?limit=${1000 - limit}`);
        await ask(`/api/trending?limit=${1000 - limit}`);
      }
      for (const url of ['/api/top?limit=1000', '/api/trending?limit=1000']) {
        const cold: number[] = [];
        for (let run = 0; run < options.coldRuns; run++) {
          // The latest day written again: a new data version, so nothing of the last is cached.
          await writeDay(store, options.days - 1, options.packages);
          cold.push(await ask(url));
        }
        const warm: number[] = [];
        for (let i = 0; i < options.warmRequests; i++) warm.push(await ask(url));
        cold.sort((a, b) => a - b);
        warm.sort((a, b) => a - b);
        const coldMs = round(quantile(cold, 0.5));
        const warmP50 = round(quantile(warm, 0.5));
        const target = options.withTargets ? { target: `< ${TARGET_MS} ms`, met: coldMs < TARGET_MS } : {};
        record({ scenario, measure: `${url} cold, median of ${cold.length}`, value: coldMs, unit: 'ms', ...target });
        record({ scenario, measure: `${url} warm, median of ${warm.length}`, value: warmP50, unit: 'ms', ...(options.withTargets ? { target: `< ${TARGET_MS} ms`, met: warmP50 < TARGET_MS } : {}) });
        record({ scenario, measure: `${url} warm, p99 of ${warm.length}`, value: round(quantile(warm, 0.99)), unit: 'ms' });
        result[url] = { coldMs, warmMs: warmP50 };
      }
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
  return result;
}
