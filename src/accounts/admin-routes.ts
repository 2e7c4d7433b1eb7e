/**
 * The admin console, for the GitHub logins of ADMIN_GITHUB_USERS only (registered only when that
 * is set: otherwise `/admin` is not there at all). Every answer is `private, no-store`; every
 * action is logged with who did it; every POST carries the session's CSRF token (src/accounts/routes.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addDays, dayNumber, isDay, yesterdayUtc } from '../domain/dates.js';
import { monthOfDay } from '../domain/months.js';
import type { JobRunner } from '../pipeline/jobs.js';
import { parseBackfillRange } from '../pipeline/backfill.js';
import { JOB_KINDS, type JobKind, type JobRequest } from '../store/accounts.js';
import type { Store } from '../store/types.js';
import type { Assets } from '../web/assets.js';
import { adminPage, jobJson, jobPage } from '../web/pages/admin.js';
import { problemPage } from '../web/pages/not-found.js';
import { HIDDEN_FROM_API } from './hidden.js';
import { csrfToken, signedInUser, type SessionUser } from './session.js';
import { PRIVATE_CACHE_CONTROL, sendPrivatePage } from './user-routes.js';

const JOBS_SHOWN = 50;
/** The backfill form's default month is a year back: the months before the daily loads' window are what a backfill is for. */
const DAYS_IN_A_YEAR = 365;
const LOADS_SHOWN = 50;

const jobForm = Type.Object({
  kind: Type.String({ maxLength: 20 }),
  from: Type.String({ maxLength: 20 }),
  to: Type.Optional(Type.String({ maxLength: 20 })),
  source: Type.Optional(Type.String({ maxLength: 20 })),
  csrf: Type.Optional(Type.String()),
});
const csrfOnly = Type.Object({ csrf: Type.Optional(Type.String()) });
const jobParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

export interface AdminRoutesOptions {
  store: Store;
  jobs: JobRunner;
  assets: Assets;
  retentionDays: number;
  isAdmin(user: SessionUser): boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: SessionUser;
  }
}

export async function adminRoutes(app: FastifyInstance, { store, jobs, assets, retentionDays, isAdmin }: AdminRoutesOptions): Promise<void> {
  const forbidden = problemPage(assets, { title: 'Not an admin', message: 'The admin console is for the GitHub users its operator named (ADMIN_GITHUB_USERS).' });

  // Before anything else of the request: who is not an admin learns nothing more.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', PRIVATE_CACHE_CONTROL);
    const user = signedInUser(request);
    if (user === null) {
      if (request.method === 'GET') return reply.redirect(`/login?${new URLSearchParams({ next: request.url })}`, 302);
      return sendPrivatePage(reply, 403, forbidden);
    }
    if (!isAdmin(user)) {
      request.log.warn({ login: user.login, githubId: user.githubId, url: request.url, method: request.method }, 'admin console refused: not an admin');
      return sendPrivatePage(reply, 403, forbidden);
    }
    request.admin = user;
  });

  async function render(request: FastifyRequest, reply: FastifyReply, status: number, problem?: string): Promise<FastifyReply> {
    const [jobList, loads] = await Promise.all([store.accounts.jobs(JOBS_SHOWN), store.loadHistory(LOADS_SHOWN)]);
    const page = adminPage(assets, { login: request.admin!.login, csrf: csrfToken(request)!, sources: jobs.sources, jobs: jobList, loads, defaultDay: yesterdayUtc(), defaultMonth: monthOfDay(addDays(yesterdayUtc(), -DAYS_IN_A_YEAR)), problem });
    return sendPrivatePage(reply, status, page);
  }

  app.get('/admin', { schema: HIDDEN_FROM_API }, (request, reply) => render(request, reply, 200));

  const notConfigured = (source: string) =>
    `“${source}” is not a configured source${jobs.sources.length > 0 ? ` (configured: ${jobs.sources.join(', ')})` : ' (none is: set LOAD_INPUT or the Google credentials)'}.`;

  app.post<{ Body: Static<typeof jobForm> }>('/admin/jobs', { schema: { ...HIDDEN_FROM_API, body: jobForm } }, async (request, reply) => {
    const { kind, from } = request.body;
    const to = request.body.to || from;
    const source = request.body.source ?? '';
    if (!(JOB_KINDS as readonly string[]).includes(kind)) return render(request, reply, 400, `“${kind}” is no kind of job: ${JOB_KINDS.join(', ')}.`);
    if (kind === 'backfill') {
      // The refusals of `pypistats backfill --from --to`, word for word.
      try {
        parseBackfillRange(from, request.body.to || undefined, retentionDays);
      } catch (error) {
        return render(request, reply, 400, (error as Error).message);
      }
      if (!(jobs.sources as string[]).includes(source)) return render(request, reply, 400, notConfigured(source));
      return startJob(request, reply, { kind, from, to: request.body.to!, source });
    }
    if (!isDay(from) || !isDay(to)) return render(request, reply, 400, 'From and to must be days, YYYY-MM-DD.');
    if (kind === 'load') {
      if (dayNumber(from) > dayNumber(to)) return render(request, reply, 400, `From (${from}) is after to (${to}).`);
      if (dayNumber(to) - dayNumber(from) + 1 > retentionDays) return render(request, reply, 400, `A load covers at most ${retentionDays} days (RETENTION_DAYS).`);
      if (dayNumber(to) > dayNumber(yesterdayUtc())) return render(request, reply, 400, `${to} is not over yet (UTC): the latest day to load is ${yesterdayUtc()}.`);
      if (!(jobs.sources as string[]).includes(source)) return render(request, reply, 400, notConfigured(source));
    } else if (dayNumber(from) > dayNumber(addDays(yesterdayUtc(), 1))) {
      return render(request, reply, 400, `A purge before ${from} would drop every day, today's included.`);
    }
    return kind === 'purge' ? startJob(request, reply, { kind, from, to: from, source: '' }) : startJob(request, reply, { kind: kind as JobKind, from, to, source });
  });

  async function startJob(request: FastifyRequest, reply: FastifyReply, what: Pick<JobRequest, 'kind' | 'from' | 'to' | 'source'>): Promise<FastifyReply> {
    const job = await store.accounts.createJob({ ...what, requestedBy: request.admin!.login });
    request.log.info({ admin: request.admin!.login, action: 'start', job: job.id, ...what }, 'admin action');
    jobs.start(job.id);
    return reply.redirect(`/admin/jobs/${job.id}`, 303);
  }

  app.get<{ Params: Static<typeof jobParams> }>('/admin/jobs/:id', { schema: { ...HIDDEN_FROM_API, params: jobParams } }, async (request, reply) => {
    const job = await store.accounts.job(Number(request.params.id));
    const json = (request.headers.accept ?? '').includes('application/json');
    if (job === null) {
      if (json) return reply.code(404).send({ error: `no job ${request.params.id}`, status: 404 });
      return sendPrivatePage(reply, 404, problemPage(assets, { title: 'No such job', message: `There is no job ${request.params.id}.` }));
    }
    reply.header('vary', 'accept');
    if (json) return reply.send(jobJson(job));
    return sendPrivatePage(reply, 200, jobPage(assets, job, csrfToken(request)!));
  });

  app.post<{ Params: Static<typeof jobParams>; Body: Static<typeof csrfOnly> }>(
    '/admin/jobs/:id/cancel',
    { schema: { ...HIDDEN_FROM_API, params: jobParams, body: csrfOnly } },
    async (request, reply) => {
      const id = Number(request.params.id);
      // An interrupted job is marked running still, but its runner is gone: nothing would hear the cancel.
      const job = await store.accounts.job(id);
      const live = job !== null && (job.status === 'queued' || job.status === 'running');
      if (!live || !(await store.accounts.cancelJob(id))) return render(request, reply, 409, `Job ${id} has ended (or does not exist): there is nothing to cancel.`);
      request.log.info({ admin: request.admin!.login, action: 'cancel', job: id }, 'admin action');
      return reply.redirect(`/admin/jobs/${id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof jobParams>; Body: Static<typeof csrfOnly> }>(
    '/admin/jobs/:id/retry',
    { schema: { ...HIDDEN_FROM_API, params: jobParams, body: csrfOnly } },
    async (request, reply) => {
      const id = Number(request.params.id);
      const job = await store.accounts.job(id);
      if (job === null || !['failed', 'cancelled', 'interrupted'].includes(job.status)) {
        return render(request, reply, 409, `Job ${id} did not fail, and was not cancelled or interrupted: there is nothing to retry.`);
      }
      const retry = await store.accounts.createJob({ kind: job.kind, from: job.from, to: job.to, source: job.source, requestedBy: request.admin!.login, retryOf: id });
      request.log.info({ admin: request.admin!.login, action: 'retry', job: retry.id, retryOf: id }, 'admin action');
      jobs.start(retry.id);
      return reply.redirect(`/admin/jobs/${retry.id}`, 303);
    },
  );
}
