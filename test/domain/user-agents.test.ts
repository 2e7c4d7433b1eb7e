import { describe, expect, it } from 'vitest';
import { detailAt, parseUserAgent } from '../../src/domain/user-agents.js';
import { PIP_USER_AGENT, UV_USER_AGENT } from '../support/user-agents.js';

const flat = (ua: string) => {
  const details = parseUserAgent(ua);
  return {
    installer: detailAt(details, ['installer', 'name']),
    python: detailAt(details, ['python']),
    implementation: detailAt(details, ['implementation', 'name']),
    system: detailAt(details, ['system', 'name']),
    distro: detailAt(details, ['distro', 'name']),
    libc: detailAt(details, ['distro', 'libc', 'lib']),
    cpu: detailAt(details, ['cpu']),
    ci: detailAt(details, ['ci']),
  };
};
const only = (installer: string | null, more: Partial<ReturnType<typeof flat>> = {}) => ({
  installer, python: null, implementation: null, system: null, distro: null, libc: null, cpu: null, ci: null, ...more,
});

describe('parseUserAgent', () => {
  it('reads every field of pip’s linehaul JSON', () => {
    expect(flat(PIP_USER_AGENT)).toEqual({ installer: 'pip', python: '3.12.1', implementation: 'CPython', system: 'Linux', distro: 'Ubuntu', libc: 'glibc', cpu: 'x86_64', ci: null });
  });

  it('reads uv’s, CI included', () => {
    expect(flat(UV_USER_AGENT)).toEqual({ installer: 'uv', python: '3.11.7', implementation: 'CPython', system: 'Linux', distro: 'Alpine Linux', libc: 'musl', cpu: 'aarch64', ci: true });
  });

  it('takes the installer from the text when the JSON names none, and drops fields of the wrong type', () => {
    expect(flat('someinstaller/1.0 {"python":3.12,"cpu":"arm64","ci":"yes"}')).toEqual(only('someinstaller', { cpu: 'arm64' }));
  });

  it.each([
    // pip 1.4 to 5 (pip/download.py of its time): `pip/{version} {impl}/{impl version} {system}/{release}`.
    ['pip/1.5.6 CPython/2.7.6 Linux/3.13.0-24-generic', only('pip', { python: '2.7.6', implementation: 'CPython', system: 'Linux' })],
    // poetry (poetry/utils/authenticator.py of 1.1): `poetry/{version} {impl}/{version} {system}/{release}`.
    ['poetry/1.1.11 CPython/3.9.2 Linux/5.10.16.3-microsoft-standard-WSL2', only('poetry', { implementation: 'CPython', system: 'Linux' })],
    ['pdm/2.11.1 CPython/3.12.1', only('pdm', { implementation: 'CPython' })],
    ['twine/4.0.2 importlib_metadata/6.8.0 packaging/23.2 requests/2.31.0 requests-toolbelt/1.0.0 urllib3/2.1.0 tqdm/4.66.1 CPython/3.12.1', only('twine', { implementation: 'CPython' })],
    // setuptools/package_index.py: `setuptools/{setuptools.__version__} Python-urllib/{py_major}`.
    ['setuptools/69.0.3 Python-urllib/3.12', only('setuptools', { python: '3.12' })],
    ['Python-urllib/2.7 setuptools/0.9.8', only('setuptools', { python: '2.7' })],
    // Mirrors (bandersnatch/utils.py's user_agent(), devpi-server's): the installer alone.
    ['bandersnatch/6.5.0 (CPython 3.12.1-final0, Linux x86_64)', only('bandersnatch')],
    ['devpi-server/6.10.0 (py3.11.6; linux)', only('devpi')],
    ['Artifactory/7.71.11', only('Artifactory')],
    ['z3c.pypimirror/1.0.16', only('z3c.pypimirror')],
    // requests' default (`python-requests/{__version__}`), curl and browsers.
    ['python-requests/2.31.0', only('requests')],
    ['curl/8.5.0', only('Browser')],
    ['Wget/1.21.4', only('Browser')],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', only('Browser')],
    ['conda/23.11.0 requests/2.31.0 CPython/3.11.5 Linux/6.5.0 ubuntu/22.04.3 glibc/2.35', only('conda')],
    ['Python-urllib/3.11', only(null, { python: '3.11' })],
  ])('%s', (ua, expected) => {
    expect(flat(ua)).toEqual(expected);
  });

  it.each(['Go-http-client/1.1', '', '-', 'pip/24.0 {not json'])('knows nothing of %j', (ua) => {
    expect(parseUserAgent(ua)).toBeNull();
  });
});
