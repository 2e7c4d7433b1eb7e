/**
 * The BigQuery aggregation query as text: each data rule visible in it, generated from the
 * registry, parameters never inlined, and only what BigQuery and DuckDB both read the same way.
 * (That it gives the right numbers is test/sources/bigquery.test.ts, through the stand-in.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dimensions, enabledDimensions, seedDimensions } from '../../src/domain/dimensions.js';
import { normalizeName, VALID_NAME_PATTERN } from '../../src/domain/names.js';
import {
  bigQueryAggregationSql,
  bigQueryParameters,
  DEFAULT_BIGQUERY_TABLE,
  isBigQueryTableName,
  SUMMARY_DIMENSION,
} from '../../src/sources/bigquery-query.js';
import { DuckDb } from '../../src/sources/duckdb.js';

const sql = bigQueryAggregationSql();

let duck: DuckDb;
let connection: DuckDBConnection;
beforeAll(async () => {
  duck = await DuckDb.open({ threads: 1 });
  connection = await duck.connect();
});
afterAll(() => {
  connection.closeSync();
  duck.close();
});

describe('the BigQuery query: one pass over one day', () => {
  it('reads the configured table once, pruned to the day by a timestamp range', () => {
    expect(sql.match(/`[^`]*`/g)).toEqual([`\`${DEFAULT_BIGQUERY_TABLE}\``]);
    expect(sql).toContain('WHERE timestamp >= @day_start AND timestamp < @day_end');
    expect(bigQueryAggregationSql('my-project.my_dataset.downloads')).toContain('FROM `my-project.my_dataset.downloads`');
  });

  it('reads each step once, so BigQuery (which runs a WITH clause once per reference) scans once', () => {
    const steps = [...sql.matchAll(/^(\w+) AS \(/gm)].map((match) => match[1]!);
    expect(steps).toEqual(['day_groups', 'day_checked', 'row_kinds', 'day_rows', 'day_totals']);
    for (const step of steps) expect(sql.match(new RegExp(`\\b(FROM|JOIN) ${step}\\b`, 'g'))).toHaveLength(1);
  });

  it('groups events by the raw fields the rules need before any regex runs', () => {
    const groups = sql.slice(sql.indexOf('day_groups AS'), sql.indexOf('day_checked AS'));
    expect(groups).not.toMatch(/REGEXP/);
    for (const field of ['file.project', 'file.filename', 'details.installer.name', 'details.python', 'details.system.name']) expect(groups).toContain(field);
    // Every raw column the registry declares, read by its path under its SQL name, nothing by position.
    for (const column of dimensions.flatMap((dimension) => dimension.columns)) expect(groups).toContain(`${column.path.join('.')} AS ${column.name}`);
    expect(sql).not.toMatch(/GROUP BY \d/);
  });

  it('groups by one grouping set per set of raw columns, never by every column at once', () => {
    const sets = [...sql.matchAll(/^ {4}\(([^()]*)\)[,\n]/gm)].map((match) => match[1]!.split(', '));
    const shared = ['project', 'is_metadata', 'is_mirror'];
    // The shared set (mirror split and summary), Python (major and minor), system, then one per new dimension.
    expect(sets).toEqual([
      shared,
      [...shared, 'python'],
      [...shared, 'system_name'],
      ...['version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'].map((column) => [...shared, column]),
    ]);
    expect(sql).toContain('GROUP BY GROUPING SETS (');
    // Each group's set, from one-column GROUPING() (BigQuery's takes one column).
    expect(sql).not.toMatch(/GROUPING\([^)]*,/);
    expect(sql).toContain('GROUPING(python) * 1024 + GROUPING(system_name) * 512 + ');
  });

  it('puts the summary rows first, under a reserved dimension no breakdown uses', () => {
    expect(dimensions.map((d) => d.name)).not.toContain(SUMMARY_DIMENSION);
    expect(sql.trimEnd().split('\n').at(-1)).toBe(`ORDER BY CASE WHEN dimension = '${SUMMARY_DIMENSION}' THEN 0 ELSE 1 END`);
  });
});

describe('the BigQuery query: the data rules', () => {
  it('counts mirror installers, a parameter, only in with_mirrors', () => {
    expect(sql).toContain('COALESCE(details.installer.name IN (SELECT * FROM UNNEST(@mirrors)), FALSE) AS is_mirror');
    expect(sql).toContain(`WHEN 2 THEN grouping_id = 2047 AND outcome = 'downloads' WHEN 3 THEN grouping_id = 2047 AND outcome = 'downloads' AND NOT is_mirror`);
    for (const mirror of ['bandersnatch', 'devpi', 'Artifactory']) expect(sql).not.toContain(mirror);
  });

  it('reports .metadata fetches and does not count them', () => {
    expect(sql).toContain(`COALESCE(ENDS_WITH(file.filename, '.metadata'), FALSE) AS is_metadata`);
    expect(sql).toContain(`WHEN is_metadata THEN 'metadata_fetches'`);
  });

  it('takes file.project, the top-level project when it is missing, and skips a missing one', () => {
    expect(sql).toContain(`COALESCE(file.project, project, '') AS project`);
    expect(sql).toContain(`WHEN project = '' THEN 'no_project'`);
  });

  it('skips invalid names and names over 128 characters once normalized, checked in that order', () => {
    const invalid = sql.indexOf(`NOT REGEXP_CONTAINS(project, '^${VALID_NAME_PATTERN}$') THEN 'invalid_name'`);
    const tooLong = sql.indexOf(`WHEN LENGTH(package) > 128 THEN 'name_too_long'`);
    expect(invalid).toBeGreaterThan(0);
    expect(tooLong).toBeGreaterThan(invalid);
    expect(sql).toContain(`ARRAY_TO_STRING(REGEXP_EXTRACT_ALL(LOWER(project), '[a-z0-9]+'), '-') AS package`);
  });

  it('normalizes a valid name exactly as PEP 503 does (run in DuckDB)', async () => {
    const names = ['Foo_Bar', 'foo.bar', 'FOO--bar', 'Django_REST.framework', 'a', 'A1', 'x-_.y', 'zope.interface', 'ABC123'];
    for (const name of names) {
      const reader = await connection.runAndReadAll(`SELECT ARRAY_TO_STRING(REGEXP_EXTRACT_ALL(LOWER($name), '[a-z0-9]+'), '-') AS package`, { name });
      expect(reader.getRowObjects()[0]!.package).toBe(normalizeName(name));
    }
  });

  it('takes every category rule from the registry, in the bigquery dialect', () => {
    for (const dimension of dimensions) {
      expect(sql).toContain(`'${dimension.name}'`);
      if (dimension.categories.kind === 'expression') {
        expect(dimension.categories.sql.duckdb).not.toBe('');
        expect(sql).toContain(`${dimension.categories.sql.bigquery} AS category_${dimension.name}`);
      }
    }
  });

  it('derives Python versions without capture groups or backslashes, and systems by name', () => {
    const python = dimensions.find((d) => d.name === 'python_minor')!.categories;
    expect(python.kind === 'expression' && python.sql.bigquery).toContain(`REGEXP_CONTAINS(python, '^[0-9]{1,3}[.][0-9]{1,3}([^0-9]|$)')`);
    expect(sql).not.toMatch(/REGEXP_EXTRACT\([^()]*'[^']*\(/);
    expect(sql).toContain(`WHEN system_name = 'Windows' THEN 'windows'`);
    expect(sql).toContain(`WHEN system_name IS NULL OR system_name = '' THEN 'null'`);
  });
});

describe('the BigQuery query: only the dimensions turned on', () => {
  // The installer's name is read for the mirror flag whatever is on; the others only for their dimension.
  const newColumns = dimensions.filter((dimension) => !dimension.seed && dimension.name !== 'installer').flatMap((dimension) => dimension.columns);

  it('reads none of the new raw columns with the seed\'s four only (DIMENSIONS=none)', () => {
    const seedOnly = bigQueryAggregationSql(DEFAULT_BIGQUERY_TABLE, enabledDimensions([]));
    expect(enabledDimensions([])).toEqual(seedDimensions);
    for (const column of newColumns) expect(seedOnly).not.toContain(column.path.join('.'));
    expect(seedOnly).not.toContain('AS installer');
    for (const path of ['details.python', 'details.system.name', 'details.installer.name', 'file.project', 'file.filename']) expect(seedOnly).toContain(path);
    expect(seedOnly).toContain('GROUPING(python) * 2 + GROUPING(system_name) * 1 AS grouping_id');
    for (const dimension of dimensions) expect(seedOnly.includes(`'${dimension.name}'`), dimension.name).toBe(dimension.seed);
  });

  it('reads the raw columns of a subset, and of no dimension left out', () => {
    const subset = bigQueryAggregationSql(DEFAULT_BIGQUERY_TABLE, enabledDimensions(['country', 'cpu']));
    expect(subset).toContain('country_code AS country');
    expect(subset).toContain('details.cpu AS cpu');
    for (const column of newColumns.filter((column) => !['country', 'cpu'].includes(column.name))) expect(subset).not.toContain(column.path.join('.'));
    expect(subset).toContain(`'country'`);
    expect(subset).not.toContain(`'libc'`);
  });
});

describe('the BigQuery query: written for both engines, parameters apart', () => {
  it('uses nothing that BigQuery and DuckDB read differently', () => {
    expect(sql).not.toContain('\\'); // string escapes differ
    expect(sql).not.toContain('"'); // a string in BigQuery, an identifier in DuckDB
    expect(sql).not.toMatch(/::|GROUP BY ALL|FILTER \(|regexp_matches|list_contains|\$\w/i);
    expect(sql).not.toMatch(/REGEXP_REPLACE/); // all matches in BigQuery, the first in DuckDB
  });

  it('inlines no day and no installer name: they are typed query parameters', () => {
    expect(sql).not.toMatch(/20\d\d-\d\d-\d\d/);
    expect([...sql.matchAll(/@(\w+)/g)].map((match) => match[1]).sort()).toEqual(['day_end', 'day_start', 'mirrors']);
    expect(bigQueryParameters('2026-11-20', ['bandersnatch'])).toEqual({
      params: { day_start: new Date('2026-11-20T00:00:00Z'), day_end: new Date('2026-11-21T00:00:00Z'), mirrors: ['bandersnatch'] },
      types: { day_start: 'TIMESTAMP', day_end: 'TIMESTAMP', mirrors: ['STRING'] },
    });
    expect(bigQueryParameters('2026-12-31', []).params.day_end).toEqual(new Date('2027-01-01T00:00:00Z'));
  });

  it('refuses a table name that is not project.dataset.table, so nothing can break out of the quotes', () => {
    for (const bad of ['x', 'a.b', 'p.d.t`; DROP TABLE x; --', 'p.d.t` UNION ALL SELECT 1 --', 'P.d.t', 'p.d.t.u', 'p.d e.t', '']) {
      expect(isBigQueryTableName(bad), bad).toBe(false);
      expect(() => bigQueryAggregationSql(bad)).toThrow(`"${bad}" is not a BigQuery table name (project.dataset.table)`);
    }
    for (const good of [DEFAULT_BIGQUERY_TABLE, 'example.com:my-project.pypi.file_downloads', 'my-project.ds_1.table-2']) expect(isBigQueryTableName(good), good).toBe(true);
  });
});
