/** The site's URLs, written once. */

export function packageUrl(name: string, query?: Record<string, string>): string {
  const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : '';
  return `/packages/${encodeURIComponent(name)}${search}`;
}

export function searchUrl(query: string): string {
  return `/search?${new URLSearchParams({ q: query })}`;
}

export function apiUrl(name: string, endpoint: string): string {
  return `/api/packages/${encodeURIComponent(name)}/${endpoint}`;
}

/** A breakdown's chart data, as its section of the package page fetches it (see web-routes.ts). */
export function breakdownDataUrl(name: string, dimension: string): string {
  return `/packages/${encodeURIComponent(name)}/breakdowns/${encodeURIComponent(dimension)}`;
}

export function topUrl(period: string): string {
  return `/top?${new URLSearchParams({ period })}`;
}

/** The compare page of these packages (normalized names), in this order. */
export function compareUrl(names: readonly string[]): string {
  return names.length === 0 ? '/compare' : `/compare?packages=${names.map(encodeURIComponent).join(',')}`;
}
