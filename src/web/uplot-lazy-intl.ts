/**
 * An esbuild plugin for `npm run build`: uPlot builds two `Intl` objects when its module loads
 * (a number formatter for its default labels, a date formatter to read the local time zone). In a
 * fresh tab the first `Intl` object of a page costs 15–40 ms of ICU set-up, on the main thread,
 * before the first chart. The package page never uses either (its labels are formatted by its own
 * functions, its dates are UTC), so the bundle gets uPlot with both made on first use instead:
 * the same behaviour, without the cost at load. Each rewrite must match exactly once, so an uPlot
 * that changes these lines fails the build instead of being bundled unpatched.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

const REWRITES: [string, string][] = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
    "let numFormatter = null;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
  ],
  [
    'const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;',
    'let localTzName = null;\nconst localTz = () => (localTzName ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);',
  ],
  ['else if (tz == localTz)', 'else if (tz == localTz())'],
];

function rewrite(source: string, file: string): string {
  let result = source;
  for (const [from, to] of REWRITES) {
    const count = result.split(from).length - 1;
    if (count !== 1) throw new Error(`${file}: expected one \`${from.split('\n')[0]}\`, found ${count}: review src/web/uplot-lazy-intl.ts for this uPlot`);
    result = result.replace(from, to);
  }
  return result;
}

/** For the bundles that import uPlot: one that does not load uPlot's file fails the build. */
export const uplotLazyIntl: Plugin = {
  name: 'uplot-lazy-intl',
  setup(build) {
    let rewritten = false;
    build.onStart(() => {
      rewritten = false;
    });
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, async (args) => {
      rewritten = true;
      return { contents: rewrite(await readFile(args.path, 'utf8'), args.path), loader: 'js' };
    });
    build.onEnd((result) => {
      if (!rewritten && result.errors.length === 0) {
        throw new Error('uPlot was not loaded from dist/uPlot.esm.js: its Intl objects would be made as it loads');
      }
    });
  },
};
