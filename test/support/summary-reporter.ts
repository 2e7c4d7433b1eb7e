/**
 * Ends every run with the plain line CI reads, `N passed, N failed, N skipped`, and names the
 * suites skipped for want of a service, with the variable that runs them.
 */
import type { Reporter, File, Task } from 'vitest';
import { allServices } from './services.js';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  skippedFor: Map<string, number>;
}

function countTests(tasks: readonly Task[], counts: Counts, needs: readonly string[]): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      const named = [...task.name.matchAll(/\[needs ([A-Z_]+)\]/g)].map((match) => match[1]!);
      countTests(task.tasks, counts, [...needs, ...named]);
      continue;
    }
    const state = task.result?.state;
    if (task.mode === 'skip' || task.mode === 'todo' || state === 'skip') {
      counts.skipped++;
      for (const variable of needs) counts.skippedFor.set(variable, (counts.skippedFor.get(variable) ?? 0) + 1);
    } else if (state === 'pass') counts.passed++;
    else counts.failed++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = [], errors: unknown[] = []): void {
    const counts: Counts = { passed: 0, failed: 0, skipped: 0, skippedFor: new Map() };
    for (const file of files) {
      if (file.result?.state === 'fail' && file.tasks.length === 0) counts.failed++;
      countTests(file.tasks, counts, []);
    }
    counts.failed += errors.length;
    const lines = [''];
    for (const service of allServices) {
      const skipped = counts.skippedFor.get(service.variable);
      if (!skipped) continue;
      lines.push(
        `skipped ${skipped} tests that need ${service.what}: to run them, set ${service.variable} (for example ${service.variable}=${service.example} npm test)`,
      );
    }
    lines.push(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    console.log(lines.join('\n'));
  }
}
