// `npm test`: installs what is missing, brings up PostgreSQL and Kafka, type-checks, runs every
// Jest project once against the real infrastructure, stops what it started, and ends with
// `tests: N passed, N failed` read from Jest's JSON report.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, repoRoot } from './ensure-deps.mjs';

const log = (m) => process.stderr.write(`${m}\n`);
const report = join(repoRoot, 'reports', 'jest.json');
const TEST_KAFKA_PORT = '9192';

async function main() {
  ensureDeps({ log });
  const { ensurePostgres } = await import('./infra/postgres.mjs');
  const { ensureKafka, stopKafka } = await import('./infra/kafka.mjs');
  const pg = await ensurePostgres();
  log(`infra: PostgreSQL ${pg.version} ready`);
  // Tests get their own broker (port 9192 unless told otherwise), started from empty storage, so
  // no run sees events left by an earlier one and `npm start`'s broker is never touched.
  if (!process.env.KAFKA_BROKERS && !process.env.KAFKA_PORT) process.env.KAFKA_PORT = TEST_KAFKA_PORT;
  const t0 = Date.now();
  const kafka = await ensureKafka({ log, fresh: true });
  log(`infra: Kafka ready at ${kafka.brokers} (${kafka.startedHere ? `started in ${Date.now() - t0} ms` : 'reused'})`);
  process.env.KAFKA_BROKERS = kafka.brokers;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (kafka.startedHere) await stopKafka({ log });
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop().then(() => process.exit(130)));

  try {
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    if (tsc.status !== 0) log('typecheck: failed (see above); running the tests anyway so every failure shows');
    mkdirSync(join(repoRoot, 'reports'), { recursive: true });
    const jestArgs = [
      join(repoRoot, 'node_modules/jest/bin/jest.js'),
      '--json',
      `--outputFile=${report}`,
      '--maxWorkers=2',
      ...process.argv.slice(2),
    ];
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, jestArgs, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
      child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
    });
    const summary = readSummary();
    if (summary) log(`tests: ${summary.passed} passed, ${summary.failed} failed`);
    return tsc.status !== 0 ? 1 : code;
  } finally {
    await stop();
  }
}

export function readSummary(file = report) {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) };
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(e.message);
    process.exit(1);
  },
);
