/** The top-lists benchmark scenario, at a tiny size: it builds its store, asks both lists and records figures. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { figures } from '../../bench/lib/results.js';
import { topLists } from '../../bench/scenarios/top-lists.js';
import { tempDir } from '../support/raw-events.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('pypistats-bench-top-');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('measures /api/top and /api/trending with limit=1000, cold and warm', async () => {
  const result = await topLists(dir, { days: 2, packages: 1500, coldRuns: 2, warmRequests: 10, withTargets: false });
  expect(Object.keys(result)).toEqual(['/api/top?limit=1000', '/api/trending?limit=1000']);
  for (const { coldMs, warmMs } of Object.values(result)) {
    expect(coldMs).toBeGreaterThan(0);
    expect(warmMs).toBeGreaterThan(0);
  }
  expect(figures.filter((figure) => figure.scenario.startsWith('top lists')).map((figure) => figure.measure)).toHaveLength(6);
}, 120_000);
