/** GitHub sign-in, the sessions it opens, tracked packages, API tokens and the admins. */
import { ConfigError, httpUrl, integer, type Env } from './parse.js';

export interface GithubConfig {
  clientId: string;
  clientSecret: string;
  /** Where the authorize and token endpoints are (`/login/oauth/...`), no trailing slash. */
  url: string;
  /** Where `GET /user` is, no trailing slash. */
  apiUrl: string;
}

export interface AccountsConfig {
  /** null: sign-in is off (hidden, its routes 404), and with it tracking, tokens and the admin console. */
  github: GithubConfig | null;
  /** The key of the session cookies, shared by every instance; set whenever `github` is. */
  sessionSecret: string | null;
  trackedPackagesMax: number;
  /** Logins (lower case: GitHub's are case-insensitive) allowed into /admin; empty: no admin at all. */
  adminGithubUsers: string[];
  /** What each API token may spend, in place of its address's limit; 0 turns a window off. */
  tokenRateLimit: { perSecond: number; perMinute: number };
}

/** 32 bytes: the key of the session cookies' encryption is derived from it, and less is guessable. */
export const MIN_SESSION_SECRET_BYTES = 32;

export function accounts(env: Env): AccountsConfig {
  const clientId = env.GITHUB_CLIENT_ID?.trim() ?? '';
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim() ?? '';
  if ((clientId === '') !== (clientSecret === '')) {
    throw new ConfigError('GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both to turn sign-in on, or neither');
  }
  const on = clientId !== '';
  const secret = env.SESSION_SECRET ?? '';
  if (secret !== '' && Buffer.byteLength(secret) < MIN_SESSION_SECRET_BYTES) {
    throw new ConfigError(`SESSION_SECRET must be at least ${MIN_SESSION_SECRET_BYTES} bytes (it is ${Buffer.byteLength(secret)}): make one with \`openssl rand -base64 48\``);
  }
  if (on && secret === '') {
    throw new ConfigError('GITHUB_CLIENT_ID turns sign-in on, which needs SESSION_SECRET (at least 32 bytes, the same on every instance)');
  }
  const admins = (env.ADMIN_GITHUB_USERS ?? '')
    .split(',')
    .map((login) => login.trim().toLowerCase())
    .filter((login) => login !== '');
  for (const login of admins) {
    // GitHub's rule for logins: letters, digits and single hyphens, at most 39.
    if (!/^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/.test(login)) throw new ConfigError(`ADMIN_GITHUB_USERS: "${login}" is not a GitHub login`);
  }
  if (admins.length > 0 && !on) throw new ConfigError('ADMIN_GITHUB_USERS needs sign-in on (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, SESSION_SECRET)');
  return {
    github: on
      ? { clientId, clientSecret, url: httpUrl(env, 'GITHUB_URL', 'https://github.com'), apiUrl: httpUrl(env, 'GITHUB_API_URL', 'https://api.github.com') }
      : null,
    sessionSecret: on ? secret : null,
    // 1,000: a page of that many sparklines is the most a page should draw.
    trackedPackagesMax: integer(env, 'TRACKED_PACKAGES_MAX', 20, 1, 1000),
    adminGithubUsers: admins,
    tokenRateLimit: {
      perSecond: integer(env, 'TOKEN_RATE_LIMIT_PER_SECOND', 50, 0, 1_000_000),
      perMinute: integer(env, 'TOKEN_RATE_LIMIT_PER_MINUTE', 3000, 0, 60_000_000),
    },
  };
}

export const accountVariables = {
  GITHUB_CLIENT_ID: 'Client id of the GitHub OAuth app users sign in with; with GITHUB_CLIENT_SECRET and SESSION_SECRET it turns sign-in on (default unset: no sign-in, no tracked packages, no API tokens, no admin console, and their routes answer 404).',
  GITHUB_CLIENT_SECRET: 'Client secret of that GitHub OAuth app.',
  GITHUB_URL: 'Where GitHub\'s OAuth endpoints are (`/login/oauth/authorize`, `/login/oauth/access_token`), for GitHub Enterprise or a test stand-in (default `https://github.com`).',
  GITHUB_API_URL: 'Where GitHub\'s API is (`/user`) (default `https://api.github.com`).',
  SESSION_SECRET: 'Key of the signed, encrypted session cookies, at least 32 bytes, the same on every instance (required when sign-in is on; changing it signs everyone out).',
  TRACKED_PACKAGES_MAX: 'Packages each user may track on `/user` (default `20`).',
  ADMIN_GITHUB_USERS: 'Comma-separated GitHub logins allowed into the admin console `/admin` (default unset: there is no admin, and `/admin` answers 404).',
  TOKEN_RATE_LIMIT_PER_SECOND: 'Requests to the JSON API each API token may make in a second, in place of its address\'s limit (default `50`; `0`: no per-second limit).',
  TOKEN_RATE_LIMIT_PER_MINUTE: 'Requests to the JSON API each API token may make in a minute (default `3000`; `0`: no per-minute limit).',
} as const;
