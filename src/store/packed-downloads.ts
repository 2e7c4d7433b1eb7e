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

/**
 * A package's days in one piece, as both stores read them with a single SQL aggregate: per day,
 * the day number (4 bytes), the blob's length (4 bytes), then the blob. One value from the
 * database instead of one per day is most of what a series (a crawler's cold read) costs.
 * SQLite builds the entries from its rows (a row per package and day); PostgreSQL stores them
 * so already, several days to a row (see postgres/migrations.ts), and only joins its rows.
 */
export const PACKAGE_DAYS_SQL = {
  sqlite: `group_concat(printf('%08x%08x', day & 4294967295, length(downloads)) || hex(downloads), '')`,
  postgres: `string_agg(encode(days, 'hex'), '')`,
} as const;

/**
 * Visits every (day, category id, downloads) of PACKAGE_DAYS_SQL's value, given as hex. The
 * varint loop is unpackDownloads' written again inline: through a shared function taking a
 * callback per day, a cold series took 70% longer.
 */
export function visitPackageDays(hex: string | null, visit: (day: number, categoryId: number, downloads: number) => void): void {
  if (!hex) return;
  const bytes = Buffer.from(hex, 'hex');
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
    const day = bytes.readInt32BE(offset);
    const end = offset + 8 + bytes.readUInt32BE(offset + 4);
    offset += 8;
    while (offset < end) {
      const category = read();
      visit(day, category, read());
    }
  }
}
