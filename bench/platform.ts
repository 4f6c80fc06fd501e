// Scenario `platform`: what the platform costs on the cheapest authenticated read.
//
//  - system: `GET /v1/sites/{code}` on the real intake service (helmet, request id and trace
//    headers, JWT verification and scopes, validation, ETag, problem+json filter, TypeORM,
//    pino, Prometheus histogram);
//  - baseline: a bare Fastify route in the same process reading the same row with pg (a pool of
//    the same size) and answering it as JSON.
//
// Both run in one child process and are driven by autocannon from this one, in alternating
// rounds (the machine is shared; every round records the load average). Target: ratio ≥ 0.5.
//
//   npm run bench -- platform     BENCH_ROUNDS (6), BENCH_SECONDS (5 per phase), BENCH_CONNECTIONS (16),
//                                 BENCH_WARMUP_SECONDS (4), BENCH_PROFILE=<dir> (CPU and allocation profiles of the system's first round)
import { randomUUID } from 'node:crypto';
import { announceReady, benchAuth, benchDatabasePrefix, closedLoad, interleave, serveControl, startFreshIntake, startServerChild } from './harness';
import { machineLoad, writeResult } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);
const TARGET = 0.5;
const SITE = 'GT-MRC-01';
const log = (m: string) => process.stderr.write(`[bench:platform] ${m}\n`);

async function serve(): Promise<void> {
  const { Pool } = await import('pg');
  const { app, databaseUrl } = await startFreshIntake();

  const { default: Fastify } = await import('fastify');
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const bare = Fastify({ logger: false });
  bare.get('/v1/sites/:code', async (request, reply) => {
    const { rows } = await pool.query(
      `SELECT code, name, country, kind, locality, operating_partner_id AS "operatingPartnerId", active,
              created_at AS "createdAt", updated_at AS "updatedAt", version
         FROM site WHERE code = $1`,
      [(request.params as { code: string }).code],
    );
    if (rows.length === 0) return reply.code(404).send({ status: 404 });
    return rows[0];
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const address = bare.server.address();
  const barePort = typeof address === 'object' && address ? address.port : 0;
  announceReady({ system: await app.getUrl(), baseline: `http://127.0.0.1:${barePort}` });
  await serveControl('platform', async () => {
    await bare.close();
    await pool.end();
    await app.close();
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();
  const auth = await benchAuth(benchDatabasePrefix('platform'));
  const token = await auth.token('cases:read sites:admin', 'puente:intake');
  const headers = { authorization: `Bearer ${token}` };
  const server = await startServerChild<{ system: string; baseline: string }>(__filename, auth.env);
  try {
    const created = await fetch(`${server.ready.system}/v1/sites`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ code: SITE, name: 'Centro de Recursos para Migrantes Tecún Umán', kind: 'fixed', locality: 'Tecún Umán, San Marcos', operatingPartnerId: 'IOM-GT' }),
    });
    if (created.status !== 201) throw new Error(`creating the site failed: ${created.status} ${await created.text()}`);
    const run = (url: string) => () => closedLoad({ url: `${url}/v1/sites/${SITE}`, method: 'GET', connections: CONNECTIONS, seconds: SECONDS, headers });
    log(`warm-up ${WARMUP_SECONDS} s each`);
    await closedLoad({ url: `${server.ready.baseline}/v1/sites/${SITE}`, method: 'GET', connections: CONNECTIONS, seconds: WARMUP_SECONDS, headers });
    await closedLoad({ url: `${server.ready.system}/v1/sites/${SITE}`, method: 'GET', connections: CONNECTIONS, seconds: WARMUP_SECONDS, headers });
    const loadBefore = machineLoad();
    const measured = await interleave({
      rounds: ROUNDS,
      baseline: run(server.ready.baseline),
      system: run(server.ready.system),
      log,
      aroundSystem: { before: (i) => i === 0 && server.send('profile-start'), after: (i) => i === 0 && server.send('profile-stop') },
    });
    const result = {
      rounds: ROUNDS,
      secondsPerPhase: SECONDS,
      connections: CONNECTIONS,
      loadBefore,
      loadAfter: machineLoad(),
      system: measured.system,
      baseline: measured.baseline,
      ratio: measured.ratio,
      medianRoundRatio: measured.medianRoundRatio,
      ratioTarget: TARGET,
      perRound: measured.rounds,
      met: measured.ratio >= TARGET && measured.system.non2xx === 0 && measured.system.errors === 0 && measured.baseline.non2xx === 0,
    };
    const file = writeResult('platform', result);
    log(`ratio ${measured.ratio} (median of rounds ${measured.medianRoundRatio}); system ${measured.system.reqPerSec} req/s, baseline ${measured.baseline.reqPerSec} req/s`);
    process.stdout.write(`${JSON.stringify({ ratio: result.ratio, met: result.met, file })}\n`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
