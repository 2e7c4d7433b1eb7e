/**
 * Where one page load's time went, from a Chromium performance trace: from navigation start to
 * a performance mark the page sets, the page's main thread split into HTML parse, script, style,
 * layout, paint, GC, Chromium's navigation commit and document loading, requesting the assets,
 * other work (messages, task overhead) and idle (waiting), next to when the document and its
 * assets arrived. Tracing slows the load down: the parts say where the
 * time goes, the untraced loads say how long it takes.
 */
import type { Browser } from 'playwright-core';

/** Light categories: enough for the main thread's tasks and what they did, not a CPU profile. */
const CATEGORIES = ['toplevel', 'devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading'];

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: { documentLoaderURL?: string; url?: string } };
}

export interface PageTrace {
  /** Navigation start to the mark, in ms. */
  ms: number;
  /** When each thing happened, in ms from navigation start. */
  milestones: { name: string; ms: number }[];
  /** The main thread's time from navigation start to the mark, by what it did, in ms. */
  parts: { name: string; ms: number }[];
}

const PARTS: [RegExp, string][] = [
  [/^ParseHTML$/, 'HTML parse'],
  [/^(MinorGC|MajorGC|V8\.GC|BlinkGC)/, 'GC'],
  [/^(EvaluateScript|v8\.|V8\.|FunctionCall|RunMicrotasks|EventDispatch|TimerFire|FireAnimationFrame|FireIdleCallback)/, 'script'],
  [/^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet)$/, 'style'],
  [/^Layout$/, 'layout'],
  [/^(PrePaint|Paint|PaintImage|Layerize|UpdateLayer|UpdateLayerTree|Commit|CompositeLayers|Decode Image)$/, 'paint'],
  // The parser's requests for the assets it found (styles, script, images).
  [/^HTMLDocumentParser::MaybeFetchQueuedPreloads$/, 'requesting assets'],
  [/^(DocumentLoader|NavigationBodyLoader|FrameLoader|LocalWindowProxy|RenderFrameImpl)::/, 'navigation commit and document loading'],
];

function partOf(name: string): string | null {
  for (const [pattern, part] of PARTS) if (pattern.test(name)) return part;
  return null;
}

/**
 * Self time of each part on one thread within [start, end]: time goes to the innermost event
 * that names a part, else to "other work" when some task runs, else to "idle".
 */
function splitThread(events: TraceEvent[], start: number, end: number): Map<string, number> {
  const sorted = events.filter((e) => e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const parts = new Map<string, number>();
  const stack: { end: number; part: string | null }[] = [];
  let cursor = start;
  const spend = (until: number) => {
    const from = Math.max(cursor, start);
    const to = Math.min(until, end);
    if (to > from) {
      const part = stack.length === 0 ? 'idle' : ([...stack].reverse().find((frame) => frame.part !== null)?.part ?? 'other work');
      parts.set(part, (parts.get(part) ?? 0) + (to - from));
    }
    cursor = Math.max(cursor, until);
  };
  for (const event of sorted) {
    while (stack.length > 0 && stack.at(-1)!.end <= event.ts) {
      spend(stack.at(-1)!.end);
      stack.pop();
    }
    spend(event.ts);
    stack.push({ end: event.ts + event.dur!, part: partOf(event.name) });
  }
  while (stack.length > 0) {
    spend(stack.at(-1)!.end);
    stack.pop();
  }
  spend(end);
  return parts;
}

/** One load of `url` in a fresh context of `browser`, traced until the page sets `mark`. */
export async function traceLoad(browser: Browser, url: string, mark: string, viewport = { width: 1280, height: 900 }): Promise<PageTrace> {
  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction((name) => performance.getEntriesByName(name).length === 1, mark);
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const assets = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => ({ name: new URL(r.name).pathname, end: r.responseEnd }));
      return { responseStart: nav.responseStart, responseEnd: nav.responseEnd, assets };
    });
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };

    const markEvent = traceEvents.find((e) => e.name === mark);
    const navigation = traceEvents
      .filter((e) => e.name === 'navigationStart' && e.pid === markEvent?.pid && e.args?.data?.documentLoaderURL === url)
      .at(-1);
    if (!markEvent || !navigation) throw new Error(`the trace of ${url} has no ${markEvent ? 'navigationStart' : mark}`);
    const start = navigation.ts;
    const end = markEvent.ts;
    const main = traceEvents.filter((e) => e.pid === markEvent.pid && e.tid === markEvent.tid);
    const ms = (microseconds: number) => Math.round(microseconds / 100) / 10;
    // The page's own script, not a script the driver runs in the page.
    const firstScript = main.find((e) => e.name === 'EvaluateScript' && e.ts >= start && new URL(e.args?.data?.url || 'about:blank', url).host === new URL(url).host);

    const milestones = [
      { name: 'the page’s first byte', ms: timing.responseStart },
      { name: 'the page received', ms: timing.responseEnd },
      ...timing.assets.filter((a) => /\.(css|js)$/.test(a.name)).map((a) => ({ name: `${a.name.endsWith('.css') ? 'styles' : 'script'} received`, ms: a.end })),
      ...(firstScript ? [{ name: 'script starts', ms: ms(firstScript.ts - start) }] : []),
    ].map((m) => ({ name: m.name, ms: Math.round(m.ms * 10) / 10 }));
    const parts = [...splitThread(main, start, end)].sort((a, b) => b[1] - a[1]).map(([name, value]) => ({ name, ms: ms(value) }));
    return { ms: ms(end - start), milestones, parts };
  } finally {
    await context.close();
  }
}
