/** `pypistats serve` over the website's known data (site-data.ts), for the browser tests. */
import { rm } from 'node:fs/promises';
import { startServer, type RunningServer } from './cli.js';
import { tempDir } from './raw-events.js';
import { writeSiteDatabase } from './site-data.js';

export interface SiteServer {
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startSiteServer(env: Record<string, string> = {}): Promise<SiteServer> {
  const dir = await tempDir('pypistats-site-');
  const database = await writeSiteDatabase(dir);
  const server = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DATA: 'off', ...env });
  return {
    url: server.url,
    server,
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
