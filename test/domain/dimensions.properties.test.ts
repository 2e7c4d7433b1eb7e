/**
 * The order of a dimension's categories, as properties (fast-check): a total order, Python
 * versions numerically, package versions as PEP 440 says with what it cannot parse after them,
 * `null` last.
 */
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

const compareVersion = dimensionNamed('version').compareCategories;

/** Final releases `N(.N)*`: PEP 440 orders them part by part as numbers, a missing part as 0. */
const release = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
/** What PyPI's file names carry: releases with pre-, post- and dev-release parts, and strings PEP 440 cannot parse. */
const packageVersion = fc.oneof(
  { weight: 4, arbitrary: release },
  {
    weight: 3,
    arbitrary: fc
      .tuple(release, fc.constantFrom('', 'a1', 'b2', 'rc1', 'rc10', '.post1', '.dev0', 'rc1.dev3', '+local.1'))
      .map(([base, suffix]) => `${base}${suffix}`),
  },
  { weight: 2, arbitrary: fc.constantFrom('unknown', 'latest', 'dev-master', '1.0-SNAPSHOT', '2.x', 'v', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constant(NULL_CATEGORY) },
);

/** Written from PEP 440's rule for final releases, not from the code. */
function releaseCompare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

describe('package version categories (properties)', () => {
  it('order final releases part by part as numbers, a release after its pre-releases, and 1.0 and 1.0.0 apart but side by side', () => {
    expect(['2.0', '1.10', 'null', 'garbage', '1.9', '2.0rc1', '1.0.0', '1.0'].sort(compareVersion)).toEqual(['1.0', '1.0.0', '1.9', '1.10', '2.0rc1', '2.0', 'garbage', 'null']);
    fc.assert(
      fc.property(release, release, (a, b) => {
        const reference = releaseCompare(a, b);
        if (reference !== 0) expect(Math.sign(compareVersion(a, b))).toBe(Math.sign(reference));
        else expect(Math.sign(compareVersion(a, b))).toBe(a === b ? 0 : a < b ? -1 : 1);
        expect(compareVersion(`${a}rc1`, a)).toBeLessThan(0);
        expect(compareVersion(a, `${a}.post1`)).toBeLessThan(0);
      }),
      RUNS,
    );
  });

  it('form a total order over anything logged: equal only when the same, null last', () => {
    fc.assert(
      fc.property(packageVersion, packageVersion, packageVersion, (a, b, c) => {
        expect(compareVersion(a, a)).toBe(0);
        expect(Math.sign(compareVersion(a, b))).toBe(-Math.sign(compareVersion(b, a)) || 0);
        if (compareVersion(a, b) === 0) expect(a).toBe(b);
        if (compareVersion(a, b) <= 0 && compareVersion(b, c) <= 0) expect(compareVersion(a, c)).toBeLessThanOrEqual(0);
        if (b === NULL_CATEGORY && a !== NULL_CATEGORY) expect(compareVersion(a, b)).toBeLessThan(0);
      }),
      RUNS,
    );
  });

  it('sort any list the same whatever order it came in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(packageVersion, { maxLength: 30 }).chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))),
        ([list, shuffled]) => {
          expect([...shuffled].sort(compareVersion)).toEqual([...list].sort(compareVersion));
        },
      ),
      { numRuns: 500 },
    );
  });
});
