/**
 * Security headers, one set per kind of response: the website's pages, the JSON API, the built
 * assets. Helmet decides the headers; each set is computed once, at start-up, and every response
 * then gets a frozen object (the API's cached answers and 304s pay for one `reply.headers` call,
 * of five headers: those that matter to JSON read by scripts).
 *
 * Helmet itself rather than @fastify/helmet: the plugin builds a new Helmet middleware, CSP string
 * included, in an onRequest hook on every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type ResponseKind = 'page' | 'api' | 'asset' | 'embed';

/** Badges and README charts: images other sites show, so not the pages' headers (see `options`). */
export function isEmbedPath(url: string): boolean {
  return url.startsWith('/badge/') || url.startsWith('/chart/');
}

/**
 * Pages load only this site's scripts, styles and images, and connect nowhere else: the policy
 * holds even if an injected tag slipped past escaping.
 */
const PAGE_CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** JSON and files are never documents that load anything. */
const NOTHING_CSP_DIRECTIVES = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] };

/** An SVG opened by itself loads nothing either, but styles itself with its own `<style>` (light and dark). */
const EMBED_CSP_DIRECTIVES = { 'default-src': ["'none'"], 'style-src': ["'unsafe-inline'"], 'frame-ancestors': ["'none'"] };

/**
 * Powerful features the site never uses, denied to it and to anything framed in it (nothing may
 * frame it anyway): an injected script could not ask for them.
 */
const DENIED_FEATURES = [
  'accelerometer',
  'autoplay',
  'camera',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
];
const PERMISSIONS_POLICY = DENIED_FEATURES.map((feature) => `${feature}=()`).join(', ');

/**
 * What only a document (a page, a file a browser could open as one) needs: on the API's JSON these
 * would be bytes on every answer, 304s included, for nothing.
 */
const DOCUMENT_ONLY = {
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

/**
 * An embed is an image, and a document only when opened by itself, where its CSP already lets it
 * load nothing and be framed nowhere: of the document's headers it keeps X-Frame-Options (the
 * framing rule for browsers older than `frame-ancestors`), and drops those about what a document
 * loads, links or downloads. Six headers fewer on every badge: a warm badge's cost is mostly
 * writing its response.
 */
const EMBED_UNNEEDED = { ...DOCUMENT_ONLY, xFrameOptions: { action: 'deny' } } as const;

function options(kind: ResponseKind): HelmetOptions {
  const dropped: HelmetOptions = kind === 'api' ? DOCUMENT_ONLY : kind === 'embed' ? EMBED_UNNEEDED : {};
  return {
    contentSecurityPolicy: { useDefaults: false, directives: kind === 'page' ? PAGE_CSP_DIRECTIVES : kind === 'embed' ? EMBED_CSP_DIRECTIVES : NOTHING_CSP_DIRECTIVES },
    // The API is read by dashboards on other sites (CORS is open), and badges and charts are shown
    // by other sites' pages (an <img> of another origin): a browser must let them.
    crossOriginResourcePolicy: { policy: kind === 'api' || kind === 'embed' ? 'cross-origin' : 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // Links from the pages to PyPI and home pages say which site sent the reader, not which page.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
    // Only a response that came over HTTPS may ask for HTTPS: see `hstsHeader`.
    strictTransportSecurity: false,
    ...dropped,
  } as HelmetOptions;
}

/** The headers a Helmet middleware sets, collected by running it once on a stand-in response. */
function headersOf(middleware: ReturnType<typeof helmet>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  middleware({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

export const SECURITY_HEADERS: Readonly<Record<ResponseKind, Readonly<Record<string, string>>>> = Object.freeze({
  page: Object.freeze({ ...headersOf(helmet(options('page'))), 'permissions-policy': PERMISSIONS_POLICY }),
  api: Object.freeze(headersOf(helmet(options('api')))),
  asset: Object.freeze({ ...headersOf(helmet(options('asset'))), 'permissions-policy': PERMISSIONS_POLICY }),
  embed: Object.freeze(headersOf(helmet(options('embed')))),
});

/** `Strict-Transport-Security` for a response sent over HTTPS, or null: `maxAgeSeconds` 0 turns it off. */
export function hstsHeader(maxAgeSeconds: number): string | null {
  return maxAgeSeconds > 0 ? `max-age=${maxAgeSeconds}` : null;
}
