import { describe, expect, it } from 'vitest';
import { categoryStyle } from '../../src/web/category-style.js';
import { OTHERS } from '../../src/web/chart-settings.js';

describe('a category’s style', () => {
  it('is its dimension’s: 2 is Python 2 only among Python versions, and a version 2 is just 2', () => {
    expect(categoryStyle('python_major', '2').label).toBe('Python 2');
    expect(categoryStyle('version', '2').label).toBe('2');
    expect(categoryStyle('system', 'linux').label).toBe('Linux');
    expect(categoryStyle('distro', 'linux').label).toBe('linux');
    expect(categoryStyle('ci', 'true').label).toBe('CI');
    expect(categoryStyle('file_type', 'bdist_wheel').label).toBe('wheel');
  });

  it('keeps a Python minor version’s own colour, and gives any other category one by its name', () => {
    expect(categoryStyle('python_minor', '3.12').colour).not.toBe(categoryStyle('python_minor', '3.13').colour);
    expect(categoryStyle('version', '3.12').colour).toBe(categoryStyle('cpu', '3.12').colour);
  });

  it('draws unknown dashed everywhere, and names the fold of the smaller categories', () => {
    expect(categoryStyle('country', 'null')).toEqual({ label: 'unknown', colour: '#9aa0a6', dashed: true });
    expect(categoryStyle('version', OTHERS, 'other versions')).toMatchObject({ label: 'other versions', dashed: false });
  });
});
