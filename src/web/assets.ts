/**
 * The browser assets `npm run build` writes (see build-assets.ts): where they are, and the URL of
 * each by the name pages ask for. The same path works from src/web (tests) and dist/web (the
 * built server): both are two levels under the project's root.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const ASSETS_DIR = fileURLToPath(new URL('../../dist/web/assets/', import.meta.url));
export const MANIFEST_FILE = fileURLToPath(new URL('../../dist/web/assets.json', import.meta.url));
/** The URL prefix the assets are served under. */
export const ASSETS_PREFIX = '/assets/';

export type AssetName = 'package-page.js' | 'compare-page.js' | 'country-map.js' | 'site.css' | 'icon.svg';
export type AssetManifest = Record<AssetName, string>;

export interface Assets {
  /** The content-hashed URL of an asset. */
  url(name: AssetName): string;
}

export async function loadAssets(manifestFile = MANIFEST_FILE): Promise<Assets> {
  let manifest: AssetManifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as AssetManifest;
  } catch (error) {
    throw new Error(`the website's assets are not built (${(error as Error).message}): run npm run build`);
  }
  return { url: (name) => ASSETS_PREFIX + manifest[name] };
}
