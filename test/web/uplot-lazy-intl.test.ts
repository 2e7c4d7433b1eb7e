import { runInNewContext } from 'node:vm';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { uplotLazyIntl } from '../../src/web/uplot-lazy-intl.js';

/** The installed uPlot, bundled as the package page's script bundles it, with or without the plugin. */
async function bundledUplot(plugins: Plugin[]): Promise<string> {
  const result = await build({
    stdin: { contents: "import uPlot from 'uplot'; globalThis.uPlot = uPlot;", resolveDir: process.cwd() },
    bundle: true,
    write: false,
    format: 'iife',
    logLevel: 'silent',
    plugins,
  });
  return result.outputFiles[0]!.text;
}

/** Runs `script` where every `Intl` object made is counted. */
function runCountingIntl(script: string) {
  const made: string[] = [];
  const counting = (name: 'NumberFormat' | 'DateTimeFormat') =>
    new Proxy(Intl[name], {
      construct(target, args) {
        made.push(name);
        return Reflect.construct(target, args);
      },
      apply(target, self, args) {
        made.push(name);
        return Reflect.apply(target, self, args);
      },
    });
  const context: Record<string, unknown> = { Intl: { NumberFormat: counting('NumberFormat'), DateTimeFormat: counting('DateTimeFormat') } };
  context.globalThis = context;
  runInNewContext(script, context);
  return { made, uPlot: context.uPlot as { fmtNum(value: number): string; tzDate(date: Date, tz: string): Date } };
}

describe('uPlot as the package page bundles it', () => {
  it('makes no Intl object when it loads, where uPlot as published makes two', async () => {
    expect(runCountingIntl(await bundledUplot([])).made).toEqual(['NumberFormat', 'DateTimeFormat']);
    expect(runCountingIntl(await bundledUplot([uplotLazyIntl])).made).toEqual([]);
  });

  it('still formats numbers and reads the local time zone, making each object on first use', async () => {
    const { made, uPlot } = runCountingIntl(await bundledUplot([uplotLazyIntl]));
    expect(uPlot.fmtNum(1234567)).toBe('1,234,567');
    expect(uPlot.fmtNum(89)).toBe('89');
    expect(made).toEqual(['NumberFormat']);
    // A zone other than UTC is compared with the local one before it is converted to.
    const noon = new Date('2026-11-24T12:00:00Z');
    const inTokyo = uPlot.tzDate(noon, 'Asia/Tokyo');
    expect([inTokyo.getHours(), inTokyo.getMinutes()]).toEqual([21, 0]);
    expect(made).toEqual(['NumberFormat', 'DateTimeFormat']);
  });

  it('fails the build of a bundle that does not load uPlot from the file it rewrites', async () => {
    await expect(
      build({ stdin: { contents: 'export const x = 1;' }, bundle: true, write: false, logLevel: 'silent', plugins: [uplotLazyIntl] }),
    ).rejects.toThrow(/uPlot was not loaded/);
  });
});
