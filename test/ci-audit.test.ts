/** `.ci/audit.mjs`, the CI's dependency audit, on saved `npm audit --json` reports. */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/raw-events.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.ci/audit.mjs');

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const advisory = {
  source: 1_100_001,
  name: 'leftpad',
  title: 'Prototype pollution in leftpad',
  url: 'https://github.com/advisories/GHSA-abcd-efgh-ijkl',
  severity: 'high',
  range: '<1.2.0',
};
const withAdvisory = {
  auditReportVersion: 2,
  vulnerabilities: {
    leftpad: { name: 'leftpad', severity: 'high', via: [advisory] },
    'uses-leftpad': { name: 'uses-leftpad', severity: 'high', via: ['leftpad'] },
  },
};
const clean = { auditReportVersion: 2, vulnerabilities: {} };
const allowed = (until: string) => [{ id: 'GHSA-abcd-efgh-ijkl', package: 'leftpad', reason: 'only reached by the demo generator, never with input from a request', until }];

async function audit(report: unknown, allow: unknown, today = '2026-12-01') {
  const reportFile = path.join(dir, `report-${Math.random()}.json`);
  const allowFile = path.join(dir, `allow-${Math.random()}.json`);
  await writeFile(reportFile, typeof report === 'string' ? report : JSON.stringify(report));
  await writeFile(allowFile, JSON.stringify(allow));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, '--report', reportFile, '--allow', allowFile, '--today', today], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('the CI dependency audit', () => {
  it('passes a clean report', async () => {
    expect(await audit(clean, [])).toEqual({ code: 0, stdout: 'audit: 0 advisories in production dependencies, none unaccepted\n', stderr: '' });
  });

  it('fails on an advisory nobody accepted, naming it once', async () => {
    const result = await audit(withAdvisory, []);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'audit: 1 advisory in production dependencies:\n  not allowed: GHSA-abcd-efgh-ijkl (high, leftpad): Prototype pollution in leftpad https://github.com/advisories/GHSA-abcd-efgh-ijkl\n',
    );
  });

  it('passes an accepted advisory until its date, and fails it after', async () => {
    const within = await audit(withAdvisory, allowed('2026-12-01'));
    expect(within.code).toBe(0);
    expect(within.stdout).toContain('audit: allowed until 2026-12-01: GHSA-abcd-efgh-ijkl');
    expect(within.stdout).toContain('only reached by the demo generator');
    const after = await audit(withAdvisory, allowed('2026-11-30'));
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('allowance expired on 2026-11-30: GHSA-abcd-efgh-ijkl');
  });

  it('says when an allowance is no longer needed', async () => {
    const result = await audit(clean, allowed('2027-01-01'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('GHSA-abcd-efgh-ijkl is allowed but no longer reported');
  });

  it('refuses an allowance without a reason or a date', async () => {
    for (const entry of [{ id: 'GHSA-abcd-efgh-ijkl', until: '2027-01-01' }, { id: 'GHSA-abcd-efgh-ijkl', reason: 'x' }, { id: '1100001', reason: 'x', until: '2027-01-01' }]) {
      const result = await audit(withAdvisory, [entry]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^audit: every allowance needs an id \(GHSA-xxxx-xxxx-xxxx\), a reason and an until date/);
    }
  });

  it('exits 3 when the audit could not run, apart from advisories: unknown is not clean', async () => {
    const unreachable = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    expect(await audit(unreachable, [])).toMatchObject({ code: 3, stderr: `audit: npm audit could not run: ${unreachable.message}\n` });
    expect((await audit('npm ERR! network', [])).stderr).toMatch(/^audit: npm audit gave no JSON report/);
  });

  it('keeps the committed allowance list valid', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const report = path.join(dir, 'clean.json');
      void writeFile(report, JSON.stringify(clean)).then(() =>
        execFile(process.execPath, [SCRIPT, '--report', report], (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr })),
      );
    });
    expect(result).toEqual({ code: 0, stderr: '' });
  });
});
