/**
 * The OpenAPI description against the API itself: the document is valid OpenAPI 3.1, and every
 * operation it describes is asked for each status it documents (success and each error kind); the
 * real answer must have that status and a body valid against the documented schema (Ajv, JSON
 * Schema 2020-12). Operations are taken from the document, so a route added with a schema is
 * tested here with no change to this file.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import type { OpenApiDocument, OpenApiOperation } from '../../src/domain/openapi-document.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { StoreUnavailableError, type Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { sqliteKind, type TestStore } from '../support/stores.js';

/** Two months of one package, so that every list (top and trending) has rows. */
function days(): Record<string, ReturnType<typeof row>[]> {
  const result: Record<string, ReturnType<typeof row>[]> = {};
  for (let i = 0; i < 60; i++) {
    const day = new Date(Date.UTC(2026, 9, 1 + i)).toISOString().slice(0, 10);
    const downloads = i < 53 ? 1000 : 3000;
    result[day] = ['overall', 'python_major', 'python_minor', 'system', 'version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'].flatMap((dimension) =>
      dimension === 'overall'
        ? [row('requests', 'overall', 'with_mirrors', downloads + 1), row('requests', 'overall', 'without_mirrors', downloads)]
        : [row('requests', dimension, dimension === 'country' ? 'US' : dimension === 'ci' ? 'true' : '3', downloads)],
    );
  }
  return result;
}

const config = {
  retentionDays: 180,
  cacheMaxAge: 60,
  logLevel: 'silent' as const,
  trustedProxies: [],
  hstsMaxAge: 0,
  mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS],
};

/** A store that can be made unavailable, as a PostgreSQL restart would. */
function interruptible(store: Store): { store: Store; down(): void } {
  let isDown = false;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (isDown) return Promise.reject(new StoreUnavailableError('the test took the database away'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, down: () => (isDown = true) };
}

let full: TestStore;
let empty: TestStore;
const apps: FastifyInstance[] = [];
let app: FastifyInstance;
let limited: FastifyInstance;
let emptyApp: FastifyInstance;
let downApp: FastifyInstance;
/** Some breakdowns off: their operations are described as turned off. */
let fewApp: FastifyInstance;

async function make(store: Store, extra: Partial<Parameters<typeof buildApp>[0]['config']> = {}): Promise<FastifyInstance> {
  const built = await buildApp({ store, config: { ...config, rateLimit: { perSecond: 0, perMinute: 0 }, ...extra } });
  await built.ready();
  apps.push(built);
  return built;
}

beforeAll(async () => {
  full = await sqliteKind.create();
  empty = await sqliteKind.create();
  for (const [day, rows] of Object.entries(days())) {
    await full.store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 1000)) });
  }
  app = await make(full.store);
  limited = await make(full.store, { rateLimit: { perSecond: 0, perMinute: 1 }, embedRateLimit: { perSecond: 0, perMinute: 1 } });
  emptyApp = await make(empty.store);
  const down = interruptible(full.store);
  downApp = await make(down.store);
  down.down();
  fewApp = await make(full.store, { dimensions: ['overall', 'python_major', 'python_minor', 'system', 'installer'] });
});

afterAll(async () => {
  for (const built of apps) await built.close();
  await full?.dispose();
  await empty?.dispose();
});

async function documentOf(server: FastifyInstance): Promise<OpenApiDocument> {
  const response = await server.inject({ url: '/api/openapi.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  return response.json() as OpenApiDocument;
}

function operations(document: OpenApiDocument): [string, OpenApiOperation][] {
  return Object.entries(document.paths).flatMap(([path, methods]) => (methods.get ? [[path, methods.get] as [string, OpenApiOperation]] : []));
}

describe('the OpenAPI description', () => {
  it('is valid OpenAPI 3.1', async () => {
    for (const server of [app, fewApp]) {
      const document = await documentOf(server);
      expect(document.openapi).toBe('3.1.0');
      const result = await new Validator().validate(document as unknown as Record<string, unknown>);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    }
  });

  it('describes both prefixes, every dimension of the registry, /recent, top and trending, and no page or asset', async () => {
    const document = await documentOf(app);
    const paths = Object.keys(document.paths);
    for (const prefix of ['/api/packages/{package}', '/api/package/{package}']) {
      for (const endpoint of ['recent', 'overall', 'python_major', 'python_minor', 'system', 'version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type']) {
        expect(paths).toContain(`${prefix}/${endpoint}`);
      }
    }
    expect(paths).toContain('/api/top');
    expect(paths).toContain('/api/trending');
    // Outside the API's root, only what a README embeds.
    expect(paths.filter((path) => !path.startsWith('/api/'))).toEqual(['/badge/{package}', '/chart/{file}']);
    expect(paths).toContain('/api/shields/{package}');
    expect(paths).not.toContain('/api');
    expect(paths).not.toContain('/api/openapi.json');
    const installer = document.paths['/api/packages/{package}/installer']!.get!;
    expect(installer.parameters!.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(['query:installer', 'query:start_date', 'query:end_date', 'query:interval', 'query:format', 'query:top', 'path:package']);
    expect(Object.keys(installer.responses)).toEqual(['200', '400', '404', '405', '429', '503']);
    const off = (await documentOf(fewApp)).paths['/api/packages/{package}/distro']!.get!;
    expect(off.tags).toEqual(['turned off']);
    expect(Object.keys(off.responses)).toEqual(['404', '405', '429', '503']);
  });
});

/** The request that should get `status` from `path`, and the app to ask. */
function requestFor(
  path: string,
  operation: OpenApiOperation & { 'x-example-package'?: string },
  status: number,
): { server: FastifyInstance; url: string; method: 'GET' | 'POST'; revalidate?: boolean } {
  const example = operation['x-example-package'] ?? 'requests';
  // The chart's one parameter is its file name, `<package>.svg`.
  const known = path.replace('{package}', example).replace('{file}', `${example}.svg`);
  switch (status) {
    case 200:
      return { server: app, url: known, method: 'GET' };
    case 304:
      return { server: app, url: known, method: 'GET', revalidate: true };
    case 400:
      return { server: app, url: `${known}?no_such_parameter=1`, method: 'GET' };
    case 404:
      if (path.includes('{file}')) return { server: app, url: path.replace('{file}', 'no-such-package.svg'), method: 'GET' };
      return path.includes('{package}') ? { server: app, url: path.replace('{package}', 'no-such-package'), method: 'GET' } : { server: emptyApp, url: known, method: 'GET' };
    case 405:
      return { server: app, url: known, method: 'POST' };
    case 429:
      return { server: limited, url: known, method: 'GET' };
    case 503:
      return { server: downApp, url: known, method: 'GET' };
    default:
      throw new Error(`no request is known to get ${status} from ${path}: teach this test one`);
  }
}

describe('every response of every described operation', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);

  it.each([
    ['every breakdown on', () => app],
    ['some breakdowns off', () => fewApp],
  ])('matches the description, with %s', async (_name, server) => {
    const document = await documentOf(server());
    let checked = 0;
    for (const [path, operation] of operations(document)) {
      // Every operation describes its success, but a breakdown turned off, which has none.
      if (!operation.tags?.includes('turned off')) expect(Object.keys(operation.responses), `${path} describes its 200`).toContain('200');
      for (const [status, response] of Object.entries(operation.responses)) {
        let { server: asked, url, method, revalidate } = requestFor(path, operation, Number(status));
        // The turned-off operations are in the app that turned them off.
        if (operation.tags?.includes('turned off') && asked === app) asked = fewApp;
        if (Number(status) === 429) await asked.inject({ url, remoteAddress: '198.51.100.7' });
        const headers: Record<string, string> = {};
        if (revalidate) headers['if-none-match'] = String((await asked.inject({ url })).headers.etag);
        const answer = await asked.inject({ url, method, headers, remoteAddress: '198.51.100.7' });
        expect(`${method} ${url} → ${answer.statusCode}`).toBe(`${method} ${url} → ${status}`);
        if (answer.statusCode === 304) {
          // Not modified: no body, so no content to check.
          expect(answer.body, `${method} ${url} (304)`).toBe('');
          checked++;
          continue;
        }
        const content = response.content ?? {};
        const type = String(answer.headers['content-type']).split(';')[0]!;
        expect(Object.keys(content), `${method} ${url} (${status}) answers ${type}, which the description lists`).toContain(type);
        if (type === 'application/json') {
          const validate = ajv.compile(content[type]!.schema);
          expect(validate(answer.json()) ? [] : validate.errors, `${method} ${url} (${status})`).toEqual([]);
        } else {
          // A body that is not JSON (an SVG, CSV) is described as a string: its content type is what is checked.
          expect(content[type]!.schema.type, `${method} ${url} (${status})`).toBe('string');
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('lists CSV as a 200 of every time series, and the CSV answers are it', async () => {
    const document = await documentOf(app);
    let checked = 0;
    for (const [path, operation] of operations(document)) {
      if (!operation.parameters?.some((parameter) => parameter.name === 'format')) continue;
      const url = `${path.replace('{package}', (operation as { 'x-example-package'?: string })['x-example-package'] ?? 'requests')}?format=csv`;
      const answer = await app.inject({ url });
      expect(`${url} → ${answer.statusCode}`).toBe(`${url} → 200`);
      expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(operation.responses['200']!.content!['text/csv']!.schema.type).toBe('string');
      checked++;
    }
    // Every dimension under both prefixes.
    expect(checked).toBe(2 * 13);
  });
});
