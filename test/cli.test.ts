import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import pg from 'pg';
import { BIN, childEnv, runCli } from './support/cli.js';
import { describeWith } from './support/describe-with.js';
import { postgres } from './support/services.js';
import { postgresUrlFor } from './support/stores.js';
import { download, tempDir, writeNdjson, writeParquet } from './support/raw-events.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir();
  env = { DATABASE_URL: `sqlite:${path.join(dir, 'cli.sqlite')}` };
  for (const day of ['2026-11-18', '2026-11-19', '2026-11-20']) {
    const events = [download('Foo.Bar', `${day} 10:00:00 UTC`), download('foo-bar', `${day} 11:00:00 UTC`, { installer: { name: 'devpi' } })];
    await writeParquet(path.join(dir, `${day}.parquet`), events);
  }
  await writeNdjson(path.join(dir, 'malformed.json.gz'), [
    download('ok', '2026-11-17 10:00:00 UTC'),
    { ...download('x', '2026-11-17 10:00:00 UTC'), timestamp: null },
    download('-bad-', '2026-11-17 10:00:00 UTC'),
    download('ok', '2026-11-17 10:00:00 UTC', {}, 'ok-1.0.whl.metadata'),
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs a program to its end, giving what it printed (stdout and stderr). */
function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { env: childEnv(env), timeout: 60_000 }, (error, stdout, stderr) => (error && error.code === undefined ? reject(error) : resolve(stdout + stderr))),
  );
}

async function series(name: string) {
  const store = SqliteStore.open(path.join(dir, 'cli.sqlite'));
  try {
    return await store.series(name, 'overall', {});
  } finally {
    await store.close();
  }
}

describe('pypistats CLI', () => {
  it('prints its usage for help, and exits 2 with a one-line message for an unknown command', async () => {
    const help = await runCli(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pypistats [options] [command]');
    expect(help.stdout).toMatch(/load \[options\] +Load days of raw download events/);
    const bare = await runCli([], env);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('Usage: pypistats [options] [command]');
    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('pypistats: unknown command "frobnicate" (try: pypistats help)\n');
  });

  it('loads one day with --date and reports what it loaded', async () => {
    const result = await runCli(['load', '--date', '2026-11-18', '--source', 'files', '--input', path.join(dir, '{date}.parquet')], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^2026-11-18: 2 downloads of 1 packages → \d+ rows in [\d.]+ s\n$/);
    expect(await series('foo-bar')).toEqual([
      { category: 'with_mirrors', day: '2026-11-18', downloads: 2 },
      { category: 'without_mirrors', day: '2026-11-18', downloads: 1 },
    ]);
  });

  it('loads a range with --from and --to, a line per day', async () => {
    const result = await runCli(['load', '--from', '2026-11-18', '--to', '2026-11-20', '--input', path.join(dir, '2026-*.parquet')], env);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').map((line) => line.slice(0, 11))).toEqual(['2026-11-18:', '2026-11-19:', '2026-11-20:']);
    expect((await series('foo-bar')).filter((p) => p.category === 'with_mirrors').map((p) => p.downloads)).toEqual([2, 2, 2]);
  });

  it('reports skipped malformed events and .metadata fetches in its summary', async () => {
    const result = await runCli(['load', '--date', '2026-11-17', '--input', path.join(dir, 'malformed.json.gz')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 .metadata fetches not counted');
    expect(result.stdout).toContain('skipped 2 malformed events (1 without timestamp, 1 with an invalid name)');
  });

  it('shows the status: days, latest day, rows', async () => {
    const text = await runCli(['status'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('days loaded:  4 (2026-11-17 to 2026-11-20)');
    expect(text.stdout).toContain('latest day:   2026-11-20');
    // Every attempt so far, newest first: the range, the single day, the day with malformed events.
    expect(text.stdout).toMatch(/latest loads:\n  2026-11-17  files    succeeded   started [\d-]+ [\d:]+ in [\d.]+ s: 4 events → \d+ rows, 2 skipped\n  2026-11-20  files    succeeded/);
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout);
    expect(json).toMatchObject({ days: 4, firstDay: '2026-11-17', latestDay: '2026-11-20', packages: 3 });
    expect(json.loads).toHaveLength(5);
    expect(json.loads[0]).toMatchObject({ day: '2026-11-17', source: 'files', status: 'succeeded', eventsIn: 4, skipped: 2, error: null });
    expect(json.rows).toBeGreaterThan(0);
  });

  it('purges days outside RETENTION_DAYS', async () => {
    const dryRun = await runCli(['purge', '--dry-run'], { ...env, RETENTION_DAYS: '2' });
    expect(dryRun.stdout).toBe('purge: would delete 2 days (2026-11-17 to 2026-11-18): the window of RETENTION_DAYS (2) starts at 2026-11-19; nothing was deleted\n');
    expect((await runCli(['status', '--json'], env)).stdout).toContain('"days": 4');
    const result = await runCli(['purge'], { ...env, RETENTION_DAYS: '2' });
    expect(result.stdout).toBe('purge: deleted 2 days (2026-11-17 to 2026-11-18): the window of RETENTION_DAYS (2) starts at 2026-11-19\n');
    const again = await runCli(['purge'], { ...env, RETENTION_DAYS: '2' });
    expect(again.stdout).toBe('purge: nothing to delete: the window of RETENTION_DAYS (2) starts at 2026-11-19\n');
  });

  it('fails with a one-line message and a non-zero code, loading nothing, on bad input', async () => {
    const before = await series('foo-bar');
    const cases: [string[], Record<string, string>, number, string][] = [
      [['load', '--date', '2026-11-20'], {}, 2, 'pypistats: load --source files needs --input GLOB\n'],
      [['load', '--input', 'x'], {}, 2, 'pypistats: load needs --date D, or --from A and --to B\n'],
      [['load', '--date', '2026-13-01', '--input', 'x'], {}, 2, 'pypistats: --date must be a date as YYYY-MM-DD, got "2026-13-01"\n'],
      [['load', '--from', '2026-11-20', '--to', '2026-11-19', '--input', 'x'], {}, 2, 'pypistats: --from (2026-11-20) is after --to (2026-11-19)\n'],
      [['load', '--date', '2026-11-20', '--input', 'x', '--source', 'bigquery'], {}, 2, 'pypistats: --input is for --source files or access-log; --source bigquery reads BIGQUERY_TABLE\n'],
      [['load', '--date', '2026-11-20', '--input', path.join(dir, 'missing.parquet')], {}, 1, `pypistats: cannot read input file ${path.join(dir, 'missing.parquet')}: it does not exist or is not readable\n`],
      [['load', '--date', '2026-11-20', '--input', path.join(dir, 'nothing-*.parquet')], {}, 1, `pypistats: no input file matches ${path.join(dir, 'nothing-*.parquet')}\n`],
      [['load', '--date', '2020-01-01', '--input', path.join(dir, '2026-11-20.parquet')], {}, 1, 'pypistats: 2020-01-01 is outside the retention window (180 days ending 2026-11-20); set RETENTION_DAYS to keep older days\n'],
      [['status'], { PORT: 'x' }, 1, 'pypistats: configuration: PORT must be a whole number from 0 to 65535, got "x"\n'],
      [['demo', '--days', '0'], {}, 2, 'pypistats: --days must be a whole number of at least 1, got "0"\n'],
      [['demo', '--days', '400'], {}, 2, 'pypistats: --days (400) is more than RETENTION_DAYS (180) keeps\n'],
    ];
    for (const [args, extraEnv, code, stderr] of cases) {
      const result = await runCli(args, { ...env, ...extraEnv });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code, stderr });
    }
    // Node words this one differently from version to version.
    const unknownOption = await runCli(['load', '--date', '2026-11-20', '--bogus'], env);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toBe("pypistats: unknown option '--bogus'\n");
    const corrupt = path.join(dir, 'corrupt.parquet');
    await writeFile(corrupt, 'not parquet at all');
    const result = await runCli(['load', '--date', '2026-11-20', '--input', path.join(dir, '2026-11-20.parquet'), '--input', corrupt], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^pypistats: cannot read input file ${corrupt}: .+\\n$`));
    expect(await series('foo-bar')).toEqual(before);
  });

  it('prints help with options and an example for every command (--help and -h), and its version', async () => {
    for (const command of ['serve', 'load', 'demo', 'purge', 'status']) {
      for (const flag of ['--help', '-h']) {
        const result = await runCli([command, flag], env);
        expect({ command, flag, code: result.code, stderr: result.stderr }).toEqual({ command, flag, code: 0, stderr: '' });
        expect(result.stdout).toContain(`Usage: pypistats ${command} [options]`);
        expect(result.stdout).toContain('-h, --help');
        expect(result.stdout).toContain(`Examples:\n  `);
        expect(result.stdout).toMatch(new RegExp(`\n  (\\S+=\\S+ )*pypistats ${command}`));
      }
    }
    expect((await runCli(['load', '--help'], env)).stdout).toMatch(/--allow-empty[\s\S]*--allow-drop/);
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V']) expect(await runCli([flag], env)).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('prints its version after every command, as after none', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const asked = [['serve', '--version'], ['load', '--version'], ['load', '-V'], ['demo', '--version'], ['purge', '--version'], ['status', '--version'], ['load', '--date', '2026-11-20', '--version']];
    for (const args of asked) {
      const result = await runCli(args, env);
      expect({ args, code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ args, code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('prints into a pipe its reader closed early (`| head -1`) without a stack trace, and still exits 0', async () => {
    for (const args of [['load', '--help'], ['help', 'load'], ['--help']]) {
      const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      // Closed before the child writes a byte: every write it makes to stdout fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });

  it('refuses a day after today, and a day with no downloads in its files, deleting nothing', async () => {
    const before = await runCli(['status', '--json'], env);
    const days = JSON.parse(before.stdout).days;
    // The findings: another day's file loaded as a future day purged the window; as a past day, emptied it.
    const future = await runCli(['load', '--date', '2027-11-30', '--input', path.join(dir, '2026-11-20.parquet')], env);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/^pypistats: 2027-11-30 is after today \(\d{4}-\d\d-\d\d, UTC\): its downloads have not happened yet; nothing was written\n$/);
    const empty = await runCli(['load', '--date', '2026-11-19', '--input', path.join(dir, '2026-11-20.parquet')], env);
    expect(empty).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'pypistats: 2026-11-19: the source holds no downloads for this day (0 events read); nothing was written; --allow-empty loads it as an empty day\n',
    });
    const demo = await runCli(['demo', '--days', '2', '--end-date', '2099-01-01'], env);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/^pypistats: 2099-01-01 is after today/);
    const after = JSON.parse((await runCli(['status', '--json'], env)).stdout);
    expect(after.days).toBe(days);
    expect(after.loads.slice(0, 2).map((load: { day: string; status: string }) => [load.day, load.status])).toEqual([
      ['2026-11-19', 'refused'],
      ['2027-11-30', 'refused'],
    ]);
    expect((await series('foo-bar')).filter((p) => p.day === '2026-11-19')).toHaveLength(2);
    expect((await runCli(['status'], env)).stdout).toMatch(/\n  2026-11-19  files    refused     started [\d-]+ [\d:]+ in [\d.]+ s: 2026-11-19: the source holds no downloads/);
  });

  it('says what a range loaded, where it stopped and why, and what it did not try, off a terminal and on one', async () => {
    const failing = ['load', '--from', '2026-11-19', '--to', '2026-11-22', '--input', path.join(dir, '{date}.parquet')];
    const expected = [
      /^2026-11-19: 2 downloads of 1 packages → \d+ rows in [\d.]+ s$/,
      /^2026-11-20: 2 downloads of 1 packages → \d+ rows in [\d.]+ s$/,
      new RegExp(`^2026-11-21: not loaded \\(it keeps what it had\\): no input file matches|^2026-11-21: not loaded \\(it keeps what it had\\): cannot read input file ${dir}/2026-11-21.parquet`),
      /^not attempted: 2026-11-22$/,
    ];
    const off = await runCli(failing, env);
    expect(off.code).toBe(1);
    const lines = off.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    lines.forEach((line, i) => expect(line).toMatch(expected[i]!));
    expect(off.stderr).toBe(`pypistats: 2026-11-21: cannot read input file ${dir}/2026-11-21.parquet: it does not exist or is not readable\n`);
    // On a terminal (a pseudo-terminal from script(1)): the bar, then the same lines.
    const quoted = [BIN, ...failing].map((arg) => `'${arg}'`).join(' ');
    const tty = await run('script', ['-qec', `${process.execPath} ${quoted}`, '/dev/null'], env);
    const text = tty.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    for (const pattern of ['2026-11-19: 2 downloads', '2026-11-20: 2 downloads', '2026-11-21: not loaded (it keeps what it had): cannot read input file', 'not attempted: 2026-11-22']) {
      expect(text).toContain(pattern);
    }
  });

  it('refuses to read a database that does not exist, and does not create it', async () => {
    const missing = path.join(dir, 'nowhere', 'missing.sqlite');
    for (const command of [['status'], ['status', '--json'], ['purge'], ['purge', '--dry-run']]) {
      const result = await runCli(command, { DATABASE_URL: `sqlite:${missing}` });
      expect({ command, code: result.code, stderr: result.stderr }).toEqual({
        command,
        code: 1,
        stderr: `pypistats: no database at ${missing}: load data first, or set DATABASE_URL\n`,
      });
    }
    expect(existsSync(path.dirname(missing))).toBe(false);
  });
});

describeWith([postgres], 'pypistats CLI on PostgreSQL', () => {
  it('refuses status and purge on a schema that was never migrated, and leaves it empty', async () => {
    const schema = `pypistats_cli_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgres.value });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      for (const command of ['status', 'purge']) {
        const result = await runCli([command], { DATABASE_URL: postgresUrlFor(schema) });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^pypistats: no database at postgres:\/\/.+ \(its schema was never migrated\): load data first, or set DATABASE_URL\n$/);
      }
      const { rows } = await admin.query('SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = $1', [schema]);
      expect(rows[0].tables).toBe(0);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
