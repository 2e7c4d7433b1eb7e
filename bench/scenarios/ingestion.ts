/**
 * Raw events per second loading one day from Parquet and from NDJSON, against the ceiling of a
 * bare DuckDB GROUP BY over the same file, of the same fields the rules read, in the same run.
 */
import path from 'node:path';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { loadDay } from '../../src/pipeline/load.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { DEFAULT_DEMO_OPTIONS, writeDemoDay } from '../../src/sources/synthetic.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { record, round } from '../lib/results.js';

const DAY = '2026-11-20';

const BARE = {
  parquet: `SELECT "file".project, "file".filename LIKE '%.metadata', details.installer.name, details.python, details.system.name, count(*)
    FROM read_parquet($files) WHERE "timestamp" >= $day::TIMESTAMPTZ AND "timestamp" < $day::TIMESTAMPTZ + INTERVAL 1 DAY GROUP BY ALL`,
  ndjson: `SELECT "file".project, "file".filename LIKE '%.metadata', details.installer.name, details.python, details.system.name, count(*)
    FROM read_json($files, format = 'newline_delimited', columns = {'timestamp': 'VARCHAR', 'file': 'STRUCT(project VARCHAR, filename VARCHAR)',
      'details': 'STRUCT(installer STRUCT(name VARCHAR), python VARCHAR, system STRUCT(name VARCHAR))'})
    WHERE "timestamp"::TIMESTAMPTZ >= $day::TIMESTAMPTZ AND "timestamp"::TIMESTAMPTZ < $day::TIMESTAMPTZ + INTERVAL 1 DAY GROUP BY ALL`,
};

export async function ingestion(dir: string, sizes: { parquetEvents: number; ndjsonEvents: number; target: boolean }): Promise<void> {
  const duck = await DuckDb.open();
  try {
    const parquet = path.join(dir, 'day.parquet');
    let started = performance.now();
    const options = { ...DEFAULT_DEMO_OPTIONS, packages: 5000 };
    const { events } = await writeDemoDay(duck, { ...options, eventsPerDay: sizes.parquetEvents }, DAY, parquet);
    record({ scenario: 'ingestion', measure: `generate ${events.toLocaleString('en-US')} raw events (Parquet)`, value: round((performance.now() - started) / 1000), unit: 's' });
    await measure(duck, dir, 'parquet', parquet, events, sizes.target);

    const small = path.join(dir, 'small.parquet');
    const ndjson = path.join(dir, 'day.ndjson');
    started = performance.now();
    const smaller = await writeDemoDay(duck, { ...options, eventsPerDay: sizes.ndjsonEvents }, DAY, small);
    const connection = await duck.connect();
    await connection.run(`COPY (SELECT * FROM read_parquet($file)) TO '${ndjson.replaceAll("'", "''")}' (FORMAT json)`, { file: small });
    connection.closeSync();
    record({ scenario: 'ingestion', measure: `generate ${smaller.events.toLocaleString('en-US')} raw events (NDJSON)`, value: round((performance.now() - started) / 1000), unit: 's' });
    await measure(duck, dir, 'ndjson', ndjson, smaller.events, false);
  } finally {
    duck.close();
  }
}

async function measure(duck: DuckDb, dir: string, format: 'parquet' | 'ndjson', file: string, events: number, withTarget: boolean): Promise<void> {
  const scenario = `ingestion, ${format}, ${events.toLocaleString('en-US')} events`;
  // Each side twice, alternating, and the faster of each: one sample drifted by 40 % between runs.
  let bare = Infinity;
  let load = Infinity;
  let rows = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    const connection = await duck.connect();
    let started = performance.now();
    await connection.run(BARE[format], { files: listValue([file]), day: DAY } as Record<string, DuckDBValue>);
    bare = Math.min(bare, (performance.now() - started) / 1000);
    connection.closeSync();

    const store = SqliteStore.open(path.join(dir, `ingestion-${format}-${attempt}.sqlite`));
    started = performance.now();
    const result = await loadDay(store, new FileSource(duck, { inputs: [file] }), DAY, { retentionDays: 180 });
    load = Math.min(load, (performance.now() - started) / 1000);
    rows = result.rows;
    await store.close();
  }
  record({ scenario, measure: 'bare DuckDB GROUP BY of the fields the rules read (ceiling), best of 2', value: round(bare), unit: 's' });
  record({
    scenario,
    measure: `load the day, best of 2 (${rows.toLocaleString('en-US')} rows)`,
    value: round(load),
    unit: 's',
    ...(withTarget ? { target: '< 1 s per million events', met: load < events / 1_000_000 } : {}),
  });
  record({ scenario, measure: 'events per second', value: Math.round(events / load), unit: 'events/s' });
  const share = round((bare / load) * 100);
  record({ scenario, measure: 'speed against the ceiling', value: share, unit: '%', target: '≥ 70 %', met: share >= 70 });
}
