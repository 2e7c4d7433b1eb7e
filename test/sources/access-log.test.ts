import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensions, enabledDimensions } from '../../src/domain/dimensions.js';
import { AccessLogSource, type AccessLogOptions } from '../../src/sources/access-log.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { tempDir, writeNdjson, type RawEvent } from '../support/raw-events.js';
import { collectRows, rowTable } from '../support/rows.js';
import { PIP_USER_AGENT, UV_USER_AGENT } from '../support/user-agents.js';

const DAY = '2026-11-20';
const OPERATOR_DB = path.join(import.meta.dirname, '../support/country-db/operator-countries.mmdb');

let duck: DuckDb;
let dir: string;
let fileNumber = 0;

beforeAll(async () => {
  duck = await DuckDb.open();
  dir = await tempDir();
});
afterAll(async () => {
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

interface Request {
  client: string;
  time?: string;
  request?: string;
  method?: string;
  target?: string;
  status?: number;
  userAgent: string;
}

/** A line as nginx's `combined` writes it: `"` and `\` in a field as `\x22` and `\x5C`. */
function nginxLine(request: Request): string {
  const escape = (value: string) => value.replaceAll('\\', '\\x5C').replaceAll('"', '\\x22');
  const line = request.request ?? `${request.method ?? 'GET'} ${request.target} HTTP/1.1`;
  return `${request.client} - - [${request.time ?? '20/Nov/2026:12:00:00 +0000'}] "${escape(line)}" ${request.status ?? 200} 1234 "-" "${escape(request.userAgent)}"`;
}

async function writeLog(lines: string[], gzip = false): Promise<string> {
  const file = path.join(dir, `access-${++fileNumber}.log${gzip ? '.1.gz' : ''}`);
  const text = `${lines.join('\n')}\n`;
  await writeFile(file, gzip ? gzipSync(text) : text);
  return file;
}

async function aggregate(inputs: string[], options: Partial<AccessLogOptions> = {}) {
  const aggregation = await new AccessLogSource(duck, { inputs, ...options }).aggregateDay(DAY);
  const rows = await collectRows(aggregation);
  return { summary: aggregation.summary, table: rowTable(rows) };
}

const WHEEL = '/packages/ab/cd/Foo_Bar-1.0-py3-none-any.whl';

/** One line of every kind; the comments say what each must come to. */
const LOG = [
  nginxLine({ client: '8.8.8.8', target: WHEEL, userAgent: PIP_USER_AGENT }), // a download: pip, US
  nginxLine({ client: '2001:67c:2e8:22::c100:68b', target: '/packages/foo_bar-1.1.tar.gz', userAgent: UV_USER_AGENT }), // a download: uv, IPv6, NL
  nginxLine({ client: '8.8.8.8', target: WHEEL, status: 304, userAgent: PIP_USER_AGENT }), // not modified: status
  nginxLine({ client: '8.8.8.8', target: '/packages/foo-bar/', status: 301, userAgent: PIP_USER_AGENT }), // a redirect: status
  nginxLine({ client: '8.8.8.8', target: '/packages/ab/cd/Foo_Bar-9.9-py3-none-any.whl', status: 404, userAgent: PIP_USER_AGENT }), // status
  nginxLine({ client: '8.8.8.8', method: 'HEAD', target: WHEEL, userAgent: 'curl/8.5.0' }), // not GET
  nginxLine({ client: '8.8.8.8', target: WHEEL, status: 206, userAgent: 'curl/8.5.0' }), // a range request: partial
  nginxLine({ client: '8.8.8.8', target: '/simple/foo-bar/', userAgent: PIP_USER_AGENT }), // an index page: not a file
  nginxLine({ client: '133.11.0.1', target: `${WHEEL}.metadata`, userAgent: PIP_USER_AGENT }), // a metadata fetch
];
const ROTATED_LOG = [
  'this is not a log line', // malformed
  '', // malformed
  nginxLine({ client: '8.8.8.8', time: '19/Nov/2026:23:59:59 +0000', target: WHEEL, userAgent: PIP_USER_AGENT }), // another day
  // 00:30 at +0100 is 23:30 UTC of the day: a download, by a mirror.
  nginxLine({ client: '193.0.6.139', time: '21/Nov/2026:00:30:00 +0100', target: WHEEL, userAgent: 'bandersnatch/6.5.0 (CPython 3.12.1-final0, Linux x86_64)' }),
  nginxLine({ client: '10.0.0.1', target: '/files/python-dateutil-2.8.2.tar.gz', userAgent: 'python-requests/2.31.0' }), // private address: no country
  nginxLine({ client: '2001:4860:4860::8888', target: '/w/zope.interface-6.1-cp312-cp312-win_amd64.whl', userAgent: 'curl/8.5.0' }), // IPv6, US
  nginxLine({ client: '10.1.2.3', target: '/files/python-dateutil-2.8.2.tar.gz?download=1', userAgent: 'Go-http-client/1.1' }), // an agent nobody knows
  nginxLine({ client: '8.8.8.8', request: '\u0016\u0003\u0001', status: 400, userAgent: '-' }), // a TLS handshake sent to the HTTP port: not GET
];

const base = { installer: null, python: null, implementation: null, system: null, distro: null, libc: null, cpu: null, ci: null } as const;
/** The same downloads as BigQuery's schema holds them, written by hand. */
function bigQueryEvents(): RawEvent[] {
  const at = `${DAY} 12:00:00.000000 UTC`;
  const pip = {
    installer: { name: 'pip', version: '24.0' },
    python: '3.12.1',
    implementation: { name: 'CPython', version: '3.12.1' },
    distro: { name: 'Ubuntu', version: '22.04', id: 'jammy', libc: { lib: 'glibc', version: '2.35' } },
    system: { name: 'Linux', release: '6.5.0-14-generic' },
    cpu: 'x86_64',
    ci: null,
  };
  const wheel = { filename: 'Foo_Bar-1.0-py3-none-any.whl', project: 'Foo_Bar', version: '1.0', type: 'bdist_wheel' };
  const dateutil = { filename: 'python-dateutil-2.8.2.tar.gz', project: 'python-dateutil', version: '2.8.2', type: 'sdist' };
  return [
    { timestamp: at, country_code: 'US', file: wheel, details: pip },
    {
      timestamp: at,
      country_code: 'NL',
      file: { filename: 'foo_bar-1.1.tar.gz', project: 'foo_bar', version: '1.1', type: 'sdist' },
      details: {
        installer: { name: 'uv', version: '0.5.11' },
        python: '3.11.7',
        implementation: { name: 'CPython', version: '3.11.7' },
        distro: { name: 'Alpine Linux', version: '3.19.0', id: null, libc: { lib: 'musl', version: '1.2.4' } },
        system: { name: 'Linux', release: '6.1.0' },
        cpu: 'aarch64',
        ci: true,
      },
    },
    { timestamp: at, country_code: 'JP', file: { ...wheel, filename: `${wheel.filename}.metadata` }, details: pip },
    { timestamp: `${DAY} 23:30:00.000000 UTC`, country_code: 'NL', file: wheel, details: { ...base, installer: { name: 'bandersnatch', version: '6.5.0' } } },
    { timestamp: at, country_code: null, file: dateutil, details: { ...base, installer: { name: 'requests', version: '2.31.0' } } },
    { timestamp: at, country_code: 'US', file: { filename: 'zope.interface-6.1-cp312-cp312-win_amd64.whl', project: 'zope.interface', version: '6.1', type: 'bdist_wheel' }, details: { ...base, installer: { name: 'Browser', version: null } } },
    { timestamp: at, country_code: null, file: dateutil, details: null },
  ];
}

/** `package/dimension/category` → downloads: every row the day must come to. */
const EXPECTED: Record<string, number> = {
  'foo-bar/overall/with_mirrors': 3,
  'foo-bar/overall/without_mirrors': 2,
  'foo-bar/python_major/3': 2,
  'foo-bar/python_minor/3.11': 1,
  'foo-bar/python_minor/3.12': 1,
  'foo-bar/system/linux': 2,
  'foo-bar/version/1.0': 1,
  'foo-bar/version/1.1': 1,
  'foo-bar/installer/pip': 1,
  'foo-bar/installer/uv': 1,
  'foo-bar/ci/null': 1,
  'foo-bar/ci/true': 1,
  'foo-bar/country/NL': 1,
  'foo-bar/country/US': 1,
  'foo-bar/implementation/cpython': 2,
  'foo-bar/cpu/aarch64': 1,
  'foo-bar/cpu/x86_64': 1,
  'foo-bar/libc/glibc': 1,
  'foo-bar/libc/musl': 1,
  'foo-bar/distro/Alpine Linux': 1,
  'foo-bar/distro/Ubuntu': 1,
  'foo-bar/file_type/bdist_wheel': 1,
  'foo-bar/file_type/sdist': 1,
  'python-dateutil/overall/with_mirrors': 2,
  'python-dateutil/overall/without_mirrors': 2,
  'python-dateutil/python_major/null': 2,
  'python-dateutil/python_minor/null': 2,
  'python-dateutil/system/null': 2,
  'python-dateutil/version/2.8.2': 2,
  'python-dateutil/installer/requests': 1,
  'python-dateutil/installer/null': 1,
  'python-dateutil/ci/null': 2,
  'python-dateutil/country/null': 2,
  'python-dateutil/implementation/null': 2,
  'python-dateutil/cpu/null': 2,
  'python-dateutil/libc/null': 2,
  'python-dateutil/distro/null': 2,
  'python-dateutil/file_type/sdist': 2,
  'zope-interface/overall/with_mirrors': 1,
  'zope-interface/overall/without_mirrors': 1,
  'zope-interface/python_major/null': 1,
  'zope-interface/python_minor/null': 1,
  'zope-interface/system/null': 1,
  'zope-interface/version/6.1': 1,
  'zope-interface/installer/browser': 1,
  'zope-interface/ci/null': 1,
  'zope-interface/country/US': 1,
  'zope-interface/implementation/null': 1,
  'zope-interface/cpu/null': 1,
  'zope-interface/libc/null': 1,
  'zope-interface/distro/null': 1,
  'zope-interface/file_type/bdist_wheel': 1,
};

describe('access-log source', () => {
  it('turns log lines of every kind into exactly the rows of every dimension, and accounts for every line', async () => {
    const result = await aggregate([await writeLog(LOG), await writeLog(ROTATED_LOG, true)]);
    expect(result.table).toEqual(EXPECTED);
    expect(result.summary).toEqual({
      day: DAY,
      downloads: 6,
      metadataFetches: 1,
      packages: 3,
      skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 },
      logLines: { lines: 17, notCounted: { malformed: 2, otherDay: 1, notGet: 2, partial: 1, status: 3, notAFile: 1 } },
    });
  });

  it('gives the same aggregates as the same events in BigQuery’s schema through the files source', async () => {
    const file = await writeNdjson(path.join(dir, 'same-events.ndjson'), bigQueryEvents());
    const aggregation = await new FileSource(duck, { inputs: [file] }).aggregateDay(DAY);
    const rows = rowTable(await collectRows(aggregation));
    expect(rows).toEqual(EXPECTED);
    expect({ downloads: aggregation.summary.downloads, metadataFetches: aggregation.summary.metadataFetches, packages: aggregation.summary.packages }).toEqual({ downloads: 6, metadataFetches: 1, packages: 3 });
  });

  it('reads the files of a glob, as a logrotate-friendly pattern gives them', async () => {
    const sub = path.join(dir, 'rotated');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeFile(path.join(sub, 'access.log'), `${LOG.join('\n')}\n`);
    await writeFile(path.join(sub, 'access.log.1.gz'), gzipSync(`${ROTATED_LOG.join('\n')}\n`));
    const result = await aggregate([path.join(sub, 'access.log*')]);
    expect(result.table).toEqual(EXPECTED);
  });

  it('counts a 304 when told to, and reads a format of the server’s own', async () => {
    const format = '$time_iso8601 $remote_addr "$request" $status "$http_user_agent"';
    const lines = [
      `2026-11-20T10:00:00+00:00 8.8.8.8 "GET ${WHEEL} HTTP/2.0" 304 "${PIP_USER_AGENT.replaceAll('"', '\\x22')}"`,
      `2026-11-20T10:00:00Z 8.8.8.8 "GET ${WHEEL} HTTP/2.0" 200 "curl/8.5.0"`,
      `2026-11-21T00:00:00Z 8.8.8.8 "GET ${WHEEL} HTTP/2.0" 200 "curl/8.5.0"`, // the next day
    ];
    const file = await writeLog(lines);
    const counted = await aggregate([file], { format, countNotModified: true });
    expect(counted.table['foo-bar/installer/pip']).toBe(1);
    expect(counted.table['foo-bar/installer/browser']).toBe(1);
    expect(counted.summary.logLines).toEqual({ lines: 3, notCounted: { malformed: 0, otherDay: 1, notGet: 0, partial: 0, status: 0, notAFile: 0 } });
    const notCounted = await aggregate([file], { format });
    expect(notCounted.table['foo-bar/installer/pip']).toBeUndefined();
    expect(notCounted.summary.logLines?.notCounted.status).toBe(1);
  });

  it('takes countries from the operator’s database when given one by path, and none when told so', async () => {
    const file = await writeLog([
      nginxLine({ client: '192.0.2.7', target: WHEEL, userAgent: 'curl/8.5.0' }),
      nginxLine({ client: '2001:db8::1', target: WHEEL, userAgent: 'curl/8.5.0' }),
      nginxLine({ client: '8.8.8.8', target: WHEEL, userAgent: 'curl/8.5.0' }),
      nginxLine({ client: '193.0.6.139', target: WHEEL, userAgent: 'curl/8.5.0' }),
    ]);
    const country = (table: Record<string, number>) => Object.fromEntries(Object.entries(table).filter(([key]) => key.includes('/country/')));
    expect(country((await aggregate([file], { countries: { kind: 'file', path: OPERATOR_DB } })).table)).toEqual({
      'foo-bar/country/FR': 1,
      'foo-bar/country/JP': 1,
      'foo-bar/country/CA': 1, // the operator's database, not the shipped one's US
      'foo-bar/country/null': 1, // not in the operator's database
    });
    expect(country((await aggregate([file], { countries: { kind: 'none' } })).table)).toEqual({ 'foo-bar/country/null': 4 });
  });

  it('computes only the dimensions on', async () => {
    const result = await aggregate([await writeLog(LOG)], { dimensions: enabledDimensions([]) });
    expect(new Set(Object.keys(result.table).map((key) => key.split('/')[1]))).toEqual(new Set(dimensions.filter((d) => d.seed).map((d) => d.name)));
    expect(result.table['foo-bar/overall/without_mirrors']).toBe(2);
  });

  it('reads a line of raw bytes that are not UTF-8 as any other, and raw UTF-8 as its text', async () => {
    const line = (agent: string) => Buffer.from(`${nginxLine({ client: '8.8.8.8', target: WHEEL, userAgent: 'x' }).slice(0, -3)}"${agent}"\n`, 'latin1');
    const file = path.join(dir, 'bytes.log');
    const utf8 = Buffer.from(`${nginxLine({ client: '8.8.8.8', target: WHEEL, userAgent: 'someinstaller/1.0 {"distro":{"name":"Café OS"}}' })}\n`, 'utf8');
    await writeFile(file, Buffer.concat([line('curl/8.5.0 \xff\xfe'), utf8]));
    const result = await aggregate([file]);
    expect(result.summary.logLines).toEqual({ lines: 2, notCounted: { malformed: 0, otherDay: 0, notGet: 0, partial: 0, status: 0, notAFile: 0 } });
    expect(result.table['foo-bar/installer/browser']).toBe(1);
    expect(result.table['foo-bar/distro/Café OS']).toBe(1);
  });

  it('fails, naming it, when no file matches, and refuses a format it cannot read', async () => {
    await expect(aggregate([path.join(dir, 'nothing-here/*.log')])).rejects.toThrow(/no input file matches .*nothing-here/);
    expect(() => new AccessLogSource(duck, { inputs: ['x'], format: '$remote_addr $status' })).toThrow(/must hold the/);
  });
});
