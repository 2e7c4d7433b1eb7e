import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { variables } from '../src/config.js';

describe('the README', () => {
  it('starts with the two commands a newcomer runs', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const firstBlock = readme.split('```')[1]!;
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm install && npm test');
  });

  it('documents every configuration variable, as config.ts describes it', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const [name, meaning] of Object.entries(variables)) expect(readme).toContain(`| \`${name}\` | ${meaning} |`);
  });
});
