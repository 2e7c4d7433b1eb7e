/**
 * Every error the server gives, in the shape of where it happened: under the JSON API, the API's
 * `{"error", "status"}` JSON with that status; anywhere else, the website's HTML page. That holds
 * for Fastify's own errors (a malformed URL, a body it cannot parse) and for Node's HTTP parser's
 * (a malformed request line, headers too large), answered before any route is known.
 *
 * A client's mistake is logged at debug, without a stack; only a failure of ours is an error.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, sendError, STORE_RETRY_AFTER_SECONDS, STORE_UNAVAILABLE_MESSAGE } from '../api/errors.js';
import { isStoreUnavailable } from '../store/types.js';
import type { Assets } from '../web/assets.js';
import { clientErrorPage } from '../web/pages/client-error.js';
import { pageNotFound, problemPage } from '../web/pages/not-found.js';
import { sendPage } from '../web/send-page.js';
import { SECURITY_HEADERS } from './security-headers.js';

export const API_ROOT = '/api';

/** Paths of the JSON API: everything under `/api/`, but not the `/api` page itself. */
export function isApiPath(url: string): boolean {
  if (!url.startsWith(`${API_ROOT}/`)) return false;
  const rest = url.slice(API_ROOT.length + 1);
  return rest !== '' && !rest.startsWith('?');
}

function pathOf(url: string): string {
  return url.split('?')[0]!;
}

/**
 * The status a client error answers with, or null for a failure of ours. A file the static
 * files refuse to look up (403 for `..` or a dotfile) is not there, as far as a client knows.
 */
function clientStatus(error: FastifyError): number | null {
  if (error.validation) return 400;
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return null;
  return status === 403 ? 404 : status;
}

function logClientError(request: FastifyRequest, status: number, reason: string): void {
  request.log.debug({ status, reason }, 'client error');
}

export class ErrorAnswers {
  private readonly serverErrorPage: string;
  private readonly unavailablePage: string;
  private readonly clientErrorPages = new Map<number, string>();

  constructor(private readonly assets: Assets) {
    this.serverErrorPage = problemPage(assets, { title: 'Something went wrong', message: 'The page could not be made. The failure was logged.' });
    this.unavailablePage = problemPage(assets, {
      title: 'Temporarily unavailable',
      message: 'The database is unavailable at the moment. Try again in a few seconds.',
    });
  }

  private clientPage(status: number): string {
    let page = this.clientErrorPages.get(status);
    if (page === undefined) {
      page = clientErrorPage(this.assets, status);
      this.clientErrorPages.set(status, page);
    }
    return page;
  }

  /** A client error of `request`: JSON under the API, the matching page elsewhere. */
  client(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
    if (isApiPath(request.url)) return sendError(reply, status, message);
    // A page, even under /assets/: it loads the site's styles, as every page may.
    reply.headers(SECURITY_HEADERS.page);
    if (status === 404) return sendPage(reply, 404, pageNotFound(this.assets, pathOf(request.url)));
    return sendPage(reply, status, this.clientPage(status));
  }

  /** What Fastify's error handler gets: a thrown error, a failed validation, a body it refused. */
  readonly handler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (isStoreUnavailable(error)) {
      // Not the request's fault, and no bug: one line without a stack, the details for the operator.
      request.log.warn(error.message);
      reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
      if (isApiPath(request.url)) return sendError(reply, 503, STORE_UNAVAILABLE_MESSAGE);
      reply.headers(SECURITY_HEADERS.page);
      return sendPage(reply, 503, this.unavailablePage);
    }
    const status = clientStatus(error);
    if (status === null) {
      request.log.error({ err: error }, 'request failed');
      if (isApiPath(request.url)) return sendError(reply, 500, 'internal error: the failure was logged');
      reply.headers(SECURITY_HEADERS.page);
      return sendPage(reply, 500, this.serverErrorPage);
    }
    logClientError(request, status, error.message);
    const message = status === 404 ? `nothing here: ${pathOf(request.url)}` : error.message;
    return this.client(request, reply, status, message);
  };

  readonly notFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    this.client(request, reply, 404, `nothing here: ${pathOf(request.url)}`);

  /** Errors before routing: a URL with bad percent-encoding, a parameter over the router's length. */
  readonly framework = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const message = error.code === 'FST_ERR_BAD_URL' ? `the URL is not valid: ${request.url}` : error.message;
    logClientError(request, 400, message);
    // Before routing, so before the hooks that set every response's headers.
    reply.headers(SECURITY_HEADERS[isApiPath(request.url) ? 'api' : 'page']);
    return this.client(request, reply, 400, message);
  };

  /** A method a path does not answer: 405 with the methods it does. */
  methodNotAllowed(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.header('allow', 'GET, HEAD');
    // Registered beside every route, outside the API's CORS scope: readable from other sites like the API's other answers.
    if (isApiPath(request.url)) reply.header('access-control-allow-origin', '*');
    return this.client(request, reply, 405, `${request.method} is not allowed here: the API answers GET and HEAD`);
  }

  /**
   * Node's HTTP parser refused the request (Fastify's `clientErrorHandler`): there is no request
   * object, so the answer is written on the socket, shaped by the path of the request line when
   * it can be read.
   */
  readonly socket = (fastify: FastifyInstance, error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void => {
    // A reset connection is gone; there is no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const target = requestTarget(Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined);
    const reason = status === 431 ? 'the request headers are too large' : status === 408 ? 'the request did not arrive in time' : 'the request is malformed';
    fastify.log.debug({ status, reason, code: error.code }, 'client error');
    if (socket.writable) {
      const page = target !== null && !isApiPath(target);
      const body = Buffer.from(page ? this.clientPage(status) : errorBody(status, reason));
      const headers = {
        ...SECURITY_HEADERS[page ? 'page' : 'api'],
        'content-type': page ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
        'content-length': String(body.length),
        'cache-control': 'no-store',
        connection: 'close',
      };
      const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n`);
      socket.write(body);
    }
    socket.destroy(error);
  };
}

/** The path of a raw request's first line (`GET /path HTTP/1.1`), or null when it has none. */
function requestTarget(raw: Buffer | undefined): string | null {
  if (!raw) return null;
  const line = raw.subarray(0, Math.min(raw.length, 8192)).toString('latin1').split('\r\n', 1)[0]!;
  const target = line.split(' ')[1];
  return target !== undefined && target.startsWith('/') ? target : null;
}
