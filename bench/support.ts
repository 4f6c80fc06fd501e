import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** The 1, 5 and 15 minute load averages (what `uptime` prints), rounded: the machine is shared, so every figure carries it. */
export function machineLoad(): { load1: number; load5: number; load15: number } {
  const [load1, load5, load15] = loadavg().map((n) => Math.round(n * 100) / 100);
  return { load1, load5, load15 };
}

function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** What a figure was measured on: cores, memory, load, versions and the commit (with a flag when bench or service files were edited). */
export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAtEnd: machineLoad(),
    node: process.version,
    versions: Object.fromEntries(
      ['@nestjs/core', 'fastify', 'typeorm', 'pg', 'kafkajs', 'jose', 'pino', 'prom-client'].map((p) => [p, packageVersion(p)]),
    ),
    gitCommit: git('rev-parse', 'HEAD'),
    // Several people share the working tree: note when the measured code had uncommitted edits.
    uncommittedSourceFiles: (git('status', '--porcelain', '--', 'libs', 'services', 'bench') ?? '').split('\n').filter((l) => l.trim().length > 0).length,
  };
}

/**
 * CPU seconds (user + system) used so far by each PostgreSQL backend connected to one of
 * `databases`, by pid, read from /proc (Linux, server on this machine; null otherwise). CPU time
 * holds on a loaded machine where wall time does not: compare two snapshots (cpuSecondsBetween).
 */
/** A parameterized query on the bench's own pool (`(sql, params) => pool.query(sql, params)`). */
export type BenchQuery = (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

export async function databaseCpu(query: BenchQuery, databases: string[]): Promise<Map<number, number> | null> {
  const { rows } = (await query(`SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[])`, [databases])) as { rows: { pid: number }[] };
  const seconds = new Map<number, number>();
  for (const { pid } of rows) {
    const used = processCpuSeconds(pid);
    if (used === null) return null;
    seconds.set(pid, used);
  }
  return seconds;
}

/** CPU seconds (user + system) a process of this machine has used so far, from /proc; null if it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in 1/100 s (USER_HZ).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds so far of a server process, its databases' backends and the local broker (null
 * where /proc cannot tell). Plain data, so a server child can send it to the bench.
 */
export interface CpuSnapshot {
  process: number | null;
  database: [number, number][] | null;
  broker: number | null;
}

/** A CpuSnapshot with the server process's `processSeconds` (the broker is KAFKA_BROKER_PID, set by tools/bench.mjs). */
export async function cpuSnapshot(query: BenchQuery, databases: string[], processSeconds: number | null): Promise<CpuSnapshot> {
  const brokerPid = Number(process.env.KAFKA_BROKER_PID) || undefined;
  const database = await databaseCpu(query, databases);
  return { process: processSeconds, database: database ? [...database] : null, broker: brokerPid ? processCpuSeconds(brokerPid) : null };
}

export interface CpuUsed {
  process: number | null;
  database: number | null;
  broker: number | null;
}

/** CPU seconds used between two snapshots: the server process, the database's backends, the broker (null where unreadable). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsed {
  const minus = (a: number | null, b: number | null) => (a !== null && b !== null ? b - a : null);
  return {
    process: minus(before.process, after.process),
    database: cpuSecondsBetween(before.database && new Map(before.database), after.database && new Map(after.database)),
    broker: minus(before.broker, after.broker),
  };
}

/** CPU milliseconds per request of phases whose CPU and request counts were summed. */
export function perRequest(cpu: CpuUsed, requests: number) {
  const ms = (seconds: number | null) => (seconds === null ? null : Math.round((seconds * 1000 * 1000) / Math.max(1, requests)) / 1000);
  return { process: ms(cpu.process), database: ms(cpu.database), broker: ms(cpu.broker), total: ms((cpu.process ?? 0) + (cpu.database ?? 0) + (cpu.broker ?? 0)) };
}

/** CPU seconds the backends used between two databaseCpu snapshots (a backend new in `after` counts whole; one gone by then is missed). */
export function cpuSecondsBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return Math.round(total * 100) / 100;
}

/** Writes a scenario's result JSON to bench/results/ (BENCH_RESULTS_DIR in smoke tests). */
export function writeResult(scenario: string, result: Record<string, unknown>): string {
  const dir = process.env.BENCH_RESULTS_DIR || join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const body = { scenario, at: new Date().toISOString(), machine: machineInfo(), ...result };
  writeFileSync(file, JSON.stringify(body, null, 2));
  return file;
}

export interface PacedResult {
  targetReqPerSec: number;
  reqPerSec: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /**
   * p99 and max of the requests due in each consecutive window of `seconds`: a p99 set by a few
   * stalls shows as one or two bad windows among good ones, a slow server as every window.
   */
  windows: { seconds: number; p99Ms: number[]; maxMs: number[] };
}

/** Seconds per window of PacedResult.windows. */
const PACED_WINDOW_SECONDS = 2;

/**
 * Open-loop load at a steady rate: request i is due at start + i/rate and its latency is measured
 * from that due time, so a slow server is charged for the queue it causes (no coordinated
 * omission). Why not autocannon's `overallRate`: it lets every connection send its whole
 * per-second quota back to back at the start of each second, which measures bursts at full
 * speed, not a rate.
 */
export async function pacedLoad(options: {
  url: string;
  rate: number;
  seconds: number;
  request: () => { method: string; path: string; headers: Record<string, string>; body?: string };
  maxSockets?: number;
}): Promise<PacedResult> {
  const http = await import('node:http');
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const windows: number[][] = [];
  let non2xx = 0;
  let errors = 0;
  const start = performance.now() + 20;
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const r = options.request();
      const req = http.request(
        { host: target.hostname, port: target.port, method: r.method, path: r.path, headers: r.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = performance.now() - due;
            latencies.push(ms);
            (windows[Math.floor((due - start) / (PACED_WINDOW_SECONDS * 1000))] ??= []).push(ms);
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(r.body);
    });
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(due));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    targetReqPerSec: options.rate,
    reqPerSec: Math.round(total / elapsed),
    total,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    non2xx,
    errors,
    windows: pacedWindows(windows, round),
  };
}

/** p99 and max of each window's latencies (a window nobody was due in is NaN). */
function pacedWindows(windows: number[][], round: (n: number) => number): PacedResult['windows'] {
  const sorted = Array.from(windows, (w) => (w ?? []).sort((a, b) => a - b));
  return {
    seconds: PACED_WINDOW_SECONDS,
    p99Ms: sorted.map((w) => round(w.length ? percentile(w, 99) : NaN)),
    maxMs: sorted.map((w) => round(w.length ? w[w.length - 1] : NaN)),
  };
}

export interface TailReport {
  /** The process's event-loop delay (10 ms resolution: values below it mean "no delay"). */
  eventLoopDelayMs: { p99: number; max: number };
  /** Garbage-collection pauses of the process. */
  gc: { count: number; totalMs: number; maxMs: number };
  /** Average number of the databases' active backends in each wait (`CPU` when none), sampled every 20 ms; the six largest. */
  databaseWaits: Record<string, number>;
  databaseSamples: number;
  /**
   * The server's checkpointer during the phase (pg_stat_bgwriter): checkpoints started in it, the
   * buffers it wrote (reported as it goes, also for a checkpoint started before), and the write
   * and file-sync time of checkpoints that ended in it (PostgreSQL 15 adds those at the end).
   */
  checkpointer: { started: number; buffersWritten: number; writeMs: number; syncMs: number } | null;
}

/** The server's checkpointer counters so far (pg_stat_bgwriter; see TailReport.checkpointer), null when unreadable. */
export async function checkpointerCounters(query: BenchQuery): Promise<{ started: number; buffersWritten: number; writeMs: number; syncMs: number } | null> {
  try {
    const { rows } = await query(
      `SELECT (checkpoints_timed + checkpoints_req)::float8 AS started, buffers_checkpoint::float8 AS "buffersWritten",
              checkpoint_write_time AS "writeMs", checkpoint_sync_time AS "syncMs" FROM pg_stat_bgwriter`,
      [],
    );
    return rows[0] as { started: number; buffersWritten: number; writeMs: number; syncMs: number };
  } catch {
    return null;
  }
}

/**
 * Watches, in a server process, what a latency phase's slow requests could have waited on: its
 * event loop, its garbage collector and the database's backends (pg_stat_activity samples,
 * through `query`, of the given databases). Started and stopped around the phase.
 */
export async function watchTail(query: BenchQuery, databases: string[]): Promise<{ stop: () => Promise<TailReport> }> {
  const { monitorEventLoopDelay, PerformanceObserver } = await import('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const checkpointerBefore = await checkpointerCounters(query);
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await query(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = ANY($1::text[]) AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`,
        [databases],
      );
      samples++;
      for (const { wait, n } of rows as { wait: string; n: number }[]) waits.set(wait, (waits.get(wait) ?? 0) + n);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })().catch(() => {
    // The database went away mid-phase: the report keeps the samples taken so far.
    sampling = false;
  });
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    stop: async () => {
      sampling = false;
      await sampler;
      delay.disable();
      observer.disconnect();
      const top = [...waits].sort((a, b) => b[1] - a[1]).slice(0, 6);
      const checkpointerAfter = await checkpointerCounters(query);
      const checkpointer =
        checkpointerBefore && checkpointerAfter
          ? {
              started: checkpointerAfter.started - checkpointerBefore.started,
              buffersWritten: checkpointerAfter.buffersWritten - checkpointerBefore.buffersWritten,
              writeMs: Math.round(checkpointerAfter.writeMs - checkpointerBefore.writeMs),
              syncMs: Math.round(checkpointerAfter.syncMs - checkpointerBefore.syncMs),
            }
          : null;
      return {
        eventLoopDelayMs: { p99: ms(delay.percentile(99)), max: ms(delay.max) },
        gc: { count: gc.count, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs * 10) / 10 },
        databaseWaits: Object.fromEntries(top.map(([wait, n]) => [wait, Math.round((n / Math.max(1, samples)) * 1000) / 1000])),
        databaseSamples: samples,
        checkpointer,
      };
    },
  };
}
