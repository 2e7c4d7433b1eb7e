/**
 * `serve` from several processes on one port (SERVE_PROCESSES): Node's cluster, whose primary
 * accepts the connections and hands them to the serving processes in turn. A cold answer is CPU
 * in one process (the store's read and the JSON), so one process uses one core however many the
 * machine has; more processes use the others. The primary serves nothing: it starts the
 * processes, replaces one that dies, and stops them all on SIGTERM or SIGINT.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** Set for the one serving process that runs the scheduled loads and the demo load. */
const RUNS_LOADS_VARIABLE = 'PYPISTATS_SERVE_RUNS_LOADS';

/** Whether this process is one of several serving together, started by superviseServers. */
export const isServingProcess = (): boolean => cluster.isWorker;

/**
 * For a serving process that failed to start: lets go of the primary (whose channel would keep it
 * alive), so it exits with its own exit code, which tells the primary it never listened.
 */
export function leaveSupervisor(): void {
  cluster.worker?.disconnect();
}

/** Whether this process runs the loads: the only one, or the one of several chosen for them. */
export const runsLoads = (): boolean => cluster.isPrimary || process.env[RUNS_LOADS_VARIABLE] === '1';

/**
 * How long the primary waits before replacing a process that died after it listened: long enough
 * that a process dying at once on every start (a store gone bad) does not spin a core, short
 * enough that the others barely notice the missing share.
 */
const REPLACE_DELAY_MS = 1000;
/** What the primary gives the processes past their own drain timeout before it kills them. */
const DRAIN_GRACE_MS = 2000;

export interface SupervisorOptions {
  processes: number;
  /** DRAIN_TIMEOUT_MS: each process drains its own connections within it. */
  drainTimeoutMs: number;
  log: Logger;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with ${code}`;
}

/**
 * Runs in the primary until every serving process has stopped, then exits: 0 when they were
 * stopped by a signal and each exited 0, 1 when one failed to start or did not drain in time. A
 * process that dies after it listened is replaced (with the loads, when it ran them); one that
 * dies before it listened stops them all, since the others would fail the same way (a bad
 * DATABASE_URL, a port taken).
 */
export function superviseServers({ processes, drainTimeoutMs, log }: SupervisorOptions): void {
  const running = new Set<Worker>();
  const listened = new WeakSet<Worker>();
  let stopping = false;
  let exitCode = 0;

  const stopAll = (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info(`${why}: stopping ${running.size} serving processes`);
    for (const worker of running) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log.error('serving processes did not stop in time; killing them');
      for (const worker of running) worker.process.kill('SIGKILL');
      process.exit(1);
    }, drainTimeoutMs + DRAIN_GRACE_MS).unref();
    if (running.size === 0) process.exit(exitCode);
  };

  const start = (withLoads: boolean) => {
    const worker = cluster.fork({ [RUNS_LOADS_VARIABLE]: withLoads ? '1' : '0' });
    running.add(worker);
    worker.once('listening', () => listened.add(worker));
    worker.once('exit', (code, signal) => {
      running.delete(worker);
      const pid = worker.process.pid;
      if (stopping) {
        if (code !== 0) {
          log.error(`serving process ${pid} ${describeExit(code, signal)} while stopping`);
          exitCode = 1;
        }
        if (running.size === 0) process.exit(exitCode);
        return;
      }
      if (!listened.has(worker)) {
        log.error(`serving process ${pid} ${describeExit(code, signal)} before it listened`);
        stopAll(1, 'a serving process could not start');
        return;
      }
      log.error(`serving process ${pid} ${describeExit(code, signal)}; starting another${withLoads ? ' (it runs the loads)' : ''}`);
      setTimeout(() => {
        if (!stopping) start(withLoads);
      }, REPLACE_DELAY_MS);
    });
  };

  log.info(`serving from ${processes} processes on one port`);
  for (let i = 0; i < processes; i++) start(i === 0);
  // `on`, not `once`: a signal sent to the process group (a terminal's Ctrl+C, `timeout`, systemd)
  // reaches the primary and every serving process, and may come twice; the second must not kill.
  process.on('SIGTERM', () => stopAll(0, 'SIGTERM'));
  process.on('SIGINT', () => stopAll(0, 'SIGINT'));
}
