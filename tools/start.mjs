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
/**
 * `npm start -- --nodes GT,MX`: several country nodes on one machine, each with its own broker
 * (9092, 9102, … with KAFKA_PORT as the first), databases (puente_gt_*, puente_mx_*) and service
 * ports (3001-3005, 3101-3105, …), joined by MirrorMaker 2. Without --nodes: one node, as always.
 */
export function nodesFromArgs(argv, env = process.env) {
  const i = argv.indexOf('--nodes');
  if (i < 0) return [{ node: null, offset: 0 }];
  const codes = String(argv[i + 1] ?? '').split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
  if (codes.length < 2 || new Set(codes).size !== codes.length || codes.some((c) => !/^[A-Z]{2}$/.test(c))) {
    throw new Error('--nodes needs two or more distinct ISO 3166-1 alpha-2 codes, e.g. --nodes GT,MX');
  }
  const kafkaBase = Number(env.KAFKA_PORT || 9092);
  // PUENTE_DB_PREFIX (default `puente_`) goes before the node's code: a test starts the nodes on its own databases.
  const prefix = env.PUENTE_DB_PREFIX || 'puente_';
  return codes.map((node, k) => ({ node, offset: 100 * k, kafkaPort: kafkaBase + 10 * k, dbPrefix: `${prefix}${node.toLowerCase()}_` }));
}
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

/** Scopes of the service tokens a service of a node uses to call another (the service's *_TOKEN_FILE). */
export const SERVICE_CALLS = {
  reception: { INTAKE: ['manifests:register', 'consents:write'], ROUTING: ['referrals:write', 'referrals:read'] },
  'referral-routing': { INTAKE: ['persons:disclose'] },
};

/**
 * What a node's services need to call each other: the node's own intake and routing URLs, and a
 * service token for each call, signed by the development key the services trust outside
 * production (a production node's token agent writes these files instead). Tokens live 24 h:
 * a `npm start` left running longer is started again.
 */
export async function serviceCallEnv(n, { root = repoRoot, env = process.env } = {}) {
  const { createRequire } = await import('node:module');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const node = n.node ?? env.PUENTE_NODE ?? 'GT';
  const urls = { INTAKE: `http://127.0.0.1:${SERVICES.intake + n.offset}`, ROUTING: `http://127.0.0.1:${SERVICES['referral-routing'] + n.offset}` };
  // A development key signs nothing in production: there the token files come from the environment.
  const issuer = env.NODE_ENV === 'production' ? null : new (createRequire(import.meta.url)(join(root, 'dist/libs/auth/src/dev-issuer.js')).DevIssuer)({ dir: env.AUTH_DEV_DIR ? resolve(env.AUTH_DEV_DIR) : join(root, '.secrets') });
  if (issuer) await issuer.ensureKey();
  const dir = join(root, '.cache', 'service-tokens', node.toLowerCase());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const result = {};
  for (const [service, calls] of Object.entries(SERVICE_CALLS)) {
    result[service] = {};
    for (const [callee, scopes] of Object.entries(calls)) {
      result[service][`${callee}_URL`] = urls[callee];
      if (!issuer) continue;
      const file = join(dir, `${service}-to-${callee.toLowerCase()}.jwt`);
      writeFileSync(file, await issuer.mint({ node, scopes, partnerId: `${node}-${service.toUpperCase()}`, clientId: service, ttlSeconds: 86_400 }), { mode: 0o600 });
      result[service][`${callee}_TOKEN_FILE`] = file;
    }
  }
  return result;
}

async function main() {
  const t0 = Date.now();
  ensureDeps({ log });
  const { ensurePostgres } = await import('./infra/postgres.mjs');
  const { ensureKafka, stopKafka } = await import('./infra/kafka.mjs');
  const { build } = await import('./build.mjs');
  const pg = await ensurePostgres();
  log(`PostgreSQL ${pg.version} at ${pg.url.replace(/:[^:@/]*@/, ':***@')}`);
  const nodes = nodesFromArgs(process.argv.slice(2));
  const kafkas = [];
  for (const n of nodes) {
    const k = await ensureKafka({ log, ...(n.node ? { port: n.kafkaPort } : {}) });
    log(`Kafka${n.node ? ` of ${n.node}` : ''} at ${k.brokers}${k.startedHere ? '' : ' (already running)'}`);
    kafkas.push(k);
  }
  const kafka = kafkas[0];
  const mirror = await import('./infra/mirrormaker.mjs');
  const mirrored = nodes.length > 1 ? nodes.map((n, k) => ({ node: n.node, brokers: kafkas[k].brokers })) : null;
  if (mirrored) await mirror.startMirrorMaker({ nodes: mirrored, log });
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
    if (mirrored) await mirror.stopMirrorMaker({ name: mirror.defaultName(mirrored), log });
    for (const [k, started] of kafkas.entries()) {
      if (!started.startedHere) continue;
      log('stopping Kafka…');
      await stopKafka({ log, ...(nodes[k].node ? { port: nodes[k].kafkaPort } : {}) });
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  // One entry per service of every node: [label, service, port, environment of that node]; a
  // service calls its own node's intake and routing, with a service token of that node.
  const callsByNode = await Promise.all(nodes.map((n) => serviceCallEnv(n)));
  const instances = nodes.flatMap((n, k) =>
    Object.entries(SERVICES).map(([name, port]) => [
      n.node ? `${n.node.toLowerCase()}/${name}` : name,
      name,
      port + n.offset,
      { KAFKA_BROKERS: kafkas[k].brokers, ...(n.node ? { PUENTE_NODE: n.node, PUENTE_DB_PREFIX: n.dbPrefix } : {}), ...(callsByNode[k][name] ?? {}) },
    ]),
  );
  instances.forEach(([label, name, port, nodeEnv], i) => {
    const child = spawn(process.execPath, ['--enable-source-maps', join(repoRoot, 'dist/services', name, 'src/main.js')], {
      cwd: repoRoot,
      env: { ...process.env, ...serviceLogEnv(), PORT: String(port), ...nodeEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `\x1b[${colors[i % colors.length]}m${label.padEnd(16)}\x1b[0m| `;
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
      log(`${label} exited (${code ?? signal}); stopping everything`);
      void stopAll(1);
    });
    children.set(label, child);
  });

  await Promise.all(
    instances.map(async ([name, , port]) => {
      const url = `http://127.0.0.1:${port}/health/ready`;
      // Every node's five services start at once: give each node its own allowance.
      const deadline = Date.now() + READY_TIMEOUT_MS * nodes.length;
      for (;;) {
        try {
          const res = await fetch(url);
          if (res.ok) return;
        } catch {
          /* not listening yet */
        }
        if (Date.now() > deadline) throw new Error(`${name} did not become ready within ${(READY_TIMEOUT_MS * nodes.length) / 1000} s (${url})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }),
  ).catch((e) => {
    log(e.message);
    return stopAll(1);
  });

  const rows = instances.map(([label, , port]) => `  ${label.padEnd(17)} http://127.0.0.1:${port}/docs   (OpenAPI: /docs/openapi.json)`);
  process.stdout.write(
    [
      '',
      `Puente is up in ${((Date.now() - t0) / 1000).toFixed(1)} s. Swagger UI:`,
      ...rows,
      '',
      mirrored
        ? `  Nodes: ${nodes.map((n, k) => `${n.node} (Kafka ${kafkas[k].brokers}, databases ${n.dbPrefix}<service>)`).join(', ')}; MirrorMaker 2 copies puente.exchange.<node>.* between them`
        : `  Kafka: ${kafka.brokers}   PostgreSQL: one database per service (puente_<service>)`,
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
