/**
 * Everything sign-in turns on, wired: the session cookies, the form parser and CSRF check of the
 * account routes, GitHub sign-in, the user's page and forms, and what the rest of the app needs
 * of them (the API's token budgets, the package page's Track button).
 */
import formbody from '@fastify/formbody';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountsConfig } from '../config.js';
import type { TokenBudgets } from '../api/rate-limit.js';
import type { JobRunner } from '../pipeline/jobs.js';
import { ClientRateLimiter, rateWindows, type SharedCounts } from '../rate-limit/limiter.js';
import type { Store } from '../store/types.js';
import type { Assets } from '../web/assets.js';
import { problemPage } from '../web/pages/not-found.js';
import { adminRoutes } from './admin-routes.js';
import { signInRoutes } from './github.js';
import { registerSessions, validCsrf, type SessionUser } from './session.js';
import { TokenLookup } from './tokens.js';
import { packageActions, sendPrivatePage, userRoutes } from './user-routes.js';

/** What the pages get from sign-in. */
export interface SignedInPages {
  /** The package page's Track button for a signed-in user, or null: then the page is the shared one. */
  packageActions(request: FastifyRequest, name: string): Promise<string | null>;
}

export interface AccountsOptions {
  store: Store;
  /** With `github` set. */
  accounts: AccountsConfig;
  retentionDays: number;
  assets: Assets;
  /** Runs the admin console's jobs; without it (or without ADMIN_GITHUB_USERS) there is no console. */
  jobs?: JobRunner | undefined;
}

export function tokenBudgets(store: Store, accounts: AccountsConfig, shared: SharedCounts | undefined, log: FastifyBaseLogger): TokenBudgets {
  const windows = rateWindows(accounts.tokenRateLimit);
  const limiter =
    windows.length > 0 ? new ClientRateLimiter({ windows, shared: shared && { client: shared.client, keyPrefix: `${shared.keyPrefix}tokens:` }, log }) : null;
  const lookup = new TokenLookup(store.accounts);
  return { identify: (request) => lookup.identify(request), limiter };
}

export async function registerAccounts(app: FastifyInstance, { store, accounts, assets, retentionDays, jobs }: AccountsOptions): Promise<SignedInPages> {
  await registerSessions(app, accounts.sessionSecret!);
  const admins = new Set(accounts.adminGithubUsers);
  const isAdmin = (user: SessionUser) => admins.has(user.login.toLowerCase());
  const forbidden = problemPage(assets, {
    title: 'Forbidden',
    message: 'The form was not sent from this site’s page (its CSRF token is missing or wrong), so nothing was changed. Go back, reload the page and try again.',
  });

  await app.register(async (scope) => {
    await scope.register(formbody);
    // Before the body is validated: a form without its token is refused as such, whatever else it holds.
    scope.addHook('preValidation', async (request, reply) => {
      if (request.method !== 'POST') return;
      const token = (request.body as { csrf?: unknown } | undefined)?.csrf;
      if (!validCsrf(request, token)) {
        request.log.info({ url: request.url }, 'refused a POST without a valid CSRF token');
        return sendPrivatePage(reply, 403, forbidden);
      }
    });
    await signInRoutes(scope, {
      github: accounts.github!,
      accounts: store.accounts,
      fail: (reply, error) => sendPrivatePage(reply, error.status, problemPage(assets, { title: 'Sign-in failed', message: `${error.message}.` })),
    });
    await userRoutes(scope, { store, config: accounts, assets, isAdmin });
    if (admins.size > 0 && jobs) await scope.register(async (admin) => adminRoutes(admin, { store, jobs, assets, retentionDays, isAdmin }));
  });
  return { packageActions: packageActions(store) };
}
