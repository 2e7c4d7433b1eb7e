/**
 * Where a server's CPU went, from the `.cpuprofile` Node writes with `--cpu-prof`: self time per
 * function and per part of the stack (SQLite, our code, Fastify and Node's HTTP, GC, idle), so a
 * missed target comes with what bounds it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { root } from './processes.js';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuShare {
  name: string;
  /** Share of the sampled time, in %. */
  share: number;
}

export interface CpuSummary {
  parts: CpuShare[];
  functions: CpuShare[];
}

function where(url: string): string {
  if (!url) return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** The part of the stack a function belongs to, by its file. */
function partOf(frame: ProfileNode['callFrame']): string {
  const file = where(frame.url);
  if (frame.functionName === '(idle)') return 'idle (waiting for requests)';
  if (frame.functionName === '(garbage collector)') return 'garbage collector';
  if (frame.functionName === '(program)') return 'V8 and native code outside JavaScript';
  if (file.includes('better-sqlite3')) return 'SQLite (better-sqlite3)';
  if (file.startsWith('dist/') || file.startsWith('src/')) return `our code (${file.split('/')[1]})`;
  if (file.includes('node_modules/')) return `library: ${file.split('node_modules/').at(-1)!.split('/').slice(0, file.includes('node_modules/@') ? 2 : 1).join('/')}`;
  if (file.startsWith('node:')) return `Node.js (${file.slice(5).replace(/^internal\//, '').split('/')[0]})`;
  return frame.functionName ? `native: ${frame.functionName}` : 'other';
}

function top(map: Map<string, number>, total: number, count: number): CpuShare[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => ({ name, share: Math.round((time / total) * 1000) / 10 }));
}

/**
 * Self time per function from the first request on: the process's start (loading modules,
 * opening the store) is not what a request costs.
 */
export function summarize(profile: CpuProfile, count = 10): CpuSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const servesRequest = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url === 'node:_http_server') return true;
    }
    return false;
  };
  const firstRequest = profile.samples.findIndex(servesRequest);
  if (firstRequest < 0) throw new Error('the profile holds no request');
  const selfTime = new Map<number, number>();
  for (let i = firstRequest; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, time] of selfTime) {
    const frame = byId.get(id)!.callFrame;
    total += time;
    const part = partOf(frame);
    parts.set(part, (parts.get(part) ?? 0) + time);
    const name = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${where(frame.url)}:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + time);
  }
  return { parts: top(parts, total, count), functions: top(functions, total, count) };
}

/**
 * The summary of the one profile a process wrote into `dir`; with `pid`, the one that process
 * wrote (its children, forked with the same flags, write theirs there too).
 */
export async function summarizeDir(dir: string, count?: number, pid?: number): Promise<CpuSummary> {
  // Node names them CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile.
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile') && (pid === undefined || file.split('.')[3] === String(pid)));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile${pid === undefined ? '' : ` of process ${pid}`} in ${dir}, found ${files.length}`);
  return summarize(JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8')) as CpuProfile, count);
}
