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

export function unpackDownloads(blob: Uint8Array, visit: (categoryId: number, downloads: number) => void): void {
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
    visit(category, read());
  }
}
