/** Package names as properties over generated names (fast-check), next to the examples of names.test.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPackageName, MAX_NAME_LENGTH, normalizeName } from '../../src/domain/names.js';

/** Bounded: a few thousand names in well under a second. */
const RUNS = { numRuns: 2000 };

/**
 * PEP 503 as the PEP writes it, `re.sub(r"[-_.]+", "-", name).lower()`, spelt out character by
 * character so it shares no code (and no regular expression) with the implementation.
 */
function referenceNormalize(name: string): string {
  let out = '';
  let inSeparatorRun = false;
  for (const char of name) {
    if (char === '-' || char === '_' || char === '.') {
      if (!inSeparatorRun) out += '-';
      inSeparatorRun = true;
    } else {
      out += char >= 'A' && char <= 'Z' ? char.toLowerCase() : char;
      inSeparatorRun = false;
    }
  }
  return out;
}

/** PEP 508 names: a letter or digit, then letters, digits and separators, ending in a letter or digit. */
const validName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,40}[A-Za-z0-9])?$/);
const separatorRun = fc.stringMatching(/^[-_.]{1,4}$/);

describe('package names (properties)', () => {
  it('normalize as the PEP 503 reference does, for any ASCII text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ09-_.~ Xy'.split('')), maxLength: 60 }), (name) => {
        expect(normalizeName(name)).toBe(referenceNormalize(name));
      }),
      RUNS,
    );
  });

  it('normalize idempotently', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (name) => {
        expect(normalizeName(normalizeName(name))).toBe(normalizeName(name));
      }),
      RUNS,
    );
  });

  it('normalize the same whatever the case of the letters', () => {
    fc.assert(
      fc.property(validName, fc.array(fc.boolean(), { maxLength: 42 }), (name, upper) => {
        const recased = [...name].map((char, i) => (upper[i] ? char.toUpperCase() : char.toLowerCase())).join('');
        expect(normalizeName(recased)).toBe(normalizeName(name));
      }),
      RUNS,
    );
  });

  it('normalize the same whatever run of separators stands between the parts', () => {
    const parts = fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(parts, fc.array(separatorRun, { minLength: 5, maxLength: 5 }), fc.array(separatorRun, { minLength: 5, maxLength: 5 }), (words, first, second) => {
        const join = (separators: string[]) => words.map((word, i) => (i === 0 ? word : separators[i - 1] + word)).join('');
        expect(normalizeName(join(first))).toBe(normalizeName(join(second)));
        expect(normalizeName(join(first))).toBe(words.join('-').toLowerCase());
      }),
      RUNS,
    );
  });

  it('check: a valid name is accepted, normalized, in the normal form and within the length limit', () => {
    fc.assert(
      fc.property(validName, (name) => {
        const check = checkPackageName(name);
        expect(check).toEqual({ ok: true, name: referenceNormalize(name) });
        if (check.ok) {
          expect(check.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
          expect(checkPackageName(check.name)).toEqual(check);
        }
      }),
      RUNS,
    );
  });

  it('check: a name with a character PEP 508 does not allow, or a separator at an end, is refused as invalid', () => {
    const bad = fc.oneof(
      fc.tuple(validName, fc.constantFrom(' ', '/', '%', '+', 'é', '\u0000', '?', '#'), validName).map(([a, char, b]) => a + char + b),
      fc.tuple(separatorRun, validName).map(([separators, name]) => separators + name),
      fc.tuple(validName, separatorRun).map(([name, separators]) => name + separators),
    );
    fc.assert(
      fc.property(bad, (name) => {
        expect(checkPackageName(name)).toEqual({ ok: false, reason: 'invalid' });
      }),
      RUNS,
    );
  });

  it(`check: a name longer than ${MAX_NAME_LENGTH} characters once normalized is refused as too long`, () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]+$/), fc.integer({ min: MAX_NAME_LENGTH + 1, max: MAX_NAME_LENGTH * 10 }), (seed, length) => {
        const name = seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
        expect(checkPackageName(name)).toEqual({ ok: false, reason: 'too_long' });
      }),
      { numRuns: 200 },
    );
  });
});
