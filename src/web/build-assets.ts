/**
 * `npm run build` runs this after tsc: bundles the browser code (uPlot included) and the styles
 * with esbuild, names every file by a hash of its content, and writes a brotli and a gzip copy
 * of each next to it, so the server sends them as they are, cached for a year.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ASSETS_DIR, MANIFEST_FILE, type AssetManifest } from './assets.js';
import { uplotLazyIntl } from './uplot-lazy-intl.js';

const clientDir = fileURLToPath(new URL('../../src/web/client/', import.meta.url));

/**
 * Entry points by the name pages ask for. The country map (world-atlas's shapes, d3-geo) is a
 * bundle of its own: the package page fetches it only when its country section is shown.
 */
const bundled = { 'package-page.js': 'package-page.ts', 'compare-page.js': 'compare-page.ts', 'country-map.js': 'country-map.ts', 'site.css': 'site.css' } as const;
/** Files served as they are. */
const copied = ['icon.svg'] as const;

function hashedName(name: string, content: Buffer): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const ext = path.extname(name);
  return `${path.basename(name, ext)}-${hash}${ext}`;
}

async function writeAsset(name: string, content: Buffer): Promise<string> {
  const file = hashedName(name, content);
  await writeFile(path.join(ASSETS_DIR, file), content);
  await writeFile(path.join(ASSETS_DIR, `${file}.br`), brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  await writeFile(path.join(ASSETS_DIR, `${file}.gz`), gzipSync(content, { level: 9 }));
  return file;
}

export async function buildAssets(): Promise<AssetManifest> {
  await rm(ASSETS_DIR, { recursive: true, force: true });
  await mkdir(ASSETS_DIR, { recursive: true });
  const manifest: Record<string, string> = {};
  for (const [name, entry] of Object.entries(bundled)) {
    const result = await build({
      entryPoints: [path.join(clientDir, entry)],
      bundle: true,
      minify: true,
      write: false,
      format: 'iife',
      target: ['chrome100', 'firefox100', 'safari15'],
      legalComments: 'none',
      outdir: ASSETS_DIR,
      logLevel: 'warning',
      plugins: entry === 'package-page.ts' || entry === 'compare-page.ts' ? [uplotLazyIntl] : [],
    });
    const output = result.outputFiles.find((file) => file.path.endsWith(path.extname(name)));
    if (!output) throw new Error(`esbuild gave no ${path.extname(name)} output for ${entry}`);
    manifest[name] = await writeAsset(name, Buffer.from(output.contents));
  }
  for (const name of copied) manifest[name] = await writeAsset(name, await readFile(path.join(clientDir, name)));
  await writeFile(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n');
  return manifest as AssetManifest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const manifest = await buildAssets();
  console.log(`assets: ${Object.values(manifest).join(', ')}`);
}
