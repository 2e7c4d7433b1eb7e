/**
 * How a category looks in every chart of every page: its label, its colour, whether its line is
 * dashed. Defined here once, by dimension and category, so `3.12` or `linux` has the same colour
 * wherever it is drawn, and a category means what its dimension says: `2` is "Python 2" only in
 * `python_major`, and version `2` of a package is just `2`. The order of categories is the
 * registry's (`compareCategories`), not this file's.
 */
import { NULL_CATEGORY, WITH_MIRRORS, WITHOUT_MIRRORS } from '../domain/dimensions.js';
import { OTHERS, OTHERS_COLOUR } from './chart-settings.js';

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


type Named = Record<string, { label: string; colour: string }>;

/** Categories with a name of their own, by dimension: a dimension not listed has none. */
const NAMED_BY_DIMENSION: Record<string, Named> = {
  overall: {
    [WITH_MIRRORS]: { label: 'with mirrors', colour: '#f28e2b' },
    [WITHOUT_MIRRORS]: { label: 'without mirrors', colour: '#4e79a7' },
    [MIRRORS_ONLY]: { label: 'from mirrors', colour: '#e15759' },
  },
  python_major: {
    '2': { label: 'Python 2', colour: '#f28e2b' },
    '3': { label: 'Python 3', colour: '#4e79a7' },
  },
  python_minor: { '2.7': { label: '2.7', colour: '#8c6d31' } },
  system: {
    linux: { label: 'Linux', colour: '#f28e2b' },
    windows: { label: 'Windows', colour: '#4e79a7' },
    darwin: { label: 'macOS', colour: '#b07aa1' },
    other: { label: 'other', colour: '#499894' },
  },
  ci: {
    true: { label: 'CI', colour: '#e15759' },
    false: { label: 'not CI', colour: '#4e79a7' },
  },
  implementation: {
    cpython: { label: 'CPython', colour: '#4e79a7' },
    pypy: { label: 'PyPy', colour: '#f28e2b' },
  },
  libc: {
    glibc: { label: 'glibc', colour: '#4e79a7' },
    musl: { label: 'musl', colour: '#f28e2b' },
  },
  file_type: {
    bdist_wheel: { label: 'wheel', colour: '#4e79a7' },
    sdist: { label: 'sdist', colour: '#f28e2b' },
  },
};

/** Dimensions whose categories are Python versions: 3.N takes palette entry N (see PALETTE). */
const PYTHON_VERSION_DIMENSIONS = new Set(['python_major', 'python_minor']);

/** A stable index for a name nothing above foresaw, so it keeps its colour across pages too. */
function hashIndex(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash % PALETTE.length;
}

/**
 * The style of `category` in `dimension`. `othersLabel` names the fold of the smaller categories
 * ("others", "other versions"), when the category is OTHERS.
 */
export function categoryStyle(dimension: string, category: string, othersLabel = 'others'): CategoryStyle {
  if (category === NULL_CATEGORY) return { label: 'unknown', colour: UNKNOWN_COLOUR, dashed: true };
  if (category === OTHERS) return { label: othersLabel, colour: OTHERS_COLOUR, dashed: false };
  const named = NAMED_BY_DIMENSION[dimension]?.[category];
  if (named) return { ...named, dashed: false };
  if (PYTHON_VERSION_DIMENSIONS.has(dimension)) {
    const python3 = /^3\.(\d+)$/.exec(category);
    if (python3) return { label: category, colour: PALETTE[Number(python3[1]) % PALETTE.length]!, dashed: false };
  }
  return { label: category, colour: PALETTE[hashIndex(category)]!, dashed: false };
}

/** The colour of the `index`th of several things drawn together (the packages of /compare), distinct up to twelve. */
export function paletteColour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
