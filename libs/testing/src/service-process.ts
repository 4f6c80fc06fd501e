// Test helper (not production code): another Puente service in its own Node process (a service
// never imports another service's code), with its own database under the suite's prefix, on the
// run's broker, trusting a dev issuer whose tokens the test mints (service tokens in token files,
// staff tokens for the test's own calls). It can be stopped and started again (an outage).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevTokenOptions } from '@puente/auth';
import { testDatabasePrefix } from './database';
import { spawnTs, type TsProcess } from './process';
import { specIssuer } from './service-harness';

export interface ServiceProcess {
  base: string;
  /** A token of this service's issuer (node GT, jurisdiction GT unless said otherwise). */
  mint(options: Pick<DevTokenOptions, 'scopes' | 'clientId' | 'partnerId'> & Partial<DevTokenOptions>): Promise<string>;
  /** A file holding a fresh token (mode 600), as a calling service's `<SERVICE>_TOKEN_FILE`. */
  tokenFile(options: Pick<DevTokenOptions, 'scopes' | 'clientId' | 'partnerId'> & Partial<DevTokenOptions>): Promise<string>;
  /** A JSON call with this token (an Idempotency-Key on each). */
  call<T = any>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Starts it again after stop() (same port and database); nothing when it runs. */
  start(): Promise<void>;
  stop(): Promise<void>;
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

/**
 * Starts `services/<service>/src/main.ts` for a suite: database `<test prefix><suite>_<service>`,
 * a fixed free port (the same after a restart), rate limits off, and `env` on top. `options.main`
 * starts another entrypoint of the service (a test one, e.g. on a clock the test moves);
 * `options.startTimeoutMs` (default 120 s) is how long it may take to listen (a test that
 * starts many processes at once on two cores gives them longer).
 */
export async function startServiceProcess(
  service: string,
  suite: string,
  env: Record<string, string> = {},
  options: { main?: string; startTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const issuer = specIssuer(`${service}-process`);
  await issuer.ensureKey();
  const port = await freePort();
  const processEnv = {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUENTE_DB_PREFIX: `${testDatabasePrefix()}${suite}_`,
    AUTH_DEV_DIR: issuer.dir,
    RATE_LIMIT_PER_MINUTE: '0',
    // The start line is how the test knows the service listens.
    LOG_LEVEL: 'info',
    ...env,
  };
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), `puente-${service}-tokens-`));
  let running: TsProcess | null = null;
  const mint: ServiceProcess['mint'] = (options) => issuer.mint({ node: 'GT', jurisdictions: ['GT'], ttlSeconds: 3600, ...options });
  const started: ServiceProcess = {
    base,
    mint,
    async tokenFile(options) {
      const file = join(dir, `${options.clientId ?? 'token'}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
      writeFileSync(file, await mint(options), { mode: 0o600 });
      return file;
    },
    async call(method, path, token, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'idempotency-key': crypto.randomUUID() },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async start() {
      if (running) return;
      const child = spawnTs(options.main ?? `services/${service}/src/main.ts`, processEnv);
      running = child;
      try {
        await child.waitFor(new RegExp(`${service} listening on`), options.startTimeoutMs ?? 120_000);
      } catch (error) {
        // One that never listened is not left running behind the failed test.
        running = null;
        child.child.kill('SIGTERM');
        await child.exited;
        throw error;
      }
    },
    async stop() {
      if (!running) return;
      const current = running;
      running = null;
      current.child.kill('SIGTERM');
      await current.exited;
    },
  };
  await started.start();
  return started;
}
