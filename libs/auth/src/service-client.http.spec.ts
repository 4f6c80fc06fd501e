// The service-to-service client against a real local HTTP server: the token file read at each
// call (rotation without restart), the statuses a caller handles, and every other outcome folded
// into ServiceNotAnsweringError without the request's content.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadServiceConfig, ServiceConfig } from '@puente/platform';
import { ServiceClient, ServiceNotAnsweringError, ServiceTokenFileSetting, ServiceUrlSetting } from './service-client';

interface Seen {
  authorization?: string;
  idempotencyKey?: string;
  traceparent?: string;
  body: string;
}

describe('ServiceClient (HTTP)', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const dir = mkdtempSync(join(tmpdir(), 'puente-service-client-'));
  const tokenFile = join(dir, 'token');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ authorization: req.headers.authorization, idempotencyKey: req.headers['idempotency-key'] as string | undefined, traceparent: req.headers.traceparent as string | undefined, body });
        answer(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
    writeFileSync(tokenFile, 'token-one\n');
  });

  const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  it('posts JSON with the token from the file, read again at each call', async () => {
    answer = json(201, { id: 'a' });
    const client = new ServiceClient({ baseUrl: base, tokenFile });
    const first = await client.post<{ id: string }>('/v1/things', { n: 1 }, { accept: [201], idempotencyKey: 'k-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(first).toEqual({ status: 201, body: { id: 'a' } });
    writeFileSync(tokenFile, 'token-two');
    await client.post('/v1/things', { n: 2 }, { accept: [201] });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer token-one', 'Bearer token-two']);
    expect(seen[0]).toMatchObject({ idempotencyKey: 'k-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', body: '{"n":1}' });
    expect(seen[1].idempotencyKey).toBeUndefined();
  });

  it('returns the statuses the caller handles (a problem document too) and refuses the others', async () => {
    const client = new ServiceClient({ baseUrl: base, tokenFile });
    answer = json(403, { type: 'https://puente.example/problems/consent-required', status: 403 });
    expect(await client.post('/v1/x', {}, { accept: [200, 403] })).toEqual({ status: 403, body: { type: 'https://puente.example/problems/consent-required', status: 403 } });
    for (const status of [401, 500, 503]) {
      answer = json(status, { secret: 'never in the error' });
      const error = await client.post('/v1/x', { name: 'María' }, { accept: [200] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceNotAnsweringError);
      expect(error).toMatchObject({ reason: `http-${status}`, status });
      expect(String((error as Error).message)).not.toMatch(/María|secret/);
    }
  });

  it('names what went wrong: no token, an empty or unreadable token file, unreachable, timeout, not JSON', async () => {
    answer = json(200, {});
    const reason = (client: ServiceClient) => client.post('/v1/x', {}, { accept: [200] }).then(() => 'answered', (e: ServiceNotAnsweringError) => e.reason);
    expect(await reason(new ServiceClient({ baseUrl: base }))).toBe('no-token-configured');
    expect(new ServiceClient({ baseUrl: base }).configured).toBe(false);
    expect(await reason(new ServiceClient({ baseUrl: base, tokenFile: join(dir, 'missing') }))).toBe('token-unreadable');
    writeFileSync(join(dir, 'empty'), '\n');
    expect(await reason(new ServiceClient({ baseUrl: base, tokenFile: join(dir, 'empty') }))).toBe('token-unreadable');
    expect(seen).toHaveLength(0);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await reason(new ServiceClient({ baseUrl: `http://127.0.0.1:${closedPort}`, tokenFile }))).toBe('unreachable');

    answer = () => undefined; // never answers
    expect(await reason(new ServiceClient({ baseUrl: base, tokenFile, timeoutMs: 200 }))).toBe('timeout');
    server.closeAllConnections();

    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
    expect(await reason(new ServiceClient({ baseUrl: base, tokenFile }))).toBe('malformed-answer');
  });

  it('validates the URL and token-file settings with the service config at start-up', () => {
    class CallerConfig extends ServiceConfig {
      @ServiceUrlSetting('OTHER_URL')
      OTHER_URL: string = 'http://127.0.0.1:3001';

      @ServiceTokenFileSetting('OTHER_TOKEN_FILE')
      OTHER_TOKEN_FILE?: string;
    }
    const defaults = loadServiceConfig('referral-routing', CallerConfig, {});
    expect(defaults.OTHER_URL).toBe('http://127.0.0.1:3001');
    expect(defaults.OTHER_TOKEN_FILE).toBeUndefined();
    expect(loadServiceConfig('referral-routing', CallerConfig, { OTHER_URL: 'https://intake.gt.internal:8443', OTHER_TOKEN_FILE: '/var/run/secrets/token' })).toMatchObject({
      OTHER_URL: 'https://intake.gt.internal:8443',
      OTHER_TOKEN_FILE: '/var/run/secrets/token',
    });
    for (const env of [{ OTHER_URL: 'intake:3001' }, { OTHER_URL: 'ftp://intake' }, { OTHER_TOKEN_FILE: 'x'.repeat(5000) }]) {
      expect(() => loadServiceConfig('referral-routing', CallerConfig, env)).toThrow(ConfigValidationError);
    }
  });
});
