/** Signing in to an app (by inject) against the GitHub stand-in, with a cookie jar, as a browser would. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { accounts, type AccountsConfig } from '../../src/config/accounts.js';
import type { GithubStandin } from './github-standin.js';

export const TEST_SESSION_SECRET = 'a test session secret of more than 32 bytes';

export function accountsConfig(github: GithubStandin, env: Record<string, string> = {}): AccountsConfig {
  return accounts({
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: github.url,
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...env,
  });
}

/** A client of one app (or several sharing a secret) keeping its cookies. */
export class CookieClient {
  readonly cookies = new Map<string, string>();

  constructor(public app: FastifyInstance) {}

  async request(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
    const response = await this.app.inject({ ...options, headers: { ...(options.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const set of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (set.value === '' || set.maxAge === 0 || (set.expires && set.expires.getTime() < Date.now())) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
    return response;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url });
  }

  /** A form POST, as a page's form sends it. */
  post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  }

  /** `/login?next=…`, to GitHub (the stand-in) and back: the callback's answer. */
  async signIn(next?: string, tamper?: (callback: URL) => void): Promise<LightMyRequestResponse> {
    const login = await this.get(next === undefined ? '/login' : `/login?${new URLSearchParams({ next })}`);
    if (login.statusCode !== 302) throw new Error(`/login answered ${login.statusCode}`);
    const authorize = await fetch(login.headers.location as string, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    tamper?.(callback);
    return this.get(`${callback.pathname}${callback.search}`);
  }

  /** The CSRF token of the first form on a page. */
  async csrf(url = '/user'): Promise<string> {
    const page = await this.get(url);
    const match = /name="csrf" value="([^"]+)"/.exec(page.body);
    if (!match) throw new Error(`no CSRF token on ${url} (${page.statusCode})`);
    return match[1]!;
  }
}

export interface HttpAnswer {
  statusCode: number;
  location: string | null;
  body: string;
  headers: Headers;
}

/** The same over real HTTP, for a server in another process (`pypistats serve`). */
export class HttpCookieClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly url: string) {}

  async request(path: string, init: RequestInit = {}): Promise<HttpAnswer> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(`${this.url}${path}`, { ...init, headers, redirect: 'manual' });
    for (const set of response.headers.getSetCookie()) {
      const [pair, ...attributes] = set.split(';');
      const [name, value = ''] = pair!.split(/=(.*)/s) as [string, string];
      const expired = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return { statusCode: response.status, location: response.headers.get('location'), body: await response.text(), headers: response.headers };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.request(path, { headers });
  }

  post(path: string, fields: Record<string, string>): Promise<HttpAnswer> {
    return this.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }

  async signIn(): Promise<HttpAnswer> {
    const login = await this.get('/login');
    const authorize = await fetch(login.location!, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    return this.get(`${callback.pathname}${callback.search}`);
  }

  async csrf(path: string): Promise<string> {
    const page = await this.get(path);
    const match = /name="csrf" value="([^"]+)"/.exec(page.body);
    if (!match) throw new Error(`no CSRF token on ${path} (${page.statusCode})`);
    return match[1]!;
  }
}
