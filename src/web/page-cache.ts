/**
 * Pages as the API's answers are kept (src/api/response-cache.ts): each page is rendered once per
 * data version and kept as bytes, compressed once per encoding a client asks for, within a byte
 * budget. A page that depends on more than the data (the package page on PyPI's metadata) names
 * those inputs: when they are no longer the ones it was built with (the metadata expired, or
 * arrived after a page was rendered without it), the page is rendered anew.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/types.js';
import { HTML_TYPE, PAGE_CACHE_CONTROL, sendPage } from './send-page.js';

export type PageEncoding = 'br' | 'gzip' | 'identity';

/**
 * What a route renders: a 200 page to keep, or an error page or a redirect, sent as they are and
 * not kept (a crawler of made-up names would fill the budget with them). Data, not a closure over
 * a reply: a render is shared by the requests that wait for it.
 */
export type RenderedPage =
  /** `type`: the content type, when not HTML (the chart data a package page fetches is JSON). */
  | { status: 200; html: string; inputs?: unknown; type?: string }
  | { status: 400 | 404; html: string; type?: string }
  | { status: 302; location: string };

export interface PageSource {
  /**
   * The page's inputs besides the data version, as they are now; compared by identity with the
   * `inputs` the kept page was rendered with. Asked only when the page is kept.
   */
  inputs?: () => Promise<unknown>;
  render: () => Promise<RenderedPage>;
}

/** What the tests and the bench read: how often the cache did the work it exists to avoid. */
export interface PageCacheCounts {
  renders: number;
  compressions: Record<Exclude<PageEncoding, 'identity'>, number>;
}

/** Bumped when a change of code changes pages without a change of data. */
const CODE_VERSION = '1';

/**
 * Once per page and data version, brotli's best quality is affordable: for a 25 KB package page it
 * takes about 20 ms (on libuv's threads, off the event loop) where quality 4, which compression
 * per request used, takes 0.5 ms, and it sends a fifth fewer bytes (6.4 KB against 8.1 KB; 5 to
 * 10 are within 2 % of 4). gzip's default level 6 is within a few bytes of level 9.
 */
const BROTLI_QUALITY = zlibConstants.BROTLI_MAX_QUALITY;
const compressors = {
  br: (body: Buffer) =>
    promisify(brotliCompress)(body, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body: Buffer) => promisify(gzip)(body),
};

/** A kept entry's bookkeeping (key, sizes, LRU links), roughly, beside its bodies. */
const ENTRY_OVERHEAD_BYTES = 256;

class KeptPage {
  readonly etag: string;
  private readonly bodies = new Map<PageEncoding, Promise<Buffer>>();
  size: number;

  constructor(
    readonly inputs: unknown,
    private readonly identity: Buffer,
    version: string,
    readonly type: string,
  ) {
    this.etag = `"p${CODE_VERSION}-${version}-${createHash('sha256').update(identity).digest('base64url').slice(0, 16)}"`;
    this.bodies.set('identity', Promise.resolve(identity));
    this.size = identity.length + ENTRY_OVERHEAD_BYTES;
  }

  /** The body in `encoding`, compressed on first ask; `grew` is told the compressed size. */
  body(encoding: PageEncoding, counts: PageCacheCounts, grew: (bytes: number) => void): Promise<Buffer> {
    let body = this.bodies.get(encoding);
    if (body === undefined) {
      const compress = compressors[encoding as Exclude<PageEncoding, 'identity'>];
      counts.compressions[encoding as Exclude<PageEncoding, 'identity'>] += 1;
      body = compress(this.identity);
      this.bodies.set(encoding, body);
      body.then(
        (compressed) => {
          this.size += compressed.length;
          grew(compressed.length);
        },
        () => this.bodies.delete(encoding),
      );
    }
    return body;
  }
}

/** `@fastify/compress`'s choice, so a kept page is sent as a compressed one would have been. */
const negotiator = new Negotiator<'br' | 'gzip'>({ supportedValues: ['br', 'gzip'] });
const GZIP_ALIASES = /\*|x-gzip/gu;

export function pageEncoding(request: FastifyRequest): PageEncoding {
  const header = request.headers['accept-encoding'];
  if (header === undefined || request.headers['x-no-compression'] !== undefined) return 'identity';
  // As @fastify/compress does: `*` (no preference) and `x-gzip` mean gzip.
  return negotiator.negotiate(header.toLowerCase().replace(GZIP_ALIASES, 'gzip')) ?? 'identity';
}

export class PageCache {
  readonly counts: PageCacheCounts = { renders: 0, compressions: { br: 0, gzip: 0 } };
  private readonly pages: LRUCache<string, KeptPage>;
  /** Renders in flight, shared: a burst of requests for one cold page renders it once. */
  private readonly rendering = new Map<string, Promise<RenderedPage>>();

  constructor(
    private readonly store: Store,
    maxBytes: number,
  ) {
    this.pages = new LRUCache<string, KeptPage>({ maxSize: maxBytes, sizeCalculation: (page) => page.size });
  }

  /** Sends the page `key` names, from the cache or rendered by `source`; 304 for its ETag. */
  async send(request: FastifyRequest, reply: FastifyReply, key: string, source: PageSource): Promise<FastifyReply> {
    const version = await this.store.dataVersion();
    const cacheKey = `${version}\u0000${key}`;
    let page = this.pages.get(cacheKey);
    if (page !== undefined && source.inputs !== undefined && (await source.inputs()) !== page.inputs) page = undefined;
    if (page === undefined) {
      const rendered = await this.render(cacheKey, source);
      if (rendered.status === 302) return reply.redirect(rendered.location, 302);
      if (rendered.status !== 200) return sendPage(reply, rendered.status, rendered.html, rendered.type);
      // Another request may have kept this render's page meanwhile: the same bytes, kept once.
      page = this.pages.get(cacheKey);
      if (page === undefined || page.inputs !== rendered.inputs) {
        page = new KeptPage(rendered.inputs, Buffer.from(rendered.html), version, rendered.type ?? HTML_TYPE);
        this.pages.set(cacheKey, page);
      }
    }
    reply.header('vary', 'accept-encoding').header('etag', page.etag);
    if (matchesEtag(request.headers['if-none-match'], page.etag)) return reply.code(304).header('cache-control', PAGE_CACHE_CONTROL).send();
    const encoding = pageEncoding(request);
    const kept = page;
    const body = await page.body(encoding, this.counts, () => {
      // Counted again at its new size, if it is still the page kept under its key.
      if (this.pages.peek(cacheKey) === kept) this.pages.set(cacheKey, kept);
    });
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return sendPage(reply, 200, body, kept.type);
  }

  /** Bytes held, as the budget counts them. */
  get size(): number {
    return this.pages.calculatedSize;
  }

  private render(cacheKey: string, source: PageSource): Promise<RenderedPage> {
    let rendering = this.rendering.get(cacheKey);
    if (rendering === undefined) {
      this.counts.renders += 1;
      rendering = source.render().finally(() => this.rendering.delete(cacheKey));
      this.rendering.set(cacheKey, rendering);
    }
    return rendering;
  }
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
