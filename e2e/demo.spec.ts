// `npm run demo` runs journey A (e2e/journeys/journey-a.ts, run for real by journey-a.spec.ts)
// against nodes already running; without them it must say what to start, not fail obscurely.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** A port nothing listens on (taken and released). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('npm run demo', () => {
  it('says which services of nodes GT and MX do not answer and how to start them (exit 1), when nodes are not running', async () => {
    const base = await freePort();
    const env = { ...process.env, INTAKE_PORT: String(base), SCREENING_PORT: String(base + 1), REFERRAL_ROUTING_PORT: String(base + 2), RECEPTION_PORT: String(base + 3) };
    const run = spawnSync(process.execPath, [join(root, 'tools/demo.mjs')], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('journey A needs nodes GT and MX running');
    expect(run.stderr).toContain(`GT intake at http://127.0.0.1:${base}`);
    expect(run.stderr).toContain(`MX reception at http://127.0.0.1:${base + 103}`);
    expect(run.stderr).toContain('npm start -- --nodes GT,MX');
    expect(run.stdout).toBe('');
  }, 150_000);
});
