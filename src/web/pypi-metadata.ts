/**
 * The package page's PyPI metadata, from PyPI's JSON API (`GET {url}/pypi/{name}/json`). The page
 * must render without it, so this never throws and never waits longer than the timeout: anything
 * but a good answer in time is null. Answers are kept for an hour and misses for a few minutes,
 * so a slow or absent PyPI costs one timeout per package per few minutes, not one per page view;
 * concurrent asks for one package share one request. At most a few requests are out at once: past
 * that the page renders without the metadata rather than wait in a queue (and the miss is not
 * kept, so the next view asks again).
 */
import { LRUCache } from 'lru-cache';
import { ALL_PACKAGES, checkPackageName } from '../domain/names.js';
import type { PackageMetadata, PackageMetadataSource } from '../domain/package-metadata.js';
import { metadataFromProjectJson } from './pypi-json.js';

export interface PypiMetadataOptions {
  /** Base URL of the JSON API, as `config.pypi.url` gives it (default `https://pypi.org`). */
  url?: string;
  /** Milliseconds for the whole answer, body included (default 1500). */
  timeoutMs?: number;
  /** Milliseconds an answer is reused (default an hour). */
  answerTtlMs?: number;
  /** Milliseconds a miss (404, timeout, refused, nonsense) is reused (default five minutes). */
  missTtlMs?: number;
  /** Packages kept, least recently used dropped first (default 10,000). */
  maxPackages?: number;
  /** Larger answers are misses (default 32 MiB: a project with thousands of releases stays under it). */
  maxBodyBytes?: number;
  /** Requests to PyPI out at once (default 4: enough for pages viewed by people, who hit the cache). */
  maxConcurrent?: number;
  /** The clock the TTLs are measured on, in milliseconds (default `Date.now`). */
  now?: () => number;
}

interface Kept {
  metadata: PackageMetadata | null;
  expiresAt: number;
}

export class PypiMetadataSource implements PackageMetadataSource {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly answerTtlMs: number;
  private readonly missTtlMs: number;
  private readonly maxBodyBytes: number;
  private readonly maxConcurrent: number;
  private readonly now: () => number;
  private readonly kept: LRUCache<string, Kept>;
  private readonly inFlight = new Map<string, Promise<PackageMetadata | null>>();

  constructor(options: PypiMetadataOptions = {}) {
    this.url = (options.url ?? 'https://pypi.org').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.answerTtlMs = options.answerTtlMs ?? 60 * 60 * 1000;
    this.missTtlMs = options.missTtlMs ?? 5 * 60 * 1000;
    this.maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.maxConcurrent = options.maxConcurrent ?? 4;
    this.now = options.now ?? Date.now;
    this.kept = new LRUCache({ max: options.maxPackages ?? 10_000 });
  }

  /** Null for a name PyPI cannot have, without asking it. */
  async metadata(name: string): Promise<PackageMetadata | null> {
    const checked = checkPackageName(name);
    if (!checked.ok || checked.name === ALL_PACKAGES) return null;
    const key = checked.name;
    const kept = this.kept.get(key);
    if (kept && kept.expiresAt > this.now()) return kept.metadata;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (this.inFlight.size >= this.maxConcurrent) return null;
    const fetching = this.fetchMetadata(key).then((metadata) => {
      this.kept.set(key, { metadata, expiresAt: this.now() + (metadata ? this.answerTtlMs : this.missTtlMs) });
      this.inFlight.delete(key);
      return metadata;
    });
    this.inFlight.set(key, fetching);
    return fetching;
  }

  /** `name` is normalized (letters, digits, `-`), so it goes into the path as it is. */
  private async fetchMetadata(name: string): Promise<PackageMetadata | null> {
    try {
      const response = await fetch(`${this.url}/pypi/${name}/json`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        return null;
      }
      const body = await this.readBody(response);
      if (body === null) return null;
      return metadataFromProjectJson(JSON.parse(body), `${this.url}/project/${name}/`);
    } catch {
      // Timeout, refused connection, reset, invalid JSON: all mean "render without it".
      return null;
    }
  }

  /** The body as text, or null past `maxBodyBytes`; the timeout's signal also aborts this read. */
  private async readBody(response: Response): Promise<string | null> {
    if (Number(response.headers.get('content-length') ?? 0) > this.maxBodyBytes || !response.body) {
      await response.body?.cancel();
      return null;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.maxBodyBytes) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
