// `npm run bench -- <scenario>`: runs bench/<scenario>.ts against real PostgreSQL and Kafka and
// writes its JSON result to bench/results/<scenario>-<time>.json.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps, repoRoot } from './ensure-deps.mjs';

const log = (m) => process.stderr.write(`[bench] ${m}\n`);

async function main() {
  const scenario = process.argv[2];
  const available = readdirSync(join(repoRoot, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
  if (!scenario || !available.includes(scenario)) {
    log(`usage: npm run bench -- <scenario>   (scenarios: ${available.join(', ')})`);
    return 2;
  }
  ensureDeps({ log });
  const { ensurePostgres } = await import('./infra/postgres.mjs');
  const { ensureKafka, localBrokerPid, stopKafka } = await import('./infra/kafka.mjs');
  await ensurePostgres();
  const kafka = await ensureKafka({ log });
  try {
    const file = join(repoRoot, 'bench', `${scenario}.ts`);
    if (!existsSync(file)) throw new Error(`no such scenario: ${scenario}`);
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, ['--enable-source-maps', '-r', '@swc-node/register', file, ...process.argv.slice(3)], {
        cwd: repoRoot,
        stdio: 'inherit',
        // KAFKA_BROKER_PID: scenarios count the broker's CPU seconds when it runs on this machine.
        env: { ...process.env, KAFKA_BROKERS: kafka.brokers, KAFKA_BROKER_PID: process.env.KAFKA_BROKERS ? '' : String(localBrokerPid() ?? ''), SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json'), NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      });
      child.on('exit', (code) => resolve(code ?? 1));
    });
  } finally {
    if (kafka.startedHere) await stopKafka({ log });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(e.message);
    process.exit(1);
  },
);
