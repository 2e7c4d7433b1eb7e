/**
 * A distribution file's project, version and type, from its name alone, as the packaging specs
 * name files (never from the URL's directory, which an index lays out as it likes):
 * - wheels, PEP 427 and the binary distribution format spec:
 *   `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`, where no
 *   part holds a `-` (the spec escapes it to `_`) and a build tag starts with a digit;
 * - sdists, PEP 625 (`{name}-{version}.tar.gz`, the name normalized with `_`) and the legacy
 *   names before it (`.zip`, `.tar.bz2`, …, the project name possibly holding `-`: the version
 *   is what follows the last `-`, as `packaging.utils.parse_sdist_filename` splits it, or, when
 *   that is no version, what follows the first `-` before a digit: `foo-1.0-beta`);
 * - eggs (`{name}-{version}(-{python}(-{platform})?)?.egg`) and Windows installers
 *   (`{name}-{version}.{platform}(-py{X.Y})?.exe|.msi`), which old projects still serve.
 * A PEP 658 metadata file (`….whl.metadata`) names the file it describes, and keeps its own name,
 * so the aggregation counts it as a metadata fetch rather than a download.
 * The project is returned as written; the aggregation normalizes it (PEP 503).
 */

/** `file.type` of BigQuery's table: the distribution's kind, as PyPI names it. */
export type DistributionType = 'bdist_wheel' | 'sdist' | 'bdist_egg' | 'bdist_wininst' | 'bdist_msi';

export interface DistributionFile {
  filename: string;
  project: string;
  version: string;
  type: DistributionType;
}

/** Longest-first, so `.tar.gz` is tried before `.gz` would be. */
const SDIST_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.Z', '.tgz', '.tbz', '.zip', '.tar'];

/** A version starts with a digit, or with `v` and a digit (PEP 440 allows the `v`). */
const VERSION_START = /^v?\d/i;
const BUILD_TAG = /^\d/;
const WINDOWS_INSTALLER = /^(.+)-([^-]+?)\.(win32|win-amd64|win-arm64|linux-x86_64|linux-i686)(?:-py\d\.\d+)?\.(exe|msi)$/;
const METADATA_SUFFIX = '.metadata';

function named(filename: string, project: string, version: string, type: DistributionType): DistributionFile | null {
  if (project === '' || !VERSION_START.test(version)) return null;
  return { filename, project, version, type };
}

function wheel(filename: string, stem: string): DistributionFile | null {
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  if (parts.length === 6 && !BUILD_TAG.test(parts[2]!)) return null;
  if (parts.some((part) => part === '')) return null;
  return named(filename, parts[0]!, parts[1]!, 'bdist_wheel');
}

/** A legacy version holding a `-` (`1.0-beta`): the name ends at the first `-` before a digit. */
const LEGACY_SDIST = /^(.+?)-(v?\d.*)$/i;

function sdist(filename: string, stem: string): DistributionFile | null {
  const dash = stem.lastIndexOf('-');
  if (dash <= 0) return null;
  const last = named(filename, stem.slice(0, dash), stem.slice(dash + 1), 'sdist');
  if (last) return last;
  const legacy = LEGACY_SDIST.exec(stem);
  return legacy ? named(filename, legacy[1]!, legacy[2]!, 'sdist') : null;
}

function egg(filename: string, stem: string): DistributionFile | null {
  // The platform may hold `-` (`linux-x86_64`): name and version are the first two parts.
  const parts = stem.split('-');
  if (parts.length < 2) return null;
  return named(filename, parts[0]!, parts[1]!, 'bdist_egg');
}

function describedFile(filename: string, name: string): DistributionFile | null {
  if (name.endsWith('.whl')) return wheel(filename, name.slice(0, -'.whl'.length));
  if (name.endsWith('.egg')) return egg(filename, name.slice(0, -'.egg'.length));
  const installer = WINDOWS_INSTALLER.exec(name);
  if (installer) return named(filename, installer[1]!, installer[2]!, installer[4] === 'exe' ? 'bdist_wininst' : 'bdist_msi');
  const extension = SDIST_EXTENSIONS.find((candidate) => name.endsWith(candidate));
  if (extension) return sdist(filename, name.slice(0, -extension.length));
  return null;
}

/** The distribution a file name names, or null when it names none (an index page, a signature, …). */
export function parseDistributionFilename(filename: string): DistributionFile | null {
  if (filename === '' || filename.includes('/')) return null;
  const name = filename.endsWith(METADATA_SUFFIX) ? filename.slice(0, -METADATA_SUFFIX.length) : filename;
  return describedFile(filename, name);
}

/**
 * The file name a request's target names: its last path segment, the query left out, its
 * percent-escapes decoded (`torch-2.1.0%2Bcpu-….whl`); null when it has none or cannot be decoded.
 */
export function fileNameOfTarget(target: string): string | null {
  const query = target.search(/[?#]/);
  const path = query === -1 ? target : target.slice(0, query);
  const segment = path.slice(path.lastIndexOf('/') + 1);
  if (segment === '') return null;
  try {
    const decoded = decodeURIComponent(segment);
    return decoded.includes('/') ? null : decoded;
  } catch {
    return null;
  }
}
