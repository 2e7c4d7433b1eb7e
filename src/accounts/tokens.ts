/**
 * API tokens: 32 random bytes, shown once; the store keeps only their SHA-256. A hash of a value
 * that long needs no salt or slow hashing: there is no guessable input to try.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AccountStore } from '../store/accounts.js';

/** A prefix that says what the string is, so a leaked one is recognised (and secret scanners can match it). */
const TOKEN_PREFIX = 'pypistats_';
const TOKEN_PATTERN = /^pypistats_[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The bearer token of a request: a string, '' for a malformed Authorization, or null without one. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

/** How often a token's "last used" is written: a dashboard's every request would be a write each. */
const LAST_USED_EVERY_MS = 60_000;

/** Finds the token a request names, and notes its use at most once a minute per token and process. */
export class TokenLookup {
  private readonly noted = new Map<number, number>();

  constructor(private readonly accounts: AccountStore) {}

  /** The token's id, 'invalid' for an unknown, revoked or malformed one, null for a request without one. */
  async identify(request: FastifyRequest): Promise<number | 'invalid' | null> {
    const token = bearerToken(request);
    if (token === null) return null;
    if (!TOKEN_PATTERN.test(token)) return 'invalid';
    const found = await this.accounts.tokenByHash(tokenHash(token));
    if (found === null) return 'invalid';
    const now = Date.now();
    if ((this.noted.get(found.id) ?? 0) < now - LAST_USED_EVERY_MS) {
      this.noted.set(found.id, now);
      this.accounts.noteTokenUsed(found.id).catch((error: unknown) => request.log.warn({ err: error }, 'the API token\'s last use could not be recorded'));
    }
    return found.id;
  }
}
