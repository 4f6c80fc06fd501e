// docs/integration.md's 15-minute path, run as written: every ```sh block of the guide, in order,
// in one bash session, against a real intake and referral-routing (own processes, real PostgreSQL
// and Kafka) started here in place of the guide's `npm start`. A changed route, body, scope or
// command in the guide (or in the services) fails this test.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type ServiceProcess, specIssuer, startServiceProcess } from '@puente/testing';

jest.setTimeout(300_000);

const root = join(__dirname, '..');
const GUIDE = join(root, 'docs/integration.md');

/** The ```sh blocks of a markdown text, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function runBash(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    // Its own process group: the receiver the guide starts in the background goes with it.
    const child = spawn('bash', ['-c', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(kill, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      kill();
      resolve({ code, out, err });
    });
  });
}

describe('docs/integration.md: from nothing to a completed referral round trip', () => {
  let intake: ServiceProcess;
  let routing: ServiceProcess;
  // One development key for the services and for `npm run token` in the guide.
  const issuer = specIssuer('integration-guide');

  beforeAll(async () => {
    await issuer.ensureKey();
    const shared = { AUTH_DEV_DIR: issuer.dir };
    intake = await startServiceProcess('intake', 'guide', shared);
    routing = await startServiceProcess('referral-routing', 'guide', { ...shared, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_INTERNAL_ADDRESSES: 'true', REFERRAL_POLL_INTERVAL_MS: '200' });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([intake?.stop(), routing?.stop()]);
  });

  it('the guide has its steps as shell blocks', () => {
    const blocks = shellBlocks(readFileSync(GUIDE, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const all = blocks.join('\n');
    for (const step of ['npm run -s token', '/docs/openapi.json', 'receiver.cjs', '/v1/referrals"', '/accept"', '/complete"']) expect(all).toContain(step);
  });

  it('runs every shell block as written and ends with the referral completed, in well under 15 minutes', async () => {
    const blocks = shellBlocks(readFileSync(GUIDE, 'utf8'));
    const script = ['set -euo pipefail -x', ...blocks].join('\n');
    const started = Date.now();
    const { code, out, err } = await runBash(
      script,
      {
        INTAKE: intake.base,
        ROUTING: routing.base,
        RECEIVER_PORT: String(await freePort()),
        PARTNER: `GT-LEGAL-${randomUUID().slice(0, 8).toUpperCase()}`,
        AUTH_DEV_DIR: issuer.dir,
      },
      240_000,
    );
    const seconds = (Date.now() - started) / 1000;
    if (code !== 0) throw new Error(`the guide's commands failed (exit ${code}) after ${seconds} s\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`);
    const lines = out.trim().split('\n');
    // Swagger's summary of the partner's answer, the webhook's type, accepted, completed, completed.
    expect(lines[0]).toMatch(/^Receive, accept, reject, .* complete \(outcome\) a referral addressed to you$/);
    expect(lines.slice(1)).toEqual(['referral.requested', 'accepted', 'completed', 'completed']);
    expect(seconds).toBeLessThan(15 * 60);
    process.stdout.write(`integration guide: ${blocks.length} blocks ran in ${seconds.toFixed(1)} s\n`);
  });
});
