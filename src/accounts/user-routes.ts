/**
 * The signed-in user's routes: `/user` (tracked packages and API tokens), the forms that change
 * them, and sign-out. Every POST carries the session's CSRF token, checked before anything else
 * (src/accounts/routes.ts); the pages are the user's own: `private, no-store`, never in the page cache.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsConfig } from '../config.js';
import { addDays, dayRange } from '../domain/dates.js';
import { WITHOUT_MIRRORS } from '../domain/dimensions.js';
import { checkPackageName, describeNameProblem } from '../domain/names.js';
import { mirrorSplitDimension } from '../store/layout.js';
import type { Store } from '../store/types.js';
import type { Assets } from '../web/assets.js';
import { html, toHtmlString } from '../web/html.js';
import { withAccountLink } from '../web/layout.js';
import { trackForm, userPage, USER_SORTS, type TrackedRow, type UserPageData, type UserSort } from '../web/pages/user.js';
import { searchUrl } from '../web/urls.js';
import { HIDDEN_FROM_API } from './hidden.js';
import { csrfToken, endSession, returnPath, signedInUser, type SessionUser } from './session.js';
import { newToken, tokenHash } from './tokens.js';

export const PRIVATE_CACHE_CONTROL = 'private, no-store';

/** A page of sign-in's (the user's, the admin's, a refusal): the user's own, kept by no cache. */
export function sendPrivatePage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', PRIVATE_CACHE_CONTROL).send(withAccountLink(page));
}

/** Days of the sparkline: the last month, as "last month" counts. */
const SPARKLINE_DAYS = 30;
const TOKEN_NAME_MAX = 100;

const packageForm = Type.Object({
  package: Type.String({ maxLength: 200 }),
  action: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
  csrf: Type.Optional(Type.String()),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
});
const tokenForm = Type.Object({ name: Type.String({ maxLength: TOKEN_NAME_MAX }), csrf: Type.Optional(Type.String()) });
const csrfOnly = Type.Object({ csrf: Type.Optional(Type.String()) });
const userQuery = Type.Object({ sort: Type.Optional(Type.Union(USER_SORTS.map((sort) => Type.Literal(sort)))) });

export interface UserRoutesOptions {
  store: Store;
  config: AccountsConfig;
  assets: Assets;
  isAdmin(user: SessionUser): boolean;
}

export async function userRoutes(app: FastifyInstance, { store, config, assets, isAdmin }: UserRoutesOptions): Promise<void> {
  const accounts = store.accounts;

  async function tracked(user: SessionUser): Promise<TrackedRow[]> {
    const names = await accounts.trackedPackages(user.githubId);
    const latest = await store.latestDay();
    if (latest === null) return names.map((name) => ({ name, recent: { lastDay: 0, lastWeek: 0, lastMonth: 0 }, daily: [] }));
    const start = addDays(latest, -(SPARKLINE_DAYS - 1));
    const only = new Set([WITHOUT_MIRRORS]);
    return Promise.all(
      names.map(async (name) => {
        const [recent, points] = await Promise.all([store.recent(name, latest), store.series(name, mirrorSplitDimension.name, { start, end: latest }, only)]);
        const byDay = new Map(points.map((point) => [point.day, point.downloads]));
        return { name, recent, daily: dayRange(start, latest).map((day) => byDay.get(day) ?? 0) };
      }),
    );
  }

  async function render(request: FastifyRequest, reply: FastifyReply, status: number, user: SessionUser, extra: Partial<UserPageData> = {}): Promise<FastifyReply> {
    const sort = (request.query as { sort?: UserSort } | undefined)?.sort ?? 'name';
    const [rows, tokens] = await Promise.all([tracked(user), accounts.tokens(user.githubId)]);
    const page = userPage(assets, {
      login: user.login,
      csrf: csrfToken(request)!,
      tracked: rows,
      max: config.trackedPackagesMax,
      sort,
      tokens,
      admin: isAdmin(user),
      ...extra,
    });
    return sendPrivatePage(reply, status, page);
  }

  app.get<{ Querystring: Static<typeof userQuery> }>('/user', { schema: { ...HIDDEN_FROM_API, querystring: userQuery } }, async (request, reply) => {
    const user = signedInUser(request);
    if (user === null) return reply.header('cache-control', PRIVATE_CACHE_CONTROL).redirect(`/login?${new URLSearchParams({ next: request.url })}`, 302);
    return render(request, reply, 200, user);
  });

  app.post<{ Body: Static<typeof packageForm> }>('/user/packages', { schema: { ...HIDDEN_FROM_API, body: packageForm } }, async (request, reply) => {
    const user = signedInUser(request)!;
    const check = checkPackageName(request.body.package);
    if (!check.ok) return render(request, reply, 400, user, { problem: `“${request.body.package}” cannot be a package: ${describeNameProblem(check.reason)}.` });
    const name = check.name;
    const back = request.body.next === undefined ? '/user' : returnPath(request.body.next);
    if (request.body.action === 'remove') {
      await accounts.untrack(user.githubId, name);
      return reply.redirect(back, 303);
    }
    if (!(await store.hasPackage(name))) {
      return render(request, reply, 400, user, { problem: html`No downloads of “${name}” are recorded here, so it cannot be tracked. <a href="${searchUrl(name)}">Search for it</a>.` });
    }
    const result = await accounts.track(user.githubId, name, config.trackedPackagesMax);
    if (result === 'limit') {
      return render(request, reply, 400, user, { problem: `You track ${config.trackedPackagesMax} packages, the most this site allows: untrack one to track ${name}.` });
    }
    return reply.redirect(back, 303);
  });

  app.post<{ Body: Static<typeof tokenForm> }>('/user/tokens', { schema: { ...HIDDEN_FROM_API, body: tokenForm } }, async (request, reply) => {
    const user = signedInUser(request)!;
    const name = request.body.name.trim();
    if (name === '') return render(request, reply, 400, user, { problem: 'A token needs a name: what it is for.' });
    const value = newToken();
    await accounts.createToken(user.githubId, name, tokenHash(value));
    request.log.info({ githubId: user.githubId, token: name }, 'API token created');
    return render(request, reply, 200, user, { newToken: { name, value } });
  });

  app.post<{ Params: { id: string }; Body: Static<typeof csrfOnly> }>(
    '/user/tokens/:id/revoke',
    { schema: { ...HIDDEN_FROM_API, params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) }), body: csrfOnly } },
    async (request, reply) => {
      const user = signedInUser(request)!;
      if (!(await accounts.revokeToken(user.githubId, Number(request.params.id)))) {
        return render(request, reply, 404, user, { problem: 'You have no such token, or it was revoked already.' });
      }
      request.log.info({ githubId: user.githubId, tokenId: Number(request.params.id) }, 'API token revoked');
      return reply.redirect('/user', 303);
    },
  );

  app.post<{ Body: Static<typeof csrfOnly> }>('/logout', { schema: { ...HIDDEN_FROM_API, body: csrfOnly } }, async (request, reply) => {
    endSession(request);
    return reply.redirect('/', 303);
  });
}

/** What a package page adds for a signed-in user: its Track (or Untrack) button; null for anyone else. */
export function packageActions(store: Store) {
  return async (request: FastifyRequest, name: string): Promise<string | null> => {
    const user = signedInUser(request);
    const csrf = csrfToken(request);
    if (user === null || csrf === null) return null;
    const tracked = (await store.accounts.trackedPackages(user.githubId)).includes(name);
    return toHtmlString(trackForm(name, tracked, csrf));
  };
}
