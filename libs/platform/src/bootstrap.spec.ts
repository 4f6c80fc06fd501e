import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from './testing/eventually';

const ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(__dirname, 'spec', 'bootstrap.main.ts');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', ENTRY], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })), // after stdout and stderr were read to the end
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

const waitFor = (predicate: () => boolean, ms: number) => eventually('the child process output', predicate, ms, 50);

describe('bootstrapService (child process)', () => {
  jest.setTimeout(30_000);

  it('refuses an invalid configuration with one clear message and no stack trace', async () => {
    const r = run({ PORT: 'not-a-port', PUENTE_NODE: 'guatemala' });
    const { code } = await r.exited;
    expect(code).toBe(1);
    const stderr = r.stderr();
    expect(stderr).toContain('Invalid configuration for service "platform-spec"');
    expect(stderr).toContain('PORT must be an integer between 0 and 65535');
    expect(stderr).toContain('PUENTE_NODE must be an ISO 3166-1 alpha-2 country code');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  it('explains an unreachable PostgreSQL server without a stack trace and without the password', async () => {
    const r = run({ PORT: '0', DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/postgres' });
    const { code } = await r.exited;
    expect(code).toBe(1);
    expect(r.stderr()).toContain('Cannot connect to PostgreSQL');
    expect(r.stderr()).toContain('DATABASE_URL');
    expect(r.stderr()).not.toContain('hunter2');
    expect(r.stderr()).not.toMatch(/^\s+at /m);
  });

  it('listens, serves, and shuts down gracefully on SIGTERM', async () => {
    const r = run({ PORT: '0', LOG_LEVEL: 'info' });
    try {
      await waitFor(() => /READY (http:\/\/\S+)/.test(r.stdout()), 20_000);
      const url = /READY (http:\/\/\S+)/.exec(r.stdout())?.[1] as string;
      // pino writes asynchronously: the log line may follow the READY marker by a moment.
      await waitFor(() => r.stdout().includes(`listening on ${url} (API docs: ${url}/docs)`), 5_000);
      const live = await fetch(`${url}/health/live`);
      expect(live.status).toBe(200);
      r.child.kill('SIGTERM');
      const exit = await r.exited;
      // Nest closes the app, then re-raises the signal.
      expect(exit.signal === 'SIGTERM' || exit.code === 0 || exit.code === 143).toBe(true);
      await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    } finally {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    }
  });
});
