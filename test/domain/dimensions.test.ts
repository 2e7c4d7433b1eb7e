import { describe, expect, it } from 'vitest';
import { comparePackageVersions, compareVersions, dimensionNamed, dimensions, enabledDimensions, optionalDimensions, seedDimensions } from '../../src/domain/dimensions.js';
import { loadConfig } from '../../src/config.js';

describe('the dimension registry', () => {
  it('defines the four breakdowns of pypistats.org', () => {
    expect(seedDimensions.map((d) => [d.name, d.responseType, d.filter.param])).toEqual([
      ['overall', 'overall_downloads', 'mirrors'],
      ['python_major', 'python_major_downloads', 'version'],
      ['python_minor', 'python_minor_downloads', 'version'],
      ['system', 'system_downloads', 'os'],
    ]);
  });

  it('orders Python versions as versions with null last', () => {
    expect(['3.10', 'null', '2.7', '3.9', '3.14', '3.1'].sort(compareVersions)).toEqual(['2.7', '3.1', '3.9', '3.10', '3.14', 'null']);
    expect(['null', '3', '2', '10'].sort(compareVersions)).toEqual(['2', '3', '10', 'null']);
  });

  it('orders systems alphabetically, as the seed shows them', () => {
    const system = dimensionNamed('system');
    expect(['windows', 'other', 'null', 'linux', 'darwin'].sort(system.compareCategories)).toEqual(['darwin', 'linux', 'null', 'other', 'windows']);
  });

  it('maps filter values to categories', () => {
    expect(dimensionNamed('overall').filter.toCategory('true')).toBe('with_mirrors');
    expect(dimensionNamed('overall').filter.toCategory('false')).toBe('without_mirrors');
    expect(dimensionNamed('system').filter.toCategory('linux')).toBe('linux');
    expect(dimensionNamed('python_minor').filter.toCategory('3.12')).toBe('3.12');
    expect(() => dimensionNamed('nope')).toThrow('unknown dimension "nope"');
  });

  it('defines every breakdown PyPI logs, as the contract names them', () => {
    expect(optionalDimensions.map((d) => [d.name, d.responseType, d.filter.param, d.scope])).toEqual([
      ['version', 'version_downloads', 'version', 'package'],
      ['installer', 'installer_downloads', 'installer', 'global'],
      ['ci', 'ci_downloads', 'ci', 'global'],
      ['country', 'country_downloads', 'country', 'global'],
      ['implementation', 'implementation_downloads', 'implementation', 'global'],
      ['cpu', 'cpu_downloads', 'cpu', 'global'],
      ['libc', 'libc_downloads', 'libc', 'global'],
      ['distro', 'distro_downloads', 'distro', 'global'],
      ['file_type', 'file_type_downloads', 'file_type', 'global'],
    ]);
    // Every raw column has one name and one place across the registry.
    const columns = new Map<string, string>();
    for (const dimension of dimensions) {
      for (const column of dimension.columns) {
        const place = column.path.join('.');
        expect(columns.get(column.name) ?? place).toBe(place);
        columns.set(column.name, place);
      }
    }
    expect([...columns.entries()]).toContainEqual(['libc', 'details.distro.libc.lib']);
  });

  it('orders package versions as PEP 440 does, unparsable strings after them and null last', () => {
    const versions = comparePackageVersions;
    expect(['2.0', 'null', '1.10', '2.0rc1', '1.9'].sort(versions)).toEqual(['1.9', '1.10', '2.0rc1', '2.0', 'null']);
    // Pre-, post- and dev-releases, local versions, epochs.
    expect(['1.0.post1', '1.0', '1.0.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0+local.1', '1!0.5', '0.9'].sort(versions)).toEqual([
      '0.9',
      '1.0.dev1',
      '1.0a1',
      '1.0b2',
      '1.0rc1',
      '1.0',
      '1.0+local.1',
      '1.0.post1',
      '1!0.5',
    ]);
    // Legacy strings PEP 440 cannot parse, after every version, alphabetically.
    expect(['dev', '2.0', 'null', '1.0-SNAPSHOT', 'latest', '0.1'].sort(versions)).toEqual(['0.1', '2.0', '1.0-SNAPSHOT', 'dev', 'latest', 'null']);
    // Two spellings of one version are both kept, in a total order.
    expect(['1.0.0', '1.0', 'v1.0'].sort(versions)).toEqual(['1.0', '1.0.0', 'v1.0']);
  });

  it('orders CI as true, false, null and the others alphabetically with null last', () => {
    expect(['null', 'false', 'true'].sort(dimensionNamed('ci').compareCategories)).toEqual(['true', 'false', 'null']);
    expect(['null', 'uv', 'pip', 'Poetry'].sort(dimensionNamed('installer').compareCategories)).toEqual(['Poetry', 'pip', 'uv', 'null']);
  });

  it('folds filter values as the categories are folded', () => {
    expect(dimensionNamed('country').filter.toCategory('de')).toBe('DE');
    expect(dimensionNamed('country').filter.toCategory('null')).toBe('null');
    expect(dimensionNamed('version').filter.caseSensitive).toBe(true);
    expect(dimensionNamed('distro').filter.matchesAnyCase).toBe(true);
    expect(dimensionNamed('installer').filter.matchesAnyCase).toBeUndefined();
  });

  it('is configured by DIMENSIONS, the seed four always on', () => {
    const names = (value: string | undefined) => loadConfig({ DIMENSIONS: value }).dimensions;
    expect(names(undefined)).toEqual(dimensions.map((d) => d.name));
    expect(names('all')).toEqual(dimensions.map((d) => d.name));
    expect(names('none')).toEqual(['overall', 'python_major', 'python_minor', 'system']);
    expect(names(' Country, version ')).toEqual(['overall', 'python_major', 'python_minor', 'system', 'version', 'country']);
    expect(() => names('version,colour')).toThrow('DIMENSIONS names no dimension "colour": use all, none, or a comma-separated list of version, installer');
    expect(enabledDimensions(names('cpu')).map((d) => d.name)).toEqual(['overall', 'python_major', 'python_minor', 'system', 'cpu']);
  });
});
