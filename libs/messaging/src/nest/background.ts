import { Logger } from '@nestjs/common';
import type { MessagingLogger } from '../kafka/kafka-client';

/** The messaging classes' logger interface over Nest's logger (pino in a service). */
export function nestLogger(context: string): MessagingLogger {
  const l = new Logger(context);
  return { log: (m) => l.log(m), warn: (m) => l.warn(m), error: (m) => l.error(m), debug: (m) => l.debug(m) };
}

/**
 * Retries a start-up step that needs the broker (1 s, 2 s, ... at most 30 s apart) until it
 * succeeds or `stop()` is called: a service starts while the broker is down and connects when
 * it is back, and a shutdown does not sit out a retry delay.
 */
export class UntilBrokerAnswers {
  private stopped = false;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly logger: Logger) {}

  /** True once `step` succeeded, false when stopped first; `undo` cleans up after a failed step. */
  async run(step: () => Promise<unknown>, undo?: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await step();
        return true;
      } catch (e) {
        await undo?.().catch(() => undefined);
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.logger.warn(`broker not available yet (${(e as Error).message}); retrying in ${delay} ms`);
        await this.wait(delay);
      }
    }
    return false;
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve(); // stopped while the failed step was cleaned up
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
