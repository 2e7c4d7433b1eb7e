/** How every page is sent: as HTML, with headers that keep it to this site's own assets. */
import type { FastifyReply } from 'fastify';

/**
 * Pages load only this site's scripts, styles and images, and connect nowhere else: the policy
 * holds even if an injected tag slipped past escaping.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Pages show data that changes once a day and PyPI's metadata: a few minutes of reuse is safe. */
const PAGE_MAX_AGE_SECONDS = 300;

export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', status === 200 ? `public, max-age=${PAGE_MAX_AGE_SECONDS}` : 'no-store')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'strict-origin-when-cross-origin')
    .send(body);
}
