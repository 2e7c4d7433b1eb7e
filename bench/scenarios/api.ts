/** The API under 50 connections, warm (one URL over and over) and cold (a crawler), next to its ceiling. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { summarizeDir } from '../lib/cpu-profile.js';
import { crawl, hammer, type LoadResult } from '../lib/load-generator.js';
import { residentMiB, startCeiling, startServer, stop } from '../lib/processes.js';
import { record, round } from '../lib/results.js';

export interface ApiCase {
  /** What the package is: popular, median, rare. */
  label: string;
  package: string;
  endpoints: readonly string[];
}

function report(scenario: string, result: LoadResult, p99Target: number | null): void {
  record({ scenario, measure: 'req/s', value: result.rps, unit: 'req/s' });
  record({ scenario, measure: 'p50', value: result.p50, unit: 'ms' });
  record({ scenario, measure: 'p99', value: result.p99, unit: 'ms', ...(p99Target ? { target: `< ${p99Target} ms`, met: result.p99 < p99Target } : {}) });
  if (result.errors > 0) record({ scenario, measure: 'errors and non-2xx', value: result.errors, unit: '' });
}

export async function api(
  dir: string,
  databaseUrl: string,
  options: { title: string; cases: ApiCase[]; seconds: number; warmUpSeconds: number; p99Target: number | null; shareTarget: number | null; crawl?: { prefix: string; count: number } },
): Promise<void> {
  const server = await startServer({ DATABASE_URL: databaseUrl, DEMO_DATA: 'off' });
  const popular = options.cases[0]!;
  // Each of the popular package's answers is measured again from a bare server sending its bytes:
  // the largest answers, whose tails are the ones to explain.
  const ours: { endpoint: string; body: string; result: LoadResult }[] = [];
  try {
    if (options.crawl) {
      // Warm the process (JIT, connections) on another endpoint, so /overall stays uncached.
      await crawl(server.url, `/api/packages/${options.crawl.prefix}`, '/system', options.crawl.count, options.warmUpSeconds);
      const cold = await crawl(server.url, `/api/packages/${options.crawl.prefix}`, '/overall', options.crawl.count, options.seconds);
      report(`${options.title}: cold crawler, /overall of a new package each request (${cold.requests.toLocaleString('en-US')} packages)`, cold, options.p99Target);
      reportCrawlRate(`${options.title}: cold crawler`, cold, options.p99Target !== null);
      recordResident(`${options.title}: cold crawler`, 'the server', residentMiB(server.child.pid!));
    }
    for (const apiCase of options.cases) {
      for (const endpoint of apiCase.endpoints) {
        const url = `${server.url}/api/packages/${apiCase.package}/${endpoint}`;
        const body = await (await fetch(url)).text();
        const result = await hammer(url, options.seconds, options.warmUpSeconds);
        report(`${options.title}: ${apiCase.label} package /${endpoint} (${round(body.length / 1024)} KB)`, result, options.p99Target);
        if (apiCase === popular) ours.push({ endpoint, body, result });
      }
    }
  } finally {
    await stop(server);
  }
  for (const { endpoint, body, result } of ours) {
    const bodyFile = path.join(dir, 'ceiling-body.json');
    await writeFile(bodyFile, body);
    const ceiling = await startCeiling(bodyFile);
    try {
      const bare = await hammer(`${ceiling.url}/api/packages/${popular.package}/${endpoint}`, options.seconds, options.warmUpSeconds);
      report(`${options.title}: bare Fastify returning the same ${round(body.length / 1024)} KB as ${popular.label} /${endpoint} (ceiling)`, bare, null);
      const share = round((result.rps / bare.rps) * 100);
      const withTarget = endpoint === 'overall' && options.shareTarget;
      record({
        scenario: `${options.title}: ${popular.label} package /${endpoint}`,
        measure: 'req/s as a share of the ceiling',
        value: share,
        unit: '%',
        ...(withTarget ? { target: `≥ ${options.shareTarget} %`, met: share >= options.shareTarget! } : {}),
      });
      record({ scenario: `${options.title}: ${popular.label} package /${endpoint}`, measure: 'p99 over the ceiling\'s p99', value: round(result.p99 / bare.p99), unit: '×' });
    } finally {
      await stop(ceiling);
    }
  }
  if (options.crawl) {
    await crawlFromProcesses(databaseUrl, options.title, options.crawl, options.seconds, options.warmUpSeconds, options.p99Target);
    await profileCrawler(dir, databaseUrl, options.title, options.crawl, options.seconds);
  }
}

/** RSS after a crawl, the processes' own memory apart from the store's pages they map. */
function recordResident(scenario: string, who: string, resident: { own: number; mapped: number }): void {
  record({ scenario, measure: `RSS after the crawl, ${who}: own memory (default cache sizes)`, value: round(resident.own), unit: 'MiB' });
  record({ scenario, measure: `RSS after the crawl, ${who}: mapped files (the store read through mmap)`, value: round(resident.mapped), unit: 'MiB' });
}

/** The crawler's target besides its p99: PERFORMANCE.md's 10,000 req/s at 180 PyPI-sized days. */
const CRAWL_RATE_TARGET = 10_000;

function reportCrawlRate(scenario: string, result: LoadResult, withTarget: boolean): void {
  record({
    scenario,
    measure: 'req/s against the target',
    value: result.rps,
    unit: 'req/s',
    ...(withTarget ? { target: `≥ ${CRAWL_RATE_TARGET.toLocaleString('en-US')} req/s`, met: result.rps >= CRAWL_RATE_TARGET } : {}),
  });
}

/**
 * The same crawl on a server of 2 serving processes (SERVE_PROCESSES=2): a cold answer is CPU in
 * one process, so one process uses one core; this says what the second core adds while wrk
 * shares both. The same packages as the one-process crawl, each cold in these processes' caches.
 */
async function crawlFromProcesses(
  databaseUrl: string,
  title: string,
  walk: { prefix: string; count: number },
  seconds: number,
  warmUpSeconds: number,
  p99Target: number | null,
): Promise<void> {
  const processes = 2;
  const server = await startServer({ DATABASE_URL: databaseUrl, DEMO_DATA: 'off', SERVE_PROCESSES: String(processes) });
  try {
    // Warmed as the one-process server was.
    await crawl(server.url, `/api/packages/${walk.prefix}`, '/system', walk.count, warmUpSeconds);
    const cold = await crawl(server.url, `/api/packages/${walk.prefix}`, '/overall', walk.count, seconds);
    const scenario = `${title}: cold crawler from ${processes} serving processes (SERVE_PROCESSES=${processes})`;
    report(`${scenario}, /overall of a new package each request (${cold.requests.toLocaleString('en-US')} packages)`, cold, p99Target);
    reportCrawlRate(scenario, cold, p99Target !== null);
    recordResident(scenario, `the primary and ${processes} serving processes`, residentMiB(server.child.pid!));
  } finally {
    await stop(server);
  }
}

/**
 * The cold crawler once more, on a server of its own run with `--cpu-prof` (the crawler's
 * figures come from a server without the profiler): where a request's time goes when nothing is cached.
 */
async function profileCrawler(dir: string, databaseUrl: string, title: string, walk: { prefix: string; count: number }, seconds: number): Promise<void> {
  const profileDir = await mkdtemp(path.join(dir, 'cpu-profile-'));
  const server = await startServer({ DATABASE_URL: databaseUrl, DEMO_DATA: 'off' }, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    await crawl(server.url, `/api/packages/${walk.prefix}`, '/overall', walk.count, seconds);
  } finally {
    await stop(server);
  }
  const { parts, functions } = await summarizeDir(profileDir);
  const scenario = `${title}: cold crawler's CPU profile (share of the server's sampled time)`;
  for (const part of parts) record({ scenario, measure: `part: ${part.name}`, value: part.share, unit: '%' });
  for (const fn of functions) record({ scenario, measure: `function: ${fn.name}`, value: fn.share, unit: '%' });
}
