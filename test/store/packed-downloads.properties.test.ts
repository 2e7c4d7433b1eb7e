/** The packed format as properties (fast-check): any counts, any category ids, round-trip. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packDownloads, unpackDownloads } from '../../src/store/packed-downloads.js';

function unpack(blob: Uint8Array): [number, number][] {
  const pairs: [number, number][] = [];
  unpackDownloads(blob, (category, downloads) => pairs.push([category, downloads]));
  return pairs;
}

/** Counts past 2^31 and 2^32 (a popular package's month, `__all__`'s day) up to the largest exact integer. */
const count = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.maxSafeNat(), fc.integer({ min: 2 ** 31 - 2, max: 2 ** 32 + 2 }));
/** Sparse: ids far apart as well as neighbours, as categories added over years of loads are. */
const categoryId = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
const day = fc.uniqueArray(fc.tuple(categoryId, count), { selector: ([id]) => id, maxLength: 60 });

describe('packed downloads (properties)', () => {
  it('round-trip any categories and counts, ids ascending whatever order they came in', () => {
    fc.assert(
      fc.property(day, (pairs) => {
        const blob = packDownloads(pairs.flat());
        expect(unpack(blob)).toEqual([...pairs].sort((a, b) => a[0] - b[0]));
      }),
      { numRuns: 2000 },
    );
  });

  it('cost at most 16 bytes a category (two varints of at most 8 bytes each below 2^53)', () => {
    fc.assert(
      fc.property(day, (pairs) => {
        expect(packDownloads(pairs.flat()).length).toBeLessThanOrEqual(16 * pairs.length);
      }),
      { numRuns: 500 },
    );
  });

  it('refuse a category twice, a negative count, a fraction or a count past 2^53', () => {
    fc.assert(
      fc.property(categoryId, count, count, (id, a, b) => {
        expect(() => packDownloads([id, a, id, b])).toThrow(`category ${id} appears twice`);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(categoryId, fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.01, max: 1e6, noInteger: true }), fc.constant(2 ** 53 + 2)), (id, bad) => {
        expect(() => packDownloads([id, bad])).toThrow(/cannot pack .*: downloads and ids are whole numbers ≥ 0/);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse a blob cut in the middle of a number', () => {
    fc.assert(
      fc.property(fc.tuple(categoryId, fc.integer({ min: 128, max: Number.MAX_SAFE_INTEGER })), ([id, downloads]) => {
        const blob = packDownloads([id, downloads]);
        expect(() => unpack(blob.subarray(0, blob.length - 1))).toThrow('a packed downloads blob ends in the middle of a number');
      }),
      { numRuns: 300 },
    );
  });
});
