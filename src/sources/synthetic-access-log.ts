/**
 * A demo day's raw events (synthetic.ts's Parquet) written out as the access log of a private
 * index's nginx would hold them (`combined`, gzip), so the demo and the benchmark read access logs
 * through the real source: each download a `GET` of its file with the User-Agent its installer
 * sends (linehaul's JSON for pip, uv and pipenv, the text formats for the others, nginx's `\x22`
 * escapes), from a client address whose country is the event's (addresses drawn from the country
 * database, deterministically); around them the lines a real index also logs: pip's `/simple/`
 * pages (some revalidated, 304), 404s, mirrors' HEADs, range requests, and a few malformed lines.
 * In time order, as a log is: the events' own, kept without a sort.
 */
import { BIGINT, INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DuckDb } from './duckdb.js';
import { openCountryLookup, type CountryDatabaseChoice } from './countries.js';

/** Addresses drawn to find each country some: enough that every country of the demo gets a few. */
const ADDRESS_DRAWS = 40_000;
/** Addresses kept per country: clients of one country share them, as offices and CI runners do. */
const ADDRESSES_PER_COUNTRY = 50;
/** The pool of events whose country the draws did not find: private addresses, no country. */
const NO_COUNTRY = '';

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Country → addresses the country database places there (some IPv6), the same for a seed. */
export function clientAddresses(seed: number, countries: CountryDatabaseChoice = { kind: 'shipped' }): Map<string, string[]> {
  const lookup = openCountryLookup(countries);
  const pools = new Map<string, string[]>();
  const add = (country: string, address: string) => {
    const pool = pools.get(country) ?? [];
    if (pool.length < ADDRESSES_PER_COUNTRY) pool.push(address);
    pools.set(country, pool);
  };
  for (let i = 0; i < ADDRESS_DRAWS; i++) {
    const value = mix(seed, i);
    const first = 1 + (value >>> 24) % 223; // 1–223: unicast, no multicast or reserved
    const address = i % 8 === 7
      ? `2a0${(value >>> 28) % 10}:${(value & 0xffff).toString(16)}:${((value >>> 8) & 0xffff).toString(16)}::${(i & 0xfff).toString(16)}`
      : `${first}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${1 + (value & 0xfe)}`;
    const country = lookup.countryOf(address);
    if (country) add(country, address);
  }
  for (let i = 0; i < ADDRESSES_PER_COUNTRY; i++) add(NO_COUNTRY, `10.${i}.${mix(seed, i) & 0xff}.${1 + (mix(i, seed) & 0xfe)}`);
  return pools;
}

const SIMPLE_PAGE = 4; // 3 in 4 downloads follow a fetch of their project's /simple/ page
const REVALIDATED = 5; // of those, 1 in 5 is answered 304
const NOT_FOUND = 97;
const HEAD = 89;
const RANGE = 211;
const MALFORMED = 1009;

/** The User-Agent each installer sends, from the event's details, as SQL over `details`. */
const USER_AGENT_SQL = `CASE details.installer.name
    WHEN 'pip' THEN 'pip/' || details.installer.version || ' ' || linehaul
    WHEN 'uv' THEN 'uv/' || details.installer.version || ' ' || linehaul
    WHEN 'pipenv' THEN 'pipenv/' || details.installer.version || ' ' || linehaul
    WHEN 'poetry' THEN 'poetry/' || details.installer.version || ' ' || coalesce(details.implementation.name, 'CPython') || '/' || coalesce(details.implementation.version, '3.12.0') || ' ' || coalesce(details.system.name, 'Linux') || '/' || coalesce(details.system.release, '')
    WHEN 'pdm' THEN 'pdm/' || details.installer.version || ' ' || coalesce(details.implementation.name, 'CPython') || '/' || coalesce(details.implementation.version, '3.12.0')
    WHEN 'requests' THEN 'python-requests/' || details.installer.version
    WHEN 'setuptools' THEN 'setuptools/' || details.installer.version || ' Python-urllib/' || coalesce(regexp_extract(details.python, '^[0-9]+[.][0-9]+'), '3.12')
    WHEN 'Browser' THEN 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'
    WHEN 'bandersnatch' THEN 'bandersnatch/' || details.installer.version || ' (CPython 3.12.1-final0, Linux x86_64)'
    WHEN 'devpi' THEN 'devpi-server/' || details.installer.version || ' (py3.12.1; linux)'
    WHEN 'Artifactory' THEN 'Artifactory/' || details.installer.version
    WHEN 'z3c.pypimirror' THEN 'z3c.pypimirror/' || details.installer.version
    ELSE 'Go-http-client/1.1'
  END`;

/** linehaul's JSON as pip writes it (keys sorted, no spaces). */
const LINEHAUL_SQL = `to_json(struct_pack(
    ci := details.ci, cpu := details.cpu,
    distro := struct_pack(id := details.distro.id, libc := details.distro.libc, name := details.distro.name, version := details.distro.version),
    implementation := details.implementation, installer := details.installer, openssl_version := details.openssl_version,
    python := details.python, setuptools_version := details.setuptools_version, system := details.system))::VARCHAR`;

/** Writes `out` (gzip when it ends in `.gz`) from the raw events of `eventsFile`; returns its lines. */
export async function writeAccessLog(duck: DuckDb, eventsFile: string, out: string, options: { seed: number; countries?: CountryDatabaseChoice }): Promise<{ lines: number }> {
  const pools = clientAddresses(options.seed, options.countries);
  // Every country's addresses in one list, found by the country's offset and count: lists, not a
  // join, so the lines come out in the events' order (a log's), with no sort of the whole day.
  const countries = [...pools.keys()];
  const addresses = countries.flatMap((country) => pools.get(country)!);
  const offsets: number[] = [];
  countries.reduce((offset, country) => (offsets.push(offset), offset + pools.get(country)!.length), 0);
  const counts = countries.map((country) => pools.get(country)!.length);
  const connection = await duck.connect();
  try {
    const escape = (sql: string) => `replace(replace(${sql}, '\\', '\\x5C'), '"', '\\x22')`;
    const line = (client: string, method: string, target: string, status: string, bytes: string) =>
      `${client} || ' - - [' || strftime(ts, '%d/%b/%Y:%H:%M:%S +0000') || '] "${method} ' || ${target} || ' HTTP/1.1" ' || ${status} || ' ' || ${bytes} || ' "-" "' || agent || '"'`;
    const noCountry = `$addresses[$offsets[no_country_k] + 1 + (h % $counts[no_country_k])::INTEGER]`;
    const sql = `COPY (
WITH e AS (
  SELECT "timestamp" AS ts, url, project, details.installer.name AS installer,
    ${escape(USER_AGENT_SQL.replaceAll('linehaul', `(${LINEHAUL_SQL})`))} AS agent,
    coalesce(list_position($countries, coalesce(nullif(country_code, ''), '${NO_COUNTRY}')), list_position($countries, '${NO_COUNTRY}')) AS country_k,
    list_position($countries, '${NO_COUNTRY}') AS no_country_k,
    hash(url, "timestamp", $seed) AS h
  FROM read_parquet($events)
  WHERE url IS NOT NULL
), placed AS (
  SELECT *, $addresses[$offsets[country_k] + 1 + (h % $counts[country_k])::INTEGER] AS client FROM e
)
SELECT unnest(list_filter([
    -- pip, uv and the like fetch the project's /simple/ page first; some revalidate it.
    CASE WHEN ts IS NOT NULL AND project IS NOT NULL AND h % ${SIMPLE_PAGE} <> 0 AND installer IN ('pip', 'uv', 'pipenv', 'poetry', 'pdm')
      THEN ${line('client', 'GET', "'/simple/' || lower(regexp_replace(project, '[-_.]+', '-', 'g')) || '/'", `CASE WHEN (h >> 8) % ${REVALIDATED} = 0 THEN '304' ELSE '200' END`, "'2048'")} END,
    CASE WHEN ts IS NOT NULL THEN ${line('client', 'GET', 'url', "'200'", "(1000 + h % 5000000)::VARCHAR")} END,
    CASE WHEN ts IS NOT NULL AND (h >> 16) % ${NOT_FOUND} = 0 THEN ${line(noCountry, 'GET', "regexp_replace(url, '-[0-9][^-/]*([.-])', '-0.0.0\\1')", "'404'", "'153'")} END,
    CASE WHEN ts IS NOT NULL AND (h >> 24) % ${HEAD} = 0 THEN ${line(noCountry, 'HEAD', 'url', "'200'", "'0'")} END,
    CASE WHEN ts IS NOT NULL AND (h >> 32) % ${RANGE} = 0 THEN ${line(noCountry, 'GET', 'url', "'206'", "'65536'")} END,
    CASE WHEN ts IS NULL OR (h >> 40) % ${MALFORMED} = 0 THEN '10.0.0.1 - - [truncated' END
  ], l -> l IS NOT NULL)) AS line
FROM placed
) TO $out (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\\t', COMPRESSION 'auto')`;
    const params = { events: eventsFile, out, seed: BigInt(options.seed), countries: listValue(countries), addresses: listValue(addresses), offsets: listValue(offsets), counts: listValue(counts) };
    const types = { events: VARCHAR, out: VARCHAR, seed: BIGINT, countries: LIST(VARCHAR), addresses: LIST(VARCHAR), offsets: LIST(INTEGER), counts: LIST(INTEGER) };
    await connection.run(sql, params as never, types as never);
    const [row] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM read_csv($out, columns = {'line': 'VARCHAR'}, delim = '\\0', quote = '', escape = '', header = false, auto_detect = false, compression = 'auto')`, { out } as never, { out: VARCHAR } as never)).getRows();
    return { lines: Number(row?.[0] ?? 0) };
  } finally {
    connection.closeSync();
  }
}
