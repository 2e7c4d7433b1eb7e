/**
 * Builds a store of N PyPI-sized days (seed breakdowns, 300,000 packages) ending the day before
 * yesterday (UTC), for the serve-during-load scenario (BENCH_SERVE_SQLITE / BENCH_SERVE_POSTGRES)
 * and the cold crawler: 180 days take about 30 minutes on SQLite and 60 on PostgreSQL.
 *
 *   node --import tsx bench/build-store.ts --kind sqlite --file F [--days 180]
 *   node --import tsx bench/build-store.ts --kind postgres --schema S [--days 180]   (on BENCH_POSTGRES_URL)
 *
 * An existing file or schema is left alone unless --replace says to drop it first.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/types.js';
import { loadServeDays } from './scenarios/serve-during-load.js';
import { BENCH_POSTGRES_URL } from './scenarios/store-scale.js';

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    file: { type: 'string' },
    schema: { type: 'string' },
    days: { type: 'string', default: '180' },
    packages: { type: 'string', default: '300000' },
    replace: { type: 'boolean', default: false },
  },
});
const days = Number(values.days);
const packages = Number(values.packages);
if (!Number.isInteger(days) || days < 1) throw new Error(`--days must be a whole number of days, at least 1, got ${values.days}`);
if (!Number.isInteger(packages) || packages < 1) throw new Error(`--packages must be a whole number, at least 1, got ${values.packages}`);

async function postgresStore(schema: string): Promise<Store> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`--schema must be a lower-case SQL name, got ${schema}`);
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    if (rowCount && !values.replace) throw new Error(`schema ${schema} exists; --replace drops it first`);
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(BENCH_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  console.log(`BENCH_SERVE_POSTGRES=${url.toString()}`);
  return openStore({ kind: 'postgres', url: url.toString(), poolSize: 10 });
}

async function sqliteStore(file: string): Promise<Store> {
  if (existsSync(file)) {
    if (!values.replace) throw new Error(`${file} exists; --replace deletes it first`);
    for (const suffix of ['', '-wal', '-shm']) await rm(file + suffix, { force: true });
  }
  console.log(`BENCH_SERVE_SQLITE=${file}`);
  return openStore({ kind: 'sqlite', file });
}

let store: Store;
if (values.kind === 'postgres' && values.schema) store = await postgresStore(values.schema);
else if (values.kind === 'sqlite' && values.file) store = await sqliteStore(values.file);
else throw new Error('usage: --kind sqlite --file F | --kind postgres --schema S [--days N] [--packages N] [--replace]');

const started = performance.now();
try {
  await loadServeDays(store, days, { packages, topDownloads: 20_000_000 }, (day, seconds) =>
    console.log(`${day} ${seconds.toFixed(1)} s, ${((performance.now() - started) / 60000).toFixed(1)} min`),
  );
} finally {
  await store.close();
}
console.log('done');
