import { dimensions, optionalDimensions } from '../domain/dimensions.js';
import { ConfigError, type Env } from './parse.js';

/**
 * DIMENSIONS: the breakdowns this deployment computes, stores and serves, beyond the seed's four
 * (always on). Unset or `all`: every one; `none`: only the seed's; else a comma-separated list of
 * names. The result names every dimension on, the seed's included, in registry order: plain
 * strings, since a config crosses into the load worker's process.
 */
export function enabledDimensionNames(env: Env): string[] {
  const raw = env.DIMENSIONS?.trim().toLowerCase() ?? '';
  if (raw === '' || raw === 'all') return dimensions.map((dimension) => dimension.name);
  const asked = raw === 'none' ? [] : raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const known = new Set(dimensions.map((dimension) => dimension.name));
  const unknown = asked.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `DIMENSIONS names no dimension ${unknown.map((name) => `"${name}"`).join(', ')}: use all, none, or a comma-separated list of ${optionalDimensions.map((dimension) => dimension.name).join(', ')}`,
    );
  }
  const on = new Set(asked);
  return dimensions.filter((dimension) => dimension.seed || on.has(dimension.name)).map((dimension) => dimension.name);
}
