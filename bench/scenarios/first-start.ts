/** The README's first command from an empty database, until every demo day is served. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { startServer, stop } from '../lib/processes.js';
import { record, round } from '../lib/results.js';

export async function firstStart(dir: string, days: number, withTarget: boolean): Promise<string> {
  const database = path.join(dir, 'first-start.sqlite');
  const started = performance.now();
  const server = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DAYS: String(days) });
  const listening = (performance.now() - started) / 1000;
  let served = 0;
  while (served < days) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const response = await fetch(`${server.url}/api/packages/__all__/overall?mirrors=false`);
    if (response.ok) served = ((await response.json()) as { data: unknown[] }).data.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await stop(server);
  const scenario = 'first start (demo data)';
  record({ scenario, measure: 'listening after', value: round(listening), unit: 's' });
  record({
    scenario,
    measure: `${days} demo days served after`,
    value: round(seconds),
    unit: 's',
    ...(withTarget ? { target: '< 60 s', met: seconds < 60 } : {}),
  });
  record({ scenario, measure: 'database size', value: round((await stat(database)).size / 1024 / 1024), unit: 'MB' });
  return database;
}
