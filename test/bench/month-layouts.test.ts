/**
 * The month-layouts scenario (bench/scenarios/month-layouts.ts) at tiny size: it builds a store's
 * months, rewrites them in every layout and records each layout's table, share and encoding time.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { monthLayouts, monthLayoutSizes } from '../../bench/scenarios/month-layouts.js';
import { figures } from '../../bench/lib/results.js';
import { tempDir } from '../support/raw-events.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('pypistats-bench-month-layouts-');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('runs at tiny size and records every layout', { timeout: 300_000 }, async () => {
  await monthLayouts(dir, monthLayoutSizes('200x1x12'));
  const ours = figures.filter((figure) => figure.scenario.startsWith('month layouts'));
  expect(ours).toHaveLength(2 + 6 * 3);
  for (const figure of ours.filter((f) => f.measure.endsWith(': table'))) expect(figure.value, figure.measure).toBeGreaterThan(0);
  const table = (name: string) => ours.find((figure) => figure.measure === `${name}: table`)!.value;
  // A year of a category's months in one row never takes more than its twelve rows.
  expect(table('row per year')).toBeLessThanOrEqual(table('row per month (the store’s)'));
});

it('refuses a size that is not packages×days×months', () => {
  expect(() => monthLayoutSizes('200x1')).toThrow('MONTH_LAYOUT_SIZES: 200x1 is not packages×days×months');
});
