/** Ends every run with the plain line CI reads: `N passed, N failed, N skipped`. */
import type { Reporter, File, Task } from 'vitest';

function countTests(tasks: readonly Task[], counts: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      countTests(task.tasks, counts);
      continue;
    }
    const state = task.result?.state;
    if (task.mode === 'skip' || task.mode === 'todo' || state === 'skip') counts.skipped++;
    else if (state === 'pass') counts.passed++;
    else counts.failed++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const file of files) {
      if (file.result?.state === 'fail' && file.tasks.length === 0) counts.failed++;
      countTests(file.tasks, counts);
    }
    counts.failed += errors.length;
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
