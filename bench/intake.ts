// Scenario `intake`: what a real registration costs against a bare insert, in one run.
//
//  - intake: `POST /v1/persons` with a new case on the real service (validation, JWT auth,
//    Idempotency-Key, per-person data key + field encryption, match keys and duplicate lookup,
//    case reference, outbox events, hash-chained audit record; outbox relay publishing to Kafka);
//  - baseline: a bare Fastify route that parses the same JSON and inserts the same person row
//    with pg (one INSERT, no auth, no encryption, no events).
//
// Both servers run in one child process (so they get the same CPU share), one after the other;
// autocannon drives them from this process. Each request carries a different person (names,
// birth date, nationality), so duplicate detection works on realistic data, not one hot key.
// Reported: max req/s, p50/p99 at max, the ratio intake/baseline (target ≥ 0.4), and p50/p99 of
// intake at half its measured max rate (target p99 ≤ 50 ms), sent at a steady pace (open loop,
// latency from each request's due time; see pacedLoad in ./support).
//
// For context it also measures the platform's floor: an authenticated GET of one row
// (`GET /v1/sites/{code}`) on the same service.
//
//   npm run bench -- intake        BENCH_SECONDS (default 15), BENCH_CONNECTIONS (default 16),
//                                  BENCH_WARMUP_SECONDS (default 8),
//                                  BENCH_PROFILE=<dir> (CPU profile of the intake max-rate phase)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pacedLoad, writeResult } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 8);
const ISSUER = 'https://auth.bench.puente.invalid/realms/gt';
const log = (m: string) => process.stderr.write(`[bench:intake] ${m}\n`);

// ---------------------------------------------------------------------------------------------
// Realistic, varied registrations (Northern Triangle nationals at the Guatemala–Mexico border)
const GIVEN = ['María José', 'José Luis', 'Ana Lucía', 'Kevin Alexander', 'Dayana Michelle', 'Juan Carlos', 'Wilmer Antonio', 'Sonia Marisol', 'Tomás', 'Rosa Elena', 'Brayan Josué', 'Karla Yessenia'];
const FAMILY = ['Pérez Gómez', 'Hernández López', 'Ajpop Tzul', 'Martínez Cruz', 'Ramírez Castillo', 'Mejía Rivera', 'Chávez Reyes', 'Morales Xitumul', 'Flores Argueta', 'Santos Bonilla'];
const NATIONALITY = ['HN', 'GT', 'SV'];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)];
}

/** A surname token unique enough that persons do not all collide (a real border day has thousands of names). */
function token(): string {
  return [...randomBytes(5)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('').replace(/^./, (c) => c.toUpperCase());
}

function person(siteCode: string): Record<string, unknown> {
  const year = 1960 + Math.floor(Math.random() * 48);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  const nationality = pick(NATIONALITY);
  return {
    siteCode,
    givenNames: pick(GIVEN),
    familyNames: `${pick(FAMILY)} ${token()}`,
    sex: pick(['female', 'male']),
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    nationality,
    languages: [{ code: 'es', primary: true }],
    contact: { phone: `+504${Math.floor(30_000_000 + Math.random() * 69_999_999)}` },
    documents: [{ type: 'national_id', number: `0801-${year}-${Math.floor(10_000 + Math.random() * 89_999)}`, issuingCountry: nationality, verification: 'unverified' }],
    case: { priority: pick(['normal', 'high']) },
  };
}

// ---------------------------------------------------------------------------------------------
// Child process: the intake service and the baseline server, side by side.
async function serve(): Promise<void> {
  const { Client, Pool } = await import('pg');
  const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS puente_bench_intake WITH (FORCE)');
  await admin.end();

  const { createServiceApp } = await import('@puente/platform');
  const { intakeAppModule, SERVICE } = await import('../services/intake/src/app.module');
  const { IntakeConfig } = await import('../services/intake/src/config/intake.config');
  const app = await createServiceApp({ service: SERVICE.name, module: intakeAppModule(), config: IntakeConfig, title: SERVICE.title, description: SERVICE.description, shutdownHooks: false });
  await app.listen(0, '127.0.0.1');
  const config = app.get(IntakeConfig);

  // Baseline: the same person row, inserted as given, by a bare Fastify route with a pg pool of the same size.
  const { default: Fastify } = await import('fastify');
  const pool = new Pool({ connectionString: config.databaseUrl, max: 10 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_person (LIKE person INCLUDING DEFAULTS)`);
  const bare = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  bare.post('/v1/persons', async (request, reply) => {
    const b = request.body as Record<string, unknown>;
    const id = randomUUID();
    const now = new Date();
    await pool.query(
      `INSERT INTO bench_person (id, site_code, sex, nationality, age_band, vulnerability_flags, interpreter_needed, given_names_enc, family_names_enc,
         birth_date_enc, languages_enc, contact_enc, documents_enc, registered_at, registered_by, updated_at, version)
       VALUES ($1, $2, $3, $4, 'aged_18_to_59', '{}', false, $5, $6, $7, $8, $9, $10, $11, 'bench', $11, 1)`,
      [id, b.siteCode, b.sex, b.nationality, b.givenNames, b.familyNames, b.birthDate, JSON.stringify(b.languages), JSON.stringify(b.contact), JSON.stringify(b.documents), now],
    );
    return reply.code(201).send({ personId: id });
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const address = bare.server.address();
  const barePort = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ intake: await app.getUrl(), baseline: `http://127.0.0.1:${barePort}`, database: config.databaseName })}\n`);

  // BENCH_PROFILE: a V8 CPU profile of the intake max-rate phase only (not the baseline's).
  const inspector = await import('node:inspector/promises');
  const profiler = new inspector.Session();
  process.on('message', async (message) => {
    if (message === 'profile-start') {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    if (message === 'profile-stop') {
      const { profile } = await profiler.post('Profiler.stop');
      const file = join(process.env.BENCH_PROFILE as string, `intake-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`[bench:intake] CPU profile written to ${file}\n`);
      profiler.disconnect();
    }
    if (message === 'stop') {
      await bare.close();
      await pool.end();
      await app.close();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Parent process: keys and config, the child, and autocannon.

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

async function loadGet(url: string, headers: Record<string, string>, seconds: number): Promise<AutocannonResult> {
  return autocannon({ url, method: 'GET', connections: CONNECTIONS, duration: seconds, headers });
}

async function load(url: string, headers: Record<string, string>, siteCode: string, options: { seconds: number }): Promise<AutocannonResult> {
  return autocannon({
    url: `${url}/v1/persons`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify(person(siteCode)),
        }),
      },
    ],
  });
}

function summary(r: AutocannonResult) {
  return {
    reqPerSec: Math.round(r.requests.average),
    total: r.requests.total,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();

  // Production-like configuration: real random keys, no development defaults.
  const dir = mkdtempSync(join(tmpdir(), 'puente-bench-intake-'));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = `bench-${(await calculateJwkThumbprint(publicJwk)).slice(0, 12)}`;
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PUENTE_DB_PREFIX: 'puente_bench_',
    PUENTE_KEKS: `bench-kek-1:${randomBytes(32).toString('base64')}`,
    MATCH_AGREEMENT_KEYS: `bench-agreement-1:${randomBytes(32).toString('base64')}`,
    AUTH_ISSUER: ISSUER,
    AUTH_JWKS_FILE: join(dir, 'jwks.json'),
    RATE_LIMIT_PER_MINUTE: '0',
  };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    client_id: 'mrc-gt-tecun-uman-frontend',
    partner_id: 'GT-MRC-01',
    node: 'GT',
    jurisdictions: ['GT'],
    scope: 'persons:write cases:read cases:write sites:admin',
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject('mrc-gt-tecun-uman-frontend')
    .setAudience('puente:intake')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  const headers = { authorization: `Bearer ${token}` };

  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', '-r', '@swc-node/register', __filename, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ intake: string; baseline: string; database: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  log(`intake at ${ready.intake}, baseline at ${ready.baseline} (database ${ready.database})`);

  try {
    const site = await fetch(`${ready.intake}/v1/sites`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ code: 'GT-MRC-01', name: 'Centro de Recursos para Migrantes Tecún Umán', kind: 'fixed', locality: 'Tecún Umán, San Marcos', operatingPartnerId: 'IOM-GT' }),
    });
    if (site.status !== 201) throw new Error(`creating the site failed: ${site.status} ${await site.text()}`);

    log(`warm-up ${WARMUP_SECONDS} s each`);
    await load(ready.baseline, headers, 'GT-MRC-01', { seconds: WARMUP_SECONDS });
    await load(ready.intake, headers, 'GT-MRC-01', { seconds: WARMUP_SECONDS });

    // Each measured phase starts from a fresh checkpoint, so the WAL written by the phase before
    // (the baseline writes a lot) is not flushed in the middle of the next one's latencies.
    const { Client } = await import('pg');
    const settle = async () => {
      const admin = new Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
      await admin.connect();
      await admin.query('CHECKPOINT').catch((e: Error) => log(`CHECKPOINT not possible (${e.message}); phases may overlap with checkpoints`));
      await admin.end();
      await new Promise((r) => setTimeout(r, 1000));
    };

    await settle();
    log(`baseline: ${SECONDS} s, ${CONNECTIONS} connections`);
    const baseline = summary(await load(ready.baseline, headers, 'GT-MRC-01', { seconds: SECONDS }));
    log(`baseline: ${baseline.reqPerSec} req/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`);
    await settle();
    log(`intake: ${SECONDS} s, ${CONNECTIONS} connections`);
    if (process.env.BENCH_PROFILE) child.send('profile-start');
    const intake = summary(await load(ready.intake, headers, 'GT-MRC-01', { seconds: SECONDS }));
    if (process.env.BENCH_PROFILE) child.send('profile-stop');
    log(`intake: ${intake.reqPerSec} req/s, p50 ${intake.p50Ms} ms, p99 ${intake.p99Ms} ms`);
    const halfRate = Math.max(1, Math.floor(intake.reqPerSec / 2));
    await settle();
    log(`intake at half its max rate (${halfRate} req/s): ${SECONDS} s`);
    const half = await pacedLoad({
      url: ready.intake,
      rate: halfRate,
      seconds: SECONDS,
      request: () => ({
        method: 'POST',
        path: '/v1/persons',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(person('GT-MRC-01')),
      }),
    });
    log(`intake at ${half.reqPerSec} req/s (steady, open loop): p50 ${half.p50Ms} ms, p99 ${half.p99Ms} ms`);

    const platformGet = summary(await loadGet(`${ready.intake}/v1/sites/GT-MRC-01`, headers, Math.min(SECONDS, 8)));
    log(`platform floor (authenticated GET of one row): ${platformGet.reqPerSec} req/s, p50 ${platformGet.p50Ms} ms, p99 ${platformGet.p99Ms} ms`);

    const ratio = intake.reqPerSec / baseline.reqPerSec;
    const result = {
      seconds: SECONDS,
      connections: CONNECTIONS,
      baseline,
      intake,
      platformGetOneRow: platformGet,
      ratio: Number(ratio.toFixed(3)),
      ratioTarget: 0.4,
      halfRate: { ...half, p99TargetMs: 50 },
      met: ratio >= 0.4 && half.p99Ms <= 50 && intake.non2xx === 0 && intake.errors === 0 && half.non2xx === 0 && half.errors === 0,
    };
    const file = writeResult('intake', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file}\n`);
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
