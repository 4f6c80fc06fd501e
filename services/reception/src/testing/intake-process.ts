// Test helper (not production code): the real intake service in its own Node process (a service
// never imports another service's code), with its own database, trusting a dev issuer whose
// tokens the test mints: reception's service token and a GT caseworker's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specIssuer, spawnTs, testDatabasePrefix, type TsProcess } from '@puente/testing';

export interface IntakeProcess {
  base: string;
  /** A file holding reception's token for intake (scope manifests:register), as INTAKE_TOKEN_FILE. */
  tokenFile: string;
  /** A GT caseworker's token for intake (sites, persons, cases). */
  staffToken: string;
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  start(): Promise<void>;
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

export async function startIntakeProcess(suite: string): Promise<IntakeProcess> {
  const issuer = specIssuer('intake-for-reception');
  await issuer.ensureKey();
  const port = await freePort();
  const env = {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUENTE_DB_PREFIX: `${testDatabasePrefix()}${suite}_`,
    AUTH_DEV_DIR: issuer.dir,
    RATE_LIMIT_PER_MINUTE: '0',
    // The start line is how the test knows intake listens.
    LOG_LEVEL: 'info',
  };
  const mint = (scopes: string[], clientId: string, partnerId: string) => issuer.mint({ partnerId, node: 'GT', scopes, jurisdictions: ['GT'], clientId, ttlSeconds: 3600 });
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'puente-reception-intake-token-')), 'token');
  writeFileSync(tokenFile, await mint(['manifests:register', 'consents:write'], 'reception', 'GT-RECEPTION'), { mode: 0o600 });
  const staffToken = await mint(['sites:admin', 'persons:write', 'persons:read', 'cases:read', 'cases:write'], 'gt-caseworker-app', 'GT-MRC-01');
  const base = `http://127.0.0.1:${port}`;
  let process: TsProcess | null = null;
  const intake: IntakeProcess = {
    base,
    tokenFile,
    staffToken,
    async call(method, path, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${staffToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'idempotency-key': crypto.randomUUID() },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async start() {
      process = spawnTs('services/intake/src/main.ts', env);
      await process.waitFor(/intake listening on/, 120_000);
    },
    async stop() {
      if (!process) return;
      const running = process;
      process = null;
      running.child.kill('SIGTERM');
      await running.exited;
    },
  };
  await intake.start();
  return intake;
}
