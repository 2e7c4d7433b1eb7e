/**
 * HTTP load as PERFORMANCE.md measures it: wrk (Debian's package), 2 threads, 50 connections,
 * after a warm-up. Without wrk, autocannon (slower, so its figures are not comparable).
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { round } from './results.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** The longest wait of any request. */
  max: number;
  errors: number;
  requests: number;
}

export const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary means no wrk.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

export const loadGenerator = hasWrk
  ? 'wrk -t2 -c50 --latency'
  : 'autocannon, 50 connections (install Debian\'s wrk for figures comparable to PERFORMANCE.md)';

function wrkMs(text: string, label: string): number {
  const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
  if (!match) throw new Error(`no ${label} in wrk's output:\n${text}`);
  return round(Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's']);
}

function parseWrk(text: string): LoadResult {
  const socketErrors = (/Socket errors:(.*)/.exec(text)?.[1] ?? '').match(/\d+/g) ?? [];
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1])),
    p50: wrkMs(text, '50%'),
    p99: wrkMs(text, '99%'),
    // Thread Stats' Latency line: average, stdev, max.
    max: wrkMs(text, 'Latency\\s+[\\d.]+\\w+\\s+[\\d.]+\\w+'),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0) + socketErrors.reduce((sum, n) => sum + Number(n), 0),
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? 0),
  };
}

function fromAutocannon(result: autocannon.Result): LoadResult {
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.non2xx,
    requests: result.requests.total,
  };
}

/** One URL over and over: the warm path; `headers` go with every request (`accept-encoding`, say). */
export async function hammer(url: string, seconds: number, warmUpSeconds = 3, headers: Record<string, string> = {}): Promise<LoadResult> {
  if (hasWrk) {
    const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    const run = (duration: number) => execFileSync('wrk', ['-t2', '-c50', `-d${duration}s`, '--latency', ...headerArgs, url]).toString();
    run(warmUpSeconds);
    return parseWrk(run(seconds));
  }
  await autocannon({ url, connections: 50, duration: warmUpSeconds, headers });
  const result = await autocannon({ url, connections: 50, duration: seconds, headers });
  return fromAutocannon(result);
}

/**
 * A crawler walking every package once: `/api/packages/<prefix><n><suffix>` for n = 1 … count,
 * each requested once (the cold path: nothing of it is cached yet).
 */
export async function crawl(base: string, prefix: string, suffix: string, count: number, seconds: number): Promise<LoadResult> {
  if (hasWrk) {
    // Each wrk thread walks its own half of the names, once.
    const script = path.join(os.tmpdir(), `pypistats-crawl-${process.pid}.lua`);
    writeFileSync(
      script,
      `local counter = 0
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local n = (counter - 1) * 2 + id + 1
  if n > ${count} then n = ((n - 1) % ${count}) + 1 end
  return wrk.format(nil, "${prefix}" .. n .. "${suffix}")
end`,
    );
    return parseWrk(execFileSync('wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', '-s', script, base]).toString());
  }
  let n = 0;
  const result = await autocannon({
    url: base,
    connections: 50,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, path: `${prefix}${(n++ % count) + 1}${suffix}` }) }],
  });
  return fromAutocannon(result);
}

/** A mix of warm and cold requests: every other request is the next of `warm` (cached answers), the others a crawler's. */
export interface TrafficMix {
  warm: readonly string[];
  /** The crawler asks for `<coldPrefix><n><coldSuffix>`, n = coldStart, coldStart + 1, …, wrapping after coldCount. */
  coldPrefix: string;
  coldSuffix: string;
  coldStart: number;
  coldCount: number;
}

export interface RunningTraffic {
  /** Stops the traffic now (or returns its figures once it has run its time). */
  stop(): Promise<LoadResult>;
  /** Its figures once it has run its time. */
  finished: Promise<LoadResult>;
}

/**
 * Starts `mix` under 50 connections for at most `seconds`; stop() ends it early, so a run can
 * last exactly as long as something it watches (wrk prints its figures on SIGINT).
 */
export function startTraffic(base: string, mix: TrafficMix, seconds: number): RunningTraffic {
  if (hasWrk) {
    const script = path.join(os.tmpdir(), `pypistats-traffic-${process.pid}-${mix.coldStart}.lua`);
    const warm = mix.warm.map((url) => JSON.stringify(url)).join(', ');
    writeFileSync(
      script,
      `local counter = 0
local threads = {}
local warm = { ${warm} }
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  if counter % 2 == 0 then
    return wrk.format(nil, warm[((counter / 2 + id) % #warm) + 1])
  end
  -- Each wrk thread walks its own half of the names, once.
  local n = math.floor((counter - 1) / 2) * 2 + id + ${mix.coldStart}
  n = ((n - 1) % ${mix.coldCount}) + 1
  return wrk.format(nil, "${mix.coldPrefix}" .. n .. "${mix.coldSuffix}")
end`,
    );
    const child = spawn('wrk', ['-t2', '-c50', `-d${Math.ceil(seconds)}s`, '--latency', '-s', script, base], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    const finished = new Promise<LoadResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => {
        try {
          resolve(parseWrk(output));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    return {
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        return finished;
      },
      finished,
    };
  }
  let counter = 0;
  let resolveResult!: (result: LoadResult) => void;
  let rejectResult!: (error: Error) => void;
  const finished = new Promise<LoadResult>((resolve, reject) => ((resolveResult = resolve), (rejectResult = reject)));
  const instance = autocannon(
    {
      url: base,
      connections: 50,
      duration: seconds,
      requests: [
        {
          setupRequest: (request) => {
            counter++;
            const cold = ((Math.floor(counter / 2) + mix.coldStart - 1) % mix.coldCount) + 1;
            return { ...request, path: counter % 2 === 0 ? mix.warm[(counter / 2) % mix.warm.length]! : `${mix.coldPrefix}${cold}${mix.coldSuffix}` };
          },
        },
      ],
    },
    (error, result) => (error ? rejectResult(error as Error) : resolveResult(fromAutocannon(result))),
  );
  return {
    stop: () => {
      instance.stop();
      return finished;
    },
    finished,
  };
}
