import { Logger } from '@nestjs/common';
import type { MessagingLogger } from '../kafka/kafka-client';

/** The messaging classes' logger interface over Nest's logger (pino in a service). */
export function nestLogger(context: string): MessagingLogger {
  const l = new Logger(context);
  return { log: (m) => l.log(m), warn: (m) => l.warn(m), error: (m) => l.error(m), debug: (m) => l.debug(m) };
}

/** A wait that ends early when `wake()` is called (shutdown must not sit out a retry delay). */
export class WakeableDelay {
  private wakeUp: (() => void) | null = null;

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}

/** Delay before the next attempt to reach the broker: 1 s, 2 s, ... at most 30 s. */
export function brokerRetryDelay(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
}
