/**
 * A package's downloads on one day, every category of every dimension, packed into one blob:
 * (category id, downloads) pairs as unsigned LEB128 varints, category ids ascending. A category
 * costs 2–5 bytes instead of a row of its own.
 */

function writeVarint(bytes: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`cannot pack ${value}: downloads and ids are whole numbers ≥ 0`);
  // Division, not bit shifts: counts may pass 2^31.
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
}

/** `pairs` is flat: category id, downloads, category id, downloads, … in any order. */
export function packDownloads(pairs: readonly number[]): Buffer {
  const order = Array.from({ length: pairs.length / 2 }, (_, i) => i).sort((a, b) => pairs[2 * a]! - pairs[2 * b]!);
  const bytes: number[] = [];
  let previous = -1;
  for (const i of order) {
    const category = pairs[2 * i]!;
    if (category === previous) throw new Error(`category ${category} appears twice for one package and day`);
    previous = category;
    writeVarint(bytes, category);
    writeVarint(bytes, pairs[2 * i + 1]!);
  }
  return Buffer.from(bytes);
}

/**
 * The (category id, downloads) pairs of a packed blob; with `maxId`, only those up to it (ids
 * ascend, so the walk stops there).
 */
export function unpackDownloads(blob: Uint8Array, visit: (categoryId: number, downloads: number) => void, maxId = Number.POSITIVE_INFINITY): void {
  let offset = 0;
  const read = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = blob[offset++];
      if (byte === undefined) throw new Error('a packed downloads blob ends in the middle of a number');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  while (offset < blob.length) {
    const category = read();
    if (category > maxId) return;
    visit(category, read());
  }
}

/** Days per block of a package's days (both stores keep a row per package and block): a block is `day >> BLOCK_BITS`. */
export const BLOCK_BITS = 5;

/**
 * One day of a package as an entry of its block: the day number (int32, big-endian), the packed
 * blob's length (uint32), then the blob. A block's value is its entries one after another, in the
 * order the days were loaded, so a day is appended without reading the others.
 */
export function dayEntry(day: number, packed: Uint8Array): Buffer {
  const entry = Buffer.allocUnsafe(8 + packed.length);
  entry.writeInt32BE(day, 0);
  entry.writeUInt32BE(packed.length, 4);
  entry.set(packed, 8);
  return entry;
}

/**
 * A block's value without its entries of the days `from` to `to`, and the last day it still
 * holds (null when it holds none): what replacing a day, or writing one before the first, leaves.
 */
export function withoutDays(block: Uint8Array, from: number, to: number): { days: Buffer; lastDay: number | null } {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  const kept: Buffer[] = [];
  let lastDay: number | null = null;
  for (let offset = 0; offset < bytes.length; ) {
    const day = bytes.readInt32BE(offset);
    const end = offset + 8 + bytes.readUInt32BE(offset + 4);
    if (day < from || day > to) {
      kept.push(bytes.subarray(offset, end));
      if (lastDay === null || day > lastDay) lastDay = day;
    }
    offset = end;
  }
  return { days: Buffer.concat(kept), lastDay };
}

/** The packed blob of `day`'s entry in a block's value; null when the block holds no entry of it. */
export function entryOfDay(block: Uint8Array, day: number): Buffer | null {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset + 4);
    if (bytes.readInt32BE(offset) === day) return bytes.subarray(offset + 8, offset + 8 + length);
    offset += 8 + length;
  }
  return null;
}

/**
 * Visits the (day, category id, downloads) of a block's entries of the days `from` to `to`, for
 * category ids up to `maxCategoryId`: an entry of another day is skipped whole, and a day's blob
 * is left at its first id past `maxCategoryId` (ids ascend), so a reader of one dimension decodes
 * little more than that dimension. The varint loop is unpackDownloads' written again inline:
 * through a shared function taking a callback per day, a cold series took 70% longer.
 */
export function visitPackageDays(
  bytes: Uint8Array | null,
  from: number,
  to: number,
  maxCategoryId: number,
  visit: (day: number, categoryId: number, downloads: number) => void,
): void {
  if (!bytes) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const read = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[offset++];
      if (byte === undefined) throw new Error('a packed downloads blob ends in the middle of a number');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  while (offset < bytes.length) {
    const day = view.getInt32(offset);
    const end = offset + 8 + view.getUint32(offset + 4);
    if (end > bytes.length) throw new Error('a packed days entry runs past the end of its block');
    offset += 8;
    if (day >= from && day <= to) {
      while (offset < end) {
        const category = read();
        if (category > maxCategoryId) break;
        visit(day, category, read());
      }
    }
    offset = end;
  }
}
