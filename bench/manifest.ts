// Scenario `manifest`: a 5,000-person manifest posted to reception, until intake has registered
// or matched every row (reception's pending queue → intake's POST /v1/manifest-registrations,
// 500 rows a call); reported as seconds and rows/s (target ≤ 5 s on a 2-core machine). Baseline
// in the same run: the same number of persons registered one by one through intake's
// POST /v1/persons (16 at a time), as a returning country's system would without the bulk API.
//
// Intake and reception run in one child process (production configuration, random keys);
// this process signs the tokens and drives them over HTTP.
//
//   npm run bench -- manifest      BENCH_ROWS (default 5000), BENCH_CONNECTIONS (default 16),
//                                  BENCH_BASELINE=0 to skip the one-by-one baseline (while profiling),
//                                  BENCH_CPU_PROF=<dir> to write the servers' V8 CPU profile there,
//                                  BENCH_DB_PREFIX (default puente_bench_; the databases are <prefix>manifest_<service>)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { cpuSecondsBetween, databaseCpu, writeResult } from './support';

const ROWS = Number(process.env.BENCH_ROWS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const BASELINE = process.env.BENCH_BASELINE !== '0';
const DB_PREFIX = `${process.env.BENCH_DB_PREFIX ?? 'puente_bench_'}manifest_`;
const DATABASES = [`${DB_PREFIX}intake`, `${DB_PREFIX}reception`];
const ISSUER = 'https://auth.bench.puente.invalid/realms/gt';
const log = (m: string) => process.stderr.write(`[bench:manifest] ${m}\n`);

const GIVEN = ['María José', 'José Luis', 'Ana Lucía', 'Kevin Alexander', 'Dayana Michelle', 'Juan Carlos', 'Wilmer Antonio', 'Sonia Marisol', 'Tomás', 'Rosa Elena'];
const FAMILY = ['Pérez Gómez', 'Hernández López', 'Ajpop Tzul', 'Martínez Cruz', 'Ramírez Castillo', 'Mejía Rivera', 'Chávez Reyes', 'Morales Xitumul'];

function token(): string {
  return [...randomBytes(5)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('').replace(/^./, (c) => c.toUpperCase());
}

function returnee(i: number): Record<string, unknown> {
  return {
    returningReference: `A-${300_000_000 + i}`,
    givenNames: GIVEN[i % GIVEN.length],
    familyNames: `${FAMILY[i % FAMILY.length]} ${token()}`,
    birthDate: `${1960 + (i % 45)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    nationality: i % 3 === 0 ? 'HN' : 'GT',
    sex: i % 2 === 0 ? 'female' : 'male',
  };
}

// Child process: intake, then reception pointed at it.
async function serve(): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  for (const db of DATABASES) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
  const { createServiceApp } = await import('@puente/platform');
  const intakeModule = await import('../services/intake/src/app.module');
  const { IntakeConfig } = await import('../services/intake/src/config/intake.config');
  const intake = await createServiceApp({ service: 'intake', module: intakeModule.intakeAppModule(), config: IntakeConfig, title: 'intake', description: 'bench', shutdownHooks: false });
  await intake.listen(0, '127.0.0.1');
  process.env.INTAKE_URL = await intake.getUrl();
  const receptionModule = await import('../services/reception/src/app.module');
  const { ReceptionConfig } = await import('../services/reception/src/config/reception.config');
  const reception = await createServiceApp({ service: 'reception', module: receptionModule.receptionAppModule(), config: ReceptionConfig, title: 'reception', description: 'bench', shutdownHooks: false });
  await reception.listen(0, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ intake: process.env.INTAKE_URL, reception: await reception.getUrl() })}\n`);
  process.on('message', async (message) => {
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (message === 'stop') {
      await reception.close();
      await intake.close();
      process.exit(0);
    }
  });
}

async function sign(privateKey: Parameters<SignJWT['sign']>[0], kid: string, audience: string, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ node: 'GT', jurisdictions: ['GT'], ...claims })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject(String(claims.client_id))
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();
  const dir = mkdtempSync(join(tmpdir(), 'puente-bench-manifest-'));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = `bench-${(await calculateJwkThumbprint(publicJwk)).slice(0, 12)}`;
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] }));
  const serviceToken = await sign(privateKey, kid, 'puente:intake', { client_id: 'reception', partner_id: 'GT-RECEPTION', scope: 'manifests:register consents:write' });
  writeFileSync(join(dir, 'intake-token'), serviceToken, { mode: 0o600 });
  const staff = await sign(privateKey, kid, 'puente:intake', { client_id: 'gt-caseworker', partner_id: 'GT-MRC-01', scope: 'persons:write cases:read cases:write sites:admin' });
  const partner = await sign(privateKey, kid, 'puente:reception', { client_id: 'ice-manifest-gateway', partner_id: 'US-ICE-ERO', scope: 'manifests:write' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PUENTE_DB_PREFIX: DB_PREFIX,
    PUENTE_KEKS: `bench-kek-1:${randomBytes(32).toString('base64')}`,
    MATCH_AGREEMENT_KEYS: `bench-agreement-1:${randomBytes(32).toString('base64')}`,
    AUTH_ISSUER: ISSUER,
    AUTH_JWKS_FILE: join(dir, 'jwks.json'),
    RATE_LIMIT_PER_MINUTE: '0',
    INTAKE_TOKEN_FILE: join(dir, 'intake-token'),
    MANIFEST_RETRY_INTERVAL_MS: '1000',
  };
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--enable-source-maps', '-r', '@swc-node/register', __filename, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const ready = await new Promise<{ intake: string; reception: string }>((resolve, reject) => {
    // The servers' own JSON log lines share stdout: the ready line is the one naming both URLs.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as Partial<{ intake: string; reception: string }>;
      if (typeof parsed.intake === 'string' && typeof parsed.reception === 'string') resolve(parsed as { intake: string; reception: string });
      else if (/"level":\s*(50|60)/.test(line)) process.stderr.write(`${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  // A server process gone mid-run would leave this one waiting on nothing (and exiting 0).
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    log(`the server process exited during the run (${signal ?? `code ${code}`})`);
    process.exit(1);
  });
  // CPU seconds of the servers' process and of their database backends: on the shared machine
  // wall time swings with everyone's load, the work done does not.
  const { Client } = await import('pg');
  const pg = new Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await pg.connect();
  const cpuSnapshot = async () => ({
    servers: await new Promise<number>((resolve) => {
      child.once('message', (m) => resolve(((m as { cpu: NodeJS.CpuUsage }).cpu.user + (m as { cpu: NodeJS.CpuUsage }).cpu.system) / 1e6));
      child.send('cpu');
    }),
    database: await databaseCpu((sql, params) => pg.query(sql, params), DATABASES),
  });
  // Until both services' outboxes are published (the relays keep working after the rows are matched).
  const eventsPublished = async () => {
    const clients = DATABASES.map((db) => {
      const url = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
      url.pathname = `/${db}`;
      return new Client({ connectionString: url.toString() });
    });
    try {
      await Promise.all(clients.map((c) => c.connect()));
      for (const deadline = Date.now() + 300_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        const waiting = await Promise.all(clients.map(async (c) => Number((await c.query(`SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL`)).rows[0].n)));
        if (waiting.every((n) => n === 0)) return;
      }
      throw new Error('the outboxes were not published within 5 minutes');
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  };
  const cpuSince = async (before: Awaited<ReturnType<typeof cpuSnapshot>>) => {
    const after = await cpuSnapshot();
    return { servers: Math.round((after.servers - before.servers) * 100) / 100, database: cpuSecondsBetween(before.database, after.database) };
  };
  const post = async (base: string, path: string, tokenValue: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokenValue}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify(body) });
  try {
    const site = await post(ready.intake, '/v1/sites', staff, { code: 'GT-CRM-01', name: 'Centro de Recepción de Retornados La Aurora', kind: 'reception' });
    if (site.status !== 201) throw new Error(`creating the intake site failed: ${site.status}`);

    const expectedOn = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const persons = Array.from({ length: ROWS }, (_, i) => returnee(i));
    log(`manifest: ${ROWS} persons`);
    const manifestCpu = await cpuSnapshot();
    const started = performance.now();
    const posted = await post(ready.reception, '/v1/manifests', partner, { movement: { reference: `BENCH-${randomUUID()}`, kind: 'flight', centerCode: 'GT-CRM-01', expectedOn, returningCountry: 'US' }, persons });
    if (posted.status !== 201) throw new Error(`posting the manifest failed: ${posted.status} ${await posted.text()}`);
    const { id } = (await posted.json()) as { id: string };
    const acceptedMs = performance.now() - started;
    let manifest: { status: string; counts: Record<string, number> };
    for (;;) {
      manifest = (await (await fetch(`${ready.reception}/v1/manifests/${id}`, { headers: { authorization: `Bearer ${partner}` } })).json()) as typeof manifest;
      if (manifest.status === 'matched') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = await cpuSince(manifestCpu);
    log(`manifest: ${seconds.toFixed(2)} s (${Math.round(ROWS / seconds)} rows/s), accepted after ${Math.round(acceptedMs)} ms; CPU ${JSON.stringify(cpuSeconds)} s; ${JSON.stringify(manifest.counts)}`);
    await eventsPublished();
    const cpuWithEvents = await cpuSince(manifestCpu);
    log(`manifest: its events published after ${((performance.now() - started) / 1000).toFixed(2)} s; CPU ${JSON.stringify(cpuWithEvents)} s`);

    let baseline: { seconds: number; personsPerSec: number; connections: number; failures: number; cpuSeconds: Awaited<ReturnType<typeof cpuSince>> } | null = null;
    if (BASELINE) {
      log(`baseline: ${ROWS} persons one by one through POST /v1/persons, ${CONNECTIONS} at a time`);
      const baseCpu = await cpuSnapshot();
      const baseStart = performance.now();
      let next = 0;
      let failures = 0;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < ROWS) {
            const p = returnee(1_000_000 + next++);
            const res = await post(ready.intake, '/v1/persons', staff, { siteCode: 'GT-CRM-01', givenNames: p.givenNames, familyNames: p.familyNames, birthDate: p.birthDate, nationality: p.nationality, sex: p.sex, case: {} });
            if (res.status !== 201) failures++;
            await res.body?.cancel();
          }
        }),
      );
      const baseSeconds = (performance.now() - baseStart) / 1000;
      await eventsPublished();
      const baseCpuSeconds = await cpuSince(baseCpu);
      log(`baseline: ${baseSeconds.toFixed(2)} s (${Math.round(ROWS / baseSeconds)} persons/s), ${failures} failures; CPU ${JSON.stringify(baseCpuSeconds)} s`);
      baseline = { seconds: Number(baseSeconds.toFixed(3)), personsPerSec: Math.round(ROWS / baseSeconds), connections: CONNECTIONS, failures, cpuSeconds: baseCpuSeconds };
    }
    const result = {
      rows: ROWS,
      manifest: { seconds: Number(seconds.toFixed(3)), rowsPerSec: Math.round(ROWS / seconds), acceptedMs: Math.round(acceptedMs), counts: manifest.counts, targetSeconds: 5, cpuSeconds, cpuSecondsWithEvents: cpuWithEvents },
      baselineOneByOne: baseline,
      // Work, not waiting: the manifest's CPU (servers and database, its events published) over the baseline's.
      cpuRatio: baseline?.cpuSeconds.database != null && cpuWithEvents.database != null
        ? Number(((cpuWithEvents.servers + cpuWithEvents.database) / (baseline.cpuSeconds.servers + baseline.cpuSeconds.database)).toFixed(3))
        : null,
      met: seconds <= 5,
    };
    const file = writeResult('manifest', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file}\n`);
  } finally {
    await pg.end();
    stopping = true;
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
