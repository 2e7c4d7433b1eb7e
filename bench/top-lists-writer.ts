/**
 * The top-lists scenario's writer, a process of its own as serve's load worker is: it opens the
 * scenario's SQLite file and writes the PyPI-sized day it is sent (`{ index }`), then answers
 * `{ written: index }`. The serving process measured never holds a day's rows in its heap, as in
 * production, where a day is written by the load worker (src/pipeline/load-worker.ts).
 */
import { addDays } from '../src/domain/dates.js';
import { withAllPackagesTotals } from '../src/pipeline/derived.js';
import { openStore } from '../src/store/open.js';
import { pypiSizedDay } from './pypi-sized-day.js';

export const TOP_LISTS_FIRST_DAY = '2026-10-01';

const [file, packagesText] = process.argv.slice(2);
if (process.send === undefined || file === undefined || packagesText === undefined) throw new Error('top-lists-writer runs forked: <sqlite file> <packages>');
const packages = Number(packagesText);
const store = await openStore({ kind: 'sqlite', file });
process.on('message', (message: { index: number } | 'close') => {
  if (message === 'close') {
    void store.close().then(() => process.exit(0));
    return;
  }
  const rows = pypiSizedDay(message.index, { packages, topDownloads: 20_000_000 });
  store
    .replaceDay({ day: addDays(TOP_LISTS_FIRST_DAY, message.index), source: 'bench', summary: null, rows: withAllPackagesTotals(rows) })
    .then(() => process.send!({ written: message.index }))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
});
process.send({ ready: true });
