import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runCli } from './support/cli.js';
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
    expect(help.stdout).toContain('Usage: pypistats <command>');
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
    const result = await runCli(['purge'], { ...env, RETENTION_DAYS: '2' });
    expect(result.stdout).toBe('purge: deleted 2 days (2026-11-17 to 2026-11-18)\n');
    const again = await runCli(['purge'], { ...env, RETENTION_DAYS: '2' });
    expect(again.stdout).toBe('purge: nothing older than the retention window\n');
  });

  it('fails with a one-line message and a non-zero code, loading nothing, on bad input', async () => {
    const before = await series('foo-bar');
    const cases: [string[], Record<string, string>, number, string][] = [
      [['load', '--date', '2026-11-20'], {}, 2, 'pypistats: load --source files needs --input GLOB\n'],
      [['load', '--input', 'x'], {}, 2, 'pypistats: load needs --date D, or --from A and --to B\n'],
      [['load', '--date', '2026-13-01', '--input', 'x'], {}, 2, 'pypistats: --date must be a date as YYYY-MM-DD, got "2026-13-01"\n'],
      [['load', '--from', '2026-11-20', '--to', '2026-11-19', '--input', 'x'], {}, 2, 'pypistats: --from (2026-11-20) is after --to (2026-11-19)\n'],
      [['load', '--date', '2026-11-20', '--input', 'x', '--source', 'bigquery'], {}, 2, 'pypistats: --input is for --source files; --source bigquery reads BIGQUERY_TABLE\n'],
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
    expect(unknownOption.stderr).toMatch(/^pypistats: Unknown option '--bogus'[^\n]*\n$/);
    const corrupt = path.join(dir, 'corrupt.parquet');
    await writeFile(corrupt, 'not parquet at all');
    const result = await runCli(['load', '--date', '2026-11-20', '--input', path.join(dir, '2026-11-20.parquet'), '--input', corrupt], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^pypistats: cannot read input file ${corrupt}: .+\\n$`));
    expect(await series('foo-bar')).toEqual(before);
  });
});
