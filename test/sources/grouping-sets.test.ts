/** The grouping plan both queries are generated from: which raw columns, which sets, which ids. */
import { describe, expect, it } from 'vitest';
import { dimensionNamed, dimensions, enabledDimensions, type Dimension } from '../../src/domain/dimensions.js';
import { groupingIdSql, groupingPlan, groupingSetsSql } from '../../src/sources/grouping-sets.js';

describe('the grouping plan', () => {
  it('reads each raw column once, and gives dimensions that read the same columns one set', () => {
    const plan = groupingPlan(dimensions);
    expect(plan.columns.map((column) => column.name)).toEqual(['python', 'system_name', 'version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type']);
    expect(plan.sets).toHaveLength(1 + plan.columns.length);
    expect(plan.setOf(dimensionNamed('python_major'))).toBe(plan.setOf(dimensionNamed('python_minor')));
    expect(plan.setOf(dimensionNamed('overall'))).toBe(plan.sets[0]);
    expect(new Set(plan.sets.map((set) => set.id)).size).toBe(plan.sets.length);
  });

  it('numbers each set as GROUPING_ID does: a bit per raw column not grouped, the first column highest', () => {
    const plan = groupingPlan(enabledDimensions([]));
    expect(plan.sets.map((set) => [set.columns.map((column) => column.name), set.id])).toEqual([[[], 3], [['python'], 1], [['system_name'], 2]]);
    expect(groupingIdSql(plan)).toBe('GROUPING(python) * 2 + GROUPING(system_name) * 1');
    expect(groupingSetsSql(plan, ['project'])).toBe('GROUP BY GROUPING SETS (\n    (project),\n    (project, python),\n    (project, system_name)\n  )');
  });

  it('refuses a raw column declared twice differently, or named as one of the queries\' own columns', () => {
    const python = dimensionNamed('python_major');
    const clash: Dimension = { ...dimensionNamed('cpu'), name: 'clash', columns: [{ name: 'python', path: ['details', 'cpu'], type: 'VARCHAR' }] };
    expect(() => groupingPlan([python, clash])).toThrow('raw column "python" is declared twice, differently (details.python and details.cpu)');
    const reserved: Dimension = { ...dimensionNamed('cpu'), columns: [{ name: 'package', path: ['details', 'cpu'], type: 'VARCHAR' }] };
    expect(() => groupingPlan([reserved])).toThrow('raw column name "package" of cpu is reserved or not a column name');
    const badPath: Dimension = { ...dimensionNamed('cpu'), columns: [{ name: 'cpu', path: ['details', "cpu'"], type: 'VARCHAR' }] };
    expect(() => groupingPlan([badPath])).toThrow("raw column path details.cpu' of cpu is not a path of names");
  });
});
