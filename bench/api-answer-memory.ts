/**
 * The memory one large answer takes while it is built: the most popular package's `/version` over
 * 180 days, ~1,500 versions a day (~270,000 rows). Compares the API's seriesBody (the bytes written
 * once into a Buffer of their exact size) with the way it was built before (a string per row, their
 * join, then the Buffer the cache keeps), both measured over the same points, which the store
 * hands over in either case.
 *
 *   node --expose-gc --import tsx bench/api-answer-memory.ts
 *
 * Not a test: a figure to read, not a bound to hold (see the README's API section).
 */
import { seriesBody } from '../src/api/responses.js';
import { dimensionNamed, type Dimension } from '../src/domain/dimensions.js';
import { dayFromNumber, dayNumber } from '../src/domain/dates.js';
import type { SeriesPoint } from '../src/store/types.js';

const DAYS = 180;
const VERSIONS = 1500;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function points(): SeriesPoint[] {
  const first = dayNumber('2026-06-01');
  const versions = Array.from({ length: VERSIONS }, (_, i) => `${Math.floor(i / 100)}.${Math.floor(i / 10) % 10}.${i % 10}`);
  const all: SeriesPoint[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = dayFromNumber(first + d);
    for (const [i, category] of versions.entries()) all.push({ category, day, downloads: 1 + ((i * 7919 + d * 104_729) % 5_000_000) });
  }
  return all;
}

/** seriesBody as it was before issue 12. */
function stringBody(packageName: string, dimension: Dimension, list: SeriesPoint[]): { parts: string[]; text: string; bytes: Buffer } {
  const byCategory = new Map<string, SeriesPoint[]>();
  for (const point of list) {
    let group = byCategory.get(point.category);
    if (!group) byCategory.set(point.category, (group = []));
    group.push(point);
  }
  const parts: string[] = [];
  for (const category of [...byCategory.keys()].sort(dimension.compareCategories)) {
    const prefix = `{"category":${JSON.stringify(category)},"date":"`;
    for (const point of byCategory.get(category)!) parts.push(`${prefix}${point.day}","downloads":${point.downloads}}`);
  }
  const text = `{"data":[${parts.join(',')}],"package":${JSON.stringify(packageName)},"type":${JSON.stringify(dimension.responseType)}}`;
  return { parts, text, bytes: Buffer.from(text) };
}

function used(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const version = dimensionNamed('version');
const list = points();
gc();
const base = used();

let started = performance.now();
const built = seriesBody('boto3', version, list);
const builtMs = performance.now() - started;
const withBuilt = used() - base;

gc();
const base2 = used();
started = performance.now();
const old = stringBody('boto3', version, list);
const oldMs = performance.now() - started;
// Everything the old way held at once when it made the Buffer.
const withOld = used() - base2;

console.log(`${list.length.toLocaleString('en-US')} rows, answer ${mib(built.length)}`);
console.log(`seriesBody (bytes once):            +${mib(withBuilt)} held while building, ${builtMs.toFixed(0)} ms`);
console.log(`before (parts + join + Buffer):     +${mib(withOld)} held at its Buffer, ${oldMs.toFixed(0)} ms`);
if (old.bytes.toString() !== built.toString()) throw new Error('the two bodies differ');

// Once more each, warm (the first runs included compiling the code).
started = performance.now();
seriesBody('boto3', version, list);
const warmBuilt = performance.now() - started;
started = performance.now();
stringBody('boto3', version, list);
console.log(`warm: seriesBody ${warmBuilt.toFixed(0)} ms, before ${(performance.now() - started).toFixed(0)} ms`);
