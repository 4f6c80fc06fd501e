// Scenario `matching`: top-10 job matching of reintegration, both ways, each against a brute-force
// scan of the same data in the same run.
//
//  - openings for a person: top 10 among BENCH_OPENINGS (50,000) open job openings (target p99 ≤ 50 ms);
//  - people for an opening: top 10 among BENCH_PROFILES (100,000) match profiles (target p99 ≤ 200 ms).
//
// The real reintegration service runs in this process on PostgreSQL and Kafka, production-like
// (random keys, no development defaults). Openings and match profiles are written to its tables
// (job_opening, match_profile) in bulk with realistic skew (returnees' trades: construction,
// hospitality, agriculture, care, driving; Spanish for nearly everyone, English for some; around
// Honduran towns), then measured three ways on the same data:
//  - index: the service's MatchFeed (catch-up statement on PostgreSQL + branch-and-bound index), as a request runs it;
//  - brute force: every opening / profile scored with the same scorer, sorted, cut at 10;
//  - http: GET /v1/persons/{id}/job-matches and GET /v1/job-openings/{id}/candidates, one at a time
//    (JWT, consent check, audit record, JSON), for the end-to-end figure.
// Every index answer is checked equal to the brute-force answer (ids and scores, in order).
//
//   npm run bench -- matching      BENCH_OPENINGS (50000), BENCH_PROFILES (100000), BENCH_QUERIES (300 per way),
//                                  BENCH_HTTP_REQUESTS (200 per way), BENCH_DB_PREFIX (puente_bench_)
//
// services/reintegration/src/matching/matching-bench.spec.ts runs this file on a few hundred rows.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { MatchFeed } from '../services/reintegration/src/matching/match-feed';
import type { MatchProfile } from '../services/reintegration/src/matching/scorer';
import { machineLoad, percentile, writeResult } from './support';

const log = (m: string) => process.stderr.write(`[bench:matching] ${m}\n`);

// ---------------------------------------------------------------------------------------------
// Data: a seeded generator (the same codes and places for the same seed; ids are random), skewed like returnees' trades.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Frequent trades first (weight), then the rest of ISCO-08 at weight 1. */
const COMMON_TRADES: [string, number][] = [
  ['9313', 40], ['7112', 35], ['7115', 20], ['7114', 15], ['7126', 12], ['7131', 12], ['7411', 12], ['7212', 10], ['7231', 12], ['7233', 6],
  ['5120', 30], ['9412', 25], ['5131', 20], ['5132', 6], ['4224', 8], ['5151', 6], ['9112', 25], ['9111', 15], ['5223', 20], ['5230', 12],
  ['6111', 20], ['9211', 30], ['6121', 8], ['9214', 10], ['8322', 20], ['8332', 15], ['8344', 8], ['9333', 20], ['9329', 15], ['8153', 15],
  ['5321', 10], ['5322', 10], ['5311', 8], ['5414', 15], ['3512', 5], ['2512', 4], ['2514', 3], ['4222', 10], ['4110', 8], ['7522', 8],
];
const TOWNS = [
  { name: 'San Pedro Sula', lat: 15.5, lon: -88.03 },
  { name: 'Tegucigalpa', lat: 14.08, lon: -87.21 },
  { name: 'La Ceiba', lat: 15.76, lon: -86.79 },
  { name: 'Choluteca', lat: 13.3, lon: -87.19 },
  { name: 'Comayagua', lat: 14.45, lon: -87.64 },
  { name: 'Puerto Cortés', lat: 15.84, lon: -87.94 },
  { name: 'Santa Rosa de Copán', lat: 14.77, lon: -88.78 },
  { name: 'Juticalpa', lat: 14.66, lon: -86.22 },
];
const LEVELS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;

function generator(seed: number, allUnits: string[]) {
  const r = rng(seed);
  const pool: string[] = [];
  for (const [code, w] of COMMON_TRADES) for (let i = 0; i < w; i++) pool.push(code);
  for (const code of allUnits) pool.push(code);
  const trade = () => pool[Math.floor(r() * pool.length)];
  const sibling = (code: string) => {
    const same = allUnits.filter((u) => u.slice(0, 2) === code.slice(0, 2));
    return same[Math.floor(r() * same.length)];
  };
  const near = () => {
    const town = TOWNS[Math.floor(r() * r() * TOWNS.length)];
    return { name: town.name, lat: Math.round((town.lat + (r() - 0.5) * 0.3) * 1000) / 1000, lon: Math.round((town.lon + (r() - 0.5) * 0.3) * 1000) / 1000 };
  };
  const level = (min: number, max: number) => LEVELS[min + Math.floor(r() * (max - min + 1))];
  return {
    opening() {
      const isco = trade();
      const skills = new Set<string>();
      const n = Math.floor(r() * 3);
      for (let i = 0; i < n; i++) skills.add(r() < 0.6 ? sibling(isco) : trade());
      skills.delete(isco);
      const languages = [{ code: 'es', level: level(1, 3) }];
      if (r() < 0.2) languages.push({ code: 'en', level: level(1, 4) });
      return { opening_id: randomUUID(), isco_code: isco, required_skills: [...skills], required_languages: languages, location: near() };
    },
    profile(): MatchProfile {
      const codes = new Set<string>();
      const n = 1 + Math.floor(r() * 3);
      const first = trade();
      codes.add(first);
      for (let i = 1; i < n; i++) codes.add(r() < 0.5 ? sibling(first) : trade());
      const languages: { code: string; level: (typeof LEVELS)[number] }[] = [{ code: 'es', level: 'C2' }];
      if (r() < 0.35) languages.push({ code: 'en', level: level(1, 4) });
      const town = near();
      const area = r() < 0.9 ? { lat: Math.round(town.lat / 0.05) * 0.05, lon: Math.round(town.lon / 0.05) * 0.05 } : null;
      return { personId: randomUUID(), occupations: [...codes].sort(), languages, location: area };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The measurement, shared by the scenario and its smoke test.

interface MatchingBenchTarget {
  ds: DataSource;
  feed: MatchFeed;
  /** One authenticated GET on the service: status and milliseconds. */
  get(path: string): Promise<{ status: number; ms: number }>;
}

interface MatchingBenchOptions {
  openings: number;
  profiles: number;
  queries: number;
  httpRequests: number;
  seed?: number;
}

interface Stats {
  n: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    n: sorted.length,
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** CPU milliseconds (user + system) of this process since `start`. */
const cpuMs = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

const key = (items: { score: number; opening?: { openingId: string }; person?: { personId: string } }[]) =>
  items.map((i) => `${i.opening?.openingId ?? i.person?.personId}@${i.score}`).join(',');

/** Loads the data into the service's tables and measures both ways; throws if the index ever disagrees with the brute force. */
async function measureMatching(target: MatchingBenchTarget, options: MatchingBenchOptions): Promise<Record<string, unknown>> {
  const { iscoGroups } = await import('../services/reintegration/src/skills/isco');
  const units = iscoGroups().filter((g) => g.level === 'unit').map((g) => g.code);
  const gen = generator(options.seed ?? 20261206, units);
  const { ds, feed } = target;
  const day = new Date().toISOString().slice(0, 10);

  const loadBefore = machineLoad();
  let t0 = performance.now();
  const openingIds: string[] = [];
  for (let done = 0; done < options.openings; ) {
    const batch = Array.from({ length: Math.min(5000, options.openings - done) }, () => gen.opening());
    await ds.query(
      `INSERT INTO job_opening (opening_id, employer_partner_id, title, isco_code, location_name, lat, lon, required_skills, required_languages, slots, opens_on, closes_on, created_by_client)
       SELECT x.opening_id, 'HN-EMP-BENCH-' || (abs(hashtext(x.opening_id::text)) % 400), 'Bench opening', x.isco_code, x.location->>'name',
              (x.location->>'lat')::float8, (x.location->>'lon')::float8, x.required_skills, x.required_languages, 1 + abs(hashtext(x.opening_id::text)) % 5,
              current_date - 10, current_date + 60, 'bench'
       FROM jsonb_to_recordset($1::jsonb) AS x(opening_id uuid, isco_code text, required_skills text[], required_languages jsonb, location jsonb)`,
      [JSON.stringify(batch)],
    );
    openingIds.push(...batch.map((b) => b.opening_id));
    done += batch.length;
  }
  const profiles: MatchProfile[] = [];
  for (let done = 0; done < options.profiles; ) {
    const batch = Array.from({ length: Math.min(10_000, options.profiles - done) }, () => gen.profile());
    await ds.query(
      `INSERT INTO match_profile (person_id, active, occupations, languages, area_lat, area_lon)
       SELECT x.person_id, true, x.occupations, x.languages, x.area_lat, x.area_lon
       FROM jsonb_to_recordset($1::jsonb) AS x(person_id uuid, occupations text[], languages text[], area_lat float8, area_lon float8)`,
      [JSON.stringify(batch.map((p) => ({ person_id: p.personId, occupations: p.occupations, languages: p.languages.map((l) => `${l.code}:${l.level}`), area_lat: p.location?.lat ?? null, area_lon: p.location?.lon ?? null })))],
    );
    profiles.push(...batch);
    done += batch.length;
  }
  const loadMs = performance.now() - t0;
  t0 = performance.now();
  await feed.catchUp();
  const indexBuildMs = performance.now() - t0;
  log(`loaded ${feed.index.openingCount} openings and ${feed.index.profileCount} profiles in ${Math.round(loadMs)} ms; index built in ${Math.round(indexBuildMs)} ms`);

  const r = rng(7);
  const pick = <T>(list: T[]) => list[Math.floor(r() * list.length)];

  // Openings for a person.
  const personSample = Array.from({ length: options.queries }, () => feed.index.profile(pick(profiles).personId) as MatchProfile);
  for (const p of personSample.slice(0, 20)) feed.index.topOpenings(p, 10, day); // warm-up
  const index1: number[] = [];
  const catchUp1: number[] = [];
  const brute1: number[] = [];
  // CPU time of this process per query as well: on a shared, overloaded machine wall time mostly measures the queue for a core.
  const indexCpu1: number[] = [];
  const bruteCpu1: number[] = [];
  let scored1 = 0;
  let empty1 = 0;
  for (const person of personSample) {
    let s = performance.now();
    let c = process.cpuUsage();
    await feed.catchUp();
    const afterCatchUp = performance.now();
    const stats = { scored: 0 };
    const fast = feed.index.topOpenings(person, 10, day, stats);
    const e = performance.now();
    indexCpu1.push(cpuMs(c));
    index1.push(e - s);
    catchUp1.push(afterCatchUp - s);
    scored1 += stats.scored;
    if (fast.length === 0) empty1++;
    s = performance.now();
    c = process.cpuUsage();
    const slow = feed.index.bruteForceTopOpenings(person, 10, day);
    brute1.push(performance.now() - s);
    bruteCpu1.push(cpuMs(c));
    if (key(fast) !== key(slow)) throw new Error(`index and brute force disagree for person ${person.personId}`);
  }
  log(`openings for a person: index p99 ${stats(index1).p99Ms} ms, brute force p99 ${stats(brute1).p99Ms} ms`);

  // People for an opening.
  const openingSample = Array.from({ length: options.queries }, () => feed.index.opening(pick(openingIds))!).filter(Boolean);
  for (const o of openingSample.slice(0, 5)) feed.index.topPeople(o, 10);
  const index2: number[] = [];
  const brute2: number[] = [];
  const indexCpu2: number[] = [];
  const bruteCpu2: number[] = [];
  let scored2 = 0;
  for (const opening of openingSample) {
    let s = performance.now();
    let c = process.cpuUsage();
    await feed.catchUp();
    const stats = { scored: 0 };
    const fast = feed.index.topPeople(opening, 10, stats);
    index2.push(performance.now() - s);
    indexCpu2.push(cpuMs(c));
    scored2 += stats.scored;
    s = performance.now();
    c = process.cpuUsage();
    const slow = feed.index.bruteForceTopPeople(opening, 10);
    brute2.push(performance.now() - s);
    bruteCpu2.push(cpuMs(c));
    if (key(fast) !== key(slow)) throw new Error(`index and brute force disagree for opening ${opening.openingId}`);
  }
  log(`people for an opening: index p99 ${stats(index2).p99Ms} ms, brute force p99 ${stats(brute2).p99Ms} ms`);

  // End to end over HTTP: the persons queried need a reintegration_support consent in force.
  const httpPersons = personSample.slice(0, options.httpRequests);
  await ds.query(
    `WITH p AS (SELECT unnest($1::uuid[]) AS person_id, gen_random_uuid() AS case_id),
          r AS (INSERT INTO person_record (person_id, age_band, sex) SELECT person_id, 'aged_18_to_59', 'female' FROM p ON CONFLICT DO NOTHING),
          m AS (INSERT INTO case_member (case_id, person_id) SELECT case_id, person_id FROM p ON CONFLICT DO NOTHING)
     INSERT INTO reintegration_consent (consent_id, case_id, person_id, valid_from, recorded_at) SELECT gen_random_uuid()::text, case_id, person_id, now() - interval '1 day', now() FROM p`,
    [httpPersons.map((p) => p.personId)],
  );
  const http1: number[] = [];
  const http2: number[] = [];
  let non200 = 0;
  for (const p of httpPersons.slice(0, 5)) await target.get(`/v1/persons/${p.personId}/job-matches?limit=10`);
  for (const p of httpPersons) {
    const res = await target.get(`/v1/persons/${p.personId}/job-matches?limit=10`);
    if (res.status !== 200) non200++;
    http1.push(res.ms);
  }
  for (const o of openingSample.slice(0, options.httpRequests)) {
    const res = await target.get(`/v1/job-openings/${o.openingId}/candidates?limit=10`);
    if (res.status !== 200) non200++;
    http2.push(res.ms);
  }
  if (non200 > 0) throw new Error(`${non200} HTTP requests did not answer 200`);

  const openingsForPerson = { index: stats(index1), catchUpStatement: stats(catchUp1), bruteForce: stats(brute1), http: stats(http1), indexCpu: stats(indexCpu1), bruteForceCpu: stats(bruteCpu1) };
  const peopleForOpening = { index: stats(index2), bruteForce: stats(brute2), http: stats(http2), indexCpu: stats(indexCpu2), bruteForceCpu: stats(bruteCpu2) };
  return {
    data: { openings: feed.index.openingCount, profiles: feed.index.profileCount, loadMs: Math.round(loadMs), indexBuildMs: Math.round(indexBuildMs) },
    openingsForPerson: {
      ...openingsForPerson,
      targetP99Ms: 50,
      indexMeetsTarget: openingsForPerson.index.p99Ms <= 50,
      httpMeetsTarget: openingsForPerson.http.p99Ms <= 50,
      speedupAtP99: Math.round((openingsForPerson.bruteForce.p99Ms / openingsForPerson.index.p99Ms) * 10) / 10,
      meanOpeningsScoredByIndex: Math.round(scored1 / personSample.length),
      queriesWithNoRelevantOpening: empty1,
    },
    peopleForOpening: {
      ...peopleForOpening,
      targetP99Ms: 200,
      indexMeetsTarget: peopleForOpening.index.p99Ms <= 200,
      httpMeetsTarget: peopleForOpening.http.p99Ms <= 200,
      speedupAtP99: Math.round((peopleForOpening.bruteForce.p99Ms / peopleForOpening.index.p99Ms) * 10) / 10,
      meanProfilesScoredByIndex: Math.round(scored2 / Math.max(1, openingSample.length)),
    },
    indexEqualsBruteForce: { personQueries: personSample.length, openingQueries: openingSample.length },
    load: machineLoad(),
    loadBefore,
  };
}

// ---------------------------------------------------------------------------------------------
// The scenario: the real service in this process, production-like.

async function main(): Promise<void> {
  const options: MatchingBenchOptions = {
    openings: Number(process.env.BENCH_OPENINGS ?? 50_000),
    profiles: Number(process.env.BENCH_PROFILES ?? 100_000),
    queries: Number(process.env.BENCH_QUERIES ?? 300),
    httpRequests: Number(process.env.BENCH_HTTP_REQUESTS ?? 200),
  };
  const { benchAuth } = await import('./harness');
  const prefix = process.env.BENCH_DB_PREFIX || 'puente_bench_';
  if (!/^[a-z0-9_]+$/.test(prefix)) throw new Error('BENCH_DB_PREFIX must be lower-case letters, digits and _');
  const auth = await benchAuth(prefix);
  Object.assign(process.env, auth.env, { FOLLOW_UP_SWEEP_INTERVAL_MS: '0' });
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${prefix}reintegration WITH (FORCE)`);
  await admin.end();

  const { createServiceApp } = await import('@puente/platform');
  const { reintegrationAppModule, SERVICE } = await import('../services/reintegration/src/app.module');
  const { MatchFeed } = await import('../services/reintegration/src/matching/match-feed');
  const { DataSource } = await import('typeorm');
  const app = await createServiceApp({ service: SERVICE.name, module: reintegrationAppModule(), title: SERVICE.title, description: SERVICE.description, shutdownHooks: false });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const token = await auth.token('reintegration:read', 'puente:reintegration');
  try {
    const result = await measureMatching(
      {
        ds: app.get(DataSource),
        feed: app.get(MatchFeed),
        get: async (path) => {
          const s = performance.now();
          const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': randomUUID() } });
          await res.arrayBuffer();
          return { status: res.status, ms: performance.now() - s };
        },
      },
      options,
    );
    const file = writeResult('matching', { options, ...result });
    log(`result written to ${file}`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await app.close();
    const cleanup = new Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${prefix}reintegration WITH (FORCE)`);
    await cleanup.end();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      log((e as Error).stack ?? String(e));
      process.exit(1);
    },
  );
}
