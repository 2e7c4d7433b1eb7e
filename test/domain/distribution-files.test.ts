import { describe, expect, it } from 'vitest';
import { fileNameOfTarget, parseDistributionFilename } from '../../src/domain/distribution-files.js';

const file = (project: string, version: string, type: string) => ({ project, version, type });

describe('parseDistributionFilename', () => {
  it.each([
    // PEP 427's own examples, with and without a build tag.
    ['distribution-1.0-1-py27-none-any.whl', file('distribution', '1.0', 'bdist_wheel')],
    ['distribution-1.0-py27-none-any.whl', file('distribution', '1.0', 'bdist_wheel')],
    // The binary distribution format spec: compressed tag sets (`py2.py3`, several platforms).
    ['six-1.16.0-py2.py3-none-any.whl', file('six', '1.16.0', 'bdist_wheel')],
    ['numpy-1.26.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', file('numpy', '1.26.2', 'bdist_wheel')],
    ['cryptography-41.0.7-cp37-abi3-macosx_10_12_universal2.whl', file('cryptography', '41.0.7', 'bdist_wheel')],
    // Real odd names: a build tag, an escaped name, a dotted name, a local version.
    ['tensorflow_io_gcs_filesystem-0.34.0-2-cp311-cp311-manylinux_2_12_x86_64.manylinux2010_x86_64.whl', file('tensorflow_io_gcs_filesystem', '0.34.0', 'bdist_wheel')],
    ['Django_REST_framework-3.14.0-py3-none-any.whl', file('Django_REST_framework', '3.14.0', 'bdist_wheel')],
    ['zope.interface-6.1-cp312-cp312-win_amd64.whl', file('zope.interface', '6.1', 'bdist_wheel')],
    ['torch-2.1.0+cpu-cp311-cp311-linux_x86_64.whl', file('torch', '2.1.0+cpu', 'bdist_wheel')],
    // PEP 625 sdists, and legacy ones whose project name holds `-` or `.`.
    ['my_project-1.0.tar.gz', file('my_project', '1.0', 'sdist')],
    ['python-dateutil-2.8.2.tar.gz', file('python-dateutil', '2.8.2', 'sdist')],
    ['backports.zoneinfo-0.2.1.tar.gz', file('backports.zoneinfo', '0.2.1', 'sdist')],
    ['Django-1.11.29.tar.gz', file('Django', '1.11.29', 'sdist')],
    ['pywin32-ctypes-0.2.0.zip', file('pywin32-ctypes', '0.2.0', 'sdist')],
    ['pyserial-2.7.tar.bz2', file('pyserial', '2.7', 'sdist')],
    ['requests-2.0.0rc1.tar.gz', file('requests', '2.0.0rc1', 'sdist')],
    ['py-3to2-1.1.1.zip', file('py-3to2', '1.1.1', 'sdist')],
    ['PyXML-0.8.4-beta.tar.gz', file('PyXML', '0.8.4-beta', 'sdist')],
    // Eggs and Windows installers of old projects.
    ['setuptools-0.6c11-py2.7.egg', file('setuptools', '0.6c11', 'bdist_egg')],
    ['simplejson-3.19.2-py3.11-linux-x86_64.egg', file('simplejson', '3.19.2', 'bdist_egg')],
    ['pywin32-227.win32-py3.8.exe', file('pywin32', '227', 'bdist_wininst')],
    ['psycopg2-2.8.6.win-amd64-py3.8.exe', file('psycopg2', '2.8.6', 'bdist_wininst')],
    ['lxml-4.9.3.win-amd64-py3.11.msi', file('lxml', '4.9.3', 'bdist_msi')],
  ])('%s', (name, expected) => {
    expect(parseDistributionFilename(name)).toEqual({ filename: name, ...expected });
  });

  it('takes a PEP 658 metadata file for the file it describes, keeping its own name (a metadata fetch, not a download)', () => {
    expect(parseDistributionFilename('requests-2.31.0-py3-none-any.whl.metadata')).toEqual({
      filename: 'requests-2.31.0-py3-none-any.whl.metadata',
      project: 'requests',
      version: '2.31.0',
      type: 'bdist_wheel',
    });
  });

  it.each([
    'index.html',
    'requests-2.31.0.tar.gz.asc', // a signature
    'foo.whl', // no version
    'foo-1.0-py3-none.whl', // four parts
    'foo-1.0-x1-py3-none-any.whl', // a build tag must start with a digit
    'foo-1.0--py3-none-any.whl',
    'foo-bar.tar.gz', // no version
    '-1.0.tar.gz',
    'README',
    '',
  ])('%s is no distribution file', (name) => {
    expect(parseDistributionFilename(name)).toBeNull();
  });
});

describe('fileNameOfTarget', () => {
  it('is the last path segment, without query, percent-decoded', () => {
    expect(fileNameOfTarget('/packages/ab/cd/torch-2.1.0%2Bcpu-cp311-cp311-linux_x86_64.whl?x=1#frag')).toBe('torch-2.1.0+cpu-cp311-cp311-linux_x86_64.whl');
    expect(fileNameOfTarget('/requests-2.31.0.tar.gz')).toBe('requests-2.31.0.tar.gz');
  });

  it('is null for a directory, a bad escape, or an escaped slash', () => {
    expect(fileNameOfTarget('/simple/requests/')).toBeNull();
    expect(fileNameOfTarget('/')).toBeNull();
    expect(fileNameOfTarget('/packages/%E0%A4%A')).toBeNull();
    expect(fileNameOfTarget('/packages/a%2Fb-1.0.tar.gz')).toBeNull();
  });
});
