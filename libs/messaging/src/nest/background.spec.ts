import type { Logger } from '@nestjs/common';
import { UntilBrokerAnswers } from './background';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m: string) => lines.push(m) } as unknown as Logger & { lines: string[] };
}

describe('start-up steps that need the broker', () => {
  it('retry after a failure (cleaning up the failed try) until the step succeeds', async () => {
    const logger = recordingLogger();
    const retry = new UntilBrokerAnswers(logger);
    let tries = 0;
    let undone = 0;
    const ok = await retry.run(
      async () => {
        if (++tries === 1) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      },
      async () => {
        undone++;
      },
    );
    expect({ ok, tries, undone }).toEqual({ ok: true, tries: 2, undone: 1 });
    expect(logger.lines).toEqual(['broker not available yet (Connection error: connect ECONNREFUSED 127.0.0.1:9092); retrying in 1000 ms']);
  });

  it('give up at once when stopped during a wait, so a shutdown does not sit out the delay', async () => {
    const retry = new UntilBrokerAnswers(recordingLogger());
    let tries = 0;
    const started = Date.now();
    const outcome = retry.run(async () => {
      tries++;
      throw new Error('broker down');
    });
    while (tries === 0) await new Promise((r) => setImmediate(r));
    retry.stop();
    expect(await outcome).toBe(false);
    expect(tries).toBe(1);
    expect(Date.now() - started).toBeLessThan(900);
  });
});
