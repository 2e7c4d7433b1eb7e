/**
 * GitHub sign-in (OAuth 2, authorization code with PKCE, by @fastify/oauth2): `GET /login` sends
 * the browser to GitHub with a fresh `state` kept in the session; `GET /login/callback` checks it,
 * exchanges the code, asks GitHub's `GET /user` who it is, and only then starts the session. Any
 * failure on the way answers an error page and leaves no signed-in session.
 */
import oauth2, { type OAuth2Namespace } from '@fastify/oauth2';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GithubConfig } from '../config.js';
import type { AccountStore, User } from '../store/accounts.js';
import { HIDDEN_FROM_API } from './hidden.js';
import { newOauthState, returnPath, sameSecret, startSession } from './session.js';

declare module 'fastify' {
  interface FastifyInstance {
    githubOAuth2: OAuth2Namespace;
  }
}

/** GitHub answers in well under a second; a sign-in waiting longer is told so. */
const GITHUB_TIMEOUT_MS = 10_000;

/** What GitHub's `GET /user` answers that is used here. */
interface GithubUser {
  id: number;
  login: string;
  avatar_url: string;
}

export class SignInError extends Error {
  constructor(
    readonly status: 400 | 502,
    message: string,
  ) {
    super(message);
  }
}

export interface SignInRoutesOptions {
  github: GithubConfig;
  accounts: AccountStore;
  /** Sends the page that says why a sign-in failed. */
  fail(reply: FastifyReply, error: SignInError): FastifyReply;
}

function callbackUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/login/callback`;
}

export async function signInRoutes(app: FastifyInstance, { github, accounts, fail }: SignInRoutesOptions): Promise<void> {
  await app.register(oauth2, {
    name: 'githubOAuth2',
    scope: [],
    credentials: {
      client: { id: github.clientId, secret: github.clientSecret },
      auth: {
        authorizeHost: github.url,
        authorizePath: '/login/oauth/authorize',
        tokenHost: github.url,
        tokenPath: '/login/oauth/access_token',
      },
      // GitHub takes the client's credentials in the body.
      options: { authorizationMethod: 'body' },
    },
    callbackUri: callbackUrl,
    pkce: 'S256',
    // The PKCE verifier's cookie (and the plugin's own state cookie, which the check below does not
    // use): sent back to the sign-in's routes only, and only over HTTPS when the site is on it.
    cookie: { secure: 'auto', path: '/login' },
    // The state lives in the encrypted session, not in a cookie of its own a sibling site could plant.
    generateStateFunction: (request: FastifyRequest) => {
      const state = newOauthState();
      request.session.set('oauthState', state);
      return state;
    },
    checkStateFunction: (request: FastifyRequest) => {
      const expected = request.session.get('oauthState');
      const given = (request.query as Record<string, unknown>).state;
      return expected !== undefined && typeof given === 'string' && sameSecret(expected, given);
    },
  });

  app.get<{ Querystring: { next?: string } }>('/login', { schema: HIDDEN_FROM_API }, async (request, reply) => {
    request.session.set('next', returnPath(request.query.next));
    const url = await app.githubOAuth2.generateAuthorizationUri(request, reply);
    return reply.header('cache-control', 'no-store').redirect(url, 302);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/login/callback', { schema: HIDDEN_FROM_API }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const next = returnPath(request.session.get('next'));
    try {
      if (request.query.error !== undefined) throw new SignInError(400, `GitHub did not sign you in: ${request.query.error_description ?? request.query.error}`);
      if (typeof request.query.code !== 'string' || request.query.code === '') throw new SignInError(400, 'GitHub sent no code back');
      const token = await accessToken(app, request, reply);
      // The state is good for one exchange.
      request.session.set('oauthState', undefined);
      const user = await githubUser(token, github.apiUrl);
      await accounts.signIn(user);
      startSession(request, { githubId: user.githubId, login: user.login });
      request.log.info({ githubId: user.githubId, login: user.login }, 'signed in');
      return reply.redirect(next, 302);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      request.log.info({ reason: error.message }, 'sign-in failed');
      // Whatever the cookie held is dropped: a failed sign-in leaves no session.
      request.session.delete();
      return fail(reply, error);
    }
  });
}

async function accessToken(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<string> {
  let token: Record<string, unknown>;
  try {
    token = (await app.githubOAuth2.getAccessTokenFromAuthorizationCodeFlow(request, reply)).token as unknown as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error).message;
    if (message === 'Invalid state') throw new SignInError(400, 'the sign-in does not match the one this browser started (its state differs): start again');
    throw new SignInError(502, `GitHub could not be asked for the sign-in: ${message}`);
  }
  // GitHub answers a bad or used code with 200 and an `error` field rather than an HTTP error.
  const { access_token: accessToken, error, error_description: description } = token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new SignInError(400, `GitHub refused the sign-in: ${typeof description === 'string' ? description : typeof error === 'string' ? error : 'no access token'}`);
  }
  return accessToken;
}

async function githubUser(accessToken: string, apiUrl: string): Promise<User> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/user`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'pypistats', 'x-github-api-version': '2022-11-28' },
      signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
    });
  } catch (error) {
    throw new SignInError(502, `GitHub's API could not be reached: ${(error as Error).message}`);
  }
  if (!response.ok) throw new SignInError(502, `GitHub's API answered ${response.status} when asked who you are`);
  const body = (await response.json().catch(() => null)) as Partial<GithubUser> | null;
  if (!body || !Number.isSafeInteger(body.id) || typeof body.login !== 'string' || body.login === '') {
    throw new SignInError(502, "GitHub's API did not say who you are");
  }
  return { githubId: body.id!, login: body.login, avatarUrl: typeof body.avatar_url === 'string' ? body.avatar_url : '' };
}
