import { describe } from 'vitest';
import { suiteName, type ExternalService } from './services.js';

/** A `describe` that runs only when every service it needs is configured (see services.ts). */
export function describeWith(needs: readonly ExternalService[], name: string, body: () => void): void {
  describe.skipIf(needs.some((s) => s.value === undefined))(suiteName(name, needs), body);
}
