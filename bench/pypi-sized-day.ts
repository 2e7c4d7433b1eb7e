/**
 * Aggregate rows of a PyPI-sized day, synthesized directly (no raw events): about 300,000 active
 * packages with Zipf popularity, each with the categories a package of that popularity really has.
 * A popular package is downloaded on every Python minor and system; a rare one on one or two.
 * With `breakdowns`, each package also has the nine breakdowns beyond the seed's four, as
 * bench/pypi-breakdowns.ts synthesizes them from PERFORMANCE.md's anchors.
 */
import type { AggregateRow } from '../src/domain/aggregates.js';
import { breakdownRows } from './pypi-breakdowns.js';

const MINORS = ['2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.5', '3.4', '3.15', '2.6'];
const SYSTEMS = ['linux', 'windows', 'darwin', 'null', 'other'];

/** A small deterministic generator, so each day's rows are the same from run to run. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** Splits `total` over `shares` (summing to 1) so the parts add up exactly. */
function split(total: number, shares: number[]): number[] {
  const parts = shares.map((share) => Math.floor(total * share));
  parts[0]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

export interface PypiDayOptions {
  packages: number;
  /** Downloads of the most popular package that day. */
  topDownloads: number;
  chunkSize?: number;
  /**
   * Also emit the nine breakdowns beyond the seed's four (version, country, installer, …). The
   * seed's rows are the same either way: the breakdowns draw from a random source of their own.
   */
  breakdowns?: boolean;
}

export async function* pypiSizedDay(dayIndex: number, options: PypiDayOptions): AsyncGenerator<AggregateRow[]> {
  const next = random(0x9e3779b9 ^ (dayIndex * 2654435761));
  const breakdownNext = random(0x85ebca6b ^ (dayIndex * 2246822519));
  let chunk: AggregateRow[] = [];
  const chunkSize = options.chunkSize ?? 8192;
  for (let rank = 1; rank <= options.packages; rank++) {
    const name = `package-${rank}`;
    const without = Math.max(1, Math.round((options.topDownloads / rank ** 1.1) * (0.8 + 0.4 * next())));
    const mirrors = next() < 0.05 ? Math.ceil(without * 0.05) : 0;
    chunk.push({ package: name, dimension: 'overall', category: 'with_mirrors', downloads: without + mirrors });
    chunk.push({ package: name, dimension: 'overall', category: 'without_mirrors', downloads: without });
    // As many categories as there are downloads to spread, up to all of them.
    const minorCount = Math.min(MINORS.length, Math.max(1, Math.floor(Math.log10(without) * 3)));
    const systemCount = Math.min(SYSTEMS.length, Math.max(1, Math.floor(Math.log10(without) * 1.5)));
    const minorShares = Array.from({ length: minorCount }, (_, i) => 1 / (i + 1));
    const minorTotal = minorShares.reduce((a, b) => a + b, 0);
    const minorParts = split(without, minorShares.map((s) => s / minorTotal));
    const majors = new Map<string, number>();
    minorParts.forEach((downloads, i) => {
      if (downloads === 0) return;
      const minor = MINORS[(i + rank) % minorCount]!;
      chunk.push({ package: name, dimension: 'python_minor', category: minor, downloads });
      const major = minor.split('.')[0]!;
      majors.set(major, (majors.get(major) ?? 0) + downloads);
    });
    for (const [major, downloads] of majors) chunk.push({ package: name, dimension: 'python_major', category: major, downloads });
    const systemShares = [0.7, 0.15, 0.1, 0.04, 0.01].slice(0, systemCount);
    const systemTotal = systemShares.reduce((a, b) => a + b, 0);
    split(without, systemShares.map((s) => s / systemTotal)).forEach((downloads, i) => {
      if (downloads > 0) chunk.push({ package: name, dimension: 'system', category: SYSTEMS[i]!, downloads });
    });
    if (options.breakdowns) for (const row of breakdownRows(name, rank, without, breakdownNext)) chunk.push(row);
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
