/** Figures of one benchmark run, printed as they come and written with the machine they ran on. */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BREAKDOWNS_DAY_NOTE } from '../pypi-breakdowns.js';

export interface Figure {
  scenario: string;
  measure: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
}

export const figures: Figure[] = [];

/** Scenarios this machine cannot run (no PostgreSQL, no Chromium), each with what would run it. */
export const skipped: string[] = [];

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

/** The `--only` name of the scenario a figure belongs to. */
export function groupOf(scenario: string): string {
  if (scenario.startsWith('first start')) return 'first-start';
  if (scenario.startsWith('package page')) return 'pages';
  if (scenario.startsWith('page cache')) return 'page-cache';
  if (scenario.startsWith('ingestion')) return 'ingestion';
  if (scenario.startsWith('access log')) return 'access-log';
  if (scenario.startsWith('store at PyPI scale (PostgreSQL)')) return 'store-scale-postgres';
  if (scenario.startsWith('store at PyPI scale')) return 'store-scale';
  if (/^API, \d+ PyPI-sized days/.test(scenario)) return 'api-scale';
  if (scenario.startsWith('every breakdown')) return 'breakdowns';
  if (scenario.startsWith('breakdown layouts')) return 'breakdown-layouts';
  if (scenario.startsWith('serve during a load')) return 'serve-during-load';
  if (scenario.startsWith('badges and shields')) return 'embeds';
  if (scenario.startsWith('top lists')) return 'top-lists';
  if (scenario.startsWith('compare page')) return 'compare-page';
  if (scenario.startsWith('months kept forever')) return 'months';
  return 'api';
}

interface Run {
  date: string;
  commit: string;
  notes: string[];
}

interface SavedFigure extends Figure {
  run: Run;
}

/**
 * bench/RESULTS.md and bench/results.json (quick mode: RESULTS-quick.md, results-quick.json). A
 * full run of some scenarios (`--only`) replaces those scenarios' figures and keeps the others',
 * each with the run it came from: every ratio is still measured within one run.
 */
export async function writeResults(root: string, mode: 'quick' | 'full', notes: string[], partial: boolean): Promise<string> {
  const info = { mode, ...machine(root) };
  const run: Run = { date: new Date().toISOString(), commit: info.commit, notes };
  const suffix = mode === 'quick' ? '-quick' : '';
  const json = path.join(root, 'bench', `results${suffix}.json`);
  let kept: SavedFigure[] = [];
  if (partial && mode === 'full') {
    const previous = JSON.parse(await readFile(json, 'utf8').catch(() => '{"figures": []}')) as { figures: SavedFigure[]; date?: string; commit?: string; notes?: string[] };
    const ran = new Set(figures.map((f) => groupOf(f.scenario)));
    const fallback: Run = { date: previous.date ?? 'unknown', commit: previous.commit ?? 'unknown', notes: previous.notes ?? [] };
    kept = previous.figures.filter((f) => !ran.has(groupOf(f.scenario))).map((f) => ({ ...f, run: f.run ?? fallback }));
  }
  const order = ['first-start', 'api', 'embeds', 'top-lists', 'compare-page', 'page-cache', 'pages', 'ingestion', 'access-log', 'store-scale-postgres', 'store-scale', 'api-scale', 'breakdowns', 'breakdown-layouts', 'serve-during-load'];
  const rank = (f: Figure) => order.indexOf(groupOf(f.scenario));
  // A stable sort: within a scenario, figures keep the order they were measured in.
  const all: SavedFigure[] = [...kept, ...figures.map((f) => ({ ...f, run }))].sort((a, b) => rank(a) - rank(b));
  await writeFile(json, JSON.stringify({ ...info, figures: all }, null, 2) + '\n');
  const runs = [...new Map(all.map((f) => [f.run.date, f.run])).values()];
  const lines = [
    `# Benchmark results (${mode} mode)`,
    '',
    `${info.cpu} × ${info.cores} cores, ${info.memoryGb} GB, Node ${info.node}. Ratios come from one run; absolute figures drift between runs and machines.`,
    'What bounds each figure, and why a missed target is missed, with the profiles behind it: [ANALYSIS.md](ANALYSIS.md).',
    '',
    ...runs.flatMap((r) => [
      `- Run of ${r.date} at commit ${r.commit}: ${[...new Set(all.filter((f) => f.run.date === r.date).map((f) => groupOf(f.scenario)))].join(', ')}. ${r.notes.join(' ')}`,
    ]),
    '',
    '| scenario | measure | value | target |',
    '|---|---|---|---|',
    ...all.map((f) => `| ${f.scenario} | ${f.measure} | ${f.value} ${f.unit} | ${f.target ? `${f.target}: ${f.met ? 'met' : '**missed**'}` : ''} |`),
    '',
    '## Notes on the data',
    '',
    `- ${BREAKDOWNS_DAY_NOTE}`,
    '',
  ];
  const file = path.join('bench', `RESULTS${suffix}.md`);
  await writeFile(path.join(root, file), lines.join('\n'));
  return file;
}
