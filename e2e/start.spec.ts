import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@puente/testing';

jest.setTimeout(180_000);

const root = join(__dirname, '..');
const ports = { intake: 3101, screening: 3102, 'referral-routing': 3103, reception: 3104, reintegration: 3105 };

/** `npm start` as a newcomer runs it (minus the install, which the test run already did). */
describe('npm start', () => {
  it('brings up five ready services with Swagger, and stops them all on SIGINT', async () => {
    // LOG_FORMAT=pretty: what a developer at a terminal gets (stdout here is a pipe, so say it).
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PUENTE_DB_PREFIX: `${process.env.PUENTE_DB_PREFIX}start_`, NODE_ENV: 'development', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty', NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    for (const [name, port] of Object.entries(ports)) env[`${name.toUpperCase().replace(/-/g, '_')}_PORT`] = String(port);
    const child = spawn(process.execPath, [join(root, 'tools/start.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const up = await eventually('npm start to finish or exit', () => (child.exitCode !== null ? `exited (${child.exitCode})` : /Puente is up in/.test(out) && 'up'), 120_000, 200).catch(
        (e: Error) => e.message,
      );
      if (up !== 'up') throw new Error(`start did not finish: ${up}:\n${out.slice(-3000)}`);
      for (const [name, port] of Object.entries(ports)) {
        expect(out).toContain(`http://127.0.0.1:${port}/docs`);
        const doc = (await (await fetch(`http://127.0.0.1:${port}/docs/openapi.json`)).json()) as { info: { title: string } };
        expect(doc.info.title).toMatch(/^Puente /);
        const ready = await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json();
        expect(ready).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, kafka: { status: 'up' } } });
        expect((await fetch(`http://127.0.0.1:${port}/health/serving`)).status).toBe(200);
        expect(out).toMatch(new RegExp(`${name}\\s*\\S*\\| `));
        // readable lines, one per record, under the service's prefix; no JSON
        expect(out).toMatch(new RegExp(`${name}\\s*\\S*\\| \\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] INFO: \\[Bootstrap\\] ${name} listening on `));
      }
      expect(out).not.toMatch(/\| \{"level"/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) {
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    }
  });
});

describe('npm start: log format of the services', () => {
  const logEnv = (env: Record<string, string>, terminal: boolean) => {
    const code = `const m = await import(${JSON.stringify(join(root, 'tools/start.mjs'))}); console.log(JSON.stringify(m.serviceLogEnv(${JSON.stringify(env)}, ${terminal})));`;
    return JSON.parse(spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).stdout);
  };

  it('asks for readable, coloured lines on a terminal and JSON in a pipe; LOG_FORMAT wins', () => {
    expect(logEnv({}, true)).toEqual({ LOG_FORMAT: 'pretty', FORCE_COLOR: '1' });
    expect(logEnv({ NO_COLOR: '1' }, true)).toEqual({ LOG_FORMAT: 'pretty' });
    expect(logEnv({}, false)).toEqual({ LOG_FORMAT: 'json' });
    expect(logEnv({ LOG_FORMAT: 'json' }, true)).toEqual({ LOG_FORMAT: 'json' });
    expect(logEnv({ LOG_FORMAT: 'pretty' }, false)).toEqual({ LOG_FORMAT: 'pretty' });
  });
});
