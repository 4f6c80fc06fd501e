import { eventually } from '../testing/eventually';
import { ScheduledSweep, ScheduledSweeper } from './scheduled-sweep';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('ScheduledSweep', () => {
  it('runs passes one after another, never two at once, at the time of the clock given', async () => {
    const at = new Date('2030-01-01T00:00:00Z');
    const seen: Date[] = [];
    let inPass = 0;
    let most = 0;
    const sweep = new ScheduledSweep({
      intervalMs: 1,
      clock: () => at,
      onError: (error) => {
        throw error;
      },
      pass: async (now) => {
        inPass += 1;
        most = Math.max(most, inPass);
        seen.push(now);
        // A pass that spans several turns of the event loop, where a second timer could fire.
        for (let i = 0; i < 20; i += 1) await new Promise((r) => setImmediate(r));
        inPass -= 1;
      },
    });
    sweep.start();
    await eventually('five passes', () => seen.length >= 5, 10_000, 5);
    await sweep.stop();
    expect(most).toBe(1);
    expect(seen.every((d) => d === at)).toBe(true);
  });

  it('goes on after a failed pass, reporting it', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const sweep = new ScheduledSweep({
      intervalMs: 1,
      onError: (error) => errors.push(error),
      pass: () => {
        passes += 1;
        return passes === 1 ? Promise.reject(new Error('database away')) : Promise.resolve();
      },
    });
    sweep.start();
    await eventually('a pass after the failure', () => passes >= 3, 10_000, 5);
    await sweep.stop();
    expect(errors).toEqual([new Error('database away')]);
  });

  it('stop waits for the running pass and schedules no other', async () => {
    const release = gate();
    const started = gate();
    let passes = 0;
    let finished = false;
    const sweep = new ScheduledSweep({
      intervalMs: 1,
      onError: () => undefined,
      pass: async () => {
        passes += 1;
        started.open();
        await release.opened;
        finished = true;
      },
    });
    sweep.start();
    await started.opened;
    const stopped = sweep.stop();
    expect(sweep.stopping).toBe(true);
    release.open();
    await stopped;
    expect(finished).toBe(true);
    // The pass's own reschedule found the sweep stopped: no timer is left, so nothing runs again.
    await new Promise((r) => setImmediate(r));
    expect(passes).toBe(1);
  });

  it('is never scheduled with an interval of 0', async () => {
    let passes = 0;
    const sweep = new ScheduledSweep({ intervalMs: 0, onError: () => undefined, pass: async () => void (passes += 1) });
    sweep.start();
    await new Promise((r) => setImmediate(r));
    await sweep.stop();
    expect(passes).toBe(0);
  });

  it('as a provider, starts at bootstrap and stops at shutdown', async () => {
    class Counting extends ScheduledSweeper {
      passes = 0;
      failures: unknown[] = [];
      constructor() {
        super(1);
      }
      protected async pass(): Promise<void> {
        this.passes += 1;
      }
      protected passFailed(error: unknown): void {
        this.failures.push(error);
      }
      get isStopping(): boolean {
        return this.stopping;
      }
    }
    const sweeper = new Counting();
    sweeper.onApplicationBootstrap();
    await eventually('passes after bootstrap', () => sweeper.passes >= 2, 10_000, 5);
    await sweeper.onApplicationShutdown();
    expect(sweeper.isStopping).toBe(true);
    expect(sweeper.failures).toEqual([]);
    const after = sweeper.passes;
    await new Promise((r) => setImmediate(r));
    expect(sweeper.passes).toBe(after);
  });
});
