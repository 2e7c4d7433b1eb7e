/**
 * A response still being made when the server starts closing is answered, and its keep-alive
 * connection then ends: closing does not wait for the client to let go.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageMetadataSource } from '../../src/domain/package-metadata.js';
import { appWithData, type TestApp } from '../support/app.js';
import { siteDays } from '../support/site-data.js';

/** PyPI's metadata, slow enough that the page is still being made when closing starts. */
const slowMetadata: PackageMetadataSource = { metadata: () => new Promise((resolve) => setTimeout(() => resolve(null), 300)) };

let t: TestApp;
beforeAll(async () => {
  t = await appWithData(siteDays(), { metadata: slowMetadata });
});
afterAll(() => t.close());

describe('closing the server', () => {
  it('answers a request in flight, then ends its kept-alive connection', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (data) => (response += data.toString('latin1')));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    // Keep-alive, as browsers and fetch do; the page waits 300 ms for its metadata.
    socket.write('GET /packages/requests HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = t.app.close();
    await ended;
    // Without the end, the connection would be held for Node's keep-alive timeout (72 s here).
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain('content-encoding: gzip');
  }, 20_000);
});
