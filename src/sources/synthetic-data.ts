/**
 * The lookup data of the synthetic events (sources/synthetic.ts): real-looking names, versions and
 * clients, with weights. Weights are relative within one list; shares quoted in comments are of
 * all events and only roughly what PyPI's own logs show.
 */
import { dayNumber } from '../domain/dates.js';

export type PackageKind = 'pure' | 'binary' | 'legacy';

/** The day the weights below are quoted for; a trending entry grows or shrinks from it. */
export const TRENDS_QUOTED_ON = dayNumber('2026-07-01');
/** Trends stop two years either side: an exponential would otherwise take over any far-off day. */
const TREND_HORIZON_DAYS = 730;

/**
 * A weight on `day`: `weight` on TRENDS_QUOTED_ON, doubling every `doublingDays` (halving when
 * negative), the way uv's and ARM's shares have grown on PyPI.
 */
export function trendWeight(weight: number, day: number, doublingDays: number | undefined): number {
  if (doublingDays === undefined) return weight;
  const days = Math.max(-TREND_HORIZON_DAYS, Math.min(TREND_HORIZON_DAYS, day - TRENDS_QUOTED_ON));
  return weight * 2 ** (days / doublingDays);
}

/** Real PyPI projects for the top ranks, most popular first, spelt as their projects spell them. */
export const WELL_KNOWN_PACKAGES: readonly (readonly [string, PackageKind])[] = [
  ['boto3', 'pure'], ['botocore', 'pure'], ['urllib3', 'pure'], ['requests', 'pure'],
  ['setuptools', 'pure'], ['certifi', 'pure'], ['typing_extensions', 'pure'], ['idna', 'pure'],
  ['charset-normalizer', 'binary'], ['packaging', 'pure'], ['python-dateutil', 'legacy'],
  ['s3transfer', 'pure'], ['numpy', 'binary'], ['six', 'legacy'], ['PyYAML', 'binary'],
  ['aiobotocore', 'pure'], ['grpcio-status', 'pure'], ['pip', 'pure'], ['cryptography', 'binary'],
  ['fsspec', 'pure'], ['pydantic', 'pure'], ['pydantic_core', 'binary'], ['attrs', 'pure'],
  ['pandas', 'binary'], ['google-api-core', 'pure'], ['protobuf', 'binary'], ['cffi', 'binary'],
  ['pycparser', 'legacy'], ['importlib_metadata', 'pure'], ['zipp', 'pure'], ['Jinja2', 'pure'],
  ['MarkupSafe', 'binary'], ['click', 'pure'], ['wheel', 'pure'], ['platformdirs', 'pure'],
  ['filelock', 'pure'], ['pyasn1', 'legacy'], ['rsa', 'legacy'], ['jmespath', 'legacy'],
  ['pytz', 'legacy'], ['Django', 'pure'], ['Flask', 'pure'], ['SQLAlchemy', 'binary'],
  ['zope.interface', 'binary'], ['ruamel.yaml', 'pure'], ['google-cloud-storage', 'pure'],
  ['tomli', 'pure'], ['pluggy', 'pure'], ['pytest', 'pure'], ['Werkzeug', 'pure'],
  ['websocket-client', 'pure'], ['Pygments', 'pure'], ['virtualenv', 'pure'], ['docutils', 'legacy'],
  ['tqdm', 'pure'], ['scipy', 'binary'], ['pyOpenSSL', 'pure'], ['backports.zoneinfo', 'legacy'],
  ['jaraco.classes', 'pure'], ['azure-core', 'pure'], ['PyJWT', 'pure'], ['oauthlib', 'pure'],
  ['requests-oauthlib', 'pure'], ['aiohttp', 'binary'], ['multidict', 'binary'], ['yarl', 'binary'],
  ['frozenlist', 'binary'], ['greenlet', 'binary'], ['psutil', 'binary'], ['Pillow', 'binary'],
  ['matplotlib', 'binary'], ['scikit-learn', 'binary'], ['lxml', 'binary'],
  ['ruamel.yaml.clib', 'binary'], ['pyparsing', 'pure'], ['decorator', 'legacy'], ['wrapt', 'binary'],
  ['openpyxl', 'pure'], ['tzdata', 'pure'], ['Flask_SQLAlchemy', 'pure'], ['simplejson', 'legacy'],
  ['enum34', 'legacy'], ['futures', 'legacy'], ['mock', 'legacy'],
];

/** Made-up names are two or three of these, joined by a separator or none. */
export const NAME_SYLLABLES: readonly string[] = [
  'py', 'data', 'flow', 'kit', 'lib', 'core', 'async', 'json', 'http', 'cloud', 'fast', 'mini',
  'auth', 'log', 'graph', 'stream', 'task', 'cache', 'config', 'schema', 'test', 'mock', 'parse',
  'geo', 'time', 'vector', 'ml', 'text', 'image', 'audio', 'web', 'net', 'sql', 'query', 'io',
  'utils', 'tools', 'client', 'server', 'plugin', 'ext', 'bridge', 'lint', 'type', 'hub', 'zen',
  'nova', 'orbit', 'quill', 'tide', 'ember', 'lumen', 'pixel', 'cobalt', 'aurora', 'maple',
  'falcon', 'otter', 'badger', 'heron', 'spark', 'delta', 'sigma', 'atlas', 'crate', 'forge',
];

/** Ecosystem prefixes of made-up names (`django-…`, `types-…`), as PyPI is full of them. */
export const NAME_PREFIXES: readonly string[] = [
  'django-', 'pytest-', 'flask-', 'types-', 'sphinx-', 'mkdocs-', 'azure-mgmt-', 'google-cloud-',
  'jupyter-', 'apache-airflow-providers-', 'sqlalchemy-', 'opentelemetry-',
];

/** Weights of the separators joining syllables: most names are plain or hyphenated. */
export const NAME_SEPARATORS: readonly (readonly [string, number])[] = [
  ['', 30], ['-', 45], ['_', 14], ['.', 8],
];

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const pickIndex = (weights: readonly number[], u: number) => {
  let target = u * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) if ((target -= weights[i]!) < 0) return i;
  return weights.length - 1;
};

/** A made-up project name from syllables, in one of the styles PyPI names come in. */
export function madeUpName(next: () => number): string {
  const words: string[] = [];
  while (words.length < (next() < 0.3 ? 3 : 2)) {
    const word = NAME_SYLLABLES[Math.floor(next() * NAME_SYLLABLES.length)]!;
    if (!words.includes(word)) words.push(word);
  }
  const style = next();
  if (style < 0.15) return NAME_PREFIXES[Math.floor(next() * NAME_PREFIXES.length)]! + words.join('-');
  if (style < 0.27) return words.map(capitalize).join('');
  const name = words.join(NAME_SEPARATORS[pickIndex(NAME_SEPARATORS.map(([, w]) => w), next())]![0]);
  return style > 0.93 ? capitalize(name) : name;
}

/** CPython minor versions: first release, and the last patch of those no longer maintained. */
export interface PythonMinor {
  minor: string;
  released: string;
  lastPatch?: number;
  /** A patch that Linux distributions ship and keep: many events report it, not the latest. */
  distroPatch?: number;
  /** How much more often a legacy package is installed with it. */
  legacyFactor: number;
  /** The share it keeps for years after its end of life, relative to a minor at its peak. */
  tail?: number;
}

export const PYTHON_MINORS: readonly PythonMinor[] = [
  { minor: '2.7', released: '2010-07-03', lastPatch: 18, distroPatch: 5, legacyFactor: 20, tail: 0.015 },
  { minor: '3.5', released: '2015-09-13', lastPatch: 10, distroPatch: 2, legacyFactor: 4 },
  { minor: '3.6', released: '2016-12-23', lastPatch: 15, distroPatch: 8, legacyFactor: 8 },
  { minor: '3.7', released: '2018-06-27', lastPatch: 17, distroPatch: 3, legacyFactor: 3 },
  { minor: '3.8', released: '2019-10-14', lastPatch: 20, distroPatch: 10, legacyFactor: 1.5 },
  { minor: '3.9', released: '2020-10-05', lastPatch: 25, distroPatch: 2, legacyFactor: 1 },
  { minor: '3.10', released: '2021-10-04', distroPatch: 12, legacyFactor: 1 },
  { minor: '3.11', released: '2022-10-24', distroPatch: 2, legacyFactor: 1 },
  { minor: '3.12', released: '2023-10-02', distroPatch: 3, legacyFactor: 1 },
  { minor: '3.13', released: '2024-10-07', legacyFactor: 1 },
  { minor: '3.14', released: '2025-10-07', legacyFactor: 1 },
];

/** Values of `details.python` that are not versions, as clients do send them; ~0.5% of events. */
export const MALFORMED_PYTHON: readonly string[] = ['', '3', 'abc', 'cpython'];

export interface PythonEntry {
  python: string | null;
  implementation: readonly [string, string] | null;
  abi: string | null;
  modern: number;
  legacy: number;
}

/** The Python versions of a day: each minor rises after its release and fades years later. */
export function pythonEntries(day: number): PythonEntry[] {
  const byVersion = new Map<string, PythonEntry>();
  for (const minor of PYTHON_MINORS) {
    const years = (day - dayNumber(minor.released)) / 365.25;
    if (years < 0) continue;
    const months = years * 12;
    const latest = Math.min(minor.lastPatch ?? Infinity, months < 18 ? Math.floor(months / 2) : 9 + Math.floor((months - 18) / 6));
    const share = Math.max((1 - Math.exp(-years / 2)) * Math.exp(-Math.max(0, years - 3) / 1.8), minor.tail ?? (minor.lastPatch ? 0.003 : 0));
    const digits = minor.minor.replace('.', '');
    const cpythonAbi = `cp${digits}-cp${digits}${minor.minor === '2.7' ? 'mu' : Number(digits) <= 37 ? 'm' : ''}`;
    const patches = [[latest, 0.5], [latest - 1, 0.2], [latest - 2, 0.1], [minor.distroPatch ?? latest, 0.2]] as const;
    for (const [patch, part] of patches) {
      const python = `${minor.minor}.${Math.max(0, Math.min(patch, latest))}`;
      const pypy = ['2.7', '3.10', '3.11'].includes(minor.minor) ? 0.015 : 0;
      const variants = [['CPython', python, cpythonAbi, 1 - pypy, minor.legacyFactor], ['PyPy', '7.3.17', `pp${digits}-pypy${digits}_pp73`, pypy, 0]] as const;
      for (const [name, version, abi, modern, legacy] of variants) {
        if (modern === 0) continue;
        const entry = byVersion.get(`${name} ${python}`) ?? { python, implementation: [name, version], abi, modern: 0, legacy: 0 };
        entry.modern += share * part * modern;
        entry.legacy += share * part * legacy;
        byVersion.set(`${name} ${python}`, entry);
      }
    }
  }
  const entries = [...byVersion.values()];
  for (const key of ['modern', 'legacy'] as const) {
    const total = entries.reduce((sum, e) => sum + e[key], 0);
    for (const entry of entries) entry[key] *= (1 - 0.012) / total;
  }
  // ~0.7% without Python (bare installers bring it to ~3%), ~0.5% malformed.
  entries.push({ python: null, implementation: null, abi: null, modern: 0.007, legacy: 0.007 });
  for (const python of MALFORMED_PYTHON) entries.push({ python, implementation: null, abi: null, modern: 0.00125, legacy: 0.00125 });
  return entries;
}

/** Where a client runs: one entry decides the system, distribution, libc, CPU and wheel platform. */
export interface Platform {
  system: string | null;
  release: string | null;
  distro: readonly [name: string, version: string, id: string | null] | null;
  libc: readonly [lib: string, version: string] | null;
  cpu: string | null;
  /** The platform tag of binary wheels for it; none means binary packages install from the sdist. */
  wheelPlatform: string | null;
  openssl: string | null;
  weight: number;
  /** The weight doubles every this many days (negative: halves): ARM rising, Intel Macs fading. */
  doublingDays?: number;
}

const manylinuxX86 = 'manylinux_2_17_x86_64.manylinux2014_x86_64';
const manylinuxArm = 'manylinux_2_17_aarch64.manylinux2014_aarch64';
const openssl3 = 'OpenSSL 3.0.13 30 Jan 2024';
/** ARM (Graviton, Ampere, Apple silicon) gains about as much again every year and a half. */
const ARM_DOUBLING_DAYS = 540;

export const PLATFORMS: readonly Platform[] = [
  { system: 'Linux', release: '6.8.0-1015-aws', distro: ['Ubuntu', '24.04', 'noble'], libc: ['glibc', '2.39'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: openssl3, weight: 16 },
  { system: 'Linux', release: '5.15.0-1068-azure', distro: ['Ubuntu', '22.04', 'jammy'], libc: ['glibc', '2.35'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.0.2 15 Mar 2022', weight: 15 },
  { system: 'Linux', release: '5.4.0-196-generic', distro: ['Ubuntu', '20.04', 'focal'], libc: ['glibc', '2.31'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 1.1.1f  31 Mar 2020', weight: 4 },
  { system: 'Linux', release: '6.1.0-25-cloud-amd64', distro: ['Debian GNU/Linux', '12', 'bookworm'], libc: ['glibc', '2.36'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 14 },
  { system: 'Linux', release: '5.10.0-32-amd64', distro: ['Debian GNU/Linux', '11', 'bullseye'], libc: ['glibc', '2.31'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 1.1.1w  11 Sep 2023', weight: 4 },
  { system: 'Linux', release: '6.1.109-118.189.amzn2023.x86_64', distro: ['Amazon Linux', '2023', null], libc: ['glibc', '2.34'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.0.8 7 Feb 2023', weight: 8 },
  { system: 'Linux', release: '4.14.352-268.568.amzn2.x86_64', distro: ['Amazon Linux', '2', null], libc: ['glibc', '2.26'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 1.0.2k-fips  26 Jan 2017', weight: 3 },
  { system: 'Linux', release: '6.6.31-0-lts', distro: ['Alpine Linux', '3.20.3', null], libc: ['musl', '1.2.5'], cpu: 'x86_64', wheelPlatform: 'musllinux_1_2_x86_64', openssl: 'OpenSSL 3.3.2 3 Sep 2024', weight: 3 },
  { system: 'Linux', release: '3.10.0-1160.119.1.el7.x86_64', distro: ['CentOS Linux', '7', 'Core'], libc: ['glibc', '2.17'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 1.0.2k-fips  26 Jan 2017', weight: 1.5 },
  { system: 'Linux', release: '5.14.0-427.37.1.el9_4.x86_64', distro: ['Rocky Linux', '9.4', 'Blue Onyx'], libc: ['glibc', '2.34'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.0.7 1 Nov 2022', weight: 2 },
  { system: 'Linux', release: '6.8.0-1016-aws', distro: ['Ubuntu', '24.04', 'noble'], libc: ['glibc', '2.39'], cpu: 'aarch64', wheelPlatform: manylinuxArm, openssl: openssl3, weight: 3, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Linux', release: '6.1.0-26-cloud-arm64', distro: ['Debian GNU/Linux', '12', 'bookworm'], libc: ['glibc', '2.36'], cpu: 'aarch64', wheelPlatform: manylinuxArm, openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 2.5, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Linux', release: '6.1.112-124.190.amzn2023.aarch64', distro: ['Amazon Linux', '2023', null], libc: ['glibc', '2.34'], cpu: 'aarch64', wheelPlatform: manylinuxArm, openssl: 'OpenSSL 3.0.8 7 Feb 2023', weight: 1.5, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Linux', release: '6.6.31-0-lts', distro: ['Alpine Linux', '3.20.3', null], libc: ['musl', '1.2.5'], cpu: 'aarch64', wheelPlatform: 'musllinux_1_2_aarch64', openssl: 'OpenSSL 3.3.2 3 Sep 2024', weight: 0.6, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Linux', release: '6.10.12-200.fc40.x86_64', distro: ['Fedora Linux', '40', null], libc: ['glibc', '2.39'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.2.2 4 Jun 2024', weight: 0.8 },
  { system: 'Linux', release: '6.11.2-arch1-1', distro: ['Arch Linux', '', 'arch'], libc: ['glibc', '2.40'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.3.2 3 Sep 2024', weight: 0.4 },
  { system: 'Linux', release: '6.4.0-150600.23.25-default', distro: ['openSUSE Leap', '15.6', null], libc: ['glibc', '2.38'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: 'OpenSSL 3.1.4 24 Oct 2023', weight: 0.3 },
  { system: 'Linux', release: '6.6.51+rpt-rpi-v7', distro: ['Raspbian GNU/Linux', '12', 'bookworm'], libc: ['glibc', '2.36'], cpu: 'armv7l', wheelPlatform: null, openssl: 'OpenSSL 3.0.14 4 Jun 2024', weight: 0.3 },
  { system: 'Linux', release: '5.14.0-427.13.1.el9_4.ppc64le', distro: ['Red Hat Enterprise Linux', '9.4', 'Plow'], libc: ['glibc', '2.34'], cpu: 'ppc64le', wheelPlatform: 'manylinux_2_17_ppc64le.manylinux2014_ppc64le', openssl: 'OpenSSL 3.0.7 1 Nov 2022', weight: 0.1 },
  { system: 'Linux', release: '5.14.0-427.13.1.el9_4.s390x', distro: ['Red Hat Enterprise Linux', '9.4', 'Plow'], libc: ['glibc', '2.34'], cpu: 's390x', wheelPlatform: 'manylinux_2_17_s390x.manylinux2014_s390x', openssl: 'OpenSSL 3.0.7 1 Nov 2022', weight: 0.05 },
  { system: 'Linux', release: '5.10.0-32-686-pae', distro: ['Debian GNU/Linux', '11', 'bullseye'], libc: ['glibc', '2.31'], cpu: 'i686', wheelPlatform: 'manylinux_2_17_i686.manylinux2014_i686', openssl: 'OpenSSL 1.1.1w  11 Sep 2023', weight: 0.05 },
  // A container without /etc/os-release: Linux and glibc, no distribution.
  { system: 'Linux', release: '6.8.0-1015-aws', distro: null, libc: ['glibc', '2.36'], cpu: 'x86_64', wheelPlatform: manylinuxX86, openssl: openssl3, weight: 0.6 },
  { system: 'Windows', release: '10', distro: null, libc: null, cpu: 'AMD64', wheelPlatform: 'win_amd64', openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 7.5 },
  { system: 'Windows', release: '11', distro: null, libc: null, cpu: 'AMD64', wheelPlatform: 'win_amd64', openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 4 },
  { system: 'Windows', release: '2022Server', distro: null, libc: null, cpu: 'AMD64', wheelPlatform: 'win_amd64', openssl: 'OpenSSL 3.0.13 30 Jan 2024', weight: 1 },
  { system: 'Windows', release: '10', distro: null, libc: null, cpu: 'x86', wheelPlatform: 'win32', openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 0.3, doublingDays: -365 },
  { system: 'Windows', release: '11', distro: null, libc: null, cpu: 'ARM64', wheelPlatform: 'win_arm64', openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 0.15, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Darwin', release: '24.1.0', distro: ['macOS', '15.1', null], libc: null, cpu: 'arm64', wheelPlatform: 'macosx_11_0_arm64', openssl: 'OpenSSL 3.0.15 3 Sep 2024', weight: 4, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Darwin', release: '23.6.0', distro: ['macOS', '14.6.1', null], libc: null, cpu: 'arm64', wheelPlatform: 'macosx_11_0_arm64', openssl: 'OpenSSL 3.0.13 30 Jan 2024', weight: 2.5, doublingDays: ARM_DOUBLING_DAYS },
  { system: 'Darwin', release: '22.6.0', distro: ['macOS', '13.6.9', null], libc: null, cpu: 'x86_64', wheelPlatform: 'macosx_10_9_x86_64', openssl: 'OpenSSL 1.1.1w  11 Sep 2023', weight: 1.5, doublingDays: -365 },
  // ~1% of events: systems the API counts as "other".
  { system: 'FreeBSD', release: '14.1-RELEASE', distro: ['FreeBSD', '14.1', null], libc: null, cpu: 'amd64', wheelPlatform: null, openssl: 'OpenSSL 3.0.14 4 Jun 2024', weight: 0.4 },
  { system: 'Emscripten', release: '3.1.58', distro: null, libc: null, cpu: 'wasm32', wheelPlatform: null, openssl: null, weight: 0.3 },
  { system: 'OpenBSD', release: '7.5', distro: ['OpenBSD', '7.5', null], libc: null, cpu: 'amd64', wheelPlatform: null, openssl: 'LibreSSL 3.9.0', weight: 0.2 },
  { system: 'AIX', release: '3', distro: null, libc: null, cpu: null, wheelPlatform: null, openssl: 'OpenSSL 1.1.1t  7 Feb 2023', weight: 0.1 },
  // Clients that do not say; with the bare installers below this makes ~4% of events.
  { system: null, release: null, distro: null, libc: null, cpu: null, wheelPlatform: null, openssl: null, weight: 2.3 },
];

/** One installer at one version. `bare`: it reports nothing but itself (no Python, no system). */
export interface Installer {
  name: string | null;
  version: string | null;
  weight: number;
  mirror?: boolean;
  bare?: boolean;
  /** Not in use before this day. */
  since?: string;
  /** The weight doubles every this many days (negative: halves), from TRENDS_QUOTED_ON. */
  doublingDays?: number;
}

/** uv's share of PyPI's downloads has roughly doubled every eight months since its release. */
const UV_DOUBLING_DAYS = 240;
/** pip gives up what uv gains, more slowly: its share is much larger. */
const PIP_HALVING_DAYS = -1400;

export const INSTALLERS: readonly Installer[] = [
  { name: 'pip', version: '25.2', weight: 14, since: '2025-07-30', doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '25.0.1', weight: 12, since: '2025-02-10', doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '24.2', weight: 12, since: '2024-07-28', doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '24.0', weight: 14, since: '2024-02-03', doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '23.0.1', weight: 8, doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '22.0.2', weight: 6, doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '21.3.1', weight: 3, doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '20.0.2', weight: 2, doublingDays: PIP_HALVING_DAYS },
  { name: 'pip', version: '9.0.3', weight: 0.5, doublingDays: PIP_HALVING_DAYS },
  { name: 'uv', version: '0.8.13', weight: 5, since: '2025-08-21', doublingDays: UV_DOUBLING_DAYS },
  { name: 'uv', version: '0.6.14', weight: 4, since: '2025-04-10', doublingDays: UV_DOUBLING_DAYS },
  { name: 'uv', version: '0.4.30', weight: 3, since: '2024-11-01', doublingDays: UV_DOUBLING_DAYS },
  { name: 'uv', version: '0.1.24', weight: 1, since: '2024-03-20', doublingDays: UV_DOUBLING_DAYS },
  { name: 'poetry', version: '2.1.3', weight: 2.5, since: '2025-05-04' },
  { name: 'poetry', version: '1.8.5', weight: 2 },
  { name: 'pdm', version: '2.22.4', weight: 0.4, since: '2025-03-14', doublingDays: 900 },
  { name: 'pipenv', version: '2024.4.1', weight: 0.6, doublingDays: -700 },
  { name: 'requests', version: '2.32.3', weight: 1.5 },
  { name: 'setuptools', version: '75.1.0', weight: 0.5 },
  { name: 'Browser', version: null, weight: 1, bare: true },
  { name: null, version: null, weight: 1.3, bare: true },
  // Mirrors: a few percent of events on an ordinary day.
  { name: 'bandersnatch', version: '6.6.0', weight: 1.8, mirror: true },
  { name: 'devpi', version: '6.14.0', weight: 0.5, mirror: true },
  { name: 'Artifactory', version: '7.104.10', weight: 0.8, mirror: true },
  { name: 'z3c.pypimirror', version: '1.0.16', weight: 0.2, mirror: true },
];

/**
 * Where downloads come from (ISO 3166 codes, as `country_code` holds them): clouds put the US and
 * Ireland high, then a long tail. Some events have none: NULL, and a few an empty string.
 */
export const COUNTRIES: readonly (readonly [string | null, number])[] = [
  ['US', 40], ['CN', 8], ['DE', 6], ['IE', 5], ['IN', 4.5], ['GB', 4], ['JP', 3], ['FR', 3],
  ['NL', 2.5], ['SG', 2.5], ['KR', 2], ['CA', 2], ['BR', 2], ['AU', 1.5], ['SE', 1], ['FI', 1],
  ['RU', 1], ['HK', 1], ['TW', 0.8], ['PL', 0.8], ['ES', 0.7], ['IT', 0.7], ['CH', 0.6],
  ['IL', 0.5], ['VN', 0.4], ['ZA', 0.3], ['MX', 0.3], ['ID', 0.3], ['TR', 0.2], ['NG', 0.1],
  ['BE', 0.3], ['AT', 0.25], ['DK', 0.25], ['NO', 0.2], ['CZ', 0.2], ['UA', 0.2], ['AR', 0.15],
  ['PT', 0.15], ['RO', 0.12], ['TH', 0.12], ['MY', 0.12], ['PH', 0.1], ['NZ', 0.1], ['CO', 0.08],
  ['CL', 0.08], ['GR', 0.07], ['HU', 0.07], ['PK', 0.07], ['AE', 0.07], ['SA', 0.06], ['EG', 0.05],
  ['BD', 0.05], ['IR', 0.05], ['KE', 0.03], ['PE', 0.03], ['BG', 0.03], ['LT', 0.03], ['EE', 0.03],
  ['LU', 0.03], ['SK', 0.03], ['RS', 0.02], ['HR', 0.02], ['SI', 0.02], ['LV', 0.02], ['IS', 0.01],
  ['MA', 0.02], ['TN', 0.01], ['GH', 0.01], ['ET', 0.01], ['LK', 0.01], ['NP', 0.01], ['KZ', 0.02],
  ['BY', 0.02], ['GE', 0.01], ['AM', 0.01], ['UY', 0.01], ['CR', 0.01], ['EC', 0.01], ['VE', 0.01],
  ['CY', 0.01], ['MT', 0.01], ['QA', 0.01], ['KW', 0.01], ['JO', 0.01], ['MN', 0.005], ['KH', 0.005],
  [null, 0.5], ['', 0.1],
];

export const TLS: readonly (readonly [protocol: string, cipher: string, weight: number])[] = [
  ['TLSv1.3', 'TLS_AES_128_GCM_SHA256', 66],
  ['TLSv1.3', 'TLS_AES_256_GCM_SHA384', 24],
  ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 3],
  ['TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 7],
];

export const SETUPTOOLS_VERSIONS: readonly (readonly [string | null, number])[] = [
  ['80.9.0', 18], ['75.8.0', 14], ['70.0.0', 8], ['69.5.1', 10], ['68.1.2', 8], ['65.5.0', 12],
  ['59.6.0', 5], ['44.0.0', 1], [null, 24],
];

export const RUSTC_VERSIONS: readonly (readonly [string | null, number])[] = [
  [null, 90], ['1.88.0', 4], ['1.85.0', 3], ['1.75.0', 2], ['1.70.0', 1],
];

/**
 * Which release an event downloads, `age` releases before the newest (0). Users take a few days
 * to move to a new release: `phase` is the days since the package's newest release, and until
 * the move is done the weights are partly those of the day before (shifted by one release).
 */
export const SETTLED_AGE_WEIGHTS: readonly number[] = [55, 20, 10, 6, 4, 2.5, 1.5, 1];
/** Days for about two thirds of a package's users to move to a new release. */
export const RELEASE_ADOPTION_DAYS = 5;
/** Phases past this one are all "settled". */
export const LAST_PHASE = 20;

/** Weights over ages 0..SETTLED_AGE_WEIGHTS.length - 1 for each phase 0..LAST_PHASE. */
export function ageWeightsByPhase(): number[][] {
  return Array.from({ length: LAST_PHASE + 1 }, (_, phase) => {
    const notYetMoved = Math.exp(-(phase + 0.5) / RELEASE_ADOPTION_DAYS);
    return SETTLED_AGE_WEIGHTS.map((weight, age) => weight * (1 - notYetMoved) + (age > 0 ? SETTLED_AGE_WEIGHTS[age - 1]! * notYetMoved : 0));
  });
}

/** The long tail: pinned old releases, each a little less than the one after it; never none. */
export const TAIL_AGE_WEIGHTS: readonly number[] = Array.from({ length: 48 }, (_, k) => 0.92 ** k);

/** Pre-release suffixes, after `major.minor.0` of the next minor; index 0: no pre-release. */
export const PRE_RELEASE_SUFFIXES: readonly string[] = ['', 'rc1', 'b2', 'a1', '.dev0', 'rc2'];

/**
 * Versions of old packages' early uploads that PEP 440 cannot parse (its normalizations accept
 * `0.1-dev` and `0.9.beta-2`, so those are not among them), still downloaded now and then.
 */
export const LEGACY_VERSIONS: readonly string[] = ['1.0-SNAPSHOT', '0.1dev-r42', '0.3.1-final', '1.0-dev-r1234', '1.2.3.RELEASE'];
