#!/usr/bin/env node
// CI: the production dependencies' advisories (`npm audit --omit=dev`). Any advisory fails the
// run unless .ci/audit-allow.json accepts it: its GHSA id, why it is accepted, and until when
// (an entry past its date fails again, so an allowance is looked at again). An audit that cannot
// run (no network, a registry without the audit endpoint) exits 3, apart from advisories' 1:
// unknown is not clean, and .ci/run says so (it fails on 3 where AUDIT_REQUIRED=1).
//
//   node .ci/audit.mjs [--report FILE] [--allow FILE] [--today YYYY-MM-DD]
//
// --report reads a saved `npm audit --json` instead of running it (the tests use it).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
}

/** Exit codes: advisories (or a bad allowance list) found, and no audit to look at at all. */
const FOUND = 1;
const NOT_RUN = 3;

function fail(message, code = FOUND) {
  console.error(`audit: ${message}`);
  process.exit(code);
}

function runAudit() {
  return new Promise((resolve) => {
    // npm audit exits 1 when it finds advisories: the JSON on stdout is the answer either way.
    execFile('npm', ['audit', '--omit=dev', '--json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (_error, stdout) => resolve(stdout));
  });
}

const reportFile = option('--report');
const allowFile = option('--allow', path.join(root, '.ci/audit-allow.json'));
const today = option('--today', new Date().toISOString().slice(0, 10));

let report;
const text = reportFile ? await readFile(reportFile, 'utf8') : await runAudit();
try {
  report = JSON.parse(text);
} catch {
  fail(`npm audit gave no JSON report: ${text.slice(0, 200)}`, NOT_RUN);
}
if (typeof report.vulnerabilities !== 'object' || report.vulnerabilities === null) {
  fail(`npm audit could not run: ${report.error?.summary || report.message || 'no report of vulnerabilities'}`, NOT_RUN);
}

let allowances;
try {
  allowances = JSON.parse(await readFile(allowFile, 'utf8'));
} catch (error) {
  fail(`cannot read the allowance list ${allowFile}: ${error.message}`);
}
if (!Array.isArray(allowances)) fail(`${allowFile} must be a JSON array of {id, package, reason, until}`);
for (const entry of allowances) {
  const ok =
    typeof entry?.id === 'string' && /^GHSA(-[0-9a-z]{4}){3}$/.test(entry.id) &&
    typeof entry.reason === 'string' && entry.reason.trim().length > 0 &&
    typeof entry.until === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(entry.until);
  if (!ok) fail(`every allowance needs an id (GHSA-xxxx-xxxx-xxxx), a reason and an until date (YYYY-MM-DD): ${JSON.stringify(entry)}`);
}

// Each advisory once, with the packages it reaches through.
const advisories = new Map();
for (const [name, vulnerability] of Object.entries(report.vulnerabilities)) {
  for (const via of vulnerability.via ?? []) {
    if (typeof via !== 'object') continue;
    const id = /GHSA(-[0-9a-z]{4}){3}/.exec(via.url ?? '')?.[0] ?? `npm advisory ${via.source}`;
    const advisory = advisories.get(id) ?? { id, title: via.title, severity: via.severity, url: via.url, packages: new Set() };
    advisory.packages.add(name);
    advisories.set(id, advisory);
  }
}

const problems = [];
for (const advisory of advisories.values()) {
  const allowance = allowances.find((entry) => entry.id === advisory.id);
  const what = `${advisory.id} (${advisory.severity}, ${[...advisory.packages].join(', ')}): ${advisory.title} ${advisory.url ?? ''}`.trim();
  if (!allowance) problems.push(`not allowed: ${what}`);
  else if (allowance.until < today) problems.push(`allowance expired on ${allowance.until}: ${what}`);
  else console.log(`audit: allowed until ${allowance.until}: ${what} — ${allowance.reason}`);
}
for (const entry of allowances) {
  if (!advisories.has(entry.id)) console.log(`audit: ${entry.id} is allowed but no longer reported: remove it from ${path.basename(allowFile)}`);
}
if (problems.length > 0) fail(`${problems.length} advisor${problems.length === 1 ? 'y' : 'ies'} in production dependencies:\n  ${problems.join('\n  ')}`);
console.log(`audit: ${advisories.size} advisor${advisories.size === 1 ? 'y' : 'ies'} in production dependencies, none unaccepted`);
