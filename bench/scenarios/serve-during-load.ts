/**
 * `serve` answering while it loads a PyPI-sized day (issue 14): a server with scheduled loads on a
 * store of N PyPI-sized days (seed breakdowns) ending the day before yesterday, under 50
 * connections of mixed traffic (every other request a popular package's cached answer, the others
 * a crawler's cold /overall), while its scheduler loads yesterday in its worker through the real
 * path (LOAD_SOURCE=files, a Parquet file of raw events with every breakdown); then the same
 * traffic, as long, with no load running, on the same server. p50, p99, the longest wait and req/s
 * of both, the load's duration and the serving event loop's longest delay meanwhile (which
 * load-worker-host logs). Targets during the load: p99 < 20 ms, no request over 100 ms.
 *
 * The admin variant (`--only serve-during-load-admin`): the same day, the same traffic, the same
 * figures, but the day is loaded by an admin job (issue 17) instead of the scheduler: the bench
 * signs in through the real flow against the GitHub stand-in of test/support, and POSTs
 * /admin/jobs (kind=load, with its CSRF token) once the traffic runs; the job's own worker loads
 * the day while the scheduler is off (LOAD_SOURCE unset). The window ends when the job's JSON
 * says it ended.
 *
 * The store: BENCH_SERVE_SQLITE=<file> or BENCH_SERVE_POSTGRES=<url with -c search_path=SCHEMA>
 * name a store built earlier (bench/build-store.ts), which is copied first and never written;
 * without them, one of SERVE_LOAD_DAYS days is built here.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { addDays, dayNumber, yesterdayUtc, type Day } from '../../src/domain/dates.js';
import { dimensionNamed, NULL_CATEGORY } from '../../src/domain/dimensions.js';
import { loadDay } from '../../src/pipeline/load.js';
import type { Source } from '../../src/sources/types.js';
import { openStore } from '../../src/store/open.js';
import type { LoadedDay, Store } from '../../src/store/types.js';
import { summarizeDir } from '../lib/cpu-profile.js';
import { startTraffic, type LoadResult, type TrafficMix } from '../lib/load-generator.js';
import { root, startServer, stop, type Server } from '../lib/processes.js';
import { record, round } from '../lib/results.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { startGithubStandin, type GithubStandin } from '../../test/support/github-standin.js';
import { HttpCookieClient, TEST_SESSION_SECRET } from '../../test/support/sign-in.js';
import { adminQuery, freshStore, type StoreKind } from './store-scale.js';

const run = promisify(execFile);

/** Linux's clock ticks per second in /proc (USER_HZ, 100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user and system), from /proc; null off Linux. */
async function processCpuSeconds(pid: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds every core has spent busy so far (all but idle and iowait), from /proc/stat; null off Linux. */
async function machineBusySeconds(): Promise<number | null> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => null);
  if (text === null) return null;
  const [, ...values] = text.split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

/** Where the cores went during a window: the server's share of one core, and the machine's busy cores. */
interface CpuWindow {
  serverCores: number | null;
  machineCores: number | null;
}

async function cpuWindow(pid: number): Promise<() => Promise<CpuWindow>> {
  const [server0, machine0] = [await processCpuSeconds(pid), await machineBusySeconds()];
  const started = performance.now();
  return async () => {
    const seconds = (performance.now() - started) / 1000;
    const [server1, machine1] = [await processCpuSeconds(pid), await machineBusySeconds()];
    return {
      serverCores: server0 === null || server1 === null ? null : round((server1 - server0) / seconds),
      machineCores: machine0 === null || machine1 === null ? null : round((machine1 - machine0) / seconds),
    };
  };
}

const storeNames: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** A source of PyPI-sized days of aggregate rows: day `first + i` is pypiSizedDay(i). */
export function pypiDaysFrom(first: Day, options: PypiDayOptions): Source {
  return {
    name: 'synthetic aggregates',
    async aggregateDay(day: Day) {
      const index = dayNumber(day) - dayNumber(first);
      // The synthetic source cannot sum its downloads before it streams them: its summary says 0.
      const summary = { day, downloads: 0, metadataFetches: 0, packages: options.packages, skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 } };
      return { summary, rows: pypiSizedDay(index, options) };
    },
  };
}

/** The first day of a store of `days` days whose last is the day before yesterday (UTC): `serve`'s catch-up then loads yesterday. */
export function firstServeDay(days: number): Day {
  return addDays(yesterdayUtc(), -days);
}

/** Loads `days` PyPI-sized days (seed breakdowns unless `options` say) ending the day before yesterday into `store`. */
export async function loadServeDays(store: Store, days: number, options: PypiDayOptions, onDay: (day: Day, seconds: number) => void = () => undefined): Promise<void> {
  const first = firstServeDay(days);
  const source = pypiDaysFrom(first, options);
  for (let i = 0; i < days; i++) {
    const day = addDays(first, i);
    const result = await loadDay(store, source, day, { retentionDays: days, allowEmpty: true });
    onDay(day, result.seconds);
  }
}

/** Seed and breakdown dimensions whose categories the raw events must reproduce (python_major follows from python_minor, overall from every event). */
const RAW_DIMENSIONS = ['python_minor', 'system', 'version', 'country', 'installer', 'cpu', 'distro', 'implementation', 'libc', 'file_type', 'ci'] as const;
type RawDimension = (typeof RAW_DIMENSIONS)[number];

/** The raw `details.system.name` each system category comes from (src/domain/dimensions.ts: any other name is `other`). */
const RAW_SYSTEM: Record<string, string | null> = { linux: 'Linux', windows: 'Windows', darwin: 'Darwin', other: 'FreeBSD', [NULL_CATEGORY]: null };

/** A raw text field that gives back `category` under its dimension's rule: `null` is a missing field. */
const rawText = (category: string): string | null => (category === NULL_CATEGORY ? null : category);

/** A raw Python version whose major.minor is the category (`3.12` from `3.12.1`). */
const rawPython = (minor: string): string | null => (minor === NULL_CATEGORY ? null : `${minor}.1`);

const rawCi = (category: string): boolean | null => (category === NULL_CATEGORY ? null : category === 'true');

export interface RawDay {
  file: string;
  events: number;
  /** Category rows of the synthesized day (before `__all__`). */
  rows: number;
  /** Global (dimension, category) pairs: the `__all__` rows the load adds. */
  allRows: number;
  /** Seconds it took to write, or null when it came from the cache. */
  seconds: number | null;
}

/**
 * A Parquet file of raw events (BigQuery's schema) for `day` whose aggregation is
 * pypiSizedDay(dayIndex, { breakdowns: true })'s categories: per package, as many events as its
 * largest breakdown has categories, event j taking the j-th category (cycling) of every
 * breakdown, so every (package, dimension, category) row is there with a small count. A real day
 * is ~1 billion events; this one has the same rows, which is what a load writes. Cached in
 * bench/tmp (the file depends on the day, its index and the packages).
 */
export async function rawDayFile(day: Day, dayIndex: number, options: PypiDayOptions, cacheDir = path.join(root, 'bench/tmp/serve-during-load')): Promise<RawDay> {
  await mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${day}-day${dayIndex}-${options.packages}-${options.topDownloads}.parquet`);
  const countsFile = `${file}.json`;
  const cached = await stat(file).then(
    () => true,
    () => false,
  );
  if (cached) {
    const counts = JSON.parse(await readFile(countsFile, 'utf8')) as Omit<RawDay, 'file' | 'seconds'>;
    return { file, ...counts, seconds: null };
  }
  const started = performance.now();
  const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
  let events = 0;
  let rows = 0;
  const global = new Set<string>();
  try {
    const connection = await duck.connect();
    await connection.run(
      `CREATE TABLE staged (project VARCHAR, second INTEGER, ${RAW_DIMENSIONS.map((name) => `${name} ${name === 'ci' ? 'BOOLEAN' : 'VARCHAR'}`).join(', ')})`,
    );
    const appender = await connection.createAppender('staged');
    const appendText = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
    const writePackage = (name: string, categories: Map<RawDimension, string[]>) => {
      const count = Math.max(...RAW_DIMENSIONS.map((dimension) => categories.get(dimension)?.length ?? 0));
      for (let j = 0; j < count; j++) {
        const pick = (dimension: RawDimension) => {
          const list = categories.get(dimension);
          if (!list) throw new Error(`${name} has no ${dimension} categories`);
          return list[j % list.length]!;
        };
        appender.appendVarchar(name);
        // Spread over the day; any second of it counts.
        appender.appendInteger(events % 86_400);
        for (const dimension of RAW_DIMENSIONS) {
          const category = pick(dimension);
          if (dimension === 'python_minor') appendText(rawPython(category));
          else if (dimension === 'system') appendText(RAW_SYSTEM[category] ?? null);
          else if (dimension === 'ci') {
            const ci = rawCi(category);
            if (ci === null) appender.appendNull();
            else appender.appendBoolean(ci);
          } else appendText(rawText(category));
        }
        appender.endRow();
        events++;
      }
    };
    let current: string | null = null;
    let categories = new Map<RawDimension, string[]>();
    for await (const chunk of pypiSizedDay(dayIndex, { ...options, breakdowns: true })) {
      for (const row of chunk) {
        rows++;
        if (row.package !== current) {
          if (current !== null) writePackage(current, categories);
          current = row.package;
          categories = new Map();
        }
        if (dimensionNamed(row.dimension).scope === 'global') global.add(`${row.dimension}\u0000${row.category}`);
        if (!(RAW_DIMENSIONS as readonly string[]).includes(row.dimension)) continue;
        const list = categories.get(row.dimension as RawDimension) ?? [];
        list.push(row.category);
        categories.set(row.dimension as RawDimension, list);
      }
    }
    if (current !== null) writePackage(current, categories);
    appender.closeSync();
    const partial = `${file}.partial`;
    const start = `TIMESTAMPTZ '${day} 00:00:00+00'`;
    await connection.run(`COPY (
  SELECT ${start} + to_seconds(second) AS "timestamp",
    country AS country_code,
    '/packages/' || project || '/' || project || '-' || coalesce(version, '0') || '.tar.gz' AS url,
    project,
    struct_pack(filename := project || '-' || coalesce(version, '0') || CASE file_type WHEN 'bdist_wheel' THEN '-py3-none-any.whl' WHEN 'bdist_egg' THEN '.egg' ELSE '.tar.gz' END,
      project := project, version := version, type := file_type) AS file,
    struct_pack(installer := struct_pack(name := installer, version := '24.0'), python := python_minor,
      implementation := struct_pack(name := implementation, version := python_minor),
      distro := struct_pack(name := distro, version := NULL::VARCHAR, id := NULL::VARCHAR, libc := struct_pack(lib := libc, version := '2.39')),
      system := struct_pack(name := system, release := NULL::VARCHAR), cpu := cpu,
      openssl_version := NULL::VARCHAR, setuptools_version := NULL::VARCHAR, rustc_version := NULL::VARCHAR, ci := ci) AS details,
    'TLSv1.3' AS tls_protocol, 'TLS_AES_128_GCM_SHA256' AS tls_cipher
  FROM staged
) TO '${partial.replaceAll("'", "''")}' (FORMAT parquet)`);
    connection.closeSync();
    await rename(partial, file);
  } finally {
    duck.closeSync();
  }
  const counts = { events, rows, allRows: global.size };
  await writeFile(countsFile, JSON.stringify(counts));
  return { file, ...counts, seconds: (performance.now() - started) / 1000 };
}

interface ServeStore {
  databaseUrl: string;
  /** Where the store came from, for the results. */
  origin: string;
  remove(): Promise<void>;
}

/** The schema a PostgreSQL URL's `options=-c search_path=…` names. */
function schemaOf(url: string): string {
  const match = /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(new URL(url).searchParams.get('options') ?? '');
  if (!match) throw new Error(`BENCH_SERVE_POSTGRES must name its schema as options=-c search_path=SCHEMA, got ${url}`);
  return match[1]!;
}

/**
 * The store to serve: a copy of the one the environment names (the scenario's load writes a day
 * and purges one: the original stays as built, so every run starts from it), or one built here.
 */
async function serveStore(dir: string, kind: StoreKind, sizes: ServeDuringLoadSizes): Promise<ServeStore> {
  const given = kind === 'sqlite' ? process.env.BENCH_SERVE_SQLITE : process.env.BENCH_SERVE_POSTGRES;
  if (given && kind === 'sqlite') {
    const file = path.join(dir, 'serve-during-load.sqlite');
    const started = performance.now();
    await copyFile(given, file, constants.COPYFILE_FICLONE);
    // A WAL left by a writer that did not checkpoint holds committed days too.
    await copyFile(`${given}-wal`, `${file}-wal`, constants.COPYFILE_FICLONE).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    console.log(`  copied ${given} in ${round((performance.now() - started) / 1000)} s`);
    return { databaseUrl: `sqlite:${file}`, origin: `a copy of ${given}`, remove: () => rm(file, { force: true }) };
  }
  if (given) {
    const source = schemaOf(given);
    const copy = `pypistats_serve_copy_${randomBytes(4).toString('hex')}`;
    const base = new URL(given);
    base.searchParams.delete('options');
    const started = performance.now();
    // pg_dump of the one schema, renamed: tables, data, indexes, functions and identities alike.
    // The schema's name appears nowhere in the data (package names, categories, load records).
    await run('bash', ['-o', 'pipefail', '-c', `pg_dump --no-owner -n ${source} "$1" | sed 's/\\b${source}\\b/${copy}/g' | psql -q -v ON_ERROR_STOP=1 "$1" >/dev/null`, 'copy', base.toString()], {
      maxBuffer: 16 * 1024 * 1024,
    });
    console.log(`  copied schema ${source} to ${copy} in ${round((performance.now() - started) / 1000)} s`);
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${copy}`);
    return { databaseUrl: url.toString(), origin: `a copy of schema ${source}`, remove: () => adminQuery(base.toString(), `DROP SCHEMA ${copy} CASCADE`) };
  }
  const fresh = await freshStore(dir, kind);
  const store = await fresh.open();
  const started = performance.now();
  try {
    await loadServeDays(store, sizes.days, { packages: sizes.packages, topDownloads: sizes.topDownloads }, (day, seconds) => console.log(`  ${storeNames[kind]}: ${day} loaded in ${round(seconds)} s`));
  } finally {
    await store.close();
  }
  return { databaseUrl: fresh.databaseUrl, origin: `built by the scenario in ${round((performance.now() - started) / 60_000)} min`, remove: () => fresh.remove() };
}

export interface ServeDuringLoadSizes {
  /** Days in a store the scenario builds itself (SERVE_LOAD_DAYS). */
  days: number;
  packages: number;
  topDownloads: number;
  warmUpSeconds: number;
  /** The shortest traffic run with no load: a load shorter than this is still compared with this much. */
  minSeconds: number;
  withTargets: boolean;
  kinds: StoreKind[];
  /** Who loads the day: serve's scheduler (its retry), or an admin's job started with POST /admin/jobs. */
  via?: 'scheduler' | 'admin';
}

/** The longest a load is waited for: a PostgreSQL day at PyPI scale takes about a minute; this is far beyond. */
const LOAD_TIMEOUT_MS = 30 * 60_000;

/** Popular packages whose answers the warm half of the traffic asks for, cached after the first request. */
const WARM_PACKAGES = 10;
const WARM_ENDPOINTS = ['overall', 'recent', 'python_minor'];

/** How often the admin variant asks for its job's state: a small request, far apart beside 50 connections' traffic. */
const JOB_POLL_MS = 500;
/** The admin the bench signs in as (ADMIN_GITHUB_USERS). */
const BENCH_ADMIN = { id: 17, login: 'bench-admin' };

interface AdminJob {
  status: string;
  rows: number;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Signs in as the bench's admin through the GitHub stand-in: a client with the session cookie and the console's CSRF token. */
async function signInAdmin(server: Server, github: GithubStandin): Promise<{ client: HttpCookieClient; csrf: string }> {
  github.signInAs(BENCH_ADMIN);
  const client = new HttpCookieClient(server.url);
  const signedIn = await client.signIn();
  if (signedIn.statusCode !== 302) throw new Error(`signing in answered ${signedIn.statusCode}: ${signedIn.body.slice(0, 500)}`);
  return { client, csrf: await client.csrf('/admin') };
}

/** Starts the load of `day` as an admin job; resolves when the job has ended, with its row. */
async function adminLoad(server: Server, admin: { client: HttpCookieClient; csrf: string }, day: Day, timeoutMs: number): Promise<AdminJob> {
  const started = await admin.client.post('/admin/jobs', { kind: 'load', from: day, to: day, source: 'files', csrf: admin.csrf });
  const id = started.statusCode === 303 ? /\/admin\/jobs\/(\d+)$/.exec(started.location ?? '')?.[1] : undefined;
  if (id === undefined) throw new Error(`POST /admin/jobs answered ${started.statusCode}: ${started.body.slice(0, 2000)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await admin.client.get(`/admin/jobs/${id}`, { accept: 'application/json' });
    if (answer.statusCode !== 200) throw new Error(`GET /admin/jobs/${id} answered ${answer.statusCode}: ${answer.body.slice(0, 500)}`);
    const job = JSON.parse(answer.body) as AdminJob;
    if (job.status !== 'queued' && job.status !== 'running') return job;
    if (server.child.exitCode !== null) throw new Error(`the server exited while job ${id} ran:\n${server.logs()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for job ${id}:\n${server.logs().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
  }
}

async function waitFor<T>(what: string, server: Server, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (server.child.exitCode !== null) throw new Error(`the server exited while waiting for ${what}:\n${server.logs()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${server.logs().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function serveDuringLoad(dir: string, sizes: ServeDuringLoadSizes): Promise<void> {
  const day = yesterdayUtc();
  const options: PypiDayOptions = { packages: sizes.packages, topDownloads: sizes.topDownloads };
  for (const kind of sizes.kinds) {
    const store = await serveStore(dir, kind, sizes);
    try {
      await measure(dir, kind, store, day, options, sizes);
    } finally {
      await store.remove();
    }
  }
}

async function loadedDaysOf(kind: StoreKind, serveStore: ServeStore): Promise<LoadedDay[]> {
  const store = await openStore(kind === 'sqlite' ? { kind, file: serveStore.databaseUrl.slice('sqlite:'.length) } : { kind, url: serveStore.databaseUrl, poolSize: 2 });
  try {
    return await store.loadedDays();
  } finally {
    await store.close();
  }
}

async function measure(dir: string, kind: StoreKind, serveStore: ServeStore, day: Day, options: PypiDayOptions, sizes: ServeDuringLoadSizes): Promise<void> {
  const loaded = await loadedDaysOf(kind, serveStore);
  const days = loaded.length;
  const sorted = loaded.map((d) => d.day).sort();
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!last || last >= day) throw new Error(`the store must end before yesterday (${day}), so that serve's catch-up loads yesterday; it ends ${last ?? 'nowhere (empty)'}`);
  const scenario = `serve during ${sizes.via === 'admin' ? "an admin job's load" : 'a load'} (${storeNames[kind]}), ${days} PyPI-sized days of ${options.packages.toLocaleString('en-US')} packages`;
  const raw = await rawDayFile(day, days, options);
  console.log(`  raw day ${day}: ${raw.events.toLocaleString('en-US')} events for ${raw.rows.toLocaleString('en-US')} category rows${raw.seconds === null ? ' (cached)' : ` written in ${round(raw.seconds)} s`}`);

  const inputDir = path.join(dir, `serve-during-load-input-${sizes.via ?? 'scheduler'}-${kind}`);
  await mkdir(inputDir, { recursive: true });
  // The scheduler's: the load's file is put in place after the warm-up: the catch-up on start finds
  // none and fails, and its retry (LOAD_RETRY_DELAY later, as when an export arrives late) loads
  // it, with the server already warm and the measured traffic already running. The admin's: the
  // file is there from the start, and the job is started once the measured traffic runs.
  const retryDelaySeconds = Math.ceil(sizes.warmUpSeconds) + 2;
  // BENCH_SERVE_CPU_PROFILE=1 profiles into the run's temporary directory; a path keeps the profiles there.
  const profileSetting = process.env.BENCH_SERVE_CPU_PROFILE;
  const profileDir = !profileSetting ? null : profileSetting === '1' ? await mkdtemp(path.join(dir, 'serve-during-load-profile-')) : await mkdtemp(path.join(path.resolve(profileSetting), `${kind}-`));
  const viaAdmin = sizes.via === 'admin';
  const github = viaAdmin ? await startGithubStandin() : null;
  // The day loaded purges the oldest one, as each daily load on a full store does (a store built
  // days ago has a gap before yesterday: the window is counted in days, not loaded days).
  const retentionDays = String(dayNumber(day) - dayNumber(first!));
  // A handful of events per category: far fewer downloads than the synthesized days around it,
  // which the guard would refuse as a broken export. The rows, which are what a load writes, are a full day's.
  const minShare = '0';
  if (viaAdmin) await symlink(raw.file, path.join(inputDir, `${day}.parquet`));
  const server = await startServer(
    github
      ? {
          DATABASE_URL: serveStore.databaseUrl,
          DEMO_DATA: 'off',
          // No scheduler (LOAD_SOURCE unset): the files source is there for the admin's jobs only.
          LOAD_INPUT: path.join(inputDir, '{date}.parquet'),
          RETENTION_DAYS: retentionDays,
          LOAD_MIN_SHARE: minShare,
          GITHUB_CLIENT_ID: github.clientId,
          GITHUB_CLIENT_SECRET: github.clientSecret,
          GITHUB_URL: github.url,
          GITHUB_API_URL: github.url,
          SESSION_SECRET: TEST_SESSION_SECRET,
          ADMIN_GITHUB_USERS: BENCH_ADMIN.login,
        }
      : {
          DATABASE_URL: serveStore.databaseUrl,
          DEMO_DATA: 'off',
          LOAD_SOURCE: 'files',
          LOAD_INPUT: path.join(inputDir, '{date}.parquet'),
          LOAD_CATCH_UP_DAYS: '1',
          RETENTION_DAYS: retentionDays,
          LOAD_RETRIES: '1',
          LOAD_RETRY_DELAY: String(retryDelaySeconds),
          LOAD_MIN_SHARE: minShare,
        },
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  ).catch(async (error: unknown) => {
    await github?.close();
    throw error;
  });
  const warm = Array.from({ length: WARM_PACKAGES }, (_, i) => WARM_ENDPOINTS.map((endpoint) => `/api/packages/package-${i + 1}/${endpoint}`)).flat();
  const mix = (coldSuffix: string, coldStart: number): TrafficMix => ({ warm, coldPrefix: '/api/packages/package-', coldSuffix, coldStart, coldCount: options.packages });
  let during: LoadResult;
  let duringSeconds: number;
  let quiet: LoadResult;
  let duringCpu: CpuWindow;
  let quietCpu: CpuWindow;
  let loadSeconds: number;
  let delayMs: number;
  try {
    const admin = github ? await signInAdmin(server, github) : null;
    let retryAt = 0;
    if (!admin) {
      await waitFor('the first load attempt to fail (no file yet)', server, () => (/retrying in \d+ s/.test(server.logs()) ? true : undefined), 120_000);
      retryAt = performance.now() + retryDelaySeconds * 1000;
    }
    // The warm-up walks /system, so the measured crawl's /overall answers are not cached yet.
    await startTraffic(server.url, mix('/system', 1), sizes.warmUpSeconds).finished;
    if (!admin) {
      await symlink(raw.file, path.join(inputDir, `${day}.parquet`));
      const waitBefore = retryAt - performance.now() - 500;
      if (waitBefore > 0) await new Promise((resolve) => setTimeout(resolve, waitBefore));
    }
    const started = performance.now();
    const duringCpuEnd = await cpuWindow(server.child.pid!);
    const traffic = startTraffic(server.url, mix('/overall', 1), LOAD_TIMEOUT_MS / 1000);
    if (admin) {
      // As the scheduler's window does, the traffic runs for a moment before the load starts.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const job = await adminLoad(server, admin, day, LOAD_TIMEOUT_MS);
      during = await traffic.stop();
      duringCpu = await duringCpuEnd();
      duringSeconds = (performance.now() - started) / 1000;
      if (job.status !== 'succeeded') throw new Error(`the admin job loading ${day} ended ${job.status}: ${job.error}\n${server.logs().slice(-4000)}`);
      loadSeconds = (Date.parse(job.finishedAt!) - Date.parse(job.startedAt!)) / 1000;
    } else {
      const ended = await waitFor(
        `${day} to be loaded`,
        server,
        () => new RegExp(`${day}: loaded \\d+ downloads of \\d+ packages \\((\\d+) rows\\) in ([\\d.]+) s`).exec(server.logs()) ?? (new RegExp(`${day}: load failed \\d+ times`).test(server.logs()) ? null : undefined),
        LOAD_TIMEOUT_MS,
      );
      during = await traffic.stop();
      duringCpu = await duringCpuEnd();
      duringSeconds = (performance.now() - started) / 1000;
      if (ended === null) throw new Error(`the load of ${day} failed:\n${server.logs().slice(-4000)}`);
      loadSeconds = Number(ended[2]);
    }
    const delays = [...server.logs().matchAll(/longest delay meanwhile was (\d+) ms/g)].map((match) => Number(match[1]));
    delayMs = delays.at(-1)!;
    // The same mix, as long, with nothing loading: the loaded day's new data version left nothing cached.
    const quietSeconds = Math.max(sizes.minSeconds, Math.ceil(duringSeconds));
    const quietCpuEnd = await cpuWindow(server.child.pid!);
    quiet = await startTraffic(server.url, mix('/overall', Math.floor(options.packages / 2)), quietSeconds).finished;
    quietCpu = await quietCpuEnd();
  } finally {
    await stop(server);
    await github?.close();
  }
  // What the load left in the store: the day with every row, and the oldest day purged.
  const after = await loadedDaysOf(kind, serveStore);
  const loadedDay = after.find((d) => d.day === day);
  if (!loadedDay) throw new Error(`the server logged ${day} loaded, but the store does not have it`);
  record({ scenario, measure: `store: ${serveStore.origin}; loaded day ${day}: ${raw.events.toLocaleString('en-US')} raw events (Parquet), every breakdown: its rows in the store`, value: loadedDay.rows, unit: 'rows' });
  record({ scenario, measure: 'category rows synthesized for the day, plus __all__ (what the load should write)', value: raw.rows + raw.allRows, unit: 'rows' });
  record({ scenario, measure: `days in the store after the load (${days} before: one loaded, the oldest purged)`, value: after.length, unit: 'days' });
  record({
    scenario,
    measure: sizes.via === 'admin' ? "the job's duration (started to finished: its worker's start, aggregation and write)" : "the load's duration (worker: aggregation and write)",
    value: round(loadSeconds),
    unit: 's',
  });
  record({ scenario, measure: 'traffic window during the load', value: round(duringSeconds), unit: 's' });
  record({ scenario, measure: "serving event loop's longest delay during the load (load-worker-host's log)", value: delayMs, unit: 'ms' });
  const label = `50 connections, half warm (${WARM_PACKAGES} popular packages × /${WARM_ENDPOINTS.join(', /')}), half a cold crawler (/overall)`;
  report(scenario, `${label}, during the load`, during, sizes.withTargets);
  report(scenario, `${label}, no load (after it, as long)`, quiet, false);
  // Whether a wait was the server's own or the cores' (wrk, the worker and whatever else runs share them).
  for (const [when, cpu] of [['during the load', duringCpu], ['no load', quietCpu]] as const) {
    if (cpu.serverCores !== null) record({ scenario, measure: `CPU ${when}: the serving process, in cores`, value: cpu.serverCores, unit: 'cores' });
    if (cpu.machineCores !== null) record({ scenario, measure: `CPU ${when}: the whole machine busy, in cores (of ${os.availableParallelism()})`, value: cpu.machineCores, unit: 'cores' });
  }
  if (profileDir) {
    const { parts, functions } = await summarizeDir(profileDir, undefined, server.child.pid);
    const profiled = `${scenario}: the serving process's CPU profile over both windows (share of its sampled time)`;
    for (const part of parts) record({ scenario: profiled, measure: `part: ${part.name}`, value: part.share, unit: '%' });
    for (const fn of functions) record({ scenario: profiled, measure: `function: ${fn.name}`, value: fn.share, unit: '%' });
  }
}

function report(scenario: string, label: string, result: LoadResult, withTargets: boolean): void {
  record({ scenario, measure: `${label}: req/s`, value: result.rps, unit: 'req/s' });
  record({ scenario, measure: `${label}: p50`, value: result.p50, unit: 'ms' });
  record({ scenario, measure: `${label}: p99`, value: result.p99, unit: 'ms', ...(withTargets ? { target: '< 20 ms', met: result.p99 < 20 } : {}) });
  record({ scenario, measure: `${label}: longest wait`, value: result.max, unit: 'ms', ...(withTargets ? { target: '< 100 ms', met: result.max < 100 } : {}) });
  if (result.errors > 0) record({ scenario, measure: `${label}: errors and non-2xx`, value: result.errors, unit: '' });
}
