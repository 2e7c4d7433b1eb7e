/**
 * The data version both stores keep in `meta`: a new one is written in every write's transaction,
 * and read back at most every VERSION_CHECK_MS, since the API asks for it on every request.
 */
import { randomBytes } from 'node:crypto';

/** How stale a store's idea of the data version may be: a load by another process shows within this time. */
export const VERSION_CHECK_MS = 1000;

export function newDataVersion(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export class DataVersionCache {
  private version: string | null = null;
  private checkedAt = 0;

  constructor(private readonly readVersion: () => Promise<string>) {}

  /** The version read at most VERSION_CHECK_MS ago, or read now; a write of this store shows at once (see forget). */
  async current(): Promise<string> {
    const now = performance.now();
    if (this.version === null || now - this.checkedAt >= VERSION_CHECK_MS) {
      this.version = await this.readVersion();
      this.checkedAt = now;
    }
    return this.version;
  }

  /** After this store's own write: the next current() reads the version again. */
  forget(): void {
    this.version = null;
  }
}
