/** How every page is sent: as HTML (its security headers are every page's: src/http/security-headers.ts). */
import type { FastifyReply } from 'fastify';

/** Pages show data that changes once a day and PyPI's metadata: a few minutes of reuse is safe. */
const PAGE_MAX_AGE_SECONDS = 300;
export const PAGE_CACHE_CONTROL = `public, max-age=${PAGE_MAX_AGE_SECONDS}`;

export const HTML_TYPE = 'text/html; charset=utf-8';

/** `type`: the site's chart data is JSON, sent and cached as its pages are. */
export function sendPage(reply: FastifyReply, status: number, body: string | Buffer, type = HTML_TYPE): FastifyReply {
  return reply
    .code(status)
    .type(type)
    .header('cache-control', status === 200 ? PAGE_CACHE_CONTROL : 'no-store')
    .send(body);
}
