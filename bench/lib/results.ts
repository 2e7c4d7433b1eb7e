/** Figures of one benchmark run, printed as they come and written with the machine they ran on. */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Figure {
  scenario: string;
  measure: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

export const figures: Figure[] = [];

export function record(figure: Figure): void {
  figures.push(figure);
  const target = figure.target ? ` (target ${figure.target}: ${figure.met ? 'met' : 'MISSED'})` : '';
  console.log(`${figure.scenario} | ${figure.measure}: ${figure.value} ${figure.unit}${target}`);
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function machine(root: string) {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    // Not a git checkout.
  }
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version, commit };
}

/** bench/RESULTS.md and bench/results.json (quick mode: RESULTS-quick.md, results-quick.json). */
export async function writeResults(root: string, mode: 'quick' | 'full', notes: string[]): Promise<string> {
  const info = { date: new Date().toISOString(), mode, ...machine(root) };
  const suffix = mode === 'quick' ? '-quick' : '';
  await writeFile(path.join(root, 'bench', `results${suffix}.json`), JSON.stringify({ ...info, notes, figures }, null, 2) + '\n');
  const lines = [
    `# Benchmark results (${mode} mode)`,
    '',
    `${info.date}, commit ${info.commit}, ${info.cpu} × ${info.cores} cores, ${info.memoryGb} GB, Node ${info.node}.`,
    ...notes,
    'Ratios come from one run; absolute figures drift between runs and machines.',
    '',
    '| scenario | measure | value | target |',
    '|---|---|---|---|',
    ...figures.map((f) => `| ${f.scenario} | ${f.measure} | ${f.value} ${f.unit} | ${f.target ? `${f.target}: ${f.met ? 'met' : '**missed**'}` : ''} |`),
    '',
  ];
  const file = path.join('bench', `RESULTS${suffix}.md`);
  await writeFile(path.join(root, file), lines.join('\n'));
  return file;
}
