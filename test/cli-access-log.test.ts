/**
 * A private index end to end through the CLI: the demo writes a day's nginx access log, `load
 * --source access-log` loads it into another store with every line accounted for, and `serve
 * --index-name` shows that index's downloads, `__all__` being its total.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS } from '../src/domain/demo.js';
import { normalizeName } from '../src/domain/names.js';
import { demoPackageNames } from '../src/sources/synthetic.js';
import { runCli, startServer } from './support/cli.js';
import { startPypiStandIn } from './support/pypi-standin.js';
import { tempDir } from './support/raw-events.js';

const DAY = '2026-11-20';
let dir: string;
let logs: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('pypistats-cli-access-log-');
  logs = path.join(dir, 'logs');
  env = { DATABASE_URL: `sqlite:${path.join(dir, 'index.sqlite')}`, DEMO_DATA: 'off' };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pypistats with a private index’s access logs', () => {
  it('demo --access-log writes each day’s nginx log and loads the days from it', async () => {
    const result = await runCli(['demo', '--days', '1', '--end-date', DAY, '--events-per-day', '2000', '--access-log', logs], { DATABASE_URL: `sqlite:${path.join(dir, 'demo.sqlite')}` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(path.join(logs, `access-${DAY}.log.gz`))).toBe(true);
    expect(result.stdout).toMatch(new RegExp(`^${DAY}: [\\d,]+ downloads of \\d+ packages .*; [\\d,]+ log lines, not counted: [\\d,]+ not of a distribution file`, 'm'));
  }, 60_000);

  it('load --source access-log loads a day of the logs, saying what became of every line', async () => {
    const result = await runCli(['load', '--source', 'access-log', '--input', path.join(logs, 'access-*.log.gz'), '--date', DAY], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/downloads of \d+ packages .* log lines, not counted: .*not of a distribution file, .*not GET, .*with another status/);
    const status = await runCli(['status'], env);
    expect(status.stdout).toMatch(new RegExp(`${DAY}  access-log succeeded .*: [\\d,]+ events → [\\d,]+ rows, [\\d,]+ skipped`));
  }, 60_000);

  it('refuses what it cannot do with a one-line message', async () => {
    const noInput = await runCli(['load', '--source', 'access-log', '--date', DAY], env);
    expect({ code: noInput.code, stderr: noInput.stderr }).toEqual({ code: 2, stderr: "pypistats: load --source access-log needs --input GLOB (such as '/var/log/nginx/access.log*')\n" });
    const badFormat = await runCli(['load', '--source', 'access-log', '--input', logs, '--date', DAY], { ...env, ACCESS_LOG_FORMAT: '$remote_addr $status' });
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toMatch(/^pypistats: configuration: ACCESS_LOG_FORMAT: the log format must hold the request/);
    const noFile = await runCli(['load', '--source', 'access-log', '--input', path.join(dir, 'none', 'access.log*'), '--date', DAY], env);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/^pypistats: no input file matches .*none\/access\.log\*\n$/);
  });

  it('serve --index-name shows the index’s name on the site, and its total as __all__', async () => {
    const server = await startServer(env, ['--index-name', 'packages.example.com']);
    try {
      const home = await (await fetch(`${server.url}/`)).text();
      expect(home).toContain('Downloads from <strong>packages.example.com</strong>');
      expect(home).toContain('>All of packages.example.com<');
      expect(home).not.toContain('>All of PyPI<');
      const allPage = await (await fetch(`${server.url}/packages/__all__`)).text();
      expect(allPage).toContain('<h1>All of packages.example.com</h1>');
      expect(allPage).toContain('>Downloads of every package on packages.example.com, summed.</p>');
      const all = await fetch(`${server.url}/api/packages/__all__/overall?mirrors=false`);
      expect(all.status).toBe(200);
      const body = (await all.json()) as { data: { category: string; date: string; downloads: number }[] };
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject({ category: 'without_mirrors', date: DAY });
      expect(body.data[0]!.downloads).toBeGreaterThan(0);
      // The API's own description says what __all__ is here, on the /api page and in OpenAPI.
      const apiPage = await (await fetch(`${server.url}/api`)).text();
      expect(apiPage).toContain('<code>__all__</code> (in any case) stands for all of packages.example.com.');
      expect(apiPage).toContain('for every package on packages.example.com, as JSON');
      expect(apiPage).not.toMatch(/all of PyPI|every package on PyPI/);
      const openApi = await (await fetch(`${server.url}/api/openapi.json`)).text();
      expect(openApi).toContain('stands for all of packages.example.com.');
      expect(openApi).not.toContain('stands for all of PyPI');
      expect(openApi).toContain('Download statistics of the packages of packages.example.com, compatible with pypistats.org');
    } finally {
      await server.stop();
    }
    const named = await startServer({ ...env, INDEX_NAME: 'pypi.internal' });
    try {
      expect(await (await fetch(`${named.url}/about`)).text()).toContain('Downloads from <strong>pypi.internal</strong>');
    } finally {
      await named.stop();
    }
    const plain = await startServer(env);
    try {
      expect(await (await fetch(`${plain.url}/`)).text()).not.toContain('Downloads from');
      expect(await (await fetch(`${plain.url}/api/openapi.json`)).text()).toContain('stands for all of PyPI.');
    } finally {
      await plain.stop();
    }
  }, 60_000);

  it('serve --index-name asks the index’s own JSON API for a package’s metadata when PYPI_URL names it', async () => {
    // (Without PYPI_URL, a private index's site asks none: see config.test.ts.)
    const name = normalizeName(demoPackageNames(DEFAULT_DEMO_OPTIONS)[0]!);
    const ownApi = await startPypiStandIn({ packages: { [name]: { info: { name, summary: 'Our own package, from our index.', version: '1.0.0' }, releases: {}, urls: [] } } });
    const server = await startServer({ ...env, PYPI_URL: ownApi.url }, ['--index-name', 'packages.example.com']);
    try {
      const page = await (await fetch(`${server.url}/packages/${name}`)).text();
      expect(ownApi.requestsFor(name)).toBe(1);
      expect(page).toContain('Our own package, from our index.');
      expect(page).toContain('>View on packages.example.com ↗</a>');
      expect(page).not.toContain('View on PyPI');
    } finally {
      await server.stop();
      await ownApi.close();
    }
  }, 60_000);

  it('serve loads yesterday from the access logs on schedule (LOAD_SOURCE=access-log), in its load worker', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const scheduledLogs = path.join(dir, 'scheduled');
    const demo = await runCli(['demo', '--days', '1', '--events-per-day', '1000', '--access-log', scheduledLogs], { DATABASE_URL: `sqlite:${path.join(dir, 'scheduled-demo.sqlite')}` });
    expect(demo.code).toBe(0);
    const scheduledEnv = { DATABASE_URL: `sqlite:${path.join(dir, 'scheduled.sqlite')}`, LOAD_SOURCE: 'access-log', LOAD_INPUT: path.join(scheduledLogs, 'access-*.log.gz'), LOAD_CATCH_UP_DAYS: '1' };
    const server = await startServer(scheduledEnv);
    try {
      const deadline = Date.now() + 30_000;
      while (!new RegExp(`${yesterday}: loaded \\d+ downloads`).test(server.logs()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.logs()).toMatch(new RegExp(`${yesterday}: loaded \\d+ downloads of \\d+ packages`));
    } finally {
      await server.stop();
    }
    const status = await runCli(['status'], scheduledEnv);
    expect(status.stdout).toMatch(new RegExp(`${yesterday}  access-log succeeded`));
  }, 60_000);
});
