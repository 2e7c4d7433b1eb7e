/**
 * Errors Node's HTTP parser and Fastify give before any route runs, through a real `pypistats
 * serve` and raw sockets (app.inject never reaches the parser): each is the API's JSON or the
 * site's HTML page with its status, and the log holds no stack trace and nothing above debug.
 */
import net from 'node:net';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support/cli.js';
import { tempDir } from './support/raw-events.js';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = await tempDir();
  server = await startServer({ DATABASE_URL: `sqlite:${path.join(dir, 'errors.sqlite')}`, DEMO_DATA: 'off', LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` as it is on a new connection and reads the answer until the server closes it. */
function raw(request: string): Promise<RawResponse> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    socket.write(request);
    // Long enough for any answer on loopback; the server closes first on every error here.
    setTimeout(() => socket.end(), 1000).unref();
  });
}

const close = 'Connection: close\r\n';

const apiCases: [what: string, request: string, status: number, error: string][] = [
  ['a malformed request line', 'GARBAGE\r\n\r\n', 400, 'the request is malformed'],
  ['a header name with a space', 'GET /api/packages/requests/recent HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 400, 'the request is malformed'],
  ['headers over Node’s limit', `GET /api/packages/requests/recent HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'the request headers are too large'],
  ['a bad percent-encoding', `GET /api/packages/req%ZZ/recent HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 400, 'the URL is not valid: /api/packages/req%ZZ/recent'],
  [
    'a POST with a broken JSON body',
    `POST /api/packages/requests/overall HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n${close}\r\n{"a":`,
    405,
    'POST is not allowed here: the API answers GET and HEAD',
  ],
  [
    'a PUT with a body of no known type',
    `PUT /api/packages/requests/overall HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 3\r\n${close}\r\nabc`,
    405,
    'PUT is not allowed here: the API answers GET and HEAD',
  ],
  // Methods no route takes reached the not-found handler: a 404 on the API's paths, and a body parsed first.
  ['a TRACE', `TRACE /api/packages/requests/recent HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 405, 'TRACE is not allowed here: the API answers GET and HEAD'],
  ['a PROPFIND with a body', `PROPFIND /api/packages/requests/recent HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n${close}\r\n{"a":`, 405, 'PROPFIND is not allowed here: the API answers GET and HEAD'],
  ['a POST with a broken JSON body to an unknown path', `POST /api/nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n${close}\r\n{"a":`, 404, 'nothing here: /api/nothing'],
  // Node's own answer was a 400 with an empty body and none of the API's headers.
  ['an HTTP/1.1 request without Host', `GET /api/packages/requests/recent HTTP/1.1\r\n${close}\r\n`, 400, 'the request has no Host header: HTTP/1.1 requires one'],
  ['an HTTP/1.1 request with two Host lines', `GET /api/packages/requests/recent HTTP/1.1\r\nHost: x\r\nHost: y\r\n${close}\r\n`, 400, 'the request has more than one Host header'],
  ['an HTTP/1.0 request with two Host lines', `GET /api/packages/requests/recent HTTP/1.0\r\nHost: x\r\nhost: y\r\n${close}\r\n`, 400, 'the request has more than one Host header'],
  [
    'a bare OPTIONS',
    `OPTIONS /api/packages/requests/overall HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
    400,
    'an OPTIONS request here is a CORS preflight: it needs Origin and Access-Control-Request-Method',
  ],
];

const pageCases: [what: string, request: string, status: number, title: string][] = [
  ['a malformed header on a page', 'GET /about HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 400, 'Bad request'],
  ['headers over Node’s limit on a page', `GET /top HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'Request headers too large'],
  ['a bad percent-encoding in a page URL', `GET /packages/%ZZ HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 400, 'Bad request'],
  ['an HTTP/1.1 request for a page without Host', `GET /about HTTP/1.1\r\n${close}\r\n`, 400, 'Bad request'],
  ['an HTTP/1.1 request for a page with two Host lines', `GET /about HTTP/1.1\r\nHost: x\r\nHost: y\r\n${close}\r\n`, 400, 'Bad request'],
  ['a TRACE on a page', `TRACE /about HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 405, 'Method not allowed'],
  ['a POST with a broken JSON body to an unknown page', `POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n${close}\r\n{"a":`, 404, 'Page not found'],
  ['a POST to a page', `POST /about HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 3\r\n${close}\r\nabc`, 405, 'Method not allowed'],
  ['../ out of the assets', `GET /assets/../../package.json HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 404, 'Page not found'],
  ['an encoded .. in the assets', `GET /assets/%2e%2e/x HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 404, 'Page not found'],
  ['an encoded backslash in the assets', `GET /assets/..%5c HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 404, 'Page not found'],
  ['a null byte in an asset name', `GET /assets/a%00 HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 400, 'Bad request'],
  ['a path that starts with //', `GET //etc/passwd HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 404, 'Page not found'],
  ['a path that starts with a backslash', `GET /\\..\\package.json HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 404, 'Page not found'],
  ['a dotfile in the assets', `GET /assets/.env HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 404, 'Page not found'],
];

describe('errors before any route, through the real server', () => {
  it.each(apiCases)('the API answers %s with its JSON error', async (_what, request, status, error) => {
    const response = await raw(request);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect({ status: response.status, body: JSON.parse(response.body) }).toEqual({ status, body: { error, status } });
  });

  it.each(pageCases)('the site answers %s with its HTML page', async (_what, request, status, title) => {
    const response = await raw(request);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.body).toMatch(/^<!doctype html>/);
    expect(response.body).toContain(`<h1>${title}</h1>`);
    if (status === 405) expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('serves an HTTP/1.0 request without Host, and an HTTP/1.1 one with an empty Host (a target without an authority)', async () => {
    for (const request of ['GET /api/packages/requests/recent HTTP/1.0\r\n\r\n', `GET /api/packages/requests/recent HTTP/1.1\r\nHost: \r\n${close}\r\n`]) {
      const response = await raw(request);
      expect({ status: response.status, body: JSON.parse(response.body) }).toEqual({ status: 404, body: { error: 'no downloads of package "requests" are known', status: 404 } });
    }
  });

  it('logs those client errors at debug, without a stack, and still serves', async () => {
    for (const [, request] of [...apiCases, ...pageCases]) await raw(request);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const lines = server
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown });
    expect(lines.filter((line) => line.msg === 'client error').length).toBeGreaterThanOrEqual(apiCases.length + pageCases.length);
    expect(lines.filter((line) => line.level >= 40 || line.err !== undefined)).toEqual([]);
    expect(server.logs()).not.toContain('"stack"');
  });
});
