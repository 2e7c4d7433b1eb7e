/**
 * A local stand-in for PyPI's JSON API (`GET /pypi/<name>/json`), speaking its wire format, so no
 * test reaches pypi.org. Point `PYPI_URL` (or `PypiMetadataSource`'s `url`) at `standIn.url`.
 *
 * - Realistic packages (`REALISTIC_PACKAGES`): PyPI's answers for one release each, with the
 *   description, releases and files trimmed (the JSON files beside this one).
 * - `html-in-metadata`: HTML and `<script>` in the summary, author, license, an extra's name and a
 *   marker, and `javascript:` home pages; a page must show all of it as text.
 * - `slow-package` answers after `slowDelayMs`; `slow-body` sends its headers and half its body at
 *   once, then the rest after `slowDelayMs`.
 * - `invalid-json` (a 200 that is not JSON), `wrong-shape` (JSON without an `info` object),
 *   `server-error` (a 503, as PyPI's CDN gives when the backend is down).
 * - 404 with PyPI's `{"message": "Not Found"}` for any other name or path.
 *
 * Names are looked up PEP 503-normalized. It counts requests per path so tests can see the cache.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeName } from '../../src/domain/names.js';

export const REALISTIC_PACKAGES = ['requests', 'fastapi', 'black', 'boto3', 'django', 'jupyter'] as const;

export const STAND_IN_PACKAGES = {
  html: 'html-in-metadata',
  slow: 'slow-package',
  slowBody: 'slow-body',
  invalidJson: 'invalid-json',
  wrongShape: 'wrong-shape',
  serverError: 'server-error',
} as const;

export interface PypiStandInOptions {
  /** How long `slow-package` and `slow-body` keep the client waiting (default 5 s). */
  slowDelayMs?: number;
  /** More answers (name → the JSON body), served like the realistic ones; they win over them. */
  packages?: Record<string, unknown>;
}

export interface PypiStandIn {
  /** The base URL, as `PYPI_URL` takes it (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** Requests received for one path (`/pypi/requests/json`), or for all paths. */
  requests(path?: string): number;
  /** Requests received for a package's JSON, by its normalized name. */
  requestsFor(name: string): number;
  close(): Promise<void>;
}

const HTML_PACKAGE = {
  info: {
    author: '<img src=x onerror="alert(\'author\')">Mallory & Co',
    author_email: '"<b>Mallory</b>" <mallory@example.com>',
    classifiers: ['License :: OSI Approved :: MIT License'],
    home_page: 'javascript:alert("home_page")',
    license: '<script>alert("license")</script>',
    license_expression: null,
    maintainer: null,
    name: 'html-in-metadata',
    package_url: 'https://pypi.org/project/html-in-metadata/',
    project_url: 'https://pypi.org/project/html-in-metadata/',
    project_urls: { Homepage: 'javascript:alert("project_urls")', Source: 'JAVASCRIPT:alert(1)' },
    requires_dist: [
      'requests>=2; platform_system == "<img src=x onerror=alert(\'marker\')>"',
      'six; extra == "<script>alert(\'extra\')</script>"',
      '<script>alert("requirement")</script>',
    ],
    summary: '<script>alert("summary")</script> & <b>bold</b> "quoted"',
    version: '1.0<script>',
    yanked: false,
    yanked_reason: null,
  },
  last_serial: 1,
  releases: { '1.0<script>': [] },
  urls: [],
  vulnerabilities: [],
};

export async function startPypiStandIn(options: PypiStandInOptions = {}): Promise<PypiStandIn> {
  const slowDelayMs = options.slowDelayMs ?? 5000;
  const bodies = new Map<string, string>();
  for (const name of REALISTIC_PACKAGES) {
    bodies.set(name, await readFile(new URL(`./pypi-json/${name}.json`, import.meta.url), 'utf8'));
  }
  bodies.set(STAND_IN_PACKAGES.html, JSON.stringify(HTML_PACKAGE));
  bodies.set(STAND_IN_PACKAGES.slow, renamed(bodies.get('requests')!, STAND_IN_PACKAGES.slow));
  bodies.set(STAND_IN_PACKAGES.slowBody, renamed(bodies.get('requests')!, STAND_IN_PACKAGES.slowBody));
  bodies.set(STAND_IN_PACKAGES.wrongShape, JSON.stringify({ info: 'requests', releases: [] }));
  for (const [name, body] of Object.entries(options.packages ?? {})) bodies.set(normalizeName(name), JSON.stringify(body));

  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (response: ServerResponse, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed) action();
    }, slowDelayMs);
    timers.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const name = /^\/pypi\/([^/]+)\/json\/?$/.exec(path)?.[1];
    const normalized = name === undefined ? undefined : normalizeName(decodeURIComponent(name));
    const body = normalized === undefined ? undefined : bodies.get(normalized);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'Method Not Allowed');
    if (normalized === STAND_IN_PACKAGES.invalidJson) return send(response, 200, 'application/json', '{"info": {"name": "invalid-json", ');
    if (normalized === STAND_IN_PACKAGES.serverError) return send(response, 503, 'text/html', '<html><body>Service Unavailable</body></html>');
    if (body === undefined) return send(response, 404, 'application/json', '{"message": "Not Found"}');
    if (normalized === STAND_IN_PACKAGES.slow) return later(response, () => send(response, 200, 'application/json', body));
    if (normalized === STAND_IN_PACKAGES.slowBody) {
      const half = Math.floor(body.length / 2);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(body.slice(0, half));
      return later(response, () => response.end(body.slice(half)));
    }
    send(response, 200, 'application/json', body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: (path) => (path === undefined ? [...counts.values()].reduce((sum, n) => sum + n, 0) : counts.get(path) ?? 0),
    requestsFor: (name) => counts.get(`/pypi/${normalizeName(name)}/json`) ?? 0,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': `${type}; charset="UTF-8"`, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function renamed(body: string, name: string): string {
  const parsed = JSON.parse(body) as { info: Record<string, unknown> };
  parsed.info.name = name;
  parsed.info.package_url = `https://pypi.org/project/${name}/`;
  parsed.info.project_url = `https://pypi.org/project/${name}/`;
  return JSON.stringify(parsed);
}
