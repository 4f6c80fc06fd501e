// Scenario `scale`: does a node with a million persons answer as fast as one with ten thousand?
//
// One intake database is grown 10k → 100k → 1M persons (BENCH_SIZES) by an incremental preload,
// and at each size the running intake service (production configuration, random keys) is
// measured over HTTP, one request at a time (latency without queueing; the machine is shared):
//
//  - registration: POST /v1/persons with a new case (duplicate lookup, encryption, match keys, …);
//  - duplicate lookup: the registration's own candidate query (DuplicateDetector.candidates and
//    score with a preloaded person's 41 match keys, as POST /v1/persons runs it before writing),
//    timed inside the service; and GET /v1/cases?matchKey= (a person's cases by one key) over HTTP;
//  - case search: GET /v1/cases?reference= (a random preloaded case);
//  - case list: GET /v1/cases?siteCode=&status=&limit=20, following nextCursor up to 5 pages;
//  - timeline: GET /v1/cases/{id}/timeline of a random preloaded case;
//  - the database size (pg_database_size) and its largest tables; EXPLAIN of the hot queries.
//
// The preload writes what registrations write, in bulk (multi-row INSERT … SELECT unnest, a
// thousand persons a statement): each person's data key (libs/privacy PersonVault.newPeople: a
// random AES-256 key per person wrapped by the node KEK, every identity field encrypted under it,
// nothing pooled), the person, its 41 match keys (computeMatchKeys under the agreement key, from
// realistic names: a Zipf-like share of common Central American surnames), a case (one in four
// persons joins the previous person's case as a family member), the membership, two consents,
// and the case's timeline entries (CaseOpened, PersonRegistered, ConsentRecorded, the screening's
// ScreeningStarted / ScreeningCompleted, status changes, closing). Screening's own database is not
// preloaded: no measured operation reads it; its events are on the timeline. Audit records and
// outbox rows of preloaded persons are not written (nothing measured reads them).
//
// Targets: p99 at 1M ≤ 1.5 × p99 at 10k for each operation; duplicate lookup p99 ≤ 20 ms at 1M.
//
//   npm run bench -- scale        BENCH_SIZES (10000,100000,1000000), BENCH_SAMPLES (300 reads per operation),
//                                 BENCH_REGISTRATIONS (600), BENCH_WARMUP (300 registrations before them, not timed),
//                                 BENCH_BATCH (1000 persons per statement),
//                                 BENCH_WORKERS (2 threads making the preload's rows), BENCH_PLAN_SAMPLES (100 EXPLAIN ANALYZE per hot query),
//                                 BENCH_BULK_INDEX_STEP (500000: a step adding as many builds the match-key indexes after its rows)
import { createHash, randomUUID } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import { lookupSignals, type MatchKey } from '@puente/privacy';
import { IntakeConfig } from '../services/intake/src/config/intake.config';
import { candidateQuery } from '../services/intake/src/duplicates/duplicate-detector';
import { type BenchQuery, checkpointerCounters, cpuBetween, cpuSnapshot, machineLoad, percentile, perRequest, processCpuSeconds, writeResult } from './support';
import { announceReady, benchAuth, benchDatabasePrefix, serveControl, startFreshIntake, startServerChild } from './harness';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 600);
/**
 * Registrations made before the timed ones at each size. Without them the first size measured a
 * cold machine: the service's and the broker's JIT compile the registration's and the event
 * pipeline's code during its first few hundred (the broker's CPU a registration fell from 9.4 to
 * 4.7 ms over three runs of 300), which made the 10 thousand figure, the ratios' denominator,
 * the noisiest of all.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const RATIO_TARGET = 1.5;
const LOOKUP_P99_TARGET_MS = 20;
const LIST_PAGES = 5;
const PLAN_SAMPLES = Number(process.env.BENCH_PLAN_SAMPLES ?? 100);
/** A preload step adding at least this many persons builds person_match_key's indexes after its rows. */
const BULK_INDEX_STEP = Number(process.env.BENCH_BULK_INDEX_STEP ?? 500_000);
const SITES = [
  { code: 'GT-MRC-01', name: 'Centro de Recursos para Migrantes Tecún Umán', kind: 'fixed', locality: 'Tecún Umán, San Marcos', share: 0.4 },
  { code: 'GT-MRC-02', name: 'Centro de Recursos para Migrantes Esquipulas', kind: 'fixed', locality: 'Esquipulas, Chiquimula', share: 0.25 },
  { code: 'GT-MOB-01', name: 'Unidad móvil Petén', kind: 'mobile', locality: 'Santa Elena, Petén', share: 0.15 },
  { code: 'GT-CRM-01', name: 'Centro de Recepción de Retornados La Aurora', kind: 'reception', locality: 'Ciudad de Guatemala', share: 0.2 },
] as const;
const CLIENT = 'mrc-gt-tecun-uman-frontend';
const log = (m: string) => process.stderr.write(`[bench:scale] ${m}\n`);

// ---------------------------------------------------------------------------------------------
// Persons: person i is the same identity every time it is generated (seeded by i), so the
// measuring side can look up the keys, case and reference of any preloaded person.

const GIVEN = [
  'José', 'María', 'Juan', 'Ana', 'Luis', 'Carlos', 'Rosa', 'Jorge', 'Marta', 'Kevin', 'Wilmer', 'Dayana', 'Brayan', 'Karla', 'Sonia', 'Tomás',
  'Elena', 'Miguel', 'Yessenia', 'Francisco', 'Gloria', 'Edwin', 'Sandra', 'Marvin', 'Lesly', 'Óscar', 'Mirna', 'Byron', 'Glenda', 'Santos',
  'Reina', 'Josué', 'Fátima', 'Nelson', 'Heidy', 'Wendy', 'Alexander', 'Michelle', 'Antonio', 'Lucía', 'Pedro', 'Juana', 'Rigoberto', 'Sulma',
  'Cristian', 'Ingrid', 'Elmer', 'Arely', 'Selvin', 'Dilcia',
];
const SURNAMES = [
  'López', 'García', 'Hernández', 'Pérez', 'Martínez', 'González', 'Rodríguez', 'Morales', 'Ramírez', 'Cruz', 'Reyes', 'Flores', 'Gómez', 'Mejía',
  'Díaz', 'Castillo', 'Sánchez', 'Méndez', 'Ortiz', 'Ramos', 'Chávez', 'Aguilar', 'Vásquez', 'Juárez', 'Orellana', 'Argueta', 'Bonilla', 'Rivera',
  'Santos', 'Velásquez', 'Ajpop', 'Tzul', 'Xitumul', 'Coc', 'Caal', 'Choc', 'Tiul', 'Pop', 'Quiej', 'Yax', 'Batz', 'Chun', 'Maldonado', 'Escobar',
  'Carranza', 'Zelaya', 'Paz', 'Alvarado', 'Portillo', 'Guevara', 'Fuentes', 'Barrios', 'Cabrera', 'Monterroso', 'Solórzano', 'Galdámez',
  'Interiano', 'Amaya', 'Canales', 'Lemus',
];
const NATIONALITIES: [string, number][] = [['GT', 0.45], ['HN', 0.35], ['SV', 0.2]];
const STATUSES: [string, number][] = [['open', 0.25], ['in_screening', 0.1], ['screened', 0.1], ['referred', 0.2], ['on_hold', 0.05], ['closed', 0.3]];
const SPAN_START = Date.parse('2019-01-01T00:00:00Z');
const SPAN_END = Date.parse('2026-11-30T00:00:00Z');

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

/** Zipf-like: the first names of the list are much more common (as López and García are). */
function zipf<T>(list: readonly T[], r: number): T {
  return list[Math.min(list.length - 1, Math.floor(list.length * r ** 2.2))];
}

function weighted(list: readonly [string, number][], r: number): string {
  let acc = 0;
  for (const [value, weight] of list) if (r < (acc += weight)) return value;
  return list[list.length - 1][0];
}

/** A UUID (version 4 layout) derived from the run's salt, a kind and an index. */
function idFor(salt: string, kind: string, i: number): string {
  const h = createHash('sha256').update(`${salt}:${kind}:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface Identity {
  givenNames: string;
  familyNames: string;
  birthDate: string;
  nationality: string;
  sex: 'female' | 'male';
}

/** Person i's identity; a family member (i % 4 === 3) carries the previous person's surnames. */
function identityOf(i: number): Identity {
  const r = rng(i * 7919 + 17);
  const family = i % 4 === 3 ? identityOf(i - 1).familyNames : `${zipf(SURNAMES, r())} ${zipf(SURNAMES, r())}`;
  const given = r() < 0.6 ? `${zipf(GIVEN, r())} ${zipf(GIVEN, r())}` : zipf(GIVEN, r());
  const year = 1955 + Math.floor(r() * 53);
  return {
    givenNames: given,
    familyNames: family,
    birthDate: `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
    nationality: i % 4 === 3 ? identityOf(i - 1).nationality : weighted(NATIONALITIES, r()),
    sex: r() < 0.5 ? 'female' : 'male',
  };
}

/** Whether person i opens a case (three in four) or joins the previous person's. */
const opensCase = (i: number) => i % 4 !== 3;
const principalOf = (i: number) => (opensCase(i) ? i : i - 1);

interface CaseFacts {
  caseId: string;
  reference: string;
  siteCode: string;
  openedAt: Date;
  status: string;
  priority: string;
}

function caseOf(salt: string, i: number): CaseFacts {
  const p = principalOf(i);
  const r = rng(p * 104729 + 3);
  const openedAt = new Date(SPAN_START + Math.floor(r() * (SPAN_END - SPAN_START)));
  const site = r();
  let acc = 0;
  const siteCode = SITES.find((s) => site < (acc += s.share))?.code ?? SITES[0].code;
  return {
    caseId: idFor(salt, 'case', p),
    // Preloaded cases carry the year they were opened and a number no live registration takes
    // (the service's own sequence is this year's, and starts at 1).
    reference: `GT-${openedAt.getUTCFullYear()}-${String(p + 1).padStart(7, '0')}`,
    siteCode,
    openedAt,
    status: weighted(STATUSES, r()),
    priority: r() < 0.2 ? 'high' : 'normal',
  };
}

/** The registration body of a person (also what the preload encrypts, through intake's own mapping). */
type RegistrationBody = ReturnType<typeof registrationBody>;

function registrationBody(identity: Identity, siteCode: string, i: number) {
  return {
    siteCode,
    givenNames: identity.givenNames,
    familyNames: identity.familyNames,
    sex: identity.sex,
    birthDate: identity.birthDate,
    nationality: identity.nationality,
    languages: [{ code: 'es', primary: true }],
    contact: { phone: `+502${String(30_000_000 + ((i * 7_919) % 69_999_999)).padStart(8, '0')}` },
    documents: [{ type: 'national_id', number: `${String(1000 + (i % 8999))} ${String(10_000 + (i % 89_999))} ${String(100 + (i % 899))}`, issuingCountry: identity.nationality, verification: 'unverified' }],
  };
}

// ---------------------------------------------------------------------------------------------
// Child process: the intake service; answers 'lookup <json>' with the registration's duplicate
// lookup timed inside the service.

async function serve(): Promise<void> {
  const { app, databaseUrl } = await startFreshIntake();
  const { DuplicateDetector } = await import('../services/intake/src/duplicates/duplicate-detector');
  const { DataSource } = await import('typeorm');
  const { personalDataFromDto, matchIdentityOf } = await import('../services/intake/src/persons/person-mapping');
  const detector = app.get(DuplicateDetector);
  const dataSource = app.get(DataSource);
  announceReady({ system: await app.getUrl(), databaseUrl });
  process.on('message', async (message) => {
    if (typeof message !== 'string' || !message.startsWith('lookup ')) return;
    const bodies = JSON.parse(message.slice('lookup '.length)) as RegistrationBody[];
    const samples: { ms: number; candidates: number; reported: string[] }[] = [];
    for (const body of bodies) {
      const started = performance.now();
      // What PersonRegistrationService.register runs before writing: keys, candidates, score.
      const keys = detector.keysOf(matchIdentityOf(personalDataFromDto(body as never), body.nationality));
      const candidates = await detector.candidates(dataSource.manager, keys);
      const found = detector.score(keys, candidates);
      samples.push({ ms: performance.now() - started, candidates: candidates.length, reported: found.map((f) => f.c.reference) });
    }
    process.send?.(samples);
  });
  await serveControl('scale', async () => {
    await app.close();
  });
}

// ---------------------------------------------------------------------------------------------
// Parent process: the preload (straight into intake's database) and the measurements over HTTP.

type Pool = import('pg').Pool;

/** One batch of preloaded rows, as the column arrays of each table's INSERT (plain data: made in a worker thread). */
type Batch = Awaited<ReturnType<typeof batchMaker>> extends (from: number, to: number) => infer B ? B : never;

/** Makes the rows of persons [from, to) under the node's own KEK and agreement keys (what the service reads and matches). */
async function batchMaker(env: NodeJS.ProcessEnv, salt: string) {
  const { KeyEncryptionKeyring, PersonVault, computeMatchKeys, isSearchableMatchKey, parseAgreementKey } = await import('@puente/privacy');
  const { personalDataFromDto, matchIdentityOf } = await import('../services/intake/src/persons/person-mapping');
  const { toPlainFields, encryptedColumns } = await import('../services/intake/src/persons/personal-data');
  const { ageBandOf, ageInYears } = await import('../services/intake/src/persons/age');
  const { Topics } = await import('@puente/contracts');
  const vault = new PersonVault(null as never, KeyEncryptionKeyring.fromEnv(env), { cache: false });
  const agreementKeys = String(env.MATCH_AGREEMENT_KEYS).split(',').map((s) => parseAgreementKey(s.trim()));
  const intakeSource = '/puente/gt/intake';
  const screeningSource = '/puente/gt/screening';

  return (from: number, to: number) => {
    const persons = Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const identity = identityOf(i);
      const c = caseOf(salt, i);
      const registeredAt = new Date(c.openedAt.getTime() + (opensCase(i) ? 0 : 600_000));
      const data = personalDataFromDto(registrationBody(identity, c.siteCode, i) as never);
      return { i, personId: idFor(salt, 'person', i), identity, c, registeredAt, data };
    });
    // Intake's bulk path (PersonVault.newPeople): a data key per person, wrapped by the KEK, every field encrypted under it.
    const encrypted = vault.newPeople(persons.map((p) => ({ personId: p.personId, values: toPlainFields(p.data) })));
    let dataKeys: { text: string; values: unknown[] } = { text: '', values: [] };
    void encrypted.insert({ query: async (text: string, values: unknown[]) => void (dataKeys = { text, values }) } as never);
    const columns = encrypted.fields.map((f) => encryptedColumns(f as never));
    const keys = persons.flatMap((p) => agreementKeys.flatMap((a) => computeMatchKeys(matchIdentityOf(p.data, p.identity.nationality), a)).map((k) => ({ personId: p.personId, ...k, searchable: isSearchableMatchKey(k) })));
    const opening = persons.filter((p) => opensCase(p.i));
    const consents: { id: string; caseId: string; personId: string; purpose: string; at: Date }[] = [];
    const entries: { caseId: string; type: string; source: string; at: Date; topic: string; data: string }[] = [];
    const at = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
    const entry = (caseId: string, type: string, source: string, when: Date, topic: string, data: Record<string, unknown>) =>
      entries.push({ caseId, type, source, at: when, topic, data: JSON.stringify(data) });
    for (const p of persons) {
      const { c } = p;
      const actor = { clientId: CLIENT, partnerId: 'GT-MRC-01', node: 'GT' };
      if (opensCase(p.i)) {
        entry(c.caseId, 'puente.intake.v1.CaseOpened', intakeSource, c.openedAt, Topics.intakeCase.name, { caseId: c.caseId, reference: c.reference, siteCode: c.siteCode, openedAt: c.openedAt.toISOString(), priority: `CASE_PRIORITY_${c.priority.toUpperCase()}`, openedBy: actor });
      }
      entry(c.caseId, 'puente.intake.v1.PersonRegistered', intakeSource, p.registeredAt, Topics.intakeCase.name, { personId: p.personId, caseId: c.caseId, nationality: p.identity.nationality, registeredBy: actor });
      for (const purpose of ['screening', 'identity_matching']) {
        const k = { id: randomUUID(), caseId: c.caseId, personId: p.personId, purpose, at: p.registeredAt };
        consents.push(k);
        entry(c.caseId, 'puente.intake.v1.ConsentRecorded', intakeSource, at(p.registeredAt, 1), Topics.intakeCase.name, { consentId: k.id, caseId: c.caseId, personId: p.personId, purpose: `CONSENT_PURPOSE_${purpose.toUpperCase()}`, recordedBy: actor });
      }
      if (opensCase(p.i) && c.status !== 'open') {
        const screeningId = idFor(salt, 'screening', p.i);
        entry(c.caseId, 'puente.screening.v1.ScreeningStarted', screeningSource, at(c.openedAt, 30), Topics.screening.name, { screeningId, caseId: c.caseId, startedBy: actor });
        entry(c.caseId, 'puente.screening.v1.ScreeningCompleted', screeningSource, at(c.openedAt, 75), Topics.screening.name, { screeningId, caseId: c.caseId, riskLevel: 'RISK_LEVEL_MEDIUM', recommendedPathways: ['PATHWAY_PSYCHOSOCIAL_SUPPORT'], completedBy: actor });
        entry(c.caseId, 'puente.intake.v1.CaseStatusChanged', intakeSource, at(c.openedAt, 80), Topics.intakeCase.name, { caseId: c.caseId, fromStatus: 'CASE_STATUS_OPEN', toStatus: `CASE_STATUS_${c.status.toUpperCase()}`, actor });
        if (c.status === 'closed') entry(c.caseId, 'puente.intake.v1.CaseClosed', intakeSource, at(c.openedAt, 60 * 24 * 20), Topics.intakeCase.name, { caseId: c.caseId, closedBy: actor });
      }
    }
    const o = opening.map((x) => x.c);
    return {
      dataKeys,
      person: [
        persons.map((x) => x.personId), persons.map((x) => x.c.siteCode), persons.map((x) => x.identity.sex), persons.map((x) => x.identity.nationality),
        persons.map((x) => ageBandOf(ageInYears(x.data.birthDate, x.registeredAt))),
        ...(['givenNamesEnc', 'familyNamesEnc', 'transliterationEnc', 'birthDateEnc', 'otherCitizenshipsEnc', 'languagesEnc', 'contactEnc', 'documentsEnc'] as const).map((col) =>
          columns.map((c) => c[col] ?? null),
        ),
        persons.map((x) => x.registeredAt),
      ],
      intakeCase: [o.map((c) => c.caseId), o.map((c) => c.reference), o.map((c) => c.siteCode), o.map((c) => c.status), o.map((c) => c.priority), opening.map((x) => x.personId), o.map((c) => c.openedAt)],
      casePerson: [persons.map((x) => x.c.caseId), persons.map((x) => x.personId), persons.map((x) => x.registeredAt)],
      matchKey: [keys.map((k) => k.personId), keys.map((k) => k.kid), keys.map((k) => k.rule), keys.map((k) => k.value), keys.map((k) => k.searchable)],
      consent: [consents.map((k) => k.id), consents.map((k) => k.caseId), consents.map((k) => k.personId), consents.map((k) => k.purpose), consents.map((k) => k.at)],
      timeline: [entries.map((x) => x.caseId), entries.map((x) => x.type), entries.map((x) => x.source), entries.map((x) => x.at), entries.map((x) => x.topic), entries.map((x) => x.data)],
    };
  };
}

/** In a worker thread: makes the batches the preload asks for. */
async function batchWorker(): Promise<void> {
  const { parentPort, workerData } = await import('node:worker_threads');
  const make = await batchMaker(workerData.env as NodeJS.ProcessEnv, workerData.salt as string);
  parentPort?.on('message', ({ from, to }: { from: number; to: number }) => parentPort.postMessage(make(from, to)));
  parentPort?.postMessage('ready');
}

/** Writes one batch in one transaction, in the order of the foreign keys. */
async function writeBatch(pool: Pool, b: Batch): Promise<void> {
  const { CLOSE_REASONS } = await import('../services/intake/src/common/enums');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Bulk load: made durable at the end of each size's preload (CHECKPOINT), not commit by commit;
    // foreign keys hold by construction, so their row-by-row trigger checks are skipped (replica
    // role: triggers off for this transaction).
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query('SET LOCAL session_replication_role = replica');
    // The vault's own statement for the data keys (wrapped keys come back from the worker as Uint8Array).
    await client.query(b.dataKeys.text, b.dataKeys.values.map((v, i) => (i === 2 ? (v as Uint8Array[]).map((u) => Buffer.from(u)) : v)));
    await client.query(
      `INSERT INTO person (id, site_code, sex, nationality, age_band, interpreter_needed, given_names_enc, family_names_enc, transliteration_enc, birth_date_enc,
         other_citizenships_enc, languages_enc, contact_enc, documents_enc, registered_at, registered_by, updated_at, version)
       SELECT id, site, sex, nat, band, false, g, f, t, b, o, l, c, d, at, $15, at, 1
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
           AS x (id, site, sex, nat, band, g, f, t, b, o, l, c, d, at)`,
      [...b.person, CLIENT],
    );
    await client.query(
      `INSERT INTO intake_case (id, reference, site_code, custody_node, status, priority, principal_person_id, opened_at, opened_by, closed_at, close_reason, updated_at, version)
       SELECT id, ref, site, 'GT', status, priority, principal, at, $8,
              CASE WHEN status = 'closed' THEN at + interval '20 days' END,
              CASE WHEN status = 'closed' THEN ($9::text[])[1 + (abs(hashtext(ref)) % cardinality($9::text[]))] END, at, 1
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[]) AS x (id, ref, site, status, priority, principal, at)`,
      [...b.intakeCase, CLIENT, CLOSE_REASONS],
    );
    await client.query(`INSERT INTO case_person (case_id, person_id, added_at) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])`, b.casePerson);
    await client.query(`INSERT INTO person_match_key (person_id, kid, rule, value, searchable) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[])`, b.matchKey);
    await client.query(
      `INSERT INTO consent (id, case_id, person_id, purpose, method, valid_from, recorded_at, recorded_by, version)
       SELECT id, case_id, person_id, purpose, 'written', at, at, $6, 1 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[]) AS x (id, case_id, person_id, purpose, at)`,
      [...b.consent, CLIENT],
    );
    await client.query(
      `INSERT INTO timeline_entry (case_id, event_id, type, source, occurred_at, topic, actor_client_id, actor_partner_id, actor_node, data, recorded_at)
       SELECT case_id, gen_random_uuid()::text, type, source, at, topic, $7, 'GT-MRC-01', 'GT', data, at
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[]) AS x (case_id, type, source, at, topic, data)`,
      [...b.timeline, CLIENT],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Preloads persons [from, to): BENCH_WORKERS threads make the batches, this one writes them in order. */
async function preloader(pool: Pool, env: NodeJS.ProcessEnv, salt: string) {
  const { Worker } = await import('node:worker_threads');
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const worker = new Worker(`require('@swc-node/register'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { env, salt } });
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      return worker;
    }),
  );
  // Each worker answers its requests in order.
  const queues = workers.map(() => [] as ((b: Batch) => void)[]);
  workers.forEach((w, n) => w.on('message', (b: Batch) => queues[n].shift()?.(b)));
  const make = (n: number, from: number, to: number) =>
    new Promise<Batch>((resolve) => {
      queues[n].push(resolve);
      workers[n].postMessage({ from, to });
    });
  return {
    async load(from: number, to: number): Promise<{ waitedForBatchesSeconds: number; writingSeconds: number }> {
      const starts: number[] = [];
      for (let start = from; start < to; start += BATCH) starts.push(start);
      // Up to two batches per worker in flight while the previous one is written.
      const ahead = WORKERS * 2;
      // Batches in flight, oldest first; each is dropped once taken (a million persons' batches
      // held to the end ran a 4 GB heap out of memory at 350 thousand).
      const pending = starts.slice(0, ahead).map((start, k) => make(k % WORKERS, start, Math.min(to, start + BATCH)));
      let waitedMs = 0;
      let writingMs = 0;
      for (let k = 0; k < starts.length; k++) {
        const waited = performance.now();
        const batch = await (pending.shift() as Promise<Batch>);
        const next = k + ahead;
        if (next < starts.length) pending.push(make(next % WORKERS, starts[next], Math.min(to, starts[next] + BATCH)));
        const writing = performance.now();
        await writeBatch(pool, batch);
        waitedMs += writing - waited;
        writingMs += performance.now() - writing;
        if (k > 0 && k % 50 === 0) log(`  … ${starts[k]} persons (waited ${Math.round(waitedMs / 1000)} s for batches, wrote ${Math.round(writingMs / 1000)} s)`);
      }
      return { waitedForBatchesSeconds: Math.round(waitedMs / 100) / 10, writingSeconds: Math.round(writingMs / 100) / 10 };
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
}

function latency(ms: number[], failures: number): Latency {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { samples: ms.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted[sorted.length - 1] ?? NaN), failures };
}

/** `n` requests one after another; a request that is not what `check` expects counts as a failure (and is logged once). */
async function timed(name: string, n: number, request: (k: number) => Promise<Response>, check: (body: unknown) => boolean = () => true, ms: number[] = []): Promise<Latency> {
  const from = ms.length;
  let failures = 0;
  for (let k = 0; k < n; k++) {
    const started = performance.now();
    const res = await request(k);
    const body = (await res.json()) as unknown;
    ms.push(performance.now() - started);
    if (res.status < 200 || res.status > 299 || !check(body)) {
      if (failures++ === 0) log(`${name}: unexpected answer ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
  return latency(ms.slice(from), failures);
}

/** p50 and p99 of each run of `size` consecutive requests: how a phase settles (or does not). */
function latencyWindows(ms: number[], size: number): { p50Ms: number; p99Ms: number }[] {
  const windows: { p50Ms: number; p99Ms: number }[] = [];
  for (let from = 0; from < ms.length; from += size) {
    const { p50Ms, p99Ms } = latency(ms.slice(from, from + size), 0);
    windows.push({ p50Ms, p99Ms });
  }
  return windows;
}

const DATABASE_SETTINGS = ['shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'full_page_writes', 'synchronous_commit'];

async function walPosition(pool: Pool): Promise<string> {
  return ((await pool.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`)).rows[0] as { lsn: string }).lsn;
}

/**
 * WAL written per registration since `from` (with what the registrations set off: relay marks,
 * timeline entries), and the share of it that is full-page images (pg_walinspect, when the
 * server has it): a registration's random match-key index pages, first touched after a
 * checkpoint, are each logged whole.
 */
async function walPerRegistration(pool: Pool, from: string, registrations: number): Promise<{ bytes: number; fullPageImageShare: number | null }> {
  // pg_walinspect reads only WAL already flushed: an end at the insert position (ahead of it) is refused.
  const [{ to, bytes }] = (
    await pool.query(`SELECT pg_current_wal_flush_lsn()::text AS to, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint AS bytes`, [from])
  ).rows as { to: string; bytes: string }[];
  let fullPageImageShare: number | null = null;
  try {
    const [row] = (await pool.query(`SELECT sum(fpi_size)::float8 AS fpi, sum(combined_size)::float8 AS total FROM pg_get_wal_stats($1::pg_lsn, $2::pg_lsn, false)`, [from, to])).rows as { fpi: number; total: number }[];
    if (row.total > 0) fullPageImageShare = Math.round((row.fpi / row.total) * 100) / 100;
  } catch {
    // No pg_walinspect, or the WAL was recycled by a checkpoint meanwhile: the byte count stands alone.
  }
  return { bytes: Math.round(Number(bytes) / Math.max(1, registrations)), fullPageImageShare };
}

/** Index and scan kinds of a plan (EXPLAIN ANALYZE), to check the hot queries use indexes. */
function planSummary(plan: Record<string, unknown>): { ms: number; indexes: string[]; seqScans: string[]; readBlocks: number; ioReadMs: number } {
  const indexes = new Set<string>();
  const seqScans = new Set<string>();
  const walk = (node: Record<string, unknown>) => {
    if (typeof node['Index Name'] === 'string') indexes.add(`${node['Node Type']} ${node['Index Name']}`);
    if (node['Node Type'] === 'Seq Scan') seqScans.add(String(node['Relation Name']));
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  const top = plan.Plan as Record<string, unknown>;
  walk(top);
  // The top node's buffers include its children's: blocks read from outside shared buffers (the
  // OS cache or the disk) and, with track_io_timing, the time those reads took.
  return {
    ms: Math.round(Number(plan['Execution Time']) * 100) / 100,
    indexes: [...indexes],
    seqScans: [...seqScans],
    readBlocks: Number(top['Shared Read Blocks'] ?? 0),
    ioReadMs: Math.round(Number(top['I/O Read Time'] ?? 0) * 100) / 100,
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();
  const auth = await benchAuth(benchDatabasePrefix('scale'));
  const token = await auth.token('persons:write cases:read cases:write sites:admin', 'puente:intake');
  const headers = { authorization: `Bearer ${token}` };
  const server = await startServerChild<{ system: string; databaseUrl: string }>(__filename, auth.env);
  const { Pool } = await import('pg');
  const { computeMatchKeys, parseAgreementKey } = await import('@puente/privacy');
  const { personalDataFromDto, matchIdentityOf } = await import('../services/intake/src/persons/person-mapping');
  const pool = new Pool({ connectionString: server.ready.databaseUrl, max: 4 });
  const databaseName = new URL(server.ready.databaseUrl).pathname.slice(1);
  // For the full-page-image share of walPerRegistration (PostgreSQL 15 contrib); without it the share is null.
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect').catch(() => undefined);
  const salt = randomUUID();
  const url = server.ready.system;
  const get = (path: string) => fetch(`${url}${path}`, { headers });
  const agreementKeys = String(auth.env.MATCH_AGREEMENT_KEYS).split(',').map((s) => parseAgreementKey(s.trim()));
  let load: Awaited<ReturnType<typeof preloader>> | undefined;
  const keysOf = (identity: Identity) =>
    agreementKeys.flatMap((a) => computeMatchKeys(matchIdentityOf(personalDataFromDto(registrationBody(identity, SITES[0].code, 0) as never), identity.nationality), a));
  try {
    for (const site of SITES) {
      const created = await fetch(`${url}/v1/sites`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ code: site.code, name: site.name, kind: site.kind, locality: site.locality, operatingPartnerId: 'IOM-GT' }),
      });
      if (created.status !== 201) throw new Error(`creating site ${site.code} failed: ${created.status} ${await created.text()}`);
    }
    load = await preloader(pool, auth.env, salt);
    const stages: Record<string, unknown>[] = [];
    let loaded = 0;
    let registered = 0;
    for (const size of SIZES) {
      const loadBefore = machineLoad();
      log(`preload ${loaded} → ${size} persons (load ${loadBefore.load1})`);
      const started = performance.now();
      // A big step writes its match keys without their two indexes and builds them after (both
      // are on random values: uuids and HMACs, so inserting into them is a random page write a
      // key); the built indexes are denser than grown ones, which the results say (bulkIndexes).
      const bulkIndexes = size - loaded >= BULK_INDEX_STEP;
      if (bulkIndexes) {
        await pool.query('ALTER TABLE person_match_key DROP CONSTRAINT person_match_key_pkey');
        await pool.query('DROP INDEX person_match_key_lookup');
      }
      const split = await load.load(loaded, size);
      let indexSeconds: number | undefined;
      if (bulkIndexes) {
        const indexStarted = performance.now();
        const client = await pool.connect();
        try {
          await client.query(`SET maintenance_work_mem = '1GB'`);
          await client.query('ALTER TABLE person_match_key ADD CONSTRAINT person_match_key_pkey PRIMARY KEY (person_id, kid, rule)');
          await client.query('CREATE INDEX person_match_key_lookup ON person_match_key (value, rule, kid) WHERE searchable');
        } finally {
          client.release();
        }
        indexSeconds = Math.round((performance.now() - indexStarted) / 100) / 10;
        log(`built person_match_key's indexes in ${indexSeconds} s`);
      }
      const preloadSeconds = (performance.now() - started) / 1000;
      const added = size - loaded;
      loaded = size;
      const vacuumStarted = performance.now();
      // Statistics and the visibility map as autovacuum leaves them in a node that has run a while.
      await pool.query('VACUUM (ANALYZE) person, person_data_key, person_match_key, intake_case, case_person, consent, timeline_entry');
      // After the vacuum, which dirties the preload's pages (hint bits, visibility map): their
      // write-back is the preload's cost, not the registrations' that a checkpoint would meet.
      await pool.query('CHECKPOINT');
      const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
      log(`preloaded ${added} persons in ${preloadSeconds.toFixed(1)} s (${Math.round(added / preloadSeconds)}/s; ${JSON.stringify(split)}), checkpoint + vacuum ${vacuumSeconds.toFixed(1)} s`);

      // Random preloaded persons and cases (the same draw at every size is not needed: any is as likely).
      const pick = (k: number, salt2: number) => Math.floor(rng(k * 31 + salt2 + size)() * size);
      const casePick = (k: number, salt2: number) => principalOf(pick(k, salt2));
      const measureLoad = machineLoad();

      const register = () => {
        const i = 900_000_000 + registered++;
        return fetch(`${url}/v1/persons`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ ...registrationBody(identityOf(i), SITES[i % SITES.length].code, i), case: { priority: 'normal' } }),
        });
      };
      const isRegistered = (b: unknown) => typeof (b as { caseId?: unknown }).caseId === 'string';
      const registrationMs: number[] = [];
      const warmup = await timed('warm-up registration', WARMUP, register, isRegistered, registrationMs);
      // The service's CPU and the checkpoints met, around the timed registrations: the request's own
      // work and what it sets off (the outbox relay, the broker, the timeline consumer), which one at
      // a time nothing batches.
      const query: BenchQuery = (sql, params) => pool.query(sql, params);
      const serviceCpu = () => cpuSnapshot(query, [databaseName], processCpuSeconds(server.pid));
      server.send('profile-start');
      const walBefore = await walPosition(pool);
      const cpuBefore = await serviceCpu();
      const checkpointerBefore = await checkpointerCounters(query);
      const registration = await timed('registration', REGISTRATIONS, register, isRegistered, registrationMs);
      const checkpointerAfter = await checkpointerCounters(query);
      const registrationCheckpoints = checkpointerBefore && checkpointerAfter ? checkpointerAfter.started - checkpointerBefore.started : null;
      const { process: service, database, broker } = perRequest(cpuBetween(cpuBefore, await serviceCpu()), REGISTRATIONS);
      const registrationCpu = { service, database, broker };
      server.send('profile-stop');
      const registrationWal = await walPerRegistration(pool, walBefore, REGISTRATIONS);

      // The reads, twice over the same samples: first as they come (a random person or case of a
      // big database is often on a page nobody read since the preload: the disk's time), then
      // warm (the same pages again: the work's time). The target's ratios are on the first pass.
      const reads = async () => {
        // The registration's lookup inside the service: a known person (its own keys) must be found.
        const lookupBodies = Array.from({ length: SAMPLES }, (_, k) => registrationBody(identityOf(pick(k, 1)), SITES[0].code, pick(k, 1)));
        const looked = await server.request<{ ms: number; candidates: number; reported: string[] }[]>(`lookup ${JSON.stringify(lookupBodies)}`);
        const lookupMisses = looked.filter((s, k) => !s.reported.includes(idFor(salt, 'person', pick(k, 1)))).length;
        const duplicateLookup = { ...latency(looked.map((s) => s.ms), lookupMisses), candidatesP50: percentile(looked.map((s) => s.candidates).sort((a, b) => a - b), 50), candidatesMax: Math.max(...looked.map((s) => s.candidates)) };

        const byMatchKey = await timed('cases by match key', SAMPLES, (k) => {
          const key = keysOf(identityOf(pick(k, 2))).find((m) => m.rule === 'FULLNAME_DOB');
          return get(`/v1/cases?matchKey=${encodeURIComponent(String(key?.value))}&limit=20`);
        }, (b) => ((b as { items?: unknown[] }).items?.length ?? 0) >= 1);

        const search = await timed('case search by reference', SAMPLES, (k) => get(`/v1/cases?reference=${caseOf(salt, casePick(k, 3)).reference}`), (b) => (b as { items?: unknown[] }).items?.length === 1);

        // A cursor is only valid with the filters of its first page.
        let cursor: string | null = null;
        let filters = '';
        let page = 0;
        const list = await timed('case list', SAMPLES, (k) => {
          if (!cursor || page >= LIST_PAGES) {
            const c = caseOf(salt, casePick(k, 4));
            filters = `siteCode=${c.siteCode}&status=${c.status}&limit=20`;
            page = 0;
            return get(`/v1/cases?${filters}`);
          }
          page++;
          return get(`/v1/cases?${filters}&cursor=${encodeURIComponent(cursor)}`);
        }, (b) => {
          cursor = (b as { nextCursor?: string | null }).nextCursor ?? null;
          return ((b as { items?: unknown[] }).items?.length ?? 0) >= 1;
        });

        const timeline = await timed('timeline', SAMPLES, (k) => get(`/v1/cases/${caseOf(salt, casePick(k, 5)).caseId}/timeline?limit=50`), (b) => ((b as { items?: unknown[] }).items?.length ?? 0) >= 2);
        return { duplicateLookup, byMatchKey, search, list, timeline, lookupMisses };
      };
      const { duplicateLookup, byMatchKey, search, list, timeline, lookupMisses } = await reads();
      const warm = await reads();

      const [{ bytes }] = (await pool.query(`SELECT pg_database_size(current_database())::bigint AS bytes`)).rows as { bytes: string }[];
      const tables = Object.fromEntries(
        (
          (await pool.query(
            `SELECT c.relname AS name, pg_total_relation_size(c.oid)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT 8`,
          )).rows as { name: string; bytes: string }[]
        ).map((r) => [r.name, Number(r.bytes)]),
      );
      const plans = await explainHotQueries(pool, salt, keysOf, size);
      const stage = {
        persons: size,
        cases: (await pool.query(`SELECT count(*)::int AS n FROM intake_case`)).rows[0].n as number,
        matchKeys: (await pool.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'person_match_key'`)).rows[0].n as string,
        timelineEntries: (await pool.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'timeline_entry'`)).rows[0].n as string,
        preload: { addedPersons: added, seconds: Math.round(preloadSeconds * 10) / 10, personsPerSec: Math.round(added / preloadSeconds), ...split, vacuumSeconds: Math.round(vacuumSeconds * 10) / 10, loadBefore, bulkIndexes, indexSeconds },
        measureLoad,
        loadAfter: machineLoad(),
        databaseBytes: Number(bytes),
        tableBytes: tables,
        operations: { registration, duplicateLookup, casesByMatchKey: byMatchKey, caseSearch: search, caseList: list, timeline },
        registrationWal,
        registrationCpuMs: registrationCpu,
        registrationCheckpoints,
        warmupRegistration: warmup,
        // Warm-up and timed registrations in order, 100 at a time.
        registrationWindows: latencyWindows(registrationMs, 100),
        warmReads: { duplicateLookup: warm.duplicateLookup, casesByMatchKey: warm.byMatchKey, caseSearch: warm.search, caseList: warm.list, timeline: warm.timeline },
        plans,
      };
      stages.push(stage);
      log(
        `${size} persons: ${(Number(bytes) / 2 ** 20).toFixed(0)} MiB; p99 registration ${registration.p99Ms} ms (WAL ${JSON.stringify(registrationWal)}, CPU ms ${JSON.stringify(registrationCpu)}, checkpoints ${registrationCheckpoints}; warm-up p99 ${warmup.p99Ms} ms), duplicate lookup ${duplicateLookup.p99Ms} ms ` +
          `(${duplicateLookup.candidatesP50} candidates at p50, ${lookupMisses} misses), by match key ${byMatchKey.p99Ms} ms, search ${search.p99Ms} ms, list ${list.p99Ms} ms, timeline ${timeline.p99Ms} ms (load ${measureLoad.load1}); ` +
          `warm p99: lookup ${warm.duplicateLookup.p99Ms} ms, by match key ${warm.byMatchKey.p99Ms} ms, search ${warm.search.p99Ms} ms, list ${warm.list.p99Ms} ms, timeline ${warm.timeline.p99Ms} ms; ` +
          `in the database, p99: ${Object.entries(plans).map(([q, x]) => `${q} ${x.executionP99Ms} ms (reads ${Math.round(x.ioReadShare * 100)}%)`).join(', ')}`,
      );
    }

    const first = stages[0] as { persons: number; operations: Record<string, Latency> };
    const last = stages[stages.length - 1] as { persons: number; operations: Record<string, Latency> };
    const ratios = Object.fromEntries(Object.keys(last.operations).map((op) => [op, Math.round((last.operations[op].p99Ms / first.operations[op].p99Ms) * 100) / 100]));
    // The same ratios at the median, and at p99 over the warm second pass (the yardstick proposed in docs/performance.md).
    const p50Ratios = Object.fromEntries(Object.keys(last.operations).map((op) => [op, Math.round((last.operations[op].p50Ms / Math.max(first.operations[op].p50Ms, 0.1)) * 100) / 100]));
    const warmOf = (stage: unknown) => (stage as { warmReads: Record<string, Latency> }).warmReads;
    const warmRatios = Object.fromEntries(Object.keys(warmOf(last)).map((op) => [op, Math.round((warmOf(last)[op].p99Ms / Math.max(warmOf(first)[op].p99Ms, 0.1)) * 100) / 100]));
    const failures = stages.reduce((n, s) => {
      const { operations, warmReads } = s as { operations: Record<string, Latency>; warmReads: Record<string, Latency> };
      return n + [...Object.values(operations), ...Object.values(warmReads)].reduce((m, o) => m + o.failures, 0);
    }, 0);
    const lookupP99 = last.operations.duplicateLookup.p99Ms;
    // The server settings the curve depends on, as the service's sessions saw them (PGOPTIONS can set the per-session ones).
    const settings = Object.fromEntries(
      ((await pool.query(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])`, [DATABASE_SETTINGS])).rows as { name: string; setting: string; unit: string | null }[]).map((r) => [
        r.name,
        r.unit ? `${r.setting} ${r.unit}` : r.setting,
      ]),
    );
    const result = {
      sizes: SIZES,
      databaseSettings: settings,
      samplesPerOperation: SAMPLES,
      registrationsPerSize: REGISTRATIONS,
      warmupRegistrationsPerSize: WARMUP,
      batch: BATCH,
      stages,
      p99RatioLastToFirst: ratios,
      p50RatioLastToFirst: p50Ratios,
      warmP99RatioLastToFirst: warmRatios,
      ratioTarget: RATIO_TARGET,
      duplicateLookupP99Ms: lookupP99,
      duplicateLookupP99TargetMs: LOOKUP_P99_TARGET_MS,
      failures,
      // The targets are about a million persons: a smaller last size measures the curve, not the target.
      met: last.persons >= 1_000_000 && first.persons <= 10_000 && failures === 0 && lookupP99 <= LOOKUP_P99_TARGET_MS && Object.values(ratios).every((r) => r <= RATIO_TARGET),
    };
    const file = writeResult('scale', result);
    process.stdout.write(`${JSON.stringify({ p99RatioLastToFirst: ratios, duplicateLookupP99Ms: lookupP99, failures, met: result.met, file })}\n`);
  } finally {
    await load?.close();
    await pool.end();
    await server.stop();
  }
}

/**
 * EXPLAIN ANALYZE of the measured operations' queries (as the service builds them) for
 * PLAN_SAMPLES random preloaded persons and cases: the plan of the first (indexes used, sequential
 * scans) and the server's execution time of all (p50, p99: the database's share of each
 * operation, without HTTP, Node or the connection pool).
 */
async function explainHotQueries(pool: Pool, salt: string, keysOf: (identity: Identity) => { kid: string; value: string; rule: string }[], size: number) {
  type Summary = Omit<ReturnType<typeof planSummary>, 'readBlocks' | 'ioReadMs'> & { executionP50Ms: number; executionP99Ms: number; readBlocksP50: number; readBlocksP99: number; ioReadP99Ms: number; ioReadShare: number };
  const out: Record<string, Summary> = {};
  const samples: Record<string, { ms: number; readBlocks: number; ioReadMs: number }[]> = {};
  const client = await pool.connect();
  try {
    // How much of a slow execution is waiting for reads (superuser: the bench connects as the service's owner).
    await client.query('SET track_io_timing = on').catch(() => undefined);
    for (let k = 0; k < PLAN_SAMPLES; k++) {
      for (const [name, [sql, params]] of Object.entries(hotQueries(salt, keysOf, principalOf(Math.floor(rng(size * 13 + k)() * size))))) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
        const { readBlocks, ioReadMs, ...summary } = planSummary((rows[0]['QUERY PLAN'] as Record<string, unknown>[])[0]);
        (samples[name] ??= []).push({ ms: summary.ms, readBlocks, ioReadMs });
        if (k === 0) out[name] = { ...summary, executionP50Ms: 0, executionP99Ms: 0, readBlocksP50: 0, readBlocksP99: 0, ioReadP99Ms: 0, ioReadShare: 0 };
      }
    }
    await client.query('RESET track_io_timing').catch(() => undefined);
  } finally {
    client.release();
  }
  for (const [name, list] of Object.entries(samples)) {
    const p = (values: number[], q: number) => percentile([...values].sort((a, b) => a - b), q);
    const total = (f: (x: (typeof list)[number]) => number) => list.reduce((n, x) => n + f(x), 0);
    out[name].executionP50Ms = p(list.map((x) => x.ms), 50);
    out[name].executionP99Ms = p(list.map((x) => x.ms), 99);
    out[name].readBlocksP50 = p(list.map((x) => x.readBlocks), 50);
    out[name].readBlocksP99 = p(list.map((x) => x.readBlocks), 99);
    out[name].ioReadP99Ms = Math.round(p(list.map((x) => x.ioReadMs), 99) * 100) / 100;
    out[name].ioReadShare = Math.round((total((x) => x.ioReadMs) / Math.max(total((x) => x.ms), 0.01)) * 100) / 100;
  }
  return out;
}

/** The signals whose keys find candidates at the service's default threshold (the server child runs with it). */
const LOOKUP_SIGNALS = lookupSignals(new IntakeConfig().DUPLICATE_SCORE_THRESHOLD);

function hotQueries(salt: string, keysOf: (identity: Identity) => { kid: string; value: string; rule: string }[], i: number): Record<string, [string, unknown[]]> {
  const keys = keysOf(identityOf(i));
  const c = caseOf(salt, i);
  const jurisdiction = `(c.site_code = ANY('{}'::text[]) OR left(c.site_code, 2) = ANY('{GT}'::text[]))`;
  const queries: Record<string, [string, unknown[]]> = {
    // The very query DuplicateDetector.candidates runs (at the service's default threshold).
    duplicateCandidates: (() => {
      const query = candidateQuery(keys as MatchKey[], LOOKUP_SIGNALS);
      if (!query) throw new Error('a preloaded person has no key of a lookup signal');
      return [query.text, query.values] as [string, unknown[]];
    })(),
    casesByMatchKey: [
      `SELECT c.* FROM intake_case c WHERE ${jurisdiction}
         AND c.id IN (SELECT cp.case_id FROM case_person cp JOIN person_match_key k ON k.person_id = cp.person_id WHERE k.value = $1 AND k.searchable)
       ORDER BY c.opened_at DESC, c.id DESC LIMIT 21`,
      [keys.find((k) => k.rule === 'FULLNAME_DOB')?.value],
    ],
    caseSearchByReference: [`SELECT c.* FROM intake_case c WHERE ${jurisdiction} AND c.reference = $1 ORDER BY c.opened_at DESC, c.id DESC LIMIT 21`, [c.reference]],
    caseListNextPage: [
      `SELECT c.* FROM intake_case c WHERE ${jurisdiction} AND c.site_code = $1 AND c.status = $2 AND (c.opened_at, c.id) < ($3, $4)
       ORDER BY c.opened_at DESC, c.id DESC LIMIT 21`,
      [c.siteCode, c.status, c.openedAt, c.caseId],
    ],
    caseMembers: [
      `SELECT cp.case_id, cp.person_id FROM case_person cp JOIN intake_case c ON c.id = cp.case_id
        WHERE cp.case_id = ANY($1::uuid[]) ORDER BY (cp.person_id = c.principal_person_id) DESC, cp.added_at, cp.person_id`,
      [[c.caseId]],
    ],
    timeline: [`SELECT e.* FROM timeline_entry e WHERE e.case_id = $1 ORDER BY e.occurred_at ASC, e.seq ASC LIMIT 51`, [c.caseId]],
  };
  return queries;
}

// The main thread runs the scenario (or, as `serve`, the service); worker threads make preload batches.
if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  void batchWorker();
}
