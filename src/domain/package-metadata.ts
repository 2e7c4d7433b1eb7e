/**
 * What PyPI's JSON API (`/pypi/<name>/json`) says of a package, as the package page shows it. The
 * client that fetches it lives in web/; pages depend only on these types.
 */

/** One entry of `requires_dist`, parsed as PEP 508 defines it. */
export interface Requirement {
  /** The entry as PyPI gave it. */
  text: string;
  /** The dependency's project name, PEP 503-normalized: its page on this site. */
  name: string;
  /** Extras requested of the dependency (`requests[socks]` → `["socks"]`). */
  extras: string[];
  /** Version specifiers as written (`>=2.0,<3`), or `""`. */
  specifier: string;
  /** The environment marker as written (`python_version < "3.8"`), or null. */
  marker: string | null;
}

export interface PackageMetadata {
  /** The name as PyPI spells it. */
  name: string;
  summary: string | null;
  latestVersion: string | null;
  homePage: string | null;
  license: string | null;
  author: string | null;
  /** The project's page on PyPI. */
  pypiUrl: string;
  /** Dependencies without an `extra` marker: installed with the package. */
  required: Requirement[];
  /** Dependencies installed only with an extra, grouped by extra (a requirement may be in several). */
  optional: { extra: string; requirements: Requirement[] }[];
}

export interface PackageMetadataSource {
  /** Null when PyPI does not know the package, does not answer in time, or answers nonsense. */
  metadata(name: string): Promise<PackageMetadata | null>;
}
