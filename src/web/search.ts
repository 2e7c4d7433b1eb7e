/** Search by name prefix, normalized as PyPI normalizes names, so `Django_REST` finds `django-rest-framework`. */
import { MAX_NAME_LENGTH, normalizeName } from '../domain/names.js';
import type { Store } from '../store/types.js';

/** Matches listed on one page; more than this asks for a longer prefix. */
export const SEARCH_LIMIT = 50;
/** Longer queries are not searched: no name can start with them. */
export const MAX_QUERY_LENGTH = 200;

export interface SearchResult {
  /** The query as typed, trimmed. */
  query: string;
  /** What names are matched against: the query normalized (spaces count as separators). */
  prefix: string;
  /** Matching names, alphabetically: an exact match sorts first. */
  names: string[];
  /** Whether there are more matches than `names` holds. */
  more: boolean;
}

export function searchPrefix(query: string): string {
  return normalizeName(query.trim().replace(/\s+/g, '-'));
}

export async function searchPackages(store: Store, rawQuery: string): Promise<SearchResult> {
  const query = rawQuery.trim();
  const prefix = searchPrefix(query);
  if (prefix === '' || prefix.length > MAX_NAME_LENGTH) return { query, prefix, names: [], more: false };
  const found = await store.searchPackages(prefix, SEARCH_LIMIT + 1);
  const more = found.length > SEARCH_LIMIT;
  return { query, prefix, names: found.slice(0, SEARCH_LIMIT), more };
}
