import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/api/response-cache.js';
import { sqliteKind, type TestStore } from '../support/stores.js';

const ANSWER_BYTES = 10_000;

let t: TestStore;
let app: FastifyInstance;
const computed: string[] = [];

beforeAll(async () => {
  t = await sqliteKind.create();
  // Room for three answers and their bookkeeping, not four.
  const cache = new ResponseCache(t.store, 3600, 3.5 * ANSWER_BYTES);
  app = Fastify();
  app.get<{ Params: { key: string } }>('/:key', (request, reply) =>
    cache.send(request, reply, request.params.key, async () => {
      computed.push(request.params.key);
      return { status: 200, body: request.params.key.repeat(ANSWER_BYTES / request.params.key.length) };
    }),
  );
});
afterAll(async () => {
  await app.close();
  await t.dispose();
});

describe('the API response cache', () => {
  it('holds answers within its byte budget, dropping the least recently used', async () => {
    for (const key of ['aa', 'bb', 'cc', 'aa', 'bb', 'cc']) expect((await app.inject({ url: `/${key}` })).body).toHaveLength(ANSWER_BYTES);
    expect(computed).toEqual(['aa', 'bb', 'cc']);
    // A fourth answer pushes out the one least recently used, `aa`; `cc` stays.
    await app.inject({ url: '/dd' });
    await app.inject({ url: '/cc' });
    await app.inject({ url: '/aa' });
    expect(computed).toEqual(['aa', 'bb', 'cc', 'dd', 'aa']);
  });
});
