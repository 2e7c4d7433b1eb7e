/** The servers a benchmark measures: ours (`bin/pypistats serve`) and the bare Fastify ceiling. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Server {
  url: string;
  child: ChildProcess;
  /** What the server has printed so far (stdout and stderr); empty for the ceiling. */
  logs(): string;
}

/** `bin/pypistats serve` with `env`; `nodeOptions` go to Node itself (`--cpu-prof`, say). */
export function startServer(env: Record<string, string>, nodeOptions: string[] = []): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeOptions, path.join(root, 'bin/pypistats'), 'serve'], {
      // Load from one address is what the rate limits exist to stop: the benchmark measures serving.
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '0', PAGE_RATE_LIMIT_PER_SECOND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '0', EMBED_RATE_LIMIT_PER_SECOND: '0', EMBED_RATE_LIMIT_PER_MINUTE: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    // Every serving process listening (SERVE_PROCESSES), so each gets its share of wrk's connections.
    const processes = Number(env.SERVE_PROCESSES ?? 1);
    const onData = (data: Buffer) => {
      output += data.toString();
      const listening = [...output.matchAll(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/g)];
      if (listening.length >= processes) resolve({ url: listening[0]![1]!, child, logs: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
}

/** A bare Fastify server answering every GET with the bytes of `bodyFile` (JSON unless `type` says). */
export function startCeiling(bodyFile: string, type?: { contentType: string; encoding?: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const typeArgs = type ? [type.contentType, ...(type.encoding ? [type.encoding] : [])] : [];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/ceiling-server.ts'), bodyFile, String(port), ...typeArgs], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.once('data', () => resolve({ url: `http://127.0.0.1:${port}`, child, logs: () => '' }));
    child.on('exit', (code) => reject(new Error(`the ceiling server exited ${code}`)));
  });
}

export async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.on('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/**
 * Resident memory of process `pid` and of all its descendants (serving processes, a load's
 * worker), in MiB: `own` is their anonymous memory (heap, caches, buffers), `mapped` the pages of
 * files they map (SQLite's mmap of the store, counted once per process that reads it).
 */
export function residentMiB(pid: number): { own: number; mapped: number } {
  let ownKib = 0;
  let mappedKib = 0;
  const field = (status: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const visit = (id: number) => {
    try {
      const status = readFileSync(`/proc/${id}/status`, 'utf8');
      ownKib += field(status, 'RssAnon');
      mappedKib += field(status, 'RssFile') + field(status, 'RssShmem');
      for (const child of readFileSync(`/proc/${id}/task/${id}/children`, 'utf8').trim().split(/\s+/)) if (child) visit(Number(child));
    } catch {
      // A process that ended meanwhile holds nothing.
    }
  };
  visit(pid);
  return { own: ownKib / 1024, mapped: mappedKib / 1024 };
}
