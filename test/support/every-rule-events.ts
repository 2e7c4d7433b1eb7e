/** Raw events that exercise every data rule of API.md, for comparing one source with another. */
import { addDays, type Day } from '../../src/domain/dates.js';
import { download, type RawEvent } from './raw-events.js';

const installers = ['pip', 'uv', 'bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi', 'Bandersnatch', null];
const pythons = ['3.12.1', '3.12.4', '3.9.0', '3.10.2', '2.7.18', '3.14.0rc1', '3.013', null, '', 'abc', '3', '3.x', 'cpython-3.11', ' 3.11', '1234.5'];
const systems: (string | null | undefined)[] = ['Windows', 'Linux', 'Darwin', 'FreeBSD', 'linux', 'Emscripten', null, undefined, ''];
const versions = ['1.0', '1.10', '1.9', '2.0rc1', '2.0', '1.0.0', 'not-pep440', '', null];
const countries = ['US', 'DE', 'de', '', null, 'CN'];
const cis = [false, true, null, false];
const cpus = ['x86_64', 'AMD64', 'aarch64', 'arm64', '', null, 'i686'];
const distros: ({ name: string | null; libc: string | null } | null)[] = [
  { name: 'Ubuntu', libc: 'glibc' },
  { name: 'Debian GNU/Linux', libc: 'glibc' },
  { name: 'Alpine Linux', libc: 'musl' },
  { name: 'ubuntu', libc: 'Glibc' },
  { name: '', libc: '' },
  null,
];
const implementations = ['CPython', 'cpython', 'PyPy', null];
const fileTypes = ['bdist_wheel', 'sdist', 'bdist_wheel', 'bdist_egg', null];
const names = ['Foo_Bar', 'foo.bar', 'FOO--bar', 'foo-bar', 'Django_REST.framework', 'zope.interface', 'requests', 'A.B_c'];

/**
 * A few hundred events on `day`, and some on the days either side: mirrors, `.metadata` files,
 * valid and malformed Python strings, every kind of system, names to normalize, invalid and
 * over-long names, missing projects (file.project and the top-level one), missing timestamps;
 * and every new breakdown's field with typical, odd, empty and missing values.
 */
export function everyRuleEvents(day: Day): RawEvent[] {
  const events: RawEvent[] = [];
  const days = [addDays(day, -1), day, day, day, addDays(day, 1)];
  for (let i = 0; i < 400; i++) {
    const name = names[i % names.length]!;
    const onDay = days[i % days.length]!;
    const time = i % 9 === 0 ? `${onDay}T${String(i % 24).padStart(2, '0')}:15:00Z` : `${onDay} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07.250000 UTC`;
    const installer = installers[i % installers.length];
    const system = systems[i % systems.length];
    const distro = distros[i % distros.length]!;
    const implementation = implementations[i % implementations.length];
    const base = download(
      name,
      time,
      {
        python: pythons[i % pythons.length],
        system: system === undefined ? null : { name: system },
        installer: installer === null ? null : { name: installer! },
        ci: cis[i % cis.length],
        cpu: cpus[i % cpus.length],
        distro: distro && { name: distro.name, libc: { lib: distro.libc } },
        implementation: implementation ? { name: implementation } : null,
      },
      i % 13 === 0 ? `${name}-1.0-py3-none-any.whl.metadata` : undefined,
    );
    events.push({
      ...base,
      country_code: countries[i % countries.length],
      file: { ...base.file, version: versions[i % versions.length], type: fileTypes[i % fileTypes.length] },
    });
  }
  const at = `${day} 12:00:00 UTC`;
  const long = 'a'.repeat(129);
  events.push(
    // Edges of the day, in both notations.
    download('edge', `${addDays(day, -1)} 23:59:59.999999 UTC`),
    download('edge', `${day} 00:00:00.000000 UTC`),
    download('edge', `${day}T23:59:59.999999Z`),
    download('edge', `${addDays(day, 1)} 00:00:00 UTC`),
    // No timestamp: the files source counts them, BigQuery cannot see them.
    { ...download('edge', at), timestamp: null },
    { ...download('edge', at), timestamp: undefined },
    // No project.
    { ...download('x', at), project: null, file: { filename: 'x.tar.gz', project: null } },
    { ...download('x', at), project: '', file: { filename: 'x.tar.gz', project: '' } },
    { ...download('x', at), project: null, file: null },
    // file.project wins; the top-level project fills a gap.
    { ...download('from-file', at), project: 'other-name' },
    { ...download('x', at), project: 'Top.Level', file: { filename: 'top_level-1.0.tar.gz', project: null } },
    // Names: too long once normalized, just short enough, and invalid.
    download(long, at),
    download(`${'a'.repeat(64)}__${'b'.repeat(64)}`, at),
    download(`${'a'.repeat(64)}_${'b'.repeat(63)}`, at),
    download('-bad-', at),
    download('has space', at),
    download('__all__', at),
    download('naïve', at),
    download('trailing.', at, {}, 'trailing-1.0.whl.metadata'),
    // A package that only has .metadata fetches.
    download('meta-only', at, {}, 'meta_only-1.0-py3-none-any.whl.metadata'),
  );
  return events;
}
