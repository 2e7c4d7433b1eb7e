import { describe, expect, it } from 'vitest';
import { packDownloads, unpackDownloads } from '../../src/store/packed-downloads.js';

function unpack(blob: Uint8Array): number[] {
  const pairs: number[] = [];
  unpackDownloads(blob, (category, downloads) => pairs.push(category, downloads));
  return pairs;
}

describe('packed downloads', () => {
  it('round-trips pairs, sorted by category, small and past 2^31 and 2^53 - 1', () => {
    const pairs = [7, 1, 1, 0, 300, 127, 2, 128, 5, 2 ** 31 + 5, 9, 2 ** 40, 4, Number.MAX_SAFE_INTEGER];
    expect(unpack(packDownloads(pairs))).toEqual([1, 0, 2, 128, 4, Number.MAX_SAFE_INTEGER, 5, 2 ** 31 + 5, 7, 1, 9, 2 ** 40, 300, 127]);
  });

  it('spends one byte on a small id and a small count', () => {
    expect(packDownloads([3, 100]).length).toBe(2);
    expect(packDownloads([3, 100, 200, 20_000]).length).toBe(2 + 2 + 3);
    expect(unpack(packDownloads([]))).toEqual([]);
  });

  it('refuses negative, fractional and repeated values, and a truncated blob', () => {
    expect(() => packDownloads([1, -1])).toThrow('cannot pack -1');
    expect(() => packDownloads([1, 1.5])).toThrow('cannot pack 1.5');
    expect(() => packDownloads([1, 2, 1, 3])).toThrow('category 1 appears twice');
    expect(() => unpack(packDownloads([1, 300]).subarray(0, 2))).toThrow('ends in the middle of a number');
  });
});
