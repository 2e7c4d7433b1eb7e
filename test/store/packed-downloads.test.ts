import { describe, expect, it } from 'vitest';
import { dayEntry, packDownloads, unpackDownloads, visitPackageDays, withoutDays } from '../../src/store/packed-downloads.js';

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

describe('blocks of packed days', () => {
  const block = Buffer.concat([
    dayEntry(20_000, packDownloads([1, 10, 2, 20, 5, 50])),
    dayEntry(-3, packDownloads([2, 7])),
    dayEntry(20_002, packDownloads([1, 2 ** 40, 9, 90])),
  ]);
  function visit(bytes: Uint8Array, from: number, to: number, maxCategoryId: number): number[][] {
    const seen: number[][] = [];
    visitPackageDays(bytes, from, to, maxCategoryId, (day, category, downloads) => seen.push([day, category, downloads]));
    return seen;
  }

  it('visits the entries of the days asked for, in stored order, up to a category id', () => {
    expect(visit(block, -(2 ** 31), 2 ** 31 - 1, Infinity)).toEqual([
      [20_000, 1, 10], [20_000, 2, 20], [20_000, 5, 50], [-3, 2, 7], [20_002, 1, 2 ** 40], [20_002, 9, 90],
    ]);
    expect(visit(block, 0, 20_001, Infinity)).toEqual([[20_000, 1, 10], [20_000, 2, 20], [20_000, 5, 50]]);
    expect(visit(block, -(2 ** 31), 2 ** 31 - 1, 2)).toEqual([[20_000, 1, 10], [20_000, 2, 20], [-3, 2, 7], [20_002, 1, 2 ** 40]]);
    expect(visit(Buffer.alloc(0), 0, 1, 1)).toEqual([]);
  });

  it('takes days out of a block and says which day is last of those left', () => {
    expect(withoutDays(block, 20_000, 20_001).lastDay).toBe(20_002);
    const left = withoutDays(block, 20_000, 20_001).days;
    expect(visit(left, -(2 ** 31), 2 ** 31 - 1, Infinity).map(([day]) => day)).toEqual([-3, 20_002, 20_002]);
    expect(withoutDays(block, 20_002, 20_002).lastDay).toBe(20_000);
    expect(withoutDays(block, -(2 ** 31), 2 ** 31 - 1)).toEqual({ days: Buffer.alloc(0), lastDay: null });
  });

  it('refuses an entry cut short', () => {
    expect(() => visit(block.subarray(0, block.length - 1), -(2 ** 31), 2 ** 31 - 1, Infinity)).toThrow('runs past the end of its block');
  });
});
