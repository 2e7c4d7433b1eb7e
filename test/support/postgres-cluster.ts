/**
 * A PostgreSQL cluster of a test's own (initdb and pg_ctl in a temporary folder, on a free port of
 * 127.0.0.1), which the test may stop and start: the shared server is never touched. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import { access, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where initdb and pg_ctl are looked for, besides PATH. */
const BIN_DIRS = ['/usr/local/bin', '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/bin'];

export interface PostgresCluster {
  /** DATABASE_URL of the cluster's `postgres` database. */
  url: string;
  start(): Promise<void>;
  /** A fast shutdown: sessions are ended, as in a restart or fail-over. */
  stop(): Promise<void>;
  /** Stops the cluster and deletes its folder. */
  dispose(): Promise<void>;
}

async function findBin(name: string): Promise<string | null> {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...BIN_DIRS]) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      await access(file);
      return file;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** initdb and pg_ctl, or null when this machine has no PostgreSQL server binaries. */
export async function postgresBinaries(): Promise<{ initdb: string; pgCtl: string } | null> {
  const [initdb, pgCtl] = await Promise.all([findBin('initdb'), findBin('pg_ctl')]);
  return initdb && pgCtl ? { initdb, pgCtl } : null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bins = await postgresBinaries();
  if (!bins) throw new Error('initdb and pg_ctl were not found (on PATH or in /usr/local/bin, /usr/lib/postgresql/*/bin)');
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pypistats-pg-'));
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(dir, uid, gid);
  }
  const exec = (file: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // Durability is not what is tested: no fsync keeps start and stop quick on a busy machine.
  await exec(bins.initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await exec(bins.pgCtl, ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    },
    stop: async () => {
      await exec(bins.pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
    dispose: async () => {
      await cluster.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
