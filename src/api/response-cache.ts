/**
 * Data changes only when a load lands, so each answer is computed once per data version and then
 * served from memory, with an ETag derived from that version (conditional requests get 304).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/types.js';
import { sendError } from './errors.js';

/** A 200's body as text, or already as the bytes to send (a large series is built as bytes: see seriesBody). */
export type Answer = { status: 200; body: string | Buffer } | { status: 400 | 404; error: string };

const CODE_VERSION = '1';

export class ResponseCache {
  /** Encoded once: a cached answer is written as it is, with no per-request UTF-8 encoding. */
  private readonly bodies: LRUCache<string, Buffer>;

  constructor(
    private readonly store: Store,
    private readonly maxAgeSeconds: number,
    /** RESPONSE_CACHE_MB, in bytes. */
    maxBytes: number,
  ) {
    this.bodies = new LRUCache<string, Buffer>({ maxSize: maxBytes, sizeCalculation: (body) => body.length + 64 });
  }

  /** Answers from the cache, or computes with `answer` and keeps what it gives when it is a 200. */
  async send(request: FastifyRequest, reply: FastifyReply, key: string, answer: () => Promise<Answer>): Promise<FastifyReply> {
    const version = await this.store.dataVersion();
    const etag = etagOf(version);
    const cacheKey = `${version}\u0000${key}`;
    let body = this.bodies.get(cacheKey);
    if (body === undefined) {
      const computed = await answer();
      if (computed.status !== 200) return sendError(reply, computed.status, computed.error);
      body = typeof computed.body === 'string' ? Buffer.from(computed.body) : computed.body;
      this.bodies.set(cacheKey, body);
    }
    reply.header('etag', etag).header('cache-control', `public, max-age=${this.maxAgeSeconds}`);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  }

  /**
   * Whether `send` would answer this request 304 if its answer is a 200, because it holds the
   * current ETag: known before any answer is computed, since every answer of one data version has
   * the same ETag. `If-None-Match: *` (any answer at all) is no revalidation: it names no answer
   * the client holds, so it costs like any request.
   */
  async isRevalidation(request: FastifyRequest): Promise<boolean> {
    const header = request.headers['if-none-match'];
    if (!header || header.split(',').some((candidate) => candidate.trim() === '*')) return false;
    return matchesEtag(header, etagOf(await this.store.dataVersion()));
  }
}

function etagOf(version: string): string {
  return `"${CODE_VERSION}-${version}"`;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
