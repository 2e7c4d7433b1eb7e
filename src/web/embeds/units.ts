/**
 * A download count as a badge writes it (`units`): with SI prefixes (`3.4G`, `1.2M`, `5.6k`),
 * with the short-scale abbreviations (`3.4B`, `1.2M`, `5.6K`), or whole (`3456789012`).
 */
import type { BadgeUnits } from '../../domain/api-parameters.js';

const SUFFIXES: Record<Exclude<BadgeUnits, 'none'>, readonly string[]> = {
  international_system: ['', 'k', 'M', 'G', 'T', 'P', 'E'],
  abbreviation: ['', 'K', 'M', 'B', 'T', 'Q'],
};

/**
 * Three significant figures at most, so a badge stays short: one decimal below 10 of a unit
 * (`1.2M`, and `1M` rather than `1.0M`), whole from 10 (`12M`, `123M`). A value that rounds up to
 * 1000 of a unit is written in the next one (`999,999` is `1M`, not `1000k`).
 */
export function formatDownloads(value: number, units: BadgeUnits): string {
  if (units === 'none' || value < 1000) return String(value);
  const suffixes = SUFFIXES[units];
  let unit = Math.min(Math.floor(Math.log10(value) / 3), suffixes.length - 1);
  for (;;) {
    const scaled = value / 1000 ** unit;
    const rounded = scaled < 10 ? Math.round(scaled * 10) / 10 : Math.round(scaled);
    if (rounded >= 1000 && unit < suffixes.length - 1) {
      unit++;
      continue;
    }
    return `${rounded}${suffixes[unit]}`;
  }
}
