/** `pypistats status` says when the data is demo data, in text and in JSON. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/raw-events.js';

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await tempDir();
  env = { DATABASE_URL: `sqlite:${path.join(dir, 'demo.sqlite')}` };
  const demo = await runCli(['demo', '--days', '2', '--packages', '10', '--events-per-day', '500', '--end-date', '2026-11-20'], env);
  expect(demo.stderr).toBe('');
  expect(demo.code).toBe(0);
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pypistats status on demo data', () => {
  it('says DEMO DATA on its first line, and records the loads as the demo’s', async () => {
    const text = await runCli(['status'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe("data:         DEMO DATA, made up by `pypistats demo` (or `serve` on an empty database), not PyPI's downloads");
    expect(text.stdout).toMatch(/latest loads:\n  2026-11-20  demo     succeeded/);
  });

  it('has "demo": true in --json', async () => {
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout);
    expect(json).toMatchObject({ demo: true, days: 2, latestDay: '2026-11-20' });
    expect(json.loads.map((load: { source: string }) => load.source)).toEqual(['demo', 'demo']);
  });
});
