// Test helper (not production code): screening in its own Node process (a service never imports
// another service's code), on the same broker, with its own database.
import { spawnTs, testDatabasePrefix, type TsProcess } from '@puente/testing';

export async function startScreeningProcess(suite: string): Promise<{ stop(): Promise<void> }> {
  const process: TsProcess = spawnTs('services/screening/src/main.ts', {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PUENTE_DB_PREFIX: `${testDatabasePrefix()}${suite}_`,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  });
  await process.waitFor(/screening listening on/, 120_000);
  return {
    async stop() {
      process.child.kill('SIGTERM');
      await process.exited;
    },
  };
}
