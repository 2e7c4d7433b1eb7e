/** The order of a dimension's categories, as properties (fast-check): a total order, versions numerically, `null` last. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dimensionNamed, NULL_CATEGORY } from '../../src/domain/dimensions.js';

const RUNS = { numRuns: 2000 };
const compare = dimensionNamed('python_minor').compareCategories;

/** Categories as the sources make them: `major.minor` without leading zeros (cast through an integer), or `null`. */
const minor = fc.oneof(
  { weight: 9, arbitrary: fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 })).map(([major, minor]) => `${major}.${minor}`) },
  { weight: 1, arbitrary: fc.constant(NULL_CATEGORY) },
);

/** Written from the rule, not from the code: by major, then by minor, as numbers; `null` after every version. */
function referenceCompare(a: string, b: string): number {
  if (a === b) return 0;
  if (a === NULL_CATEGORY) return 1;
  if (b === NULL_CATEGORY) return -1;
  const [aMajor, aMinor] = a.split('.').map(Number) as [number, number];
  const [bMajor, bMinor] = b.split('.').map(Number) as [number, number];
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

describe('python_minor categories (properties)', () => {
  it('order as the reference does: 3.9 < 3.10 < 3.13, null last', () => {
    expect(['3.13', 'null', '3.10', '2.7', '3.9'].sort(compare)).toEqual(['2.7', '3.9', '3.10', '3.13', 'null']);
    fc.assert(
      fc.property(minor, minor, (a, b) => {
        expect(Math.sign(compare(a, b))).toBe(Math.sign(referenceCompare(a, b)));
      }),
      RUNS,
    );
  });

  it('form a total order: reflexive, antisymmetric, transitive, and equal only when the same', () => {
    fc.assert(
      fc.property(minor, minor, minor, (a, b, c) => {
        expect(compare(a, a)).toBe(0);
        expect(Math.sign(compare(a, b))).toBe(-Math.sign(compare(b, a)) || 0);
        if (compare(a, b) === 0) expect(a).toBe(b);
        if (compare(a, b) <= 0 && compare(b, c) <= 0) expect(compare(a, c)).toBeLessThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('sort any list the same whatever order it came in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(minor, { maxLength: 30 }).chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        const sorted = [...list].sort(compare);
        expect([...shuffled].sort(compare)).toEqual(sorted);
        if (sorted.includes(NULL_CATEGORY)) expect(sorted.at(-1)).toBe(NULL_CATEGORY);
      }),
      { numRuns: 500 },
    );
  });
});
