/**
 * `/api/top?limit=1000` (and `/api/trending?limit=1000`) over a store of PyPI-sized days: the
 * lists are ranked at load time, so an answer reads 1000 rows of a ranked table, cold (the first
 * request of a data version, nothing cached, in a process that has answered before) and warm
 * (from the response cache). Measured in the process through Fastify's inject: the server's
 * work, without the network or a load generator. The days are written by a process of their own
 * (bench/top-lists-writer.ts), as serve's load worker writes them: a day written in the serving
 * process would leave its garbage to the answer measured next, which no server of ours has.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import { VERSION_CHECK_MS } from '../../src/store/data-version.js';
import { openStore } from '../../src/store/open.js';
import { root } from '../lib/processes.js';
import { record, round } from '../lib/results.js';

/** Target of issue 16: an answer of the longest list under 2 ms, cold and warm. */
const TARGET_MS = 2;
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

/** A writer process on the store's file; `write(index)` resolves once that day is committed. */
async function startWriter(file: string, packages: number): Promise<{ write(index: number): Promise<void>; close(): Promise<void> }> {
  const child: ChildProcess = fork(path.join(root, 'bench/top-lists-writer.ts'), [file, String(packages)], { execArgv: ['--import', 'tsx'] });
  const failed = once(child, 'exit').then(([code]) => {
    throw new Error(`the top-lists writer exited ${code}`);
  });
  failed.catch(() => undefined);
  const answer = () => Promise.race([once(child, 'message'), failed]);
  await answer();
  return {
    async write(index) {
      child.send({ index });
      await answer();
    },
    async close() {
      child.removeAllListeners('exit');
      child.send('close');
      await once(child, 'exit');
    },
  };
}

/** The medians measured, by URL. */
export type TopListsResult = Record<string, { coldMs: number; warmMs: number }>;

export async function topLists(dir: string, options: TopListsOptions): Promise<TopListsResult> {
  const result: TopListsResult = {};
  const file = path.join(dir, 'top-lists.sqlite');
  const store = await openStore({ kind: 'sqlite', file });
  const writer = await startWriter(file, options.packages);
  const scenario = `top lists, ${options.days} days of ${options.packages} packages, SQLite, days written by another process`;
  try {
    for (let i = 0; i < options.days; i++) await writer.write(i);
    const app = await buildApp({
      store,
      config: { retentionDays: 180, cacheMaxAge: 60, logLevel: 'silent', rateLimit: { perSecond: 0, perMinute: 0 }, trustedProxies: [], hstsMaxAge: 0, mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS] },
    });
    await app.ready();
    try {
      const etags = new Map<string, string>();
      /** The answer's time; `cold` checks it is of a data version this URL was not answered in yet. */
      const ask = async (url: string, cold = false) => {
        const started = performance.now();
        const response = await app.inject({ url });
        const ms = performance.now() - started;
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
        const etag = String(response.headers.etag);
        if (cold && etags.get(url) === etag) throw new Error(`${url} answered from the data version before the write (${etag}): not a cold answer`);
        etags.set(url, etag);
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
          await writer.write(options.days - 1);
          // Another process's write shows once this process checks the version again, as serve sees the load worker's.
          await sleep(VERSION_CHECK_MS + 10);
          cold.push(await ask(url, true));
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
    await writer.close();
    await store.close();
  }
  return result;
}
