/**
 * Data changes only when a load lands, so each answer is computed once per data version and then
 * served from memory, with an ETag derived from that version (conditional requests get 304).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/types.js';
import { sendError } from './errors.js';

/**
 * A 200's body as text, or already as the bytes to send (a large series is built as bytes: see
 * seriesBody), with its Content-Type when it is not JSON (CSV, an SVG badge); or an error.
 */
export type Answer =
  | { status: 200; body: string | Buffer; type?: string }
  | { status: 400 | 404; error: string }
  /** A 404 that is not a JSON error (a badge's "package not found" image): sent, never kept. */
  | { status: 404; body: string; type: string };

/** How one route's answers differ from the API's JSON (see `send`). */
export interface SendOptions {
  /**
   * Names a representation of the same URL chosen by a request header (CSV by `Accept`): it is
   * part of the ETag, so a cache never revalidates one representation with the other's tag.
   */
  variant?: string;
  /** Seconds of `Cache-Control: max-age`, when not CACHE_MAX_AGE's (badges: an hour, whatever the API's). */
  maxAgeSeconds?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

interface Kept {
  body: Buffer;
  type: string;
}

const CODE_VERSION = '1';

export class ResponseCache {
  /** Encoded once: a cached answer is written as it is, with no per-request UTF-8 encoding. */
  private readonly bodies: LRUCache<string, Kept>;

  constructor(
    private readonly store: Store,
    private readonly maxAgeSeconds: number,
    /** RESPONSE_CACHE_MB, in bytes. */
    maxBytes: number,
  ) {
    this.bodies = new LRUCache<string, Kept>({ maxSize: maxBytes, sizeCalculation: (kept) => kept.body.length + 64 });
  }

  /** Answers from the cache, or computes with `answer` and keeps what it gives when it is a 200. */
  async send(request: FastifyRequest, reply: FastifyReply, key: string, answer: () => Promise<Answer>, options: SendOptions = {}): Promise<FastifyReply> {
    const version = await this.store.dataVersion();
    const etag = etagOf(version, options.variant);
    // The variant is part of the key too: `key` alone need not tell two representations apart.
    const cacheKey = `${version}\u0000${options.variant ?? ''}\u0000${key}`;
    let kept = this.bodies.get(cacheKey);
    if (kept === undefined) {
      const computed = await answer();
      if (computed.status !== 200) {
        if ('error' in computed) return sendError(reply, computed.status, computed.error);
        return reply.code(computed.status).header('cache-control', 'no-store').type(computed.type).send(computed.body);
      }
      kept = { body: typeof computed.body === 'string' ? Buffer.from(computed.body) : computed.body, type: computed.type ?? JSON_TYPE };
      this.bodies.set(cacheKey, kept);
    }
    reply.header('etag', etag).header('cache-control', `public, max-age=${options.maxAgeSeconds ?? this.maxAgeSeconds}`);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type(kept.type).send(kept.body);
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
    const etag = etagOf(await this.store.dataVersion());
    // Any representation's tag of this version: `"1-<version>"` or `"1-<version>-<variant>"`.
    const variantStart = `${etag.slice(0, -1)}-`;
    return header.split(',').some((candidate) => {
      const tag = candidate.trim().replace(/^W\//, '');
      return tag === etag || (tag.startsWith(variantStart) && tag.endsWith('"'));
    });
  }
}

function etagOf(version: string, variant?: string): string {
  return variant === undefined ? `"${CODE_VERSION}-${version}"` : `"${CODE_VERSION}-${version}-${variant}"`;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
