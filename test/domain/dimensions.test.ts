import { describe, expect, it } from 'vitest';
import { compareVersions, dimensionNamed, dimensions } from '../../src/domain/dimensions.js';

describe('the dimension registry', () => {
  it('defines the four breakdowns of pypistats.org', () => {
    expect(dimensions.map((d) => [d.name, d.responseType, d.filter.param])).toEqual([
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
});
