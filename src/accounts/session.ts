/**
 * Sessions in cookies (@fastify/secure-session): encrypted and authenticated with a key derived
 * from SESSION_SECRET, so every instance with the same secret reads every other's, and a cookie
 * made with another secret is no session. Nothing is kept on the server: a session is its cookie.
 */
import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import Tokens from '@fastify/csrf';
import secureSession from '@fastify/secure-session';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Who a session is signed in as: the GitHub id is the key, the login is shown. */
export interface SessionUser {
  githubId: number;
  login: string;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    user: SessionUser;
    /** The secret this session's CSRF tokens are made from and checked against. */
    csrfSecret: string;
    /** The OAuth `state` of a sign-in under way, and where it returns to. */
    oauthState: string;
    next: string;
  }
}

export const SESSION_COOKIE = 'pypistats_session';
/** A session lasts 30 days from its last change; signing in again starts a new one. */
const SESSION_SECONDS = 30 * 24 * 3600;

const csrfTokens = Tokens();

/** The key of the cookies: 32 bytes, derived (HKDF-SHA256) so the secret itself is never the key. */
export function sessionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'pypistats', 'session cookie key', 32));
}

export async function registerSessions(app: FastifyInstance, secret: string): Promise<void> {
  await app.register(secureSession, {
    key: sessionKey(secret),
    cookieName: SESSION_COOKIE,
    expiry: SESSION_SECONDS,
    // Secure whenever the request came over HTTPS (directly, or per a trusted proxy's X-Forwarded-Proto).
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: SESSION_SECONDS },
  });
}

export function signedInUser(request: FastifyRequest): SessionUser | null {
  // Without sign-in there is no session plugin, and so no session.
  const session = (request as { session?: FastifyRequest['session'] }).session;
  return session?.get('user') ?? null;
}

/**
 * Starts the signed-in session: the cookie's old content (the sign-in's state, any earlier
 * session) is dropped, and a new CSRF secret is made.
 */
export function startSession(request: FastifyRequest, user: SessionUser): void {
  request.session.regenerate();
  request.session.set('user', user);
  request.session.set('csrfSecret', csrfTokens.secretSync());
}

export function endSession(request: FastifyRequest): void {
  request.session.delete();
}

/** A CSRF token for a form of this session (null without one: signed-out pages have no forms that change anything). */
export function csrfToken(request: FastifyRequest): string | null {
  const secret = (request as { session?: FastifyRequest['session'] }).session?.get('csrfSecret');
  return secret === undefined ? null : csrfTokens.create(secret);
}

export function validCsrf(request: FastifyRequest, token: unknown): boolean {
  const secret = (request as { session?: FastifyRequest['session'] }).session?.get('csrfSecret');
  return secret !== undefined && typeof token === 'string' && token !== '' && csrfTokens.verify(secret, token);
}

/** A new OAuth `state`: 32 random bytes, kept in the session until the callback. */
export function newOauthState(): string {
  return randomBytes(32).toString('base64url');
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Where a sign-in may return: a path of this site only. `//host`, `/\host` (browsers read a
 * backslash as a slash), anything with a scheme, or control characters are no path: home instead.
 */
export function returnPath(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > 2000) return '/';
  if (raw.startsWith('//') || raw.startsWith('/\\') || /[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  try {
    const url = new URL(raw, 'http://this.site');
    if (url.host !== 'this.site') return '/';
    return `${url.pathname}${url.search}`;
  } catch {
    return '/';
  }
}
