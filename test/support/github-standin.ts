/**
 * A local stand-in for GitHub's OAuth web flow and `GET /user`, speaking its wire format:
 * `/login/oauth/authorize` redirects back with `code` and the `state` it was given (the user
 * "approves" at once, as whoever `signInAs` named); `/login/oauth/access_token` takes the
 * client's credentials and the code (form-encoded or JSON), checks the PKCE verifier, and answers
 * JSON when asked with `Accept: application/json`, form-encoded otherwise, and a bad code with
 * 200 and an `error` field, as GitHub does; `/user` answers the token's user, 401 without one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubStandinUser {
  id: number;
  login: string;
  avatar_url?: string;
}

export interface GithubStandin {
  url: string;
  clientId: string;
  clientSecret: string;
  signInAs(user: GithubStandinUser): void;
  /** What goes wrong next: the token exchange refuses the code, or `/user` fails with this status. */
  fail(what: { tokenExchange?: boolean; userStatus?: number }): void;
  /** Requests to the token endpoint, for what the app sent. */
  tokenRequests: { accept: string | undefined; body: Record<string, string> }[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  if ((request.headers['content-type'] ?? '').includes('json')) return JSON.parse(text) as Record<string, string>;
  return Object.fromEntries(new URLSearchParams(text));
}

export async function startGithubStandin(): Promise<GithubStandin> {
  const clientId = 'Iv1.standin';
  const clientSecret = randomBytes(20).toString('hex');
  let user: GithubStandinUser = { id: 1, login: 'octocat' };
  let failures: { tokenExchange?: boolean; userStatus?: number } = {};
  const codes = new Map<string, { user: GithubStandinUser; redirectUri: string; challenge: string | null }>();
  const tokens = new Map<string, GithubStandinUser>();
  const tokenRequests: GithubStandin['tokenRequests'] = [];

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://github.standin');
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const redirectUri = url.searchParams.get('redirect_uri');
      if (url.searchParams.get('client_id') !== clientId || !redirectUri) return json(response, 404, { error: 'unknown client' });
      const code = randomBytes(10).toString('hex');
      const method = url.searchParams.get('code_challenge_method');
      codes.set(code, { user, redirectUri, challenge: method === 'S256' ? url.searchParams.get('code_challenge') : null });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (url.searchParams.has('state')) back.searchParams.set('state', url.searchParams.get('state')!);
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const body = await readBody(request);
      tokenRequests.push({ accept: request.headers.accept, body });
      const grant = codes.get(body.code ?? '');
      codes.delete(body.code ?? '');
      const verifierOk = grant?.challenge == null || createHash('sha256').update(body.code_verifier ?? '').digest('base64url') === grant.challenge;
      const ok = !failures.tokenExchange && grant && body.client_id === clientId && body.client_secret === clientSecret && body.redirect_uri === grant.redirectUri && verifierOk;
      failures = { ...failures, tokenExchange: false };
      const answer: Record<string, string> = ok
        ? { access_token: `gho_${randomBytes(18).toString('hex')}`, token_type: 'bearer', scope: '' }
        : { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: 'https://docs.github.com/apps/troubleshooting' };
      if (ok) tokens.set(answer.access_token!, grant.user);
      if ((request.headers.accept ?? '').includes('application/json')) return json(response, 200, answer);
      response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }).end(new URLSearchParams(answer).toString());
      return;
    }
    if (request.method === 'GET' && url.pathname === '/user') {
      if (failures.userStatus) {
        const status = failures.userStatus;
        failures = { ...failures, userStatus: undefined };
        return json(response, status, { message: 'Server Error' });
      }
      const [scheme, token] = (request.headers.authorization ?? '').split(' ');
      const owner = token && /^(bearer|token)$/i.test(scheme ?? '') ? tokens.get(token) : undefined;
      if (!owner) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return json(response, 200, { login: owner.login, id: owner.id, avatar_url: owner.avatar_url ?? `https://avatars.githubusercontent.com/u/${owner.id}?v=4`, type: 'User' });
    }
    json(response, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    signInAs: (next) => {
      user = next;
    },
    fail: (what) => {
      failures = what;
    },
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
