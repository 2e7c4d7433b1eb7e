/** The compare-page benchmark scenario, at a tiny size, in Chromium: it builds its store, serves it and measures the chart drawn. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { figures } from '../../bench/lib/results.js';
import { comparePage } from '../../bench/scenarios/compare-page.js';
import { describeWith } from '../support/describe-with.js';
import { tempDir } from '../support/raw-events.js';
import { chromium } from '../support/services.js';

describeWith([chromium], 'the compare-page scenario', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('pypistats-bench-compare-');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('draws ten packages and records the time to the chart', async () => {
    const ms = await comparePage(dir, { days: 3, packages: 20, loads: 2, withTargets: false });
    expect(ms).toBeGreaterThan(0);
    expect(figures.filter((figure) => figure.scenario.startsWith('compare page'))).toHaveLength(2);
  }, 120_000);
});
