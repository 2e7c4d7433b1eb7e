/** The real `bin/pypistats`, run as a user would (built by `npm test` before the suite). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/pypistats');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child: the caller's variables over a clean slate of ours. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (/^(DATABASE_|PORT|HOST|RETENTION_DAYS|DEMO_|MIRROR_|LOG_LEVEL|CACHE_MAX_AGE|LOAD_|REDIS_|RATE_LIMIT|PAGE_RATE_LIMIT|SERVE_|TRUSTED_PROXIES|PYPI_|BIGQUERY_|GOOGLE_|ACCESS_LOG_|COUNTRY_DATABASE|INDEX_NAME)/.test(key)) delete base[key];
  return { ...base, ...env };
}

/** Runs the CLI to its end, or SIGKILLs it after `killAfterMs`. */
export function runCli(args: string[], env: Record<string, string>, killAfterMs?: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    if (killAfterMs !== undefined) {
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('exit', () => clearTimeout(timer));
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  logs(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `pypistats serve` (with `args`) on a free port and resolves once it listens. */
export function startServer(env: Record<string, string>, args: string[] = []): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], {
      env: childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          logs: () => output,
          exited,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });
}
