/**
 * `npm run bench [-- --quick]`: the issue's performance targets, each measured in one run, with
 * ratios against a ceiling measured in the same run. Writes bench/RESULTS.md and bench/results.json.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DuckDb } from '../src/sources/duckdb.js';
import { FileSource } from '../src/sources/files.js';
import { demoPackageNames, writeDemoDay, DEFAULT_DEMO_OPTIONS } from '../src/sources/synthetic.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { loadDay } from '../src/pipeline/load.js';
import { normalizeName } from '../src/domain/names.js';
import { listValue, type DuckDBValue } from '@duckdb/node-api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const sizes = quick
  ? { startDays: 60, ingestEvents: 2_000_000, apiSeconds: 5 }
  : { startDays: 180, ingestEvents: 10_000_000, apiSeconds: 20 };

interface Figure {
  scenario: string;
  measure: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}
const figures: Figure[] = [];
function record(figure: Figure): void {
  figures.push(figure);
  const target = figure.target ? ` (target ${figure.target}: ${figure.met ? 'met' : 'MISSED'})` : '';
  console.log(`${figure.scenario} | ${figure.measure}: ${figure.value} ${figure.unit}${target}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/pypistats'), 'serve'], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ url: match[1]!, child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Scenario 1: the README's first command from an empty database until every demo day is served. */
async function firstStart(dir: string): Promise<string> {
  const database = path.join(dir, 'first-start.sqlite');
  const started = performance.now();
  const { url, child } = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DAYS: String(sizes.startDays) });
  const listening = (performance.now() - started) / 1000;
  let days = 0;
  while (days < sizes.startDays) {
    await sleep(250);
    const response = await fetch(`${url}/api/packages/__all__/overall?mirrors=false`);
    if (response.ok) days = ((await response.json()) as { data: unknown[] }).data.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await stopServer(child);
  record({ scenario: 'first start', measure: 'listening after', value: round(listening), unit: 's' });
  record({
    scenario: 'first start',
    measure: `${sizes.startDays} demo days served after`,
    value: round(seconds),
    unit: 's',
    target: quick ? undefined : '< 60 s',
    met: quick ? undefined : seconds < 60,
  });
  const size = (await stat(database)).size;
  record({ scenario: 'first start', measure: 'database size', value: round(size / 1024 / 1024), unit: 'MB' });
  return database;
}

/** Scenario 2: one day of N raw events from Parquet, against a bare DuckDB GROUP BY over the same file. */
async function ingestion(dir: string): Promise<void> {
  const duck = await DuckDb.open();
  const file = path.join(dir, 'big-day.parquet');
  const day = '2026-11-20';
  let started = performance.now();
  const { events } = await writeDemoDay(duck, { ...DEFAULT_DEMO_OPTIONS, packages: 5000, eventsPerDay: sizes.ingestEvents }, day, file);
  record({ scenario: 'ingestion', measure: `generate ${events.toLocaleString('en-US')} raw events`, value: round((performance.now() - started) / 1000), unit: 's' });

  // Ceilings: a bare GROUP BY over the same file, of three fields, and of every field the rules read.
  const connection = await duck.connect();
  const bareSeconds = async (sql: string, params: Record<string, DuckDBValue> = {}) => {
    const begun = performance.now();
    await connection.run(sql, { files: listValue([file]), ...params });
    return (performance.now() - begun) / 1000;
  };
  const narrow = await bareSeconds('SELECT "file".project, details.python, details.system.name, count(*) FROM read_parquet($files) GROUP BY ALL');
  const bare = await bareSeconds(
    `SELECT "file".project, "file".filename LIKE '%.metadata', details.installer.name, details.python, details.system.name, count(*)
     FROM read_parquet($files) WHERE "timestamp" >= $day::TIMESTAMPTZ AND "timestamp" < $day::TIMESTAMPTZ + INTERVAL 1 DAY GROUP BY ALL`,
    { day },
  );
  connection.closeSync();

  const store = SqliteStore.open(path.join(dir, 'ingestion.sqlite'));
  started = performance.now();
  const result = await loadDay(store, new FileSource(duck, { inputs: [file] }), day, { retentionDays: 180 });
  const load = (performance.now() - started) / 1000;
  await store.close();
  duck.close();
  record({ scenario: 'ingestion', measure: 'bare DuckDB GROUP BY project, python, system', value: round(narrow), unit: 's' });
  record({ scenario: 'ingestion', measure: 'bare DuckDB GROUP BY of every field the rules read, one day (ceiling)', value: round(bare), unit: 's' });
  record({
    scenario: 'ingestion',
    measure: `load day (${result.rows.toLocaleString('en-US')} rows)`,
    value: round(load),
    unit: 's',
    target: quick ? undefined : '< 10 s',
    met: quick ? undefined : load < 10,
  });
  record({ scenario: 'ingestion', measure: 'events per second', value: Math.round(events / load), unit: 'events/s' });
  record({ scenario: 'ingestion', measure: 'speed vs bare DuckDB', value: round((bare / load) * 100), unit: '%' });
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary is an error here.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

function wrkMs(text: string, label: string): number {
  const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
  if (!match) throw new Error(`no ${label} in wrk's output:\n${text}`);
  return round(Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's']);
}

/** wrk (Debian's package) as in PERFORMANCE.md: 2 threads, 50 connections, after a warm-up; autocannon without it. */
async function cannon(url: string, seconds: number): Promise<LoadResult> {
  if (hasWrk) {
    const run = (duration: number) => execFileSync('wrk', ['-t2', '-c50', `-d${duration}s`, '--latency', url]).toString();
    run(3);
    const text = run(seconds);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
    const socketErrors = (/Socket errors:(.*)/.exec(text)?.[1] ?? '').match(/\d+/g) ?? [];
    const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0) + socketErrors.reduce((sum, n) => sum + Number(n), 0);
    return { rps: Math.round(rps), p50: wrkMs(text, '50%'), p99: wrkMs(text, '99%'), errors };
  }
  await autocannon({ url, connections: 50, duration: 3 });
  const result = await autocannon({ url, connections: 50, duration: seconds });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** Scenario 3: a package's 180-day /overall at 50 connections, next to a bare Fastify ceiling. */
async function api(dir: string, database: string): Promise<void> {
  const top = normalizeName(demoPackageNames(DEFAULT_DEMO_OPTIONS)[0]!);
  const { url, child } = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DATA: 'off' });
  const path1 = `/api/packages/${top}/overall`;
  const body = await (await fetch(url + path1)).text();
  const ours = await cannon(url + path1, sizes.apiSeconds);
  const recent = await cannon(`${url}/api/packages/${top}/recent`, sizes.apiSeconds);
  await stopServer(child);

  const bodyFile = path.join(dir, 'body.json');
  await writeFile(bodyFile, body);
  const ceilingPort = 18_000 + Math.floor(Math.random() * 1000);
  const ceiling = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/ceiling-server.ts'), bodyFile, String(ceilingPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => ceiling.stdout!.once('data', resolve));
  const bare = await cannon(`http://127.0.0.1:${ceilingPort}${path1}`, sizes.apiSeconds);
  await stopServer(ceiling);

  const scenario = `API ${path1} (${Math.round(body.length / 1024)} KB)`;
  record({ scenario, measure: 'req/s', value: ours.rps, unit: 'req/s' });
  record({ scenario, measure: 'p50', value: ours.p50, unit: 'ms' });
  record({ scenario, measure: 'p99', value: ours.p99, unit: 'ms', target: '< 5 ms', met: ours.p99 < 5 });
  record({ scenario, measure: 'errors and non-2xx', value: ours.errors, unit: '' });
  record({ scenario, measure: 'bare Fastify, same bytes (ceiling): req/s', value: bare.rps, unit: 'req/s' });
  record({ scenario, measure: 'bare Fastify p99', value: bare.p99, unit: 'ms' });
  record({ scenario, measure: 'share of the ceiling', value: round((ours.rps / bare.rps) * 100), unit: '%' });
  record({ scenario: `API /api/packages/${top}/recent`, measure: 'req/s', value: recent.rps, unit: 'req/s' });
  record({ scenario: `API /api/packages/${top}/recent`, measure: 'p99', value: recent.p99, unit: 'ms' });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    // Not a git checkout.
  }
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version, commit };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pypistats-bench-'));
  try {
    const database = await firstStart(dir);
    await ingestion(dir);
    await api(dir, database);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const loadGenerator = hasWrk ? 'wrk -t2 -c50 --latency' : 'autocannon, 50 connections (install wrk for figures comparable to PERFORMANCE.md)';
  const info = { date: new Date().toISOString(), mode: quick ? 'quick' : 'full', loadGenerator, ...machine() };
  const resultsFile = path.join(root, 'bench', quick ? 'results-quick.json' : 'results.json');
  await writeFile(resultsFile, JSON.stringify({ ...info, figures }, null, 2) + '\n');
  const lines = [
    `# Benchmark results (${info.mode} mode)`,
    '',
    `${info.date}, commit ${info.commit}, ${info.cpu} × ${info.cores} cores, ${info.memoryGb} GB, Node ${info.node}.`,
    `Load generator: ${info.loadGenerator}, ${sizes.apiSeconds} s after a 3 s warm-up, on the same cores as the server.`,
    'Ratios come from one run; absolute figures drift between runs and machines.',
    '',
    '| scenario | measure | value | target |',
    '|---|---|---|---|',
    ...figures.map((f) => `| ${f.scenario} | ${f.measure} | ${f.value} ${f.unit} | ${f.target ? `${f.target}: ${f.met ? 'met' : '**missed**'}` : ''} |`),
    '',
  ];
  await writeFile(path.join(root, 'bench', quick ? 'RESULTS-quick.md' : 'RESULTS.md'), lines.join('\n'));
  console.log(`\nwritten to bench/${quick ? 'RESULTS-quick.md' : 'RESULTS.md'}`);
}

await main();
