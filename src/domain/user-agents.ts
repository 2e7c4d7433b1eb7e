/**
 * What a download's `User-Agent` says about where it went, as the `details` of a raw event in
 * BigQuery's `file_downloads` schema (what linehaul, PyPI's own log pipeline, makes of it).
 * Written from the installers' formats: pip (6 and later) and uv send linehaul's JSON after their
 * name (`pip/24.0 {"installer":…,"python":"3.12.1",…}`), and so may any installer that copies
 * them; older pip, poetry, pdm, twine and setuptools put a few fields in the text; mirrors
 * (bandersnatch, devpi, …), requests, curl and browsers say only who they are. An agent none of
 * these match has no details: its downloads still count, with every breakdown `null`.
 */

export interface AgentDetails {
  installer?: { name: string | null; version: string | null };
  python?: string | null;
  implementation?: { name: string | null; version: string | null };
  distro?: { name: string | null; version: string | null; id: string | null; libc: { lib: string | null; version: string | null } | null };
  system?: { name: string | null; release: string | null };
  cpu?: string | null;
  ci?: boolean | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** The fields of linehaul's JSON that the schema keeps, each checked for its type: the rest is dropped. */
function fromLinehaulJson(json: Record<string, unknown>, name: string, version: string): AgentDetails {
  const installer = record(json.installer);
  const implementation = record(json.implementation);
  const distro = record(json.distro);
  const libc = record(distro?.libc);
  const system = record(json.system);
  return {
    installer: { name: text(installer?.name) ?? name, version: text(installer?.version) ?? version },
    python: text(json.python),
    implementation: implementation ? { name: text(implementation.name), version: text(implementation.version) } : undefined,
    distro: distro
      ? { name: text(distro.name), version: text(distro.version), id: text(distro.id), libc: libc ? { lib: text(libc.lib), version: text(libc.version) } : null }
      : undefined,
    system: system ? { name: text(system.name), release: text(system.release) } : undefined,
    cpu: text(json.cpu),
    ci: typeof json.ci === 'boolean' ? json.ci : null,
  };
}

/** `name/version {json}`: pip ≥ 6, uv ≥ 0.1.22, and any installer sending linehaul's JSON. */
const JSON_AGENT = /^([A-Za-z][\w.-]*)\/(\S+) (\{.*\})$/s;

const unknown = (value: string | undefined) => (value === undefined || value.toLowerCase() === 'unknown' ? null : value);

type Rule = [RegExp, (match: RegExpExecArray) => AgentDetails];

const installerOnly = (name: string) => (match: RegExpExecArray): AgentDetails => ({ installer: { name, version: match.groups?.version ?? null } });

/** Agents that put their facts in the text; the first that matches wins (their patterns do not overlap). */
const TEXT_RULES: Rule[] = [
  // pip 1.4 to 5: `pip/1.5.6 CPython/2.7.6 Linux/3.13.0`.
  [
    /^pip\/(?<version>\S+) (?<impl>\S+)\/(?<implVersion>\S+) (?<system>\S+)\/(?<release>\S+)$/,
    (m) => {
      const g = m.groups!;
      const impl = unknown(g.impl);
      return {
        installer: { name: 'pip', version: g.version! },
        python: impl?.toLowerCase() === 'cpython' ? unknown(g.implVersion) : null,
        implementation: { name: impl, version: unknown(g.implVersion) },
        system: { name: unknown(g.system), release: unknown(g.release) },
      };
    },
  ],
  // poetry: `poetry/1.8.3 CPython/3.12.4 Linux/6.5.0` (poetry/utils/authenticator.py).
  [
    /^poetry\/(?<version>\S+) (?<impl>\S+)\/(?<implVersion>\S+) (?<system>\S+)\/(?<release>\S*)$/,
    (m) => ({
      installer: { name: 'poetry', version: m.groups!.version! },
      implementation: { name: m.groups!.impl!, version: m.groups!.implVersion! },
      system: { name: m.groups!.system!, release: text(m.groups!.release) },
    }),
  ],
  // pdm: `pdm/2.15.4 CPython/3.12.3`.
  [
    /^pdm\/(?<version>\S+) (?<impl>\S+)\/(?<implVersion>\S+)$/,
    (m) => ({ installer: { name: 'pdm', version: m.groups!.version! }, implementation: { name: m.groups!.impl!, version: m.groups!.implVersion! } }),
  ],
  // twine: `twine/5.1.1 importlib_metadata/… CPython/3.12.4`.
  [
    /^twine\/(?<version>\S+)(?: .+)? (?<impl>\S+)\/(?<implVersion>\S+)$/,
    (m) => ({ installer: { name: 'twine', version: m.groups!.version! }, implementation: { name: m.groups!.impl!, version: m.groups!.implVersion! } }),
  ],
  // setuptools' package index: `setuptools/69.0.2 Python-urllib/3.12` (older: the other way round).
  [/^(?:setuptools\/(?<version>\S+) Python-urllib\/(?<python>\d\.\d+)|Python-urllib\/(?<python2>\d\.\d+) setuptools\/(?<version2>\S+))$/, (m) => ({ installer: { name: 'setuptools', version: m.groups!.version ?? m.groups!.version2! }, python: m.groups!.python ?? m.groups!.python2! })],
  [/^Python-urllib\/(?<python>\d\.\d+) distribute\/(?<version>\S+)$/, (m) => ({ installer: { name: 'distribute', version: m.groups!.version! }, python: m.groups!.python! })],
  // Mirrors: counted only in `with_mirrors` (MIRROR_INSTALLERS).
  [/^bandersnatch\/(?<version>\S+) \(.+\)$/, installerOnly('bandersnatch')],
  [/^devpi-server\/(?<version>\S+) \(.+\)$/, installerOnly('devpi')],
  [/^z3c\.pypimirror\/(?<version>\S+)$/, installerOnly('z3c.pypimirror')],
  [/^Artifactory\/(?<version>\S+)/, installerOnly('Artifactory')],
  [/^Nexus\/(?<version>\S+)/, installerOnly('Nexus')],
  [/^pep381client(?:-proxy)?\/(?<version>\S+)$/, installerOnly('pep381client')],
  // Other tools that fetch files.
  [/pex\/(?<version>\S+)$/, installerOnly('pex')],
  [/^conda\/(?<version>\S+)(?: .+)?$/, installerOnly('conda')],
  [/^Bazel\/(?:release\s+)?(?<version>.+)$/, installerOnly('Bazel')],
  [/^maturin\/(?<version>\S+)$/, installerOnly('maturin')],
  [/^python-requests\/(?<version>\S+)(?: .+)?$/, installerOnly('requests')],
  [/^Python-urllib\/(?<python>\d\.\d+)$/, (m) => ({ python: m.groups!.python! })],
  [
    /^Homebrew\/(?<version>\S+) \(Macintosh; Intel (?:Mac OS X|macOS) (?<macos>[^)]+)\)(?: .+)?$/,
    (m) => ({ installer: { name: 'Homebrew', version: m.groups!.version! }, distro: { name: 'OS X', version: m.groups!.macos!, id: null, libc: null } }),
  ],
  // Operating systems' package builders.
  [/^(?:fetch libfetch\/\S+$|libfetch\/\S+$|OpenBSD ftp$|MacPorts\/?|NetBSD-ftp\/|slapt-get|pypi-install\/|slackrepo$|PTXdist|GARstow\/|xbps\/)/, () => ({ installer: { name: 'OS', version: null } })],
  // Browsers and generic HTTP clients (curl, wget): linehaul's `Browser`.
  [
    /^(?:Mozilla|Safari|wget|curl|Opera|aria2|AndroidDownloadManager|com\.apple\.WebKit\.Networking\/|FDM \S+|URL\/Emacs|Firefox\/|UCWEB|Links|okhttp|Apache-HttpClient)(?:\/|$)/i,
    () => ({ installer: { name: 'Browser', version: null } }),
  ],
];

/** The details of a `User-Agent` header's value, or null when it is not one of the known agents. */
export function parseUserAgent(userAgent: string): AgentDetails | null {
  const json = JSON_AGENT.exec(userAgent);
  if (json) {
    try {
      const parsed = record(JSON.parse(json[3]!));
      if (parsed) return fromLinehaulJson(parsed, json[1]!, json[2]!);
    } catch {
      // Not JSON after all: the text rules may still know the agent.
    }
  }
  for (const [pattern, details] of TEXT_RULES) {
    const match = pattern.exec(userAgent);
    if (match) return details(match);
  }
  return null;
}

/** A field of the details by its path under `details` (`['distro', 'libc', 'lib']`), or null. */
export function detailAt(details: AgentDetails | null, path: readonly string[]): string | boolean | null {
  let node: unknown = details;
  for (const part of path) {
    node = record(node)?.[part];
    if (node === undefined || node === null) return null;
  }
  return typeof node === 'string' || typeof node === 'boolean' ? node : null;
}
