import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function writeResult(scenario: string, result: Record<string, unknown>): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const body = { scenario, at: new Date().toISOString(), machine: { cpus: require('node:os').cpus().length, node: process.version }, ...result };
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
}

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
            latencies.push(performance.now() - due);
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
  };
}
