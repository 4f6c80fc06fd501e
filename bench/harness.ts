// What the HTTP scenarios share: production-like keys and config, the server child process,
// autocannon, CPU profiles and interleaved rounds (the machine is shared, so a system and its
// baseline are measured in alternating rounds and each round records the load average).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { machineLoad } from './support';

export const BENCH_ISSUER = 'https://auth.bench.puente.invalid/realms/gt';

export interface BenchAuth {
  /** Environment of a production-configured service (random keys, no development defaults). */
  env: NodeJS.ProcessEnv;
  /** An access token of the GT MRC front end for `audience`, valid for an hour. */
  token(scope: string, audience: string): Promise<string>;
}

/**
 * `scenario`'s database prefix: `puente_bench_<scenario>_`, or BENCH_DB_PREFIX then the scenario
 * (smoke tests pass their run's prefix, so they never touch another run's databases).
 */
export function benchDatabasePrefix(scenario: string): string {
  return `${process.env.BENCH_DB_PREFIX ?? 'puente_bench_'}${scenario}_`;
}

export async function benchAuth(dbPrefix: string): Promise<BenchAuth> {
  const dir = mkdtempSync(join(tmpdir(), 'puente-bench-'));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = `bench-${(await calculateJwkThumbprint(publicJwk)).slice(0, 12)}`;
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PUENTE_DB_PREFIX: dbPrefix,
    PUENTE_KEKS: `bench-kek-1:${randomBytes(32).toString('base64')}`,
    MATCH_AGREEMENT_KEYS: `bench-agreement-1:${randomBytes(32).toString('base64')}`,
    AUTH_ISSUER: BENCH_ISSUER,
    AUTH_JWKS_FILE: join(dir, 'jwks.json'),
    // Off unless asked (BENCH_RATE_LIMIT_PER_MINUTE): a bench client would be limited like any other.
    RATE_LIMIT_PER_MINUTE: process.env.BENCH_RATE_LIMIT_PER_MINUTE ?? '0',
  };
  return {
    env,
    token: async (scope, audience) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ client_id: 'mrc-gt-tecun-uman-frontend', partner_id: 'GT-MRC-01', node: 'GT', jurisdictions: ['GT'], scope })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(BENCH_ISSUER)
        .setSubject('mrc-gt-tecun-uman-frontend')
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey);
    },
  };
}

const READY = 'bench-ready ';

/** In the server child: tells the parent where the servers listen (a line of its own among the logs). */
export function announceReady(where: Record<string, string>): void {
  process.stdout.write(`${READY}${JSON.stringify(where)}\n`);
}

export interface ServerChild<T> {
  ready: T;
  /** The child's process id (its CPU time, from /proc). */
  pid: number;
  send(message: string): void;
  /** Sends `message` and waits for the child's next message. */
  request<R>(message: string): Promise<R>;
  stop(): Promise<void>;
}

/**
 * Runs `file serve` in a child process (the servers under test, side by side so they get the same
 * CPU share) and waits for the JSON line it prints when it listens.
 */
export async function startServerChild<T>(file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ServerChild<T>> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--enable-source-maps', '-r', '@swc-node/register', file, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const ready = await new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith(READY)) resolve(JSON.parse(line.slice(READY.length)) as T);
      else process.stdout.write(`${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return {
    ready,
    pid: child.pid!,
    send: (message) => child.send(message),
    request: <R>(message: string) =>
      new Promise<R>((resolve) => {
        child.once('message', (reply) => resolve(reply as R));
        child.send(message);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

/**
 * In the server child: answers 'profile-start' / 'profile-stop' (a V8 CPU profile written to
 * BENCH_PROFILE) and 'stop' (runs `close`, then exits).
 */
export async function serveControl(name: string, close: () => Promise<void>): Promise<void> {
  let closing: Promise<void> | undefined;
  const closeOnce = () => (closing ??= close());
  const inspector = await import('node:inspector/promises');
  const profiler = new inspector.Session();
  process.on('message', async (message) => {
    if (message === 'profile-start' && process.env.BENCH_PROFILE) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      // Allocation too: GC is a tenth of the service's CPU, so who allocates matters as much as who computes.
      await profiler.post('HeapProfiler.enable');
      await profiler.post('HeapProfiler.startSampling', {
        samplingInterval: 32 * 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
    if (message === 'profile-stop' && process.env.BENCH_PROFILE) {
      const { profile } = await profiler.post('Profiler.stop');
      const file = join(process.env.BENCH_PROFILE, `${name}-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`[bench:${name}] CPU profile written to ${file}\n`);
      const { profile: heap } = await profiler.post('HeapProfiler.stopSampling');
      const heapFile = file.replace(/\.cpuprofile$/, '.heapprofile');
      writeFileSync(heapFile, JSON.stringify(heap));
      process.stderr.write(`[bench:${name}] allocation profile written to ${heapFile}\n`);
      profiler.disconnect();
    }
    if (message === 'stop') {
      await closeOnce();
      process.exit(0);
    }
  });
  // The bench died (killed, out of memory) without saying stop: do not outlive it holding a database.
  process.on('disconnect', () => {
    void closeOnce().finally(() => process.exit(1));
  });
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

export interface LoadSummary {
  reqPerSec: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

/** Closed-loop load (as fast as `connections` clients go) with autocannon. */
export async function closedLoad(options: {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Per-request headers and body (POST). */
  request?: () => { headers?: Record<string, string>; body?: string };
}): Promise<LoadSummary> {
  const r = await autocannon({
    url: options.url,
    method: options.method,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers,
    ...(options.request
      ? {
          requests: [
            {
              setupRequest: (request: Record<string, unknown>) => {
                const extra = options.request!();
                return { ...request, headers: { ...(request.headers as object), ...options.headers, ...extra.headers }, body: extra.body };
              },
            },
          ],
        }
      : {}),
  });
  return {
    reqPerSec: Math.round(r.requests.total / r.duration),
    total: r.requests.total,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

export interface Round {
  round: number;
  order: string[];
  loadBefore: ReturnType<typeof machineLoad>;
  results: Record<string, LoadSummary>;
  /** system / baseline req/s in this round. */
  ratio: number;
}

export interface Interleaved {
  rounds: Round[];
  /** Sum of the system's requests over the sum of the baseline's (equal time each). */
  ratio: number;
  /** Median of the rounds' ratios (robust to one round hit by someone else's burst). */
  medianRoundRatio: number;
  system: LoadSummary;
  baseline: LoadSummary;
  /** Each further phase (`also`), merged over rounds, with the system's ratio against it. */
  also: Record<string, { summary: LoadSummary; ratio: number }>;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function merge(results: LoadSummary[]): LoadSummary {
  const total = results.reduce((a, r) => a + r.total, 0);
  return {
    reqPerSec: Math.round(results.reduce((a, r) => a + r.reqPerSec, 0) / results.length),
    total,
    // Per-round percentiles only: the worst round's p99 is reported, not an average of them.
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    maxMs: Math.max(...results.map((r) => r.maxMs)),
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    errors: results.reduce((a, r) => a + r.errors, 0),
  };
}

/**
 * `rounds` rounds of the baseline and the system, alternating which goes first, so that load
 * from others on the machine falls on both alike.
 */
export async function interleave(options: {
  rounds: number;
  baseline: () => Promise<LoadSummary>;
  system: () => Promise<LoadSummary>;
  log: (m: string) => void;
  /** Called before and after the system's phase of each round (CPU profile of the first round). */
  aroundSystem?: { before(round: number): void; after(round: number): void };
  /** Further baselines, run after the pair in every round (same rounds, same load). */
  also?: Record<string, () => Promise<LoadSummary>>;
}): Promise<Interleaved> {
  const rounds: Round[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const order = i % 2 === 0 ? ['baseline', 'system'] : ['system', 'baseline'];
    const loadBefore = machineLoad();
    const results: Record<string, LoadSummary> = {};
    for (const phase of order) {
      if (phase === 'system') {
        options.aroundSystem?.before(i);
        results.system = await options.system();
        options.aroundSystem?.after(i);
      } else {
        results.baseline = await options.baseline();
      }
    }
    for (const [name, run] of Object.entries(options.also ?? {})) results[name] = await run();
    const ratio = Math.round((results.system.reqPerSec / Math.max(1, results.baseline.reqPerSec)) * 1000) / 1000;
    rounds.push({ round: i + 1, order, loadBefore, results, ratio });
    options.log(
      `round ${i + 1}/${options.rounds} (load ${loadBefore.load1}): baseline ${results.baseline.reqPerSec} req/s p99 ${results.baseline.p99Ms} ms, ` +
        `system ${results.system.reqPerSec} req/s p99 ${results.system.p99Ms} ms, ratio ${ratio}`,
    );
  }
  const system = merge(rounds.map((r) => r.results.system));
  const baseline = merge(rounds.map((r) => r.results.baseline));
  const also: Interleaved['also'] = {};
  for (const name of Object.keys(options.also ?? {})) {
    const summary = merge(rounds.map((r) => r.results[name]));
    also[name] = { summary, ratio: Math.round((system.total / Math.max(1, summary.total)) * 1000) / 1000 };
    options.log(`${name}: ${summary.reqPerSec} req/s p99 ${summary.p99Ms} ms; system / ${name} ${also[name].ratio}`);
  }
  return {
    rounds,
    ratio: Math.round((system.total / Math.max(1, baseline.total)) * 1000) / 1000,
    medianRoundRatio: median(rounds.map((r) => r.ratio)),
    system,
    baseline,
    also,
  };
}

/**
 * The real intake service in this process on a fresh database (the system side of the platform
 * and intake scenarios), listening on a free port; its database URL for the baseline's pool.
 */
export async function startFreshIntake() {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${process.env.PUENTE_DB_PREFIX}intake WITH (FORCE)`);
  await admin.end();
  const { createServiceApp } = await import('@puente/platform');
  const { intakeAppModule, SERVICE } = await import('../services/intake/src/app.module');
  const { IntakeConfig } = await import('../services/intake/src/config/intake.config');
  const app = await createServiceApp({ service: SERVICE.name, module: intakeAppModule(), config: IntakeConfig, title: SERVICE.title, description: SERVICE.description, shutdownHooks: false });
  await app.listen(0, '127.0.0.1');
  return { app, databaseUrl: app.get(IntakeConfig).databaseUrl };
}
