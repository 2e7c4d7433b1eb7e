/**
 * Raw download events as BigQuery exports them, written by the tests: newline-delimited JSON
 * (plain or gzip, `bq extract` style) and Parquet (`EXPORT DATA` style, via DuckDB).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDb } from '../../src/sources/duckdb.js';

export interface RawEvent {
  timestamp?: string | null;
  country_code?: string | null;
  url?: string | null;
  project?: string | null;
  file?: { filename?: string | null; project?: string | null; version?: string | null; type?: string | null } | null;
  details?: {
    installer?: { name?: string | null; version?: string | null } | null;
    python?: string | null;
    implementation?: { name?: string | null; version?: string | null } | null;
    distro?: {
      name?: string | null;
      version?: string | null;
      id?: string | null;
      libc?: { lib?: string | null; version?: string | null } | null;
    } | null;
    system?: { name?: string | null; release?: string | null } | null;
    cpu?: string | null;
    openssl_version?: string | null;
    setuptools_version?: string | null;
    rustc_version?: string | null;
    ci?: boolean | null;
  } | null;
  tls_protocol?: string | null;
  tls_cipher?: string | null;
}

/** A well-formed download of `project` at `timestamp`, with `details` merged over typical values. */
export function download(project: string, timestamp: string, details: RawEvent['details'] = {}, filename?: string): RawEvent {
  return {
    timestamp,
    country_code: 'US',
    url: `/packages/aa/bb/${project}-1.0.tar.gz`,
    project,
    file: { filename: filename ?? `${project}-1.0.tar.gz`, project, version: '1.0', type: 'sdist' },
    details: {
      installer: { name: 'pip', version: '24.0' },
      python: '3.12.1',
      implementation: { name: 'CPython', version: '3.12.1' },
      distro: { name: 'Ubuntu', version: '24.04', id: 'noble', libc: { lib: 'glibc', version: '2.39' } },
      system: { name: 'Linux', release: '6.1' },
      cpu: 'x86_64',
      ci: false,
      ...details,
    },
    tls_protocol: 'TLSv1.3',
    tls_cipher: 'TLS_AES_128_GCM_SHA256',
  };
}

export async function tempDir(prefix = 'pypistats-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export function ndjson(events: RawEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

export async function writeNdjson(file: string, events: RawEvent[]): Promise<string> {
  await writeFile(file, file.endsWith('.gz') ? gzipSync(ndjson(events)) : ndjson(events));
  return file;
}

/** Every column of `bigquery-public-data.pypi.file_downloads`, as DuckDB reads them from NDJSON. */
export const FILE_DOWNLOADS_COLUMNS = `{
  'timestamp': 'VARCHAR', 'country_code': 'VARCHAR', 'url': 'VARCHAR', 'project': 'VARCHAR',
  'file': 'STRUCT(filename VARCHAR, project VARCHAR, version VARCHAR, type VARCHAR)',
  'details': 'STRUCT(installer STRUCT(name VARCHAR, version VARCHAR), python VARCHAR, implementation STRUCT(name VARCHAR, version VARCHAR), distro STRUCT(name VARCHAR, version VARCHAR, id VARCHAR, libc STRUCT(lib VARCHAR, version VARCHAR)), system STRUCT(name VARCHAR, release VARCHAR), cpu VARCHAR, openssl_version VARCHAR, setuptools_version VARCHAR, rustc_version VARCHAR, ci BOOLEAN)',
  'tls_protocol': 'VARCHAR', 'tls_cipher': 'VARCHAR'
}`;

/**
 * Only the columns the seed's rules read, as an older or trimmed export has them: no country, no
 * file version or type, and a `details` with neither CPU, distro, implementation nor CI.
 */
export const SEED_ERA_COLUMNS = `{
  'timestamp': 'VARCHAR', 'project': 'VARCHAR',
  'file': 'STRUCT(filename VARCHAR, project VARCHAR)',
  'details': 'STRUCT(installer STRUCT(name VARCHAR, version VARCHAR), python VARCHAR, system STRUCT(name VARCHAR, release VARCHAR))'
}`;

/**
 * Parquet with `timestamp` as a UTC timestamp type and nested structs, as EXPORT DATA writes it,
 * with every column of the table unless `columns` (a read_json `columns` struct) says fewer.
 */
export async function writeParquet(file: string, events: RawEvent[], columns: string = FILE_DOWNLOADS_COLUMNS): Promise<string> {
  const json = path.join(await tempDir('pypistats-parquet-source-'), 'events.ndjson');
  await writeNdjson(json, events);
  const duck = await DuckDb.open({ threads: 1 });
  try {
    const connection = await duck.connect();
    await connection.run(
      `COPY (SELECT * REPLACE (CAST("timestamp" AS TIMESTAMPTZ) AS "timestamp")
             FROM read_json($json, format = 'newline_delimited', columns = ${columns}))
       TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
      { json },
    );
    connection.closeSync();
  } finally {
    duck.close();
    await rm(path.dirname(json), { recursive: true, force: true });
  }
  return file;
}
