/**
 * A SQLite load that runs out of disk space: the database lives on a small tmpfs the test mounts,
 * filled so that the day cannot be written. Mounting needs root (or CAP_SYS_ADMIN): where it is
 * not permitted the suite is skipped, saying why, except under CI, where it must run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensions } from '../../src/domain/dimensions.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { writeDemoDay } from '../../src/sources/synthetic.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/raw-events.js';

const DAY = '2026-11-20';
/** Room for the old day, the new day's write and the filler; small, so filling it is quick. */
const TMPFS_BYTES = 32 * 1024 * 1024;
/** What the filler leaves free: room for the lock and history rows, not for the new day (several MB). */
const LEFT_FREE_BYTES = 256 * 1024;

/** Mounts a tmpfs, or says why it cannot. Done at collection, so the suite can be skipped with the reason. */
function mountTmpfs(): { dir: string } | { reason: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypistats-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { reason: `cannot mount a tmpfs here (${stderr || (error as Error).message}); it needs root or CAP_SYS_ADMIN` };
  }
}

const mounted = mountTmpfs();
const reason = 'reason' in mounted ? mounted.reason : null;
const mustRun = process.env.CI !== undefined && process.env.CI !== '';

if (reason !== null && mustRun) {
  describe('a SQLite load on a full disk', () => {
    it('runs in CI', () => {
      throw new Error(`the disk-full suite must run in CI, but ${reason}`);
    });
  });
} else {
  describe.skipIf(reason !== null)(`a SQLite load on a full disk${reason ? ` [skipped: ${reason}]` : ''}`, () => {
    const mount = 'dir' in mounted ? mounted.dir : '';
    const database = path.join(mount, 'full.sqlite');
    const filler = path.join(mount, 'filler');
    const env = { DATABASE_URL: `sqlite:${database}` };
    let raw: string;

    beforeAll(async () => {
      raw = await tempDir();
      const duck = await DuckDb.open();
      await writeDemoDay(duck, { packages: 40, seed: 1, eventsPerDay: 3_000 }, DAY, path.join(raw, 'old.parquet'));
      await writeDemoDay(duck, { packages: 3_000, seed: 2, eventsPerDay: 200_000 }, DAY, path.join(raw, 'new.parquet'));
      duck.close();
    });
    afterAll(async () => {
      if (mount) {
        execFileSync('umount', [mount]);
        rmSync(mount, { recursive: true, force: true });
      }
      await rm(raw, { recursive: true, force: true });
    });

    async function snapshot(): Promise<string> {
      const store = SqliteStore.open(database);
      try {
        const state: Record<string, unknown> = {};
        for (const dimension of dimensions) state[dimension.name] = (await store.series('__all__', dimension.name, {})).sort((a, b) => a.category.localeCompare(b.category));
        state.days = (await store.loadedDays()).map((d) => [d.day, d.rows, d.packages, d.summary]);
        return JSON.stringify(state);
      } finally {
        await store.close();
      }
    }

    const load = (file: string) => runCli(['load', '--date', DAY, '--allow-drop', '--input', path.join(raw, file)], env);

    // Three loads of a 200,000-event day and their snapshots took 56 s beside other suites: near vitest's minute.
    it('fails with one line, keeps the previous day, records the failure, and loads once space is freed', { timeout: 180_000 }, async () => {
      expect((await load('old.parquet')).code).toBe(0);
      const before = await snapshot();
      const { bavail, bsize } = statfsSync(mount);
      execFileSync('fallocate', ['-l', String(bavail * bsize - LEFT_FREE_BYTES), filler]);

      const full = await load('new.parquet');
      console.log(`on a full disk: ${full.stderr.trim()}`);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/^pypistats: [^\n]*(disk is full|SQLITE_FULL|No space left)[^\n]*\n$/);
      expect(await snapshot()).toBe(before);
      const status = JSON.parse((await runCli(['status', '--json'], env)).stdout);
      expect(status.loads[0]).toMatchObject({ day: DAY, status: 'failed', error: expect.stringMatching(/disk is full|SQLITE_FULL|No space left/) });

      execFileSync('rm', [filler]);
      const freed = await load('new.parquet');
      expect(freed.stderr).toBe('');
      expect(freed.code).toBe(0);
      expect(await snapshot()).not.toBe(before);
      const after = JSON.parse((await runCli(['status', '--json'], env)).stdout);
      expect(after.loads[0]).toMatchObject({ day: DAY, status: 'succeeded' });
      expect(after.loads[1]).toMatchObject({ status: 'failed' });
    });
  });
}
