// `npm test`: installs what is missing, brings up PostgreSQL and Kafka, type-checks, lints (ESLint
// and buf), runs every Jest project once against the real infrastructure, stops what it started,
// and ends with `tests: N passed, N failed` read from Jest's JSON report. It exits non-zero when
// any of them failed; a failed check does not stop the tests, so every failure shows in one run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps, repoRoot } from './ensure-deps.mjs';

const log = (m) => process.stderr.write(`${m}\n`);
const report = join(repoRoot, 'reports', 'jest.json');
const TEST_KAFKA_PORT = '9192';

/**
 * The habits CI enforces besides the tests, run in `root` (the repository; a test points them at
 * a scratch directory): `npm run lint` (ESLint, no warnings allowed) and `npm run proto:lint`.
 */
export function habits(root = repoRoot) {
  return [
    { name: 'lint', args: [join(repoRoot, 'node_modules/eslint/bin/eslint.js'), '.', '--max-warnings=0'], cwd: root },
    { name: 'buf lint', args: [join(repoRoot, 'tools/proto.mjs'), 'lint', '--proto', join(root, 'proto')], cwd: repoRoot },
  ];
}

/** Runs the checks one after another (output shown unless `stdio` says otherwise); resolves `{ name, ok }` for each, a failure named. */
export async function runChecks(checks, { stdio = 'inherit' } = {}) {
  const results = [];
  for (const { name, args, cwd } of checks) {
    const ok = (await runAsync(args, { cwd, stdio, env: { ...process.env, NX_DAEMON: 'false' } })) === 0;
    if (!ok) log(`${name}: failed (see above)`);
    results.push({ name, ok });
  }
  return results;
}

/** Runs a Node script with its output shown; resolves its exit code. */
function runAsync(args, { cwd, stdio = 'inherit', env = process.env }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio, env });
    child.on('error', () => resolve(1));
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  });
}

/** Non-zero when a check failed or Jest did. */
export function exitCode(checks, jestCode) {
  return checks.some((c) => !c.ok) ? 1 : jestCode;
}

async function main() {
  ensureDeps({ log });
  const { ensurePostgres } = await import('./infra/postgres.mjs');
  const { ensureKafka, stopKafka } = await import('./infra/kafka.mjs');
  const pg = await ensurePostgres();
  log(`infra: PostgreSQL ${pg.version} ready`);
  // Tests get their own broker (port 9192 unless told otherwise), started from empty storage, so
  // no run sees events left by an earlier one and `npm start`'s broker is never touched.
  if (!process.env.KAFKA_BROKERS && !process.env.KAFKA_PORT) process.env.KAFKA_PORT = TEST_KAFKA_PORT;
  // Test brokers and MirrorMakers are many, short-lived and lightly loaded: start them lean (see QUICK_JVM).
  process.env.KAFKA_JVM_QUICK ??= '1';
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
    // Type-check and lint alongside Jest: the suites mostly wait on brokers and databases, so the
    // checks' CPU fits in their idle time instead of adding a minute and a half before them.
    const checksDone = (async () => {
      const typecheck = (await runAsync([join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: repoRoot })) === 0;
      if (!typecheck) log('typecheck: failed (see above)');
      // ESLint's module-boundary rule reads Nx's project graph: build it first (as `npm run lint` does).
      await runAsync([join(repoRoot, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: repoRoot, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
      return [{ name: 'typecheck', ok: typecheck }, ...(await runChecks(habits()))];
    })();
    mkdirSync(join(repoRoot, 'reports'), { recursive: true });
    const jestArgs = [
      join(repoRoot, 'node_modules/jest/bin/jest.js'),
      '--json',
      `--outputFile=${report}`,
      // Two suites at a time on two cores. Three were tried: the two-node specs then starved for
      // CPU (a 503 from a pool timeout, 811 s for transfer-resilience) and the run was no shorter.
      '--maxWorkers=2',
      ...process.argv.slice(2),
    ];
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, jestArgs, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
      child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
    });
    const checks = await checksDone;
    const failed = checks.filter((c) => !c.ok).map((c) => c.name);
    if (failed.length) log(`checks failed: ${failed.join(', ')}`);
    const summary = readSummary();
    if (summary) log(`tests: ${summary.passed} passed, ${summary.failed} failed`);
    return exitCode(checks, code);
  } finally {
    await stop();
  }
}

export function readSummary(file = report) {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      log(e.message);
      process.exit(1);
    },
  );
}
