/** `pypistats serve`: wires the store, Redis, the app and the demo load together, and shuts down cleanly. */
import type { Config } from './config.js';
import pino from 'pino';
import { buildApp } from './app.js';
import { yesterdayUtc } from './domain/dates.js';
import { isServingProcess, leaveSupervisor, runsLoads, superviseServers } from './http/server-processes.js';
import { runInWorker, workerLoads } from './pipeline/load-worker-host.js';
import { JobRunner } from './pipeline/jobs.js';
import { LoadScheduler } from './pipeline/scheduler.js';
import { closeRedis, connectRedis } from './rate-limit/redis.js';
import { openStore } from './store/open.js';
import { PypiMetadataSource } from './web/pypi-metadata.js';

/**
 * The share of the drain timeout given to connections: at it, the ones still open (a client that
 * sent half its headers, or never reads) are closed, leaving the rest for the scheduler, the store
 * and Redis to close before the deadline.
 */
const CONNECTIONS_SHARE_OF_DRAIN = 0.8;

export async function serve(config: Config): Promise<void> {
  if (config.processes > 1 && !isServingProcess()) {
    superviseServers({ processes: config.processes, drainTimeoutMs: config.server.drainTimeoutMs, log: pino({ level: config.logLevel }) });
    return;
  }
  try {
    await serveHere(config);
  } catch (error) {
    leaveSupervisor();
    throw error;
  }
}

async function serveHere(config: Config): Promise<void> {
  const store = await openStore(config.database);
  const sharedRateLimits = config.redis
    ? { client: await connectRedis(config.redis.url), keyPrefix: `${config.redis.keyPrefix}rate-limit:` }
    : undefined;
  const metadata = config.pypi.url === null ? undefined : new PypiMetadataSource({ url: config.pypi.url, timeoutMs: config.pypi.timeoutMs });
  // The admin console's jobs log through the app's logger, made just after.
  const jobLog = { info: (message: string) => app.log.info(message), warn: (message: string) => app.log.warn(message), error: (message: string) => app.log.error(message) };
  const jobs = config.accounts.adminGithubUsers.length > 0 ? new JobRunner({ store, config, log: jobLog }) : undefined;
  const app = await buildApp({ store, config, sharedRateLimits, metadata, jobs });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // An open Redis connection would keep the failed process alive.
    if (sharedRateLimits) sharedRateLimits.client.disconnect();
    throw error;
  }

  const stopping = new AbortController();
  let demo: Promise<unknown> = Promise.resolve();
  let scheduled: LoadScheduler | null = null;
  // Of several serving processes, one runs the loads: a day is loaded once, and a demo too.
  const loadsHere = runsLoads();
  if (loadsHere && config.load.source !== 'none') {
    // Each day's load runs in a worker process with its own store connection and source.
    const { minute, catchUpDays, retries, retryDelaySeconds } = config.load;
    const scheduler = new LoadScheduler(
      store,
      workerLoads(config, store, app.log, stopping.signal),
      { loadMinute: minute, catchUpDays, retries, retryDelayMs: retryDelaySeconds * 1000, retentionDays: config.retentionDays, minShare: config.load.minShare },
      app.log,
    );
    app.log.info(`scheduled loads from ${config.load.source}: the days missing within ${catchUpDays} days now, then daily`);
    scheduler.start();
    scheduled = scheduler;
  } else if (loadsHere && config.demo.enabled && (await store.latestDay()) === null) {
    demo = loadDemo(config, stopping.signal, app.log).catch((error: unknown) => {
      if (!stopping.signal.aborted) app.log.error({ err: error }, 'the demo load failed');
    });
  }

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    // A signal to the process group reaches every serving process, and their primary sends SIGTERM too.
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info(`${signal}: finishing requests in flight, then stopping`);
    const { drainTimeoutMs } = config.server;
    setTimeout(() => {
      app.log.error('requests did not finish in time; stopping anyway');
      process.exit(1);
    }, drainTimeoutMs).unref();
    // Idle keep-alive sockets are closed at once (forceCloseConnections); stalled ones at this deadline.
    const stalled = setTimeout(() => {
      app.log.warn('closing the connections still open at the drain deadline');
      app.server.closeAllConnections();
    }, drainTimeoutMs * CONNECTIONS_SHARE_OF_DRAIN);
    stopping.abort();
    await app.close();
    clearTimeout(stalled);
    await scheduled?.stop();
    await jobs?.stop();
    await demo;
    await store.close();
    if (sharedRateLimits) await closeRedis(sharedRateLimits.client);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  async function loadDemo(config: Config, signal: AbortSignal, log: typeof app.log): Promise<void> {
    const { days, packages, seed, eventsPerDay } = config.demo;
    log.info(`the database is empty: loading ${days} days of demo data (${packages} packages); set DEMO_DATA=off to skip`);
    const started = performance.now();
    const run = {
      days,
      packages,
      seed,
      eventsPerDay,
      endDay: yesterdayUtc(),
      retentionDays: config.retentionDays,
      minShare: config.load.minShare,
      mirrorInstallers: config.mirrorInstallers,
      dimensions: config.dimensions,
    };
    await runInWorker(
      { kind: 'demo', config, run },
      {
        store,
        log,
        signal,
        onProgress: ({ done, total }) => {
          if (done % 30 === 0 || done === total) log.info(`demo data: ${done} of ${total} days loaded`);
        },
      },
    );
    log.info(`demo data loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  }
}

