// An operator alerts on level=error, so an error line must mean that a human is needed. A unique
// violation (409) and a serialization failure (503, retry in a second) are outcomes of concurrent
// requests, not incidents: no error line, and failed queries never log their parameters.
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture } from '../observability/log-capture';
import { startConventionsApp, TEST_CLIENT_HEADER } from '../spec/conventions.fixture';

describe('log levels of expected database outcomes (real PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;
  const logs = new LogCapture();
  const headers = { [TEST_CLIENT_HEADER]: 'levels', 'content-type': 'application/json' };
  const secret = 'Wendy Aracely Pop Caal';

  beforeAll(async () => {
    const saved = process.env.LOG_LEVEL;
    // debug: the failed query's own line must be there, and without its parameters
    process.env.LOG_LEVEL = 'debug';
    try {
      ({ app, base } = await startConventionsApp({ logDestination: logs }));
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  afterAll(() => app?.close());

  const linesOf = (requestId: string) => logs.records().filter((r) => r.requestId === requestId || JSON.stringify(r).includes(requestId));

  it('a 409 unique violation writes no error line; the failed query is logged at debug with its SQLSTATE and without parameters', async () => {
    const before = logs.lines.length;
    const res = await fetch(`${base}/v1/things/clash`, { method: 'POST', headers, body: JSON.stringify({ name: secret, tag: 'levels' }) });
    expect(res.status).toBe(409);
    const { requestId } = (await res.json()) as { requestId: string };
    const lines = logs.records().slice(before);
    expect(lines.filter((r) => r.level === 'error' || r.level === 'fatal')).toEqual([]);
    expect(logs.text).not.toContain(secret);
    const query = lines.find((r) => r.context === 'TypeORM' && String(r.msg).startsWith('Query failed'));
    expect(query).toMatchObject({ level: 'debug' });
    expect(query?.msg).toContain('23505');
    expect(query?.msg).not.toContain('duplicate key value');
    expect(linesOf(requestId).map((r) => r.level)).not.toContain('error');
    expect(lines.find((r) => r.msg === 'Request failed with an unexpected error')).toMatchObject({ level: 'warn', status: 409, err: { code: '23505' } });
  });

  it('a serialization failure (503, Retry-After: 1) is a warning, not an error', async () => {
    const before = logs.lines.length;
    const res = await fetch(`${base}/v1/things/contended`, { method: 'POST', headers, body: JSON.stringify({ name: secret, tag: 'levels' }) });
    expect(res.status).toBe(503);
    const lines = logs.records().slice(before);
    expect(lines.filter((r) => r.level === 'error' || r.level === 'fatal')).toEqual([]);
    expect(lines.find((r) => r.msg === 'Request failed with an unexpected error')).toMatchObject({ level: 'warn', status: 503, err: { code: '40001' } });
    expect(lines.find((r) => (r.res as { statusCode?: number } | undefined)?.statusCode === 503)).toMatchObject({ level: 'warn' });
  });

  it('an unexpected failure is still an error', async () => {
    const before = logs.lines.length;
    const res = await fetch(`${base}/v1/things/flaky`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ name: 'x', tag: `flaky-${randomUUID().slice(0, 8)}` }),
    });
    expect(res.status).toBe(500);
    expect(logs.records().slice(before).filter((r) => r.level === 'error').length).toBeGreaterThan(0);
  });
});
