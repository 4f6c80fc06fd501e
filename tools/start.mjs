// `npm start`: installs what is missing, brings up PostgreSQL and Kafka, builds, starts the five
// services with prefixed logs, waits until each is ready and prints where everything is.
// Ctrl-C (SIGINT) or SIGTERM stops the services and the broker this command started.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps, repoRoot } from './ensure-deps.mjs';

const DEFAULT_PORTS = { intake: 3001, screening: 3002, 'referral-routing': 3003, reception: 3004, reintegration: 3005 };
// INTAKE_PORT, REFERRAL_ROUTING_PORT, ... move a service elsewhere.
const SERVICES = Object.fromEntries(
  Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, Number(process.env[`${name.toUpperCase().replace(/-/g, '_')}_PORT`] ?? port)]),
);
const READY_TIMEOUT_MS = 90_000;
const log = (m) => process.stderr.write(`[puente] ${m}\n`);
const colors = [36, 33, 35, 32, 34];

/**
 * The services write to our pipe, not to the terminal: tell them whether a person is watching, so
 * they print readable, coloured lines (LOG_FORMAT=pretty) instead of JSON. LOG_FORMAT set by the
 * caller wins; a service in production writes JSON whatever it is told.
 */
export function serviceLogEnv(env = process.env, terminal = Boolean(process.stdout.isTTY)) {
  const format = env.LOG_FORMAT ?? (terminal ? 'pretty' : 'json');
  return { LOG_FORMAT: format, ...(format === 'pretty' && terminal && !('NO_COLOR' in env) ? { FORCE_COLOR: '1' } : {}) };
}

async function main() {
  const t0 = Date.now();
  ensureDeps({ log });
  const { ensurePostgres } = await import('./infra/postgres.mjs');
  const { ensureKafka, stopKafka } = await import('./infra/kafka.mjs');
  const { build } = await import('./build.mjs');
  const pg = await ensurePostgres();
  log(`PostgreSQL ${pg.version} at ${pg.url.replace(/:[^:@/]*@/, ':***@')}`);
  const kafka = await ensureKafka({ log });
  log(`Kafka at ${kafka.brokers}${kafka.startedHere ? '' : ' (already running)'}`);
  await build({ log });

  const children = new Map();
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping services…');
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
            c.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    if (kafka.startedHere) {
      log('stopping Kafka…');
      await stopKafka({ log });
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  Object.entries(SERVICES).forEach(([name, port], i) => {
    const child = spawn(process.execPath, ['--enable-source-maps', join(repoRoot, 'dist/services', name, 'src/main.js')], {
      cwd: repoRoot,
      env: { ...process.env, ...serviceLogEnv(), PORT: String(port), KAFKA_BROKERS: kafka.brokers },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `\x1b[${colors[i]}m${name.padEnd(16)}\x1b[0m| `;
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream.on('data', (d) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(prefix + line + '\n');
      });
    }
    child.on('exit', (code, signal) => {
      if (stopping) return;
      log(`${name} exited (${code ?? signal}); stopping everything`);
      void stopAll(1);
    });
    children.set(name, child);
  });

  await Promise.all(
    Object.entries(SERVICES).map(async ([name, port]) => {
      const url = `http://127.0.0.1:${port}/health/ready`;
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        try {
          const res = await fetch(url);
          if (res.ok) return;
        } catch {
          /* not listening yet */
        }
        if (Date.now() > deadline) throw new Error(`${name} did not become ready within ${READY_TIMEOUT_MS / 1000} s (${url})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }),
  ).catch((e) => {
    log(e.message);
    return stopAll(1);
  });

  const rows = Object.entries(SERVICES).map(([name, port]) => `  ${name.padEnd(17)} http://127.0.0.1:${port}/docs   (OpenAPI: /docs/openapi.json)`);
  process.stdout.write(
    [
      '',
      `Puente is up in ${((Date.now() - t0) / 1000).toFixed(1)} s. Swagger UI:`,
      ...rows,
      '',
      `  Kafka: ${kafka.brokers}   PostgreSQL: one database per service (puente_<service>)`,
      '  Health: /health/live, /health/ready, /health/serving   Metrics: /metrics',
      '  A token for Swagger\'s "Authorize" button: npm run token -- --partner GT-MRC-01 --node GT --scopes cases:read,cases:write',
      '  Ctrl-C stops everything this command started.',
      '',
    ].join('\n') + '\n',
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    log(e.message);
    process.exit(1);
  });
}
