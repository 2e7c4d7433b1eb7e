/**
 * `pypistats load --source bigquery` as a user runs it: the built CLI in a child process, given
 * its endpoint and credentials by environment variables, against the local BigQuery stand-in.
 */
import { access, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensions, seedDimensions } from '../src/domain/dimensions.js';
import { bigQueryAggregationSql, DEFAULT_BIGQUERY_TABLE } from '../src/sources/bigquery-query.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { BigQueryStandIn } from './support/bigquery-standin.js';
import { runCli } from './support/cli.js';
import { download, tempDir, writeNdjson } from './support/raw-events.js';

let dir: string;
let standIn: BigQueryStandIn;
let env: Record<string, string>;
const database = () => path.join(dir, 'bigquery-cli.sqlite');

beforeAll(async () => {
  dir = await tempDir();
  const events = ['2026-11-19', '2026-11-20'].flatMap((day) => [
    download('Foo.Bar', `${day} 10:00:00 UTC`),
    download('foo-bar', `${day} 11:00:00 UTC`, { installer: { name: 'devpi' } }),
    download('foo-bar', `${day} 12:00:00 UTC`, {}, 'foo_bar-1.0-py3-none-any.whl.metadata'),
    download('-bad-', `${day} 13:00:00 UTC`),
  ]);
  const eventsFile = await writeNdjson(path.join(dir, 'events.ndjson'), events);
  // 1.5 TiB: USD 9.38 at the on-demand 6.25 per TiB.
  standIn = await BigQueryStandIn.start({ eventsFile, dryRunBytes: 1.5 * 2 ** 40 });
  env = {
    DATABASE_URL: `sqlite:${database()}`,
    GOOGLE_SERVICE_ACCOUNT_JSON: standIn.account.json,
    BIGQUERY_API_ENDPOINT: standIn.url,
  };
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

describe('pypistats load --source bigquery', () => {
  it('--dry-run prints the SQL, the bytes it would scan and their cost, and runs and writes nothing', async () => {
    const result = await runCli(['load', '--source', 'bigquery', '--from', '2026-11-19', '--to', '2026-11-20', '--dry-run'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(bigQueryAggregationSql());
    expect(result.stdout).toContain('@mirrors: ["bandersnatch","z3c.pypimirror","Artifactory","devpi"]');
    expect(result.stdout).toContain('2026-11-19: would scan 1.50 TiB (1,649,267,441,664 bytes), USD 9.38 at USD 6.25 per TiB\n');
    expect(result.stdout).toContain('2026-11-20: would scan 1.50 TiB (1,649,267,441,664 bytes), USD 9.38 at USD 6.25 per TiB\n');
    expect(result.stdout).toContain('total: would scan 3.00 TiB (3,298,534,883,328 bytes), USD 18.75 at USD 6.25 per TiB');
    expect(standIn.insertedJobs.every((job) => job.dryRun)).toBe(true);
    expect(await exists(database())).toBe(false);
    const priced = await runCli(['load', '--source', 'bigquery', '--date', '2026-11-20', '--dry-run'], { ...env, BIGQUERY_PRICE_PER_TIB: '5' });
    expect(priced.stdout).toContain('2026-11-20: would scan 1.50 TiB (1,649,267,441,664 bytes), USD 7.50 at USD 5 per TiB\n');
  });

  it('--dry-run reads and prices only the dimensions DIMENSIONS turns on', async () => {
    // A stand-in that estimates the bytes from the columns a query reads, as BigQuery bills them.
    const estimating = await BigQueryStandIn.start({ eventsFile: path.join(dir, 'events.ndjson') });
    try {
      const estimatingEnv = { ...env, GOOGLE_SERVICE_ACCOUNT_JSON: estimating.account.json, BIGQUERY_API_ENDPOINT: estimating.url };
      const bytesOf = (stdout: string) => Number(/^2026-11-20: would scan .* \(([\d,]+) bytes\)/m.exec(stdout)?.[1]?.replaceAll(',', ''));
      const all = await runCli(['load', '--source', 'bigquery', '--date', '2026-11-20', '--dry-run'], estimatingEnv);
      const none = await runCli(['load', '--source', 'bigquery', '--date', '2026-11-20', '--dry-run'], { ...estimatingEnv, DIMENSIONS: 'none' });
      expect([all.code, all.stderr, none.code, none.stderr]).toEqual([0, '', 0, '']);
      expect(all.stdout).toContain(`-- Dimensions (DIMENSIONS): ${dimensions.map((dimension) => dimension.name).join(', ')}\n`);
      expect(none.stdout).toContain('-- Dimensions (DIMENSIONS): overall, python_major, python_minor, system\n');
      expect(none.stdout).toContain(bigQueryAggregationSql(DEFAULT_BIGQUERY_TABLE, seedDimensions));
      expect(none.stdout).not.toContain('country_code');
      expect(bytesOf(none.stdout)).toBeGreaterThan(0);
      expect(bytesOf(all.stdout)).toBeGreaterThan(bytesOf(none.stdout));
      expect(await exists(database())).toBe(false);
    } finally {
      await estimating.close();
    }
  });

  it('loads days from BigQuery into the store, with credentials and endpoint from the environment', async () => {
    const result = await runCli(['load', '--source', 'bigquery', '--from', '2026-11-19', '--to', '2026-11-20'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^2026-11-19: 2 downloads of 1 packages → \d+ rows in [\d.]+ s; 1 \.metadata fetches not counted; skipped 1 malformed events \(1 with an invalid name\)\n2026-11-20: /,
    );
    const store = SqliteStore.open(database());
    try {
      expect(await store.series('foo-bar', 'overall', {})).toEqual(
        expect.arrayContaining([
          { category: 'with_mirrors', day: '2026-11-19', downloads: 2 },
          { category: 'without_mirrors', day: '2026-11-20', downloads: 1 },
        ]),
      );
      expect((await store.loadedDays()).map((day) => day.source)).toEqual(['bigquery', 'bigquery']);
    } finally {
      await store.close();
    }
  });

  it('reads a key file named by GOOGLE_APPLICATION_CREDENTIALS', async () => {
    const keyFile = path.join(dir, 'key.json');
    await writeFile(keyFile, standIn.account.json);
    const { GOOGLE_SERVICE_ACCOUNT_JSON: _json, ...rest } = env;
    const result = await runCli(['load', '--source', 'bigquery', '--date', '2026-11-20'], { ...rest, GOOGLE_APPLICATION_CREDENTIALS: keyFile });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^2026-11-20: 2 downloads of 1 packages/);
  });

  it('fails a day whose job fails with one line naming the job, and keeps the stored day', async () => {
    const store = () => SqliteStore.open(database());
    const read = async () => {
      const opened = store();
      try {
        return await opened.series('foo-bar', 'overall', {});
      } finally {
        await opened.close();
      }
    };
    const before = await read();
    standIn.failNextJob('invalidQuery', 'Unrecognized name: timestamp at [10:9]');
    const result = await runCli(['load', '--source', 'bigquery', '--date', '2026-11-20'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^pypistats: BigQuery job pypistats_20261120_[0-9a-f-]+ failed: Unrecognized name: timestamp at \[10:9\] \(invalidQuery\)\n$/);
    expect(await read()).toEqual(before);
  });

  it('says what each bad input gets: the exit code and one line', async () => {
    const noCredentials = { GOOGLE_SERVICE_ACCOUNT_JSON: '' };
    const cases: [string[], Record<string, string>, number, string][] = [
      [
        ['load', '--source', 'bigquery', '--date', '2026-11-20'],
        noCredentials,
        1,
        'pypistats: the BigQuery source needs credentials: set GOOGLE_SERVICE_ACCOUNT_JSON (a service-account key as JSON) or GOOGLE_APPLICATION_CREDENTIALS (the path of a key file)\n',
      ],
      [
        ['load', '--source', 'bigquery', '--date', '2026-11-20', '--dry-run'],
        noCredentials,
        1,
        'pypistats: the BigQuery source needs credentials: set GOOGLE_SERVICE_ACCOUNT_JSON (a service-account key as JSON) or GOOGLE_APPLICATION_CREDENTIALS (the path of a key file)\n',
      ],
      [
        ['load', '--source', 'bigquery', '--date', '2026-11-20'],
        { GOOGLE_SERVICE_ACCOUNT_JSON: '{"private_key": "-----BEGIN PRIVATE KEY-----\\nsecret' },
        1,
        'pypistats: configuration: GOOGLE_SERVICE_ACCOUNT_JSON must be a service-account key in JSON, and it is not JSON\n',
      ],
      [['load', '--source', 'bigquery', '--date', '2026-11-20', '--input', 'x.parquet'], {}, 2, 'pypistats: --input is for --source files or access-log; --source bigquery reads BIGQUERY_TABLE\n'],
      [['load', '--source', 'files', '--date', '2026-11-20', '--input', 'x.parquet', '--dry-run'], {}, 2, 'pypistats: --dry-run is for --source bigquery\n'],
      [['load', '--source', 'postgres', '--date', '2026-11-20'], {}, 2, 'pypistats: --source must be "files", "bigquery" or "access-log", got "postgres"\n'],
      [['load', '--source', 'bigquery'], {}, 2, 'pypistats: load needs --date D, or --from A and --to B\n'],
      [['load', '--source', 'bigquery', '--date', '2026-11-20'], { BIGQUERY_TABLE: 'pypi' }, 1, 'pypistats: configuration: BIGQUERY_TABLE must be a table name as project.dataset.table, got "pypi"\n'],
    ];
    for (const [args, extraEnv, code, stderr] of cases) {
      const result = await runCli(args, { ...env, ...extraEnv });
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code, stderr });
    }
  });
});
