/**
 * Badges and shields.io answers (src/web/embeds/): a warm badge and a warm shields answer under
 * 50 connections, each next to a bare Fastify server sending the same bytes (the ceiling), and
 * the cold path: every package's badge and shields answer asked once, one request at a time (no
 * queue in the latency), each computed from the store. Targets (issue 16): warm at 50 % or more
 * of the ceiling's req/s, cold under 2 ms (the median).
 */
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { hammer, type LoadResult } from '../lib/load-generator.js';
import { startCeiling, startServer, stop } from '../lib/processes.js';
import { record, round } from '../lib/results.js';

export const EMBEDS_SCENARIO = 'badges and shields';
const SHARE_TARGET = 50;
const COLD_TARGET_MS = 2;

export interface EmbedsOptions {
  /** Packages held by the store: the first is hammered warm, each is asked once cold. */
  packages: readonly string[];
  seconds: number;
  warmUpSeconds: number;
  withTargets: boolean;
}

interface Warm {
  label: string;
  path: string;
  type: string;
  body: Buffer;
  result: LoadResult;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * One answer on a connection of its own: fetch's pool would reuse a keep-alive socket idle since
 * before the last hammer, which the server has closed by then (KEEP_ALIVE_TIMEOUT_MS), and fail.
 */
function answerOnNewConnection(url: string): Promise<{ type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ type: String(response.headers['content-type']), body: Buffer.concat(chunks) }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Each URL once, one after the other, timed from the request to the last byte of the answer. */
async function coldLatencies(base: string, paths: readonly string[]): Promise<{ p50: number; p99: number; max: number; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  for (const url of paths) {
    const started = performance.now();
    const response = await fetch(`${base}${url}`);
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.status !== 200) failed++;
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), max: round(times.at(-1)!), failed };
}

export async function embeds(dir: string, databaseUrl: string, options: EmbedsOptions): Promise<void> {
  const top = options.packages[0]!;
  const server = await startServer({ DATABASE_URL: databaseUrl, DEMO_DATA: 'off' });
  const warm: Warm[] = [];
  try {
    // The process warmed (JIT, the store's connection) on other answers than those measured cold.
    await coldLatencies(server.url, options.packages.map((name) => `/badge/${name}?period=total`));
    const cold = [
      ['badge', options.packages.map((name) => `/badge/${name}`)],
      ['shields', options.packages.map((name) => `/api/shields/${name}`)],
    ] as const;
    for (const [label, paths] of cold) {
      const result = await coldLatencies(server.url, paths);
      const scenario = `${EMBEDS_SCENARIO}: cold ${label}, each of ${paths.length} packages once, one request at a time`;
      // The target is the median's: a typical cold answer. The p99 of a few hundred requests is
      // one or two of them, whatever else the shared cores were doing then (it is reported beside).
      record({ scenario, measure: 'p50', value: result.p50, unit: 'ms', ...(options.withTargets ? { target: `< ${COLD_TARGET_MS} ms`, met: result.p50 < COLD_TARGET_MS } : {}) });
      record({ scenario, measure: 'p99', value: result.p99, unit: 'ms' });
      record({ scenario, measure: 'longest', value: result.max, unit: 'ms' });
      if (result.failed > 0) record({ scenario, measure: 'non-200 answers', value: result.failed, unit: '' });
    }
    for (const [label, url] of [
      ['badge', `/badge/${top}`],
      ['shields', `/api/shields/${top}`],
    ] as const) {
      const { type, body } = await answerOnNewConnection(`${server.url}${url}`);
      const result = await hammer(`${server.url}${url}`, options.seconds, options.warmUpSeconds);
      warm.push({ label, path: url, type, body, result });
      const scenario = `${EMBEDS_SCENARIO}: warm ${label} (${body.length} bytes)`;
      record({ scenario, measure: 'req/s', value: result.rps, unit: 'req/s' });
      record({ scenario, measure: 'p99', value: result.p99, unit: 'ms' });
      if (result.errors > 0) record({ scenario, measure: 'errors and non-2xx', value: result.errors, unit: '' });
    }
  } finally {
    await stop(server);
  }
  for (const { label, path: url, type, body, result } of warm) {
    const bodyFile = path.join(dir, `ceiling-${label}`);
    await writeFile(bodyFile, body);
    const ceiling = await startCeiling(bodyFile, { contentType: type });
    try {
      const bare = await hammer(`${ceiling.url}${url}`, options.seconds, options.warmUpSeconds);
      record({ scenario: `${EMBEDS_SCENARIO}: bare Fastify returning the same ${body.length} bytes as the ${label} (ceiling)`, measure: 'req/s', value: bare.rps, unit: 'req/s' });
      const share = round((result.rps / bare.rps) * 100);
      record({
        scenario: `${EMBEDS_SCENARIO}: warm ${label}`,
        measure: 'req/s as a share of the ceiling',
        value: share,
        unit: '%',
        ...(options.withTargets ? { target: `≥ ${SHARE_TARGET} %`, met: share >= SHARE_TARGET } : {}),
      });
    } finally {
      await stop(ceiling);
    }
  }
}
