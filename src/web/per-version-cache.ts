/**
 * What the pages compute from the store, kept until the data changes: like the API's response
 * cache, entries belong to one data version and a new version starts afresh. Computations in
 * flight are shared, so a burst of requests for one page reads the store once.
 */
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/types.js';

export class PerVersionCache<T> {
  private version: string | null = null;
  private readonly entries: LRUCache<string, Promise<T>>;

  constructor(
    private readonly store: Store,
    maxEntries: number,
  ) {
    this.entries = new LRUCache<string, Promise<T>>({ max: maxEntries });
  }

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.store.dataVersion();
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
    }
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = compute();
      this.entries.set(key, entry);
      // A failure is not kept: the next request tries again.
      entry.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    return entry;
  }
}
