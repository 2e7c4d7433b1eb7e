/**
 * Package names as PyPI knows them: PEP 503 normalization and PEP 508 validity.
 * The same rules run in JavaScript (API input) and in SQL (raw events), so both are built from
 * the constants below.
 */

export const ALL_PACKAGES = '__all__';
export const MAX_NAME_LENGTH = 128;

/** PEP 508: letters, digits, `.`, `_`, `-`; starting and ending with a letter or digit. */
export const VALID_NAME_PATTERN = '[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?';
/** PEP 503: every run of these characters becomes one `-`. */
export const SEPARATOR_RUN_PATTERN = '[-_.]+';

const validName = new RegExp(`^${VALID_NAME_PATTERN}$`);
const separatorRun = new RegExp(SEPARATOR_RUN_PATTERN, 'g');

export function normalizeName(raw: string): string {
  return raw.replace(separatorRun, '-').toLowerCase();
}

export type NameCheck =
  | { ok: true; name: string }
  | { ok: false; reason: 'empty' | 'too_long' | 'invalid' };

/**
 * Checks a requested package name and returns its normalized form. `__all__` is never normalized,
 * and is case-insensitive like every other name (`__ALL__` is `__all__`).
 */
export function checkPackageName(raw: string): NameCheck {
  if (raw.length === ALL_PACKAGES.length && raw.toLowerCase() === ALL_PACKAGES) return { ok: true, name: ALL_PACKAGES };
  if (raw.length === 0) return { ok: false, reason: 'empty' };
  // Checked before the pattern so a huge name costs no regex work.
  if (raw.length > MAX_NAME_LENGTH * 8) return { ok: false, reason: 'too_long' };
  if (!validName.test(raw)) return { ok: false, reason: 'invalid' };
  const name = normalizeName(raw);
  if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: 'too_long' };
  return { ok: true, name };
}

export function describeNameProblem(reason: 'empty' | 'too_long' | 'invalid'): string {
  switch (reason) {
    case 'empty':
      return 'the package name is empty';
    case 'too_long':
      return `the package name is longer than ${MAX_NAME_LENGTH} characters`;
    case 'invalid':
      return 'the package name is not a valid PyPI project name (letters, digits, ".", "_" and "-", starting and ending with a letter or digit)';
  }
}
