/** Days and ranges of days as properties (fast-check): valid days round-trip, invalid ones are refused, ranges include both ends. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayFromNumber, dayNumber, dayRange, isDay, parseDay } from '../../src/domain/dates.js';

const RUNS = { numRuns: 2000 };

/** Day numbers of 1000-01-01 to 9999-12-31: every day a four-digit year can write. */
const FIRST = -354_285;
const LAST = 2_932_896;
const dayNumbers = fc.integer({ min: FIRST, max: LAST });

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The calendar's rule, written without Date. */
function referenceIsDay(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= lengths[month - 1]!;
}

const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
/** Day-shaped strings, valid or not (month 00-99, day 00-99). */
const dayShaped = fc.tuple(fc.integer({ min: 1000, max: 9999 }), twoDigits, twoDigits).map(([year, month, day]) => `${year}-${month}-${day}`);

describe('days (properties)', () => {
  it('round-trip: a day number gives a valid day that gives the number back', () => {
    fc.assert(
      fc.property(dayNumbers, (n) => {
        const day = dayFromNumber(n);
        expect(isDay(day)).toBe(true);
        expect(parseDay(day)).toBe(day);
        expect(dayNumber(day)).toBe(n);
      }),
      RUNS,
    );
  });

  it('are valid exactly when the calendar says so, and the invalid ones are refused with a message naming them', () => {
    fc.assert(
      fc.property(fc.oneof(dayShaped, fc.string({ maxLength: 12 })), (value) => {
        expect(isDay(value)).toBe(referenceIsDay(value));
        if (referenceIsDay(value)) expect(parseDay(value, '--date')).toBe(value);
        else expect(() => parseDay(value, '--date')).toThrow(`--date must be a date as YYYY-MM-DD, got "${value}"`);
      }),
      RUNS,
    );
  });

  it('move by addDays as their numbers do, and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -50_000, max: 50_000 }), (n, offset) => {
        const day = dayFromNumber(n);
        expect(dayNumber(addDays(day, offset))).toBe(n + offset);
        expect(addDays(addDays(day, offset), -offset)).toBe(day);
      }),
      RUNS,
    );
  });
});

describe('ranges of days (properties)', () => {
  it('include both ends and every day between, in order, once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 400 }), (start, length) => {
        const from = dayFromNumber(start);
        const to = dayFromNumber(start + length);
        const range = dayRange(from, to);
        expect(range).toHaveLength(length + 1);
        expect([range[0], range.at(-1)]).toEqual([from, to]);
        range.forEach((day, i) => expect(dayNumber(day)).toBe(start + i));
      }),
      { numRuns: 500 },
    );
  });

  it('are empty when the start is after the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 1, max: 400 }), (start, gap) => {
        expect(dayRange(dayFromNumber(start + gap), dayFromNumber(start))).toEqual([]);
      }),
      RUNS,
    );
  });
});
