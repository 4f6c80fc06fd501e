// Smoke tests of the benchmark scenarios (`npm run bench -- <scenario>`): each runs once at a tiny
// size against the real broker and PostgreSQL of the test run, so the scenarios cannot rot. Not
// timed: the figures they print mean nothing at this size; only that every phase ran and the
// result JSON carries what a figure needs (machine, versions, commit, load).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

async function runScenario(scenario: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), `puente-bench-${scenario}-`));
  try {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'bench', `${scenario}.ts`)], {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
        BENCH_RESULTS_DIR: dir,
        BENCH_DB_PREFIX: `${process.env.PUENTE_DB_PREFIX ?? 'puente_test_'}bench_`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`bench ${scenario} exited with ${code}:\n${output.slice(-4000)}`);
    const files = readdirSync(dir).filter((f) => f.startsWith(`${scenario}-`) && f.endsWith('.json'));
    expect(files).toHaveLength(1);
    return JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectMachine(result: Record<string, unknown>): void {
  expect(result.machine).toMatchObject({
    cpus: expect.any(Number),
    memoryGiB: expect.any(Number),
    node: process.version,
    gitCommit: expect.stringMatching(/^[0-9a-f]{40}$/),
    loadAtEnd: { load1: expect.any(Number) },
    versions: expect.objectContaining({ fastify: expect.any(String), pg: expect.any(String), typeorm: expect.any(String) }),
  });
}

const TINY = { BENCH_ROUNDS: '1', BENCH_SECONDS: '1', BENCH_WARMUP_SECONDS: '1', BENCH_CONNECTIONS: '2' };

describe('benchmark scenarios at a tiny size (smoke, not timed)', () => {
  it('platform: authenticated GET of a site through intake against a bare Fastify + pg read, in rounds', async () => {
    const result = await runScenario('platform', TINY);
    expectMachine(result);
    expect(result).toMatchObject({ ratio: expect.any(Number), system: { non2xx: 0, errors: 0 }, baseline: { non2xx: 0, errors: 0 } });
    expect((result.system as { total: number }).total).toBeGreaterThan(0);
    expect(result.perRound).toEqual([expect.objectContaining({ round: 1, loadBefore: expect.objectContaining({ load1: expect.any(Number) }) })]);
  }, 240_000);

  it('intake: registration with a new case against a bare route writing the same rows, and the half-rate p99', async () => {
    const result = await runScenario('intake', { ...TINY, BENCH_HALF_RATE_SECONDS: '1' });
    expectMachine(result);
    expect(result).toMatchObject({
      ratio: expect.any(Number),
      system: { non2xx: 0, errors: 0 },
      baseline: { non2xx: 0, errors: 0 },
      // The paced phase's p99 per window, and what its slow requests could have waited on.
      halfRate: {
        non2xx: 0,
        errors: 0,
        p99Ms: expect.any(Number),
        windows: { seconds: 2, p99Ms: expect.any(Array), maxMs: expect.any(Array) },
        tail: { eventLoopDelayMs: { p99: expect.any(Number), max: expect.any(Number) }, gc: { count: expect.any(Number), maxMs: expect.any(Number) } },
      },
      // The complete baseline paced at half its own maximum, watched the same way.
      completeBaselineHalfRate: { non2xx: 0, errors: 0, p99Ms: expect.any(Number), windows: { seconds: 2 }, tail: { gc: { count: expect.any(Number) } } },
      singleInsertContext: { non2xx: 0 },
      proposedYardsticks: {
        againstCompleteBaseline: { ratio: expect.any(Number), cpuRatio: expect.any(Number), target: 0.5, met: expect.any(Boolean) },
        pacedP99Ms: { system: expect.any(Number), completeBaseline: expect.any(Number), ratio: expect.any(Number) },
      },
      // The same rows plus lookup, encryption and events sent to Kafka, the plainest way.
      completeBaseline: { non2xx: 0, errors: 0, ratio: expect.any(Number) },
    });
    expect((result.completeBaseline as { total: number }).total).toBeGreaterThan(0);
    const rows = result.rowsPerRegistration as Record<string, number>;
    expect(rows.matchKeys).toBeGreaterThan(0);
    // NEAR_FIRSTNAMES fillers are stored but not in the lookup index.
    expect(rows.searchableMatchKeys).toBeGreaterThan(0);
    expect(rows.searchableMatchKeys).toBeLessThan(rows.matchKeys);
    expect(rows.outbox).toBeGreaterThan(0);
    // CPU per registration of the server process and the database's backends (read from /proc on Linux).
    const cpu = result.cpuMsPerRequest as Record<'system' | 'baseline' | 'complete', { process: number; database: number | null; total: number }>;
    for (const side of [cpu.system, cpu.baseline, cpu.complete]) {
      expect(side.process).toBeGreaterThan(0);
      if (process.platform === 'linux') expect(side.database).toBeGreaterThan(0);
      expect(side.total).toBeGreaterThanOrEqual(side.process);
    }
    expect(result.cpuRatio).toBeGreaterThan(0);
    const half = result.halfRate as { windows: { p99Ms: number[] }; tail: { databaseSamples: number; databaseWaits: Record<string, number>; checkpointer: Record<string, number> | null } };
    expect(half.windows.p99Ms.length).toBeGreaterThanOrEqual(1);
    expect(half.tail.databaseSamples).toBeGreaterThan(0);
    expect(typeof half.tail.databaseWaits).toBe('object');
    // What the server's checkpointer did during the paced phase (its counters only grow).
    expect(half.tail.checkpointer).toMatchObject({ started: expect.any(Number), buffersWritten: expect.any(Number), writeMs: expect.any(Number), syncMs: expect.any(Number) });
    expect(half.tail.checkpointer!.started).toBeGreaterThanOrEqual(0);
  }, 240_000);

  it('scale: grows one intake database in two sizes and measures every operation at each, with its size and query plans', async () => {
    const result = await runScenario('scale', { BENCH_SIZES: '60,150', BENCH_SAMPLES: '5', BENCH_REGISTRATIONS: '3', BENCH_WARMUP: '2', BENCH_BATCH: '40', BENCH_WORKERS: '1', BENCH_PLAN_SAMPLES: '3', BENCH_BULK_INDEX_STEP: '80' });
    expectMachine(result);
    expect(result).toMatchObject({ sizes: [60, 150], failures: 0, met: false, databaseSettings: expect.objectContaining({ shared_buffers: expect.any(String), wal_compression: expect.any(String) }), p99RatioLastToFirst: expect.objectContaining({ registration: expect.any(Number), duplicateLookup: expect.any(Number) }) });
    // The medians' ratios, and the p99s' over a second (warm) pass of the same reads.
    expect(Object.keys(result.p50RatioLastToFirst as object).sort()).toEqual(['caseList', 'caseSearch', 'casesByMatchKey', 'duplicateLookup', 'registration', 'timeline']);
    expect(Object.keys(result.warmP99RatioLastToFirst as object).sort()).toEqual(['caseList', 'caseSearch', 'casesByMatchKey', 'duplicateLookup', 'timeline']);
    const stages = result.stages as Record<string, unknown>[];
    expect(stages.map((s) => s.persons)).toEqual([60, 150]);
    for (const stage of stages) {
      // Every preloaded person has a data key, 41 match keys and a case (one in four joins the previous person's).
      expect(stage).toMatchObject({ databaseBytes: expect.any(Number), preload: { seconds: expect.any(Number) }, measureLoad: { load1: expect.any(Number) } });
      // WAL per registration (each writes 41 match keys, so thousands of bytes at least).
      expect((stage.registrationWal as { bytes: number }).bytes).toBeGreaterThan(1000);
      // The timed registrations come after untimed ones (a warm service and broker); what each process spent on one, and the checkpoints met.
      expect(stage).toMatchObject({ warmupRegistration: { samples: 2, failures: 0 }, registrationCheckpoints: expect.any(Number), registrationWindows: [{ p50Ms: expect.any(Number), p99Ms: expect.any(Number) }] });
      const cpu = stage.registrationCpuMs as { service: number; database: number | null; broker: number | null };
      expect(cpu.service).toBeGreaterThan(0);
      expect(cpu.database === null || cpu.database >= 0).toBe(true);
      const operations = stage.operations as Record<string, { samples: number; p99Ms: number; failures: number }>;
      expect(Object.keys(operations).sort()).toEqual(['caseList', 'caseSearch', 'casesByMatchKey', 'duplicateLookup', 'registration', 'timeline']);
      for (const op of Object.values(operations)) expect(op).toMatchObject({ samples: expect.any(Number), p99Ms: expect.any(Number), failures: 0 });
      for (const op of Object.values(stage.warmReads as Record<string, unknown>)) expect(op).toMatchObject({ samples: expect.any(Number), p99Ms: expect.any(Number), failures: 0 });
      const plans = stage.plans as Record<string, unknown>;
      expect(Object.keys(plans).sort()).toEqual(['caseListNextPage', 'caseMembers', 'caseSearchByReference', 'casesByMatchKey', 'duplicateCandidates', 'timeline']);
      // With the blocks each read from outside shared buffers and the share of its time those reads took (track_io_timing).
      for (const plan of Object.values(plans)) expect(plan).toMatchObject({ indexes: expect.any(Array), seqScans: expect.any(Array), executionP99Ms: expect.any(Number), readBlocksP99: expect.any(Number), ioReadP99Ms: expect.any(Number), ioReadShare: expect.any(Number) });
    }
    // Three in four preloaded persons open a case, and each registration (warm-up or timed) opens one.
    expect(stages.map((s) => s.cases)).toEqual([45 + 2 + 3, 113 + 2 * (2 + 3)]);
    expect((stages[1].tableBytes as Record<string, number>).person_match_key).toBeGreaterThan(0);
    // The second step (90 persons, at least BENCH_BULK_INDEX_STEP) built the match-key indexes after its rows; the first grew them.
    expect(stages.map((s) => (s.preload as { bulkIndexes: boolean }).bulkIndexes)).toEqual([false, true]);
    expect((stages[1].preload as { indexSeconds: number }).indexSeconds).toEqual(expect.any(Number));
  }, 300_000);

  it('events: the inbox consumer against a bare kafkajs consumer of the same events, and a timeline rebuild', async () => {
    const result = await runScenario('events', { BENCH_EVENTS: '300', BENCH_ROUNDS: '1', BENCH_TIMELINE_EVENTS: '500' });
    expectMachine(result);
    expect(result).toMatchObject({
      events: 300,
      ratio: expect.any(Number),
      rounds: [expect.objectContaining({ system: expect.objectContaining({ eventsPerSec: expect.any(Number) }), baseline: expect.objectContaining({ eventsPerSec: expect.any(Number) }) })],
      timelineRebuild: { events: 500, entries: 500, skipped: 0, seconds: expect.any(Number) },
    });
  }, 240_000);

  it('manifest: a manifest registered through reception and intake against the same persons one by one, with the CPU each used', async () => {
    const result = await runScenario('manifest', { BENCH_ROWS: '20', BENCH_CONNECTIONS: '2' });
    expectMachine(result);
    expect(result).toMatchObject({ rows: 20, manifest: { counts: { expected: 20, registered: 20, pending: 0 } }, baselineOneByOne: { failures: 0 } });
    type Cpu = { servers: number; database: number | null };
    const manifest = result.manifest as { cpuSeconds: Cpu; cpuSecondsWithEvents: Cpu };
    const baseline = (result.baselineOneByOne as { cpuSeconds: Cpu }).cpuSeconds;
    // The servers' process did measurable work in each phase; the later manifest snapshot includes the earlier one.
    expect(manifest.cpuSeconds.servers).toBeGreaterThan(0);
    expect(manifest.cpuSecondsWithEvents.servers).toBeGreaterThanOrEqual(manifest.cpuSeconds.servers);
    expect(baseline.servers).toBeGreaterThan(0);
    // The database's backends are read from /proc: a number when PostgreSQL runs on this machine, null otherwise.
    for (const database of [manifest.cpuSeconds.database, manifest.cpuSecondsWithEvents.database, baseline.database]) {
      expect(database === null || (typeof database === 'number' && database >= 0)).toBe(true);
    }
    expect(result.cpuRatio === null || (typeof result.cpuRatio === 'number' && result.cpuRatio > 0)).toBe(true);
  }, 240_000);
});
