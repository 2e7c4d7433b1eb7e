/**
 * The nine breakdowns beyond the seed's four (version, country, installer, cpu, distro,
 * implementation, libc, file_type, ci) for a package of the PyPI-sized day, synthesized from the
 * anchor points of PERFORMANCE.md ("A PyPI-sized day with every breakdown").
 *
 * Assumptions (also in bench/RESULTS.md's notes, BREAKDOWNS_DAY_NOTE):
 * - A package's number of categories in a dimension depends on its popularity rank alone: a
 *   straight line in log(categories) against log(rank) between neighbouring anchors (rank 1, rank
 *   1,000, the median rank of 150,000), continued past the median down to 1 category at rank
 *   300,000, and never more categories than the package has downloads (each category row counts
 *   at least one download).
 * - Within a dimension, downloads split over the categories by a Zipf law whose exponent is the
 *   dimension's (pip far ahead of the other installers, a few versions ahead of the long tail),
 *   with ±25 % noise per category and day; every dimension sums to the package's without_mirrors.
 * - A package with n categories in a dimension has that dimension's n most common ones (the n
 *   newest of its own versions; the n most common countries, installers, …), so global categories
 *   number what PyPI has (about 250 countries, 80 distros), and versions are per package.
 * - Package downloads are Zipf (1.1) from the top package's, as for the seed's four breakdowns:
 *   at 20 million for the top, rank 1,000 has ~10,000 (PERFORMANCE.md: ~100,000 of 40 million),
 *   so the anchors are taken by rank, not by downloads.
 */
import type { AggregateRow } from '../src/domain/aggregates.js';

/** The median rank of 300,000 active packages. */
export const MEDIAN_RANK = 150_000;
/** Where the curve reaches 1 category in every dimension: the least popular active package. */
export const LAST_RANK = 300_000;

export type BreakdownName = 'version' | 'country' | 'installer' | 'cpu' | 'distro' | 'implementation' | 'libc' | 'file_type' | 'ci';

/** PERFORMANCE.md's anchor points: categories at rank 1, rank 1,000 and the median. */
export const BREAKDOWN_ANCHORS: Readonly<Record<BreakdownName, readonly [top: number, rank1000: number, median: number]>> = {
  version: [1500, 150, 2],
  country: [220, 120, 4],
  installer: [30, 12, 2],
  cpu: [15, 8, 2],
  distro: [80, 40, 2],
  implementation: [6, 3, 1],
  libc: [3, 3, 1],
  file_type: [3, 2, 1],
  ci: [3, 3, 2],
};

/** The ranks of the anchors, in order, and of the curve's end. */
const ANCHOR_RANKS = [1, 1000, MEDIAN_RANK] as const;

/** How steeply downloads fall from a dimension's first category to its last (Zipf exponents). */
const ZIPF_EXPONENTS: Readonly<Record<BreakdownName, number>> = {
  version: 1.2,
  country: 1.3,
  installer: 1.8,
  cpu: 2,
  distro: 1.5,
  implementation: 3,
  libc: 3,
  file_type: 2.5,
  ci: 1,
};

/** Categories of a package at `rank` in `dimension`, on the curve through the anchors (before the cap by downloads). */
export function categoriesAtRank(dimension: BreakdownName, rank: number): number {
  const [top, popular, median] = BREAKDOWN_ANCHORS[dimension];
  const points: [number, number][] = [
    [ANCHOR_RANKS[0], top],
    [ANCHOR_RANKS[1], popular],
    [ANCHOR_RANKS[2], median],
    [LAST_RANK, 1],
  ];
  const at = Math.min(Math.max(rank, 1), LAST_RANK);
  for (let i = 1; i < points.length; i++) {
    const [r0, c0] = points[i - 1]!;
    const [r1, c1] = points[i]!;
    if (at <= r1) {
      const t = Math.log(at / r0) / Math.log(r1 / r0);
      return Math.max(1, Math.round(Math.exp(Math.log(c0) + t * Math.log(c1 / c0))));
    }
  }
  return 1;
}

const REAL_COUNTRIES = (
  'US CN DE IE IN GB JP FR NL SG KR CA BR AU SE FI RU HK TW PL ES IT CH IL VN ZA MX ID TR NG BE AT DK NO CZ UA AR PT RO TH MY PH NZ CO CL GR HU PK AE SA EG BD IR KE PE BG LT EE LU SK RS HR SI LV IS MA TN GH ET LK NP KZ BY GE AM UY CR EC VE CY MT QA KW JO MN KH'
).split(' ');

/** Two-letter codes not yet used, in order, to reach the ~250 codes PyPI logs. */
function moreCountryCodes(known: readonly string[], count: number): string[] {
  const taken = new Set(known);
  const codes: string[] = [];
  for (let a = 0; a < 26 && codes.length < count; a++) {
    for (let b = 0; b < 26 && codes.length < count; b++) {
      const code = String.fromCharCode(65 + a) + String.fromCharCode(65 + b);
      if (!taken.has(code)) codes.push(code);
    }
  }
  return codes;
}

const REAL_DISTROS = [
  'Ubuntu', 'Debian GNU/Linux', 'Amazon Linux', 'macOS', 'Alpine Linux', 'Rocky Linux', 'CentOS Linux', 'Fedora Linux',
  'Red Hat Enterprise Linux', 'AlmaLinux', 'Arch Linux', 'openSUSE Leap', 'Oracle Linux Server', 'Linux Mint', 'Raspbian GNU/Linux',
  'FreeBSD', 'Pop!_OS', 'Manjaro Linux', 'NixOS', 'Gentoo', 'Kali GNU/Linux', 'SLES', 'Container-Optimized OS', 'Wolfi', 'Chainguard',
];

/** Categories of each dimension, most common first, as the category rules store them. */
const CATEGORIES: Readonly<Record<Exclude<BreakdownName, 'version'>, readonly string[]>> = {
  country: [...REAL_COUNTRIES, 'null', ...moreCountryCodes(REAL_COUNTRIES, 250 - REAL_COUNTRIES.length - 1)],
  installer: [
    'pip', 'uv', 'poetry', 'requests', 'null', 'browser', 'pdm', 'pipenv', 'setuptools', 'pex', 'conda', 'hatch', 'pixi', 'rye', 'bazel',
    'pip-tools', 'pdm-backend', 'nox', 'tox', 'buildout', 'easy_install', 'pipx', 'flit', 'maturin', 'twine', 'wget', 'curl', 'ansible',
    'renovate', 'dependabot',
  ],
  cpu: ['x86_64', 'amd64', 'aarch64', 'arm64', 'null', 'x86', 'i686', 'armv7l', 'ppc64le', 's390x', 'armv6l', 'riscv64', 'wasm32', 'loongarch64', 'mips64'],
  distro: [...REAL_DISTROS, ...Array.from({ length: 80 - REAL_DISTROS.length }, (_, i) => `Distro ${i + 1} Linux`)],
  implementation: ['cpython', 'pypy', 'null', 'graalpy', 'ironpython', 'jython'],
  libc: ['glibc', 'null', 'musl'],
  file_type: ['bdist_wheel', 'sdist', 'bdist_egg'],
  ci: ['false', 'true', 'null'],
};

/** The n newest versions of a package, newest first, in a few release series. */
function packageVersions(rank: number, count: number): string[] {
  const patchesPerMinor = 5 + (rank % 20);
  const newest = count + (rank % 37);
  return Array.from({ length: count }, (_, age) => {
    const release = newest - age;
    return `${1 + Math.floor(release / (patchesPerMinor * 30))}.${Math.floor(release / patchesPerMinor) % 30}.${release % patchesPerMinor}`;
  });
}

/**
 * Splits `total` over `weights` so every part is at least 1 and the parts add up exactly.
 * `total` must be at least the number of weights.
 */
function splitAtLeastOne(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const spread = total - weights.length;
  const parts = weights.map((w) => 1 + Math.floor((spread * w) / sum));
  parts[0]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

export const BREAKDOWN_NAMES = Object.keys(BREAKDOWN_ANCHORS) as BreakdownName[];

/**
 * The rows of the nine breakdowns for one package: each dimension's categories sum to `without`
 * (the package's without_mirrors). `next` is a uniform random source for the per-category noise.
 */
export function breakdownRows(name: string, rank: number, without: number, next: () => number): AggregateRow[] {
  const rows: AggregateRow[] = [];
  for (const dimension of BREAKDOWN_NAMES) {
    const count = Math.min(categoriesAtRank(dimension, rank), without);
    const categories = dimension === 'version' ? packageVersions(rank, count) : CATEGORIES[dimension].slice(0, count);
    const exponent = ZIPF_EXPONENTS[dimension];
    const weights = categories.map((_, i) => (i + 1) ** -exponent * (0.75 + 0.5 * next()));
    splitAtLeastOne(without, weights).forEach((downloads, i) => rows.push({ package: name, dimension, category: categories[i]!, downloads }));
  }
  return rows;
}

/** What the benchmark's figures with every breakdown assume about the synthesized day. */
export const BREAKDOWNS_DAY_NOTE =
  'PyPI-sized day with every breakdown (bench/pypi-breakdowns.ts): categories per package and dimension follow a straight line in ' +
  'log(categories) against log(rank) through PERFORMANCE.md\'s anchors (rank 1, rank 1,000, the median rank 150,000), down to 1 at rank ' +
  '300,000, capped by the package\'s downloads; downloads split over them by a Zipf law per dimension (±25 % noise), summing to ' +
  'without_mirrors; a package has each dimension\'s most common categories (its newest versions); package downloads are Zipf (1.1) ' +
  'from the top package\'s, as for the seed\'s four breakdowns, so rank 1,000 has about a two-thousandth of the top\'s downloads ' +
  '(10,000 of 20 million, where PERFORMANCE.md says ~100,000 of 40 million): the anchors are taken by rank, not by downloads. ' +
  'About 10.3 million category rows a day for 300,000 packages (3.3 million of them the seed\'s four).';
