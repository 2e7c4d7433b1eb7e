/**
 * `requires_dist` entries (PEP 508 dependency specifiers) parsed for the package page, and split
 * into what installs with the package and what installs only with an extra.
 *
 * A malformed entry is left out of both lists (and reported in `malformed`): its name cannot be
 * trusted as a link, nor its marker as a grouping, and one bad entry must not cost the page.
 */
import { canHoldWithExtra, extrasCompared, MarkerSyntaxError, normalizeExtra, parseMarker, type Marker } from './markers.js';
import type { PackageMetadata, Requirement } from './package-metadata.js';
import { normalizeName } from './names.js';

export type RequirementParse =
  | { ok: true; requirement: Requirement; marker: Marker | null }
  | { ok: false; text: string; problem: string };

export type Dependencies = Pick<PackageMetadata, 'required' | 'optional'> & {
  /** Entries that are not PEP 508 specifiers, as given. */
  malformed: string[];
};

class RequirementSyntaxError extends Error {}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const IDENTIFIER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const VERSION_CLAUSE = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*$/;

/**
 * One entry. `specifier` holds the version clauses without parentheses or spaces (`requests
 * (>= 2.0, <3)` → `>=2.0,<3`), or for a URL requirement the URL as `@ https://…`.
 */
export function parseRequirement(text: string): RequirementParse {
  try {
    return { ok: true, ...parse(text) };
  } catch (error) {
    if (error instanceof RequirementSyntaxError || error instanceof MarkerSyntaxError) {
      return { ok: false, text, problem: error.message };
    }
    throw error;
  }
}

function parse(text: string): { requirement: Requirement; marker: Marker | null } {
  let rest = text.trim();
  const name = NAME.exec(rest)?.[0];
  if (!name) throw new RequirementSyntaxError('does not start with a project name');
  rest = rest.slice(name.length).trimStart();

  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw new RequirementSyntaxError('missing "]" after the extras');
    extras = parseExtras(rest.slice(1, end));
    rest = rest.slice(end + 1).trimStart();
  }

  let specifier = '';
  if (rest.startsWith('@')) {
    // PEP 508: the URL runs to the first whitespace, so a marker must be set apart by it.
    const url = /^@\s*(\S+)/.exec(rest)?.[1];
    if (!url) throw new RequirementSyntaxError('missing URL after "@"');
    specifier = `@ ${url}`;
    rest = rest.slice(rest.indexOf(url) + url.length).trimStart();
  } else if (rest.startsWith('(')) {
    const end = rest.indexOf(')');
    if (end < 0) throw new RequirementSyntaxError('missing ")" after the version specifier');
    specifier = parseVersionClauses(rest.slice(1, end));
    rest = rest.slice(end + 1).trimStart();
  } else if (rest !== '' && !rest.startsWith(';')) {
    const end = rest.indexOf(';');
    specifier = parseVersionClauses(end < 0 ? rest : rest.slice(0, end));
    rest = end < 0 ? '' : rest.slice(end);
  }

  let marker: Marker | null = null;
  let markerText: string | null = null;
  if (rest.startsWith(';')) {
    markerText = rest.slice(1).trim();
    marker = parseMarker(markerText);
  } else if (rest !== '') {
    throw new RequirementSyntaxError(`unexpected "${rest}"`);
  }

  return {
    requirement: { text, name: normalizeName(name), extras, specifier, marker: markerText },
    marker,
  };
}

function parseExtras(list: string): string[] {
  const names = list.split(',').map((extra) => extra.trim());
  if (names.length === 1 && names[0] === '') return [];
  for (const extra of names) {
    if (!IDENTIFIER.test(extra)) throw new RequirementSyntaxError(`"${extra}" is not an extra name`);
  }
  return [...new Set(names.map(normalizeExtra))];
}

function parseVersionClauses(list: string): string {
  return list
    .split(',')
    .map((clause) => {
      const match = VERSION_CLAUSE.exec(clause);
      if (!match) throw new RequirementSyntaxError(`"${clause.trim()}" is not a version specifier`);
      return `${match[1]}${match[2]}`;
    })
    .join(',');
}

/**
 * Splits `requires_dist` as an installer reads it: a requirement is required when its marker can
 * hold without any extra (no marker, or one on the machine only, like `python_version < "3.8"`);
 * otherwise it belongs to each extra it names with `extra == "…"` under which its marker can hold.
 * Extras are listed in the order they first appear, their requirements in the given order.
 */
export function dependencies(requiresDist: readonly string[]): Dependencies {
  const required: Requirement[] = [];
  const optional = new Map<string, Requirement[]>();
  const malformed: string[] = [];
  for (const text of requiresDist) {
    const parsed = parseRequirement(text);
    if (!parsed.ok) {
      malformed.push(text);
      continue;
    }
    const { requirement, marker } = parsed;
    if (marker === null || canHoldWithExtra(marker, '')) {
      required.push(requirement);
      continue;
    }
    for (const extra of extrasCompared(marker)) {
      if (!canHoldWithExtra(marker, extra)) continue;
      const group = optional.get(extra) ?? [];
      group.push(requirement);
      optional.set(extra, group);
    }
  }
  return {
    required,
    optional: [...optional].map(([extra, requirements]) => ({ extra, requirements })),
    malformed,
  };
}
