import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore } from '../../src/store/accounts.js';
import { describeEachStore, sqliteKind, type TestStore } from '../support/stores.js';

describeEachStore('the accounts store', (kind) => {
  let t: TestStore;
  let accounts: AccountStore;

  beforeEach(async () => {
    t = await kind.create();
    accounts = t.store.accounts;
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('keys users by GitHub id and refreshes login and avatar at each sign-in', async () => {
    await accounts.signIn({ githubId: 42, login: 'old-name', avatarUrl: 'https://a/1' });
    await accounts.signIn({ githubId: 42, login: 'new-name', avatarUrl: 'https://a/2' });
    expect(await accounts.user(42)).toEqual({ githubId: 42, login: 'new-name', avatarUrl: 'https://a/2' });
    expect(await accounts.user(43)).toBeNull();
  });

  it('tracks packages in the order added, up to the limit, each once', async () => {
    await accounts.signIn({ githubId: 1, login: 'a', avatarUrl: '' });
    await accounts.signIn({ githubId: 2, login: 'b', avatarUrl: '' });
    expect(await accounts.track(1, 'requests', 2)).toBe('added');
    expect(await accounts.track(1, 'requests', 2)).toBe('already');
    expect(await accounts.track(1, 'boto3', 2)).toBe('added');
    expect(await accounts.track(1, 'django', 2)).toBe('limit');
    expect(await accounts.track(2, 'django', 2)).toBe('added');
    expect(await accounts.trackedPackages(1)).toEqual(['requests', 'boto3']);
    await accounts.untrack(1, 'requests');
    expect(await accounts.track(1, 'django', 2)).toBe('added');
    expect(await accounts.trackedPackages(1)).toEqual(['boto3', 'django']);
  });

  it('does not let two adds at once pass the limit', async () => {
    await accounts.signIn({ githubId: 1, login: 'a', avatarUrl: '' });
    const results = await Promise.all(['a1', 'a2', 'a3', 'a4'].map((name) => accounts.track(1, name, 2)));
    expect(results.filter((result) => result === 'added')).toHaveLength(2);
    expect(await accounts.trackedPackages(1)).toHaveLength(2);
  });

  it('finds a token by its hash until it is revoked, and only its owner revokes it', async () => {
    await accounts.signIn({ githubId: 1, login: 'a', avatarUrl: '' });
    await accounts.signIn({ githubId: 2, login: 'b', avatarUrl: '' });
    const created = await accounts.createToken(1, 'dashboard', 'hash-1');
    expect(created).toMatchObject({ name: 'dashboard', revokedAt: null, lastUsedAt: null });
    expect(await accounts.tokenByHash('hash-1')).toEqual({ id: created.id, githubId: 1 });
    expect(await accounts.tokenByHash('hash-2')).toBeNull();
    await accounts.noteTokenUsed(created.id);
    expect((await accounts.tokens(1))[0]!.lastUsedAt).not.toBeNull();
    expect(await accounts.revokeToken(2, created.id)).toBe(false);
    expect(await accounts.revokeToken(1, created.id)).toBe(true);
    expect(await accounts.revokeToken(1, created.id)).toBe(false);
    expect(await accounts.tokenByHash('hash-1')).toBeNull();
    expect((await accounts.tokens(1))[0]!.revokedAt).not.toBeNull();
  });

  it('runs a job from queued to finished, and cancels a queued one at once', async () => {
    const job = await accounts.createJob({ kind: 'load', from: '2026-11-01', to: '2026-11-03', source: 'files', requestedBy: 'octo' });
    expect(job).toMatchObject({ status: 'queued', progress: { done: 0, total: 3 }, requestedBy: 'octo', retryOf: null });
    expect(await accounts.startJob(job.id)).toBe(true);
    expect(await accounts.startJob(job.id)).toBe(false);
    expect(await accounts.jobProgress(job.id, { done: 1, total: 3, rows: 10, skipped: 2 })).toEqual({ cancelRequested: false });
    expect(await accounts.cancelJob(job.id)).toBe(true);
    expect(await accounts.jobProgress(job.id, { done: 2, total: 3, rows: 20, skipped: 2 })).toEqual({ cancelRequested: true });
    await accounts.finishJob(job.id, 'cancelled', null);
    expect(await accounts.job(job.id)).toMatchObject({ status: 'cancelled', progress: { done: 2, total: 3 }, rows: 20, skipped: 2 });
    expect(await accounts.cancelJob(job.id)).toBe(false);

    const queued = await accounts.createJob({ kind: 'purge', from: '2026-01-01', to: '2026-01-01', source: '', requestedBy: 'octo', retryOf: job.id });
    expect(await accounts.cancelJob(queued.id)).toBe(true);
    expect(await accounts.startJob(queued.id)).toBe(false);
    expect((await accounts.jobs(10)).map((j) => [j.id, j.status, j.retryOf])).toEqual([
      [queued.id, 'cancelled', job.id],
      [job.id, 'cancelled', null],
    ]);
  });
});

describe('the accounts of the SQLite store while a load holds the write lock', () => {
  it('waits for the lock without holding the event loop, and does not take a running job for dead', async () => {
    const t = await sqliteKind.create();
    const file = t.databaseUrl.slice('sqlite:'.length);
    const loader = new Database(file);
    try {
      const accounts = t.store.accounts;
      const job = await accounts.createJob({ kind: 'load', from: '2026-11-01', to: '2026-11-01', source: 'files', requestedBy: 'octo' });
      await accounts.startJob(job.id);
      // Its last beat long ago, as when a day's write held the lock for minutes: its runner (this process) lives, so it runs.
      loader.prepare('UPDATE jobs SET beat_at = ? WHERE id = ?').run(new Date(Date.now() - 3_600_000).toISOString(), job.id);
      expect((await accounts.job(job.id))!.status).toBe('running');

      loader.exec('BEGIN IMMEDIATE');
      let beaten = false;
      const beat = accounts.jobProgress(job.id, { done: 1, total: 1, rows: 5, skipped: 0 }).then(() => (beaten = true));
      // The event loop runs meanwhile: a timer fires while the write waits.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(beaten).toBe(false);
      // Reads go on during the lock (WAL).
      expect((await accounts.job(job.id))!.progress.done).toBe(0);
      loader.exec('COMMIT');
      await beat;
      expect((await accounts.job(job.id))!.progress.done).toBe(1);
      // Marked running by a process that is gone: interrupted.
      loader.prepare('UPDATE jobs SET runner_pid = ? WHERE id = ?').run(2 ** 22 + 12345, job.id);
      expect(await accounts.job(job.id)).toMatchObject({ status: 'interrupted', error: 'its process stopped before the job ended' });
    } finally {
      loader.close();
      await t.dispose();
    }
  });
});
