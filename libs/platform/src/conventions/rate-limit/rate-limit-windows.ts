import type { OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What the throttler guard reads back for one hit (@nestjs/throttler's ThrottlerStorageRecord). */
export interface RateLimitHit {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

interface Windows {
  /** Start (ms) of the current window; windows are `ttl` long. */
  start: number;
  current: number;
  previous: number;
  blockedUntil: number;
}

/**
 * Per-client request counts in constant time and memory: a sliding-window counter (the current
 * fixed window's count plus the previous window's, weighted by how much of it still overlaps
 * the last `ttl`), as gateways count. @nestjs/throttler's own storage keeps one expiry
 * timestamp per hit and filters them on every request: at a few thousand requests a second
 * from one client, every request walked an array of the minute's hits (the platform bench fell
 * from 1,875 to 855 requests/s within 20 s with limiting on).
 *
 * A client over `limit` is refused for `blockDuration` ms (the throttler passes the window
 * length); refused requests are not counted. Idle clients are forgotten after two windows.
 * Provided by RateLimitModule with a factory (the clock is a constructor argument for tests).
 */
export class RateLimitWindows implements ThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Windows>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitHit> {
    return this.hit(`${throttlerName}\u0000${key}`, ttl, limit, blockDuration);
  }

  /** One request of `key` now: counted unless refused. Synchronous core of `increment`. */
  hit(key: string, ttl: number, limit: number, blockDuration: number): RateLimitHit {
    const now = this.now();
    this.sweepEvery(ttl);
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { start: now, current: 0, previous: 0, blockedUntil: 0 };
      this.windows.set(key, w);
    }
    const passed = Math.floor((now - w.start) / ttl);
    if (passed >= 2) {
      w.previous = 0;
      w.current = 0;
      w.start = now;
    } else if (passed === 1) {
      w.previous = w.current;
      w.current = 0;
      w.start += ttl;
    }
    const timeToExpire = Math.max(1, Math.ceil((w.start + ttl - now) / 1000));
    // Rounded up: a client is never let through on a fraction of a request.
    const estimate = () => Math.ceil(w.previous * Math.max(0, 1 - (now - w.start) / ttl)) + w.current;
    if (w.blockedUntil > now) {
      return { totalHits: estimate() + 1, timeToExpire, isBlocked: true, timeToBlockExpire: Math.max(1, Math.ceil((w.blockedUntil - now) / 1000)) };
    }
    if (estimate() >= limit) {
      // Over the limit: refused, not counted; blocked for blockDuration when there is one.
      if (blockDuration > 0) w.blockedUntil = now + blockDuration;
      const until = blockDuration > 0 ? w.blockedUntil : w.start + ttl;
      return { totalHits: estimate() + 1, timeToExpire, isBlocked: true, timeToBlockExpire: Math.max(1, Math.ceil((until - now) / 1000)) };
    }
    w.current += 1;
    return { totalHits: estimate(), timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
  }

  /** Clients currently remembered (tests, metrics). */
  get size(): number {
    return this.windows.size;
  }

  /** Forgets clients idle for two windows and not blocked. */
  sweep(ttl: number): void {
    const now = this.now();
    for (const [key, w] of this.windows) {
      if (now - w.start >= 2 * ttl && w.blockedUntil <= now) this.windows.delete(key);
    }
  }

  private sweepEvery(ttl: number): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(ttl), ttl);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
