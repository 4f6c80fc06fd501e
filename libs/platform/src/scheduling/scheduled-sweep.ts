import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/** What a ScheduledSweep runs, how often, and what it does with a failed pass. */
export interface ScheduledSweepOptions {
  /** Pause between the end of one pass and the start of the next; 0 or less: never scheduled (tests call the pass themselves). */
  intervalMs: number;
  /** One pass, at `now` (from `clock`). */
  pass: (now: Date) => Promise<unknown>;
  /** A failed pass is reported here; the next one still runs on schedule. */
  onError: (error: unknown) => void;
  /** Where a pass gets its time; injectable so tests and simulations move time themselves. */
  clock?: () => Date;
}

/**
 * A periodic background pass (overdue sweeps, delivery polling). Single-flight: the next pass is
 * scheduled only when the previous one has finished, so passes never overlap in one process.
 * `stop()` (on application shutdown) cancels the next pass and waits for the running one.
 */
export class ScheduledSweep {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ScheduledSweepOptions) {}

  /** True once stop() was called: a long pass checks it to end early. */
  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.options.intervalMs > 0) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const now = this.options.clock ? this.options.clock() : new Date();
      this.running = this.options
        .pass(now)
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }
}

/**
 * A provider that runs its pass on a ScheduledSweep for the application's lifetime: started at
 * bootstrap, stopped at shutdown (waiting for the running pass). Tests call the pass themselves.
 */
export abstract class ScheduledSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly schedule: ScheduledSweep;

  protected constructor(intervalMs: number, clock?: () => Date) {
    this.schedule = new ScheduledSweep({ intervalMs, clock, pass: (now) => this.pass(now), onError: (error) => this.passFailed(error) });
  }

  /** One scheduled pass at `now`. */
  protected abstract pass(now: Date): Promise<unknown>;

  /** A failed pass (the next one still runs on schedule). */
  protected abstract passFailed(error: unknown): void;

  /** True once shutdown began: a long pass checks it to end early. */
  protected get stopping(): boolean {
    return this.schedule.stopping;
  }

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule.stop();
  }
}
