/**
 * Pages from the page cache (src/web/page-cache.ts) on the demo store: the serving process's RSS
 * after a crawler has walked every package once through the API and the pages, and a warm
 * package page (brotli, as browsers ask) under 50 connections next to a bare Fastify server
 * sending the same bytes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { normalizeName } from '../../src/domain/names.js';
import { DEFAULT_DEMO_OPTIONS, demoPackageNames } from '../../src/sources/synthetic.js';
import { hammer } from '../lib/load-generator.js';
import { startCeiling, startServer, stop, type Server } from '../lib/processes.js';
import { record, round } from '../lib/results.js';

const ENDPOINTS = ['recent', 'overall', 'python_major', 'python_minor', 'system'] as const;
/** Requests of the walk out at once: a polite crawler's few connections. */
const WALKERS = 8;
/** Nothing listens on the discard port of loopback: every metadata ask is a quick miss, and no request leaves the machine. */
const NO_PYPI = 'http://127.0.0.1:9';

/** A field of /proc/<pid>/status (VmRSS, VmHWM), in MiB. */
async function statusMib(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return round(kb / 1024);
}

/** Every package once: its five API answers and its page, brotli and gzip (both kept). */
async function walk(server: Server, names: string[]): Promise<number> {
  const urls = names.flatMap((name) => [
    ...ENDPOINTS.map((endpoint) => ({ url: `${server.url}/api/packages/${name}/${endpoint}`, encoding: 'identity' })),
    { url: `${server.url}/packages/${name}`, encoding: 'br' },
    { url: `${server.url}/packages/${name}`, encoding: 'gzip' },
  ]);
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: WALKERS }, async () => {
      while (next < urls.length) {
        const { url, encoding } = urls[next++]!;
        const response = await fetch(url, { headers: { 'accept-encoding': encoding } });
        await response.arrayBuffer();
        if (response.status !== 200) failed++;
      }
    }),
  );
  return failed;
}

export async function pageCache(dir: string, databaseUrl: string, options: { seconds: number; warmUpSeconds: number }): Promise<void> {
  const names = demoPackageNames(DEFAULT_DEMO_OPTIONS).map(normalizeName);
  const server = await startServer({ DATABASE_URL: databaseUrl, DEMO_DATA: 'off', PYPI_URL: NO_PYPI, PAGE_RATE_LIMIT_PER_SECOND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '0' });
  const pid = server.child.pid!;
  const scenario = `page cache, ${names.length} demo packages, default RESPONSE_CACHE_MB and PAGE_CACHE_MB`;
  const top = names[0]!;
  const pageUrl = `${server.url}/packages/${top}`;
  let page: Buffer;
  let ours;
  try {
    record({ scenario, measure: 'RSS listening', value: await statusMib(pid, 'VmRSS'), unit: 'MiB' });
    const failed = await walk(server, names);
    if (failed > 0) record({ scenario, measure: 'walk: non-200 answers', value: failed, unit: '' });
    record({ scenario, measure: 'RSS after walking every package once (API and pages)', value: await statusMib(pid, 'VmRSS'), unit: 'MiB' });
    // The walk again: all of it from the caches, so memory should not grow.
    await walk(server, names);
    record({ scenario, measure: 'RSS after a second walk', value: await statusMib(pid, 'VmRSS'), unit: 'MiB' });
    record({ scenario, measure: 'peak RSS (VmHWM)', value: await statusMib(pid, 'VmHWM'), unit: 'MiB' });
    page = Buffer.from(await (await fetch(pageUrl, { headers: { 'accept-encoding': 'br' } })).arrayBuffer());
    ours = await hammer(pageUrl, options.seconds, options.warmUpSeconds, { 'accept-encoding': 'br' });
    record({ scenario: `${scenario}: warm package page, brotli (${round(page.length / 1024)} KB)`, measure: 'req/s', value: ours.rps, unit: 'req/s' });
    record({ scenario: `${scenario}: warm package page, brotli (${round(page.length / 1024)} KB)`, measure: 'p99', value: ours.p99, unit: 'ms' });
    if (ours.errors > 0) record({ scenario, measure: 'warm page: errors and non-2xx', value: ours.errors, unit: '' });
    record({ scenario, measure: 'RSS after the warm page', value: await statusMib(pid, 'VmRSS'), unit: 'MiB' });
  } finally {
    await stop(server);
  }
  const bodyFile = path.join(dir, 'ceiling-page.br');
  await writeFile(bodyFile, page);
  const ceiling = await startCeiling(bodyFile, { contentType: 'text/html; charset=utf-8', encoding: 'br' });
  try {
    const bare = await hammer(`${ceiling.url}/packages/${top}`, options.seconds, options.warmUpSeconds, { 'accept-encoding': 'br' });
    record({ scenario: `${scenario}: bare Fastify returning the same bytes (ceiling)`, measure: 'req/s', value: bare.rps, unit: 'req/s' });
    const share = round((ours.rps / bare.rps) * 100);
    record({ scenario: `${scenario}: warm package page`, measure: 'share of the ceiling', value: share, unit: '%', target: '>= 50 %', met: share >= 50 });
  } finally {
    await stop(ceiling);
  }
}
