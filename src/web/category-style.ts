/**
 * How a category looks in every chart of every page: its label, its colour, whether its line is
 * dashed. Defined here once, by category, so `3.12` or `linux` has the same colour wherever it is
 * drawn. The order of categories is the registry's (`compareCategories`), not this file's.
 */
import { NULL_CATEGORY, WITH_MIRRORS, WITHOUT_MIRRORS } from '../domain/dimensions.js';

/** The part of `with_mirrors` that came from mirrors, as the shares of the overall chart show it. */
export const MIRRORS_ONLY = 'mirrors';

export interface CategoryStyle {
  label: string;
  colour: string;
  /** Unknown categories are dashed, so they never read as one more real value. */
  dashed: boolean;
}

/**
 * Chosen to read on light and dark backgrounds alike. Python 3.N takes entry N % 12, so the ten
 * minor versions in use at any time (3.6 to 3.15) all differ.
 */
const PALETTE = [
  '#4e79a7', // blue
  '#f28e2b', // orange
  '#e15759', // red
  '#499894', // teal
  '#59a14f', // green
  '#c9a227', // gold
  '#b07aa1', // purple
  '#e377c2', // pink
  '#9c755f', // brown
  '#17becf', // cyan
  '#bcbd22', // olive
  '#6b6ecf', // indigo
] as const;

const UNKNOWN_COLOUR = '#9aa0a6';

const NAMED: Record<string, { label: string; colour: string }> = {
  [WITH_MIRRORS]: { label: 'with mirrors', colour: '#f28e2b' },
  [WITHOUT_MIRRORS]: { label: 'without mirrors', colour: '#4e79a7' },
  [MIRRORS_ONLY]: { label: 'from mirrors', colour: '#e15759' },
  '2': { label: 'Python 2', colour: '#f28e2b' },
  '3': { label: 'Python 3', colour: '#4e79a7' },
  '2.7': { label: '2.7', colour: '#8c6d31' },
  linux: { label: 'Linux', colour: '#f28e2b' },
  windows: { label: 'Windows', colour: '#4e79a7' },
  darwin: { label: 'macOS', colour: '#b07aa1' },
  other: { label: 'other', colour: '#499894' },
};

/** A stable index for a name nothing above foresaw, so it keeps its colour across pages too. */
function hashIndex(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash % PALETTE.length;
}

export function categoryStyle(category: string): CategoryStyle {
  if (category === NULL_CATEGORY) return { label: 'unknown', colour: UNKNOWN_COLOUR, dashed: true };
  const named = NAMED[category];
  if (named) return { ...named, dashed: false };
  const python3 = /^3\.(\d+)$/.exec(category);
  if (python3) return { label: category, colour: PALETTE[Number(python3[1]) % PALETTE.length]!, dashed: false };
  return { label: category, colour: PALETTE[hashIndex(category)]!, dashed: false };
}
