/**
 * `pypistats serve` over the website's known data (site-data.ts), with PyPI's metadata from the
 * PyPI stand-in, for the browser tests.
 */
import { rm } from 'node:fs/promises';
import { startServer, type RunningServer } from './cli.js';
import { startPypiStandIn, type PypiStandIn } from './pypi-standin.js';
import { tempDir } from './raw-events.js';
import { writeSiteDatabase } from './site-data.js';

export interface SiteServer {
  url: string;
  server: RunningServer;
  pypi: PypiStandIn;
  close(): Promise<void>;
}

/** `env`: more of the server's environment (DIMENSIONS, to show only some breakdowns). */
export async function startSiteServer(env: Record<string, string> = {}): Promise<SiteServer> {
  const dir = await tempDir('pypistats-site-');
  const [database, pypi] = await Promise.all([writeSiteDatabase(dir), startPypiStandIn()]);
  const server = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DATA: 'off', PYPI_URL: pypi.url, ...env });
  return {
    url: server.url,
    server,
    pypi,
    async close() {
      await server.stop();
      await pypi.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
