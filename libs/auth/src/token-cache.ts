import { createHash } from 'node:crypto';
import type { Principal } from './principal';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the oldest is dropped first (default 10,000). */
  maxEntries?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

interface Entry {
  principal: Principal;
  /** The token's `exp`, in milliseconds: never served after it. */
  expiresAtMs: number;
  /** Key id that verified it: served only while that key is still trusted. */
  kid: string;
}

/**
 * Tokens whose signature and claims were verified, and the principal they map to, until the
 * token's own expiry. Verifying an ES256 signature costs more than the rest of a simple read;
 * a client sends the same token for minutes, so each token is verified once.
 *
 * Keyed by the SHA-256 of the whole compact token: a token differing by one byte (a tampered
 * payload or signature) is a different key, so only the exact bytes that verified are served,
 * and the bearer tokens themselves are not kept in memory. Only successes are stored: a
 * rejected token is verified (and rejected) again every time.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /**
   * The principal of a token verified before, while it has not expired and `trusted(kid)` says
   * its signing key is still trusted (a rotated-out key stops its tokens at once).
   */
  get(key: string, trusted: (kid: string) => boolean): Principal | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAtMs || !trusted(entry.kid)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a verified token until `expSeconds` (its `exp` claim). */
  set(key: string, principal: Principal, expSeconds: number, kid: string): void {
    const expiresAtMs = expSeconds * 1000;
    if (!Number.isFinite(expiresAtMs) || expiresAtMs <= this.now()) return;
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { principal: freezePrincipal(principal), expiresAtMs, kid });
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops expired entries, else the oldest one (Map keeps insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (now >= entry.expiresAtMs) this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

/** One principal object serves many requests: none of them may change it for the others. */
function freezePrincipal(principal: Principal): Principal {
  Object.freeze(principal.jurisdictions);
  Object.freeze(principal.scopes);
  return Object.freeze(principal);
}
