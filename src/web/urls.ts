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
