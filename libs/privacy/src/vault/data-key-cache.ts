import type { DataKey } from '../crypto/data-key';

export interface DataKeyCacheOptions {
  /** Most keys held at once; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
  /**
   * How long an unwrapped key stays usable without re-reading its row, in ms. Default 30 000.
   * This bounds how long another process may still decrypt after a shred elsewhere.
   */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * A bounded LRU of unwrapped data keys with a time-to-live. `evict()` also puts the person
 * on hold for one TTL: while a shred is in flight (its transaction not yet committed) a
 * concurrent read could otherwise cache the about-to-be-destroyed key again.
 */
export class DataKeyCache {
  readonly maxEntries: number;
  readonly ttlMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, { key: DataKey; expiresAt: number }>();
  private readonly held = new Map<string, number>();

  constructor(options: DataKeyCacheOptions = {}) {
    this.maxEntries = Math.max(0, Math.floor(options.maxEntries ?? 10_000));
    this.ttlMs = Math.max(0, options.ttlMs ?? 30_000);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(personId: string): DataKey | undefined {
    const entry = this.entries.get(personId);
    if (!entry) return undefined;
    this.entries.delete(personId);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(personId, entry); // most recently used goes last
    return entry.key;
  }

  /** Caches `key` unless the person is on hold after an eviction. */
  set(personId: string, key: DataKey): void {
    if (this.maxEntries === 0 || this.ttlMs === 0) return;
    const now = this.now();
    const holdUntil = this.held.get(personId);
    if (holdUntil !== undefined) {
      if (holdUntil > now) return;
      this.held.delete(personId);
    }
    this.entries.delete(personId);
    this.entries.set(personId, { key, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Removes the person's key and refuses to cache it again for one TTL. */
  evict(personId: string): void {
    this.entries.delete(personId);
    if (this.maxEntries === 0 || this.ttlMs === 0) return;
    const now = this.now();
    for (const [id, until] of this.held) if (until <= now) this.held.delete(id);
    this.held.set(personId, now + this.ttlMs);
  }

  clear(): void {
    this.entries.clear();
  }
}
