/**
 * The embeds benchmark at a tiny size: a store of three packages over two days, one second of
 * load per case. It runs the scenario as `npm run bench -- --only embeds` does, and checks that
 * every figure it reports is there, and that no request failed.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { embeds, EMBEDS_SCENARIO } from '../../bench/scenarios/embeds.js';
import { figures } from '../../bench/lib/results.js';
import { openStore } from '../../src/store/open.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { tempDir } from '../support/raw-events.js';
import { chunks, row } from '../support/rows.js';

const PACKAGES = ['requests', 'boto3', 'zope-interface'];
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('measures warm badges and shields next to their ceiling, and each package cold, with every answer a 200', async () => {
  dir = await tempDir('pypistats-bench-embeds-');
  const file = path.join(dir, 'store.sqlite');
  const store = await openStore({ kind: 'sqlite', file });
  for (const [i, day] of ['2026-11-23', '2026-11-24'].entries()) {
    const rows = PACKAGES.flatMap((name, rank) => [row(name, 'overall', 'with_mirrors', 1000 * (i + 1) + rank), row(name, 'overall', 'without_mirrors', 1000 * (i + 1))]);
    await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 100)) });
  }
  await store.close();

  await embeds(dir, `sqlite:${file}`, { packages: PACKAGES, seconds: 1, warmUpSeconds: 1, withTargets: false });

  const ours = figures.filter((figure) => figure.scenario.startsWith(EMBEDS_SCENARIO));
  const measures = ours.map((figure) => `${figure.scenario.replace(/ \(\d+ bytes\)| \d+ bytes/g, '')} | ${figure.measure}`);
  expect(measures).toEqual(
    expect.arrayContaining([
      `${EMBEDS_SCENARIO}: cold badge, each of 3 packages once, one request at a time | p50`,
      `${EMBEDS_SCENARIO}: cold badge, each of 3 packages once, one request at a time | p99`,
      `${EMBEDS_SCENARIO}: cold shields, each of 3 packages once, one request at a time | p99`,
      `${EMBEDS_SCENARIO}: warm badge | req/s`,
      `${EMBEDS_SCENARIO}: warm shields | req/s`,
      `${EMBEDS_SCENARIO}: warm badge | req/s as a share of the ceiling`,
      `${EMBEDS_SCENARIO}: warm shields | req/s as a share of the ceiling`,
    ]),
  );
  expect(ours.filter((figure) => /non-200|errors/.test(figure.measure))).toEqual([]);
  for (const figure of ours) expect(figure.value, `${figure.scenario} ${figure.measure}`).toBeGreaterThan(0);
}, 120_000);
