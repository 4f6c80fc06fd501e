import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { createServiceApp } from '../bootstrap';
import { LogCapture } from '../observability/log-capture';
import { SPEC_SERVICE, widgetAppModule } from '../spec/widget.fixture';
import { PII_REDACT_PATHS, REDACTED } from './logging';

describe('PII redaction paths', () => {
  it('redact personal fields at any of the first levels and credentials in headers', () => {
    const capture = new LogCapture();
    const logger = pino({ redact: { paths: [...PII_REDACT_PATHS], censor: REDACTED } }, capture);
    logger.info(
      {
        name: 'Top Level',
        person: { givenName: 'Maria', familyName: 'Lopez', birthDate: '1990-01-02', phone: '+50255550000' },
        household: { members: [{ names: ['Ana'], dateOfBirth: '2015-05-05', email: 'a@example.org' }] },
        documents: [{ documentNumber: 'P1234567' }],
        req: { headers: { authorization: 'Bearer tok-123', cookie: 'sid=abc' } },
        address: { line1: 'Calle 1' },
        caseId: 'c-1',
      },
      'registered',
    );
    const text = capture.text;
    for (const secret of ['Top Level', 'Maria', 'Lopez', '1990-01-02', '+50255550000', 'Ana', '2015-05-05', 'a@example.org', 'P1234567', 'tok-123', 'sid=abc', 'Calle 1']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('c-1');
    expect(text).toContain(REDACTED);
  });
});

describe('request logging', () => {
  let app: NestFastifyApplication;
  let base: string;
  const capture = new LogCapture();
  const previousLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'debug';
    app = await createServiceApp({
      service: SPEC_SERVICE,
      module: widgetAppModule({ logDestination: capture }),
      title: 'Logging spec',
      description: 'Log capture',
      shutdownHooks: false,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    if (previousLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previousLevel;
  });

  it('never logs bodies, Authorization headers or query strings', async () => {
    const secrets = {
      name: 'Xiomara Secretname',
      birthDate: '1987-03-14',
      token: 'Bearer tok-very-secret-55',
      query: 'QuerySecret77',
    };
    const headers = { 'content-type': 'application/json', authorization: secrets.token, 'x-request-id': 'log-test-1' };
    const accepted = await fetch(`${base}/v1/widgets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: secrets.name, count: 2 }),
    });
    expect(accepted.status).toBe(201);
    const rejected = await fetch(`${base}/v1/widgets?q=${secrets.query}`, {
      method: 'POST',
      headers: { ...headers, 'x-request-id': 'log-test-2' },
      body: JSON.stringify({ name: secrets.name, birthDate: secrets.birthDate, count: 2 }),
    });
    expect(rejected.status).toBe(400);
    await fetch(`${base}/v1/widgets/boom`, { headers: { authorization: secrets.token, 'x-request-id': 'log-test-3' } });

    const text = capture.text;
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    expect(text).not.toContain('tok-very-secret');

    const records = capture.records();
    const completed = records.find((r) => r.requestId === 'log-test-1' && r.msg === 'request completed');
    expect(completed).toMatchObject({
      service: SPEC_SERVICE,
      node: 'GT',
      level: 'info',
      req: { method: 'POST', url: '/v1/widgets' },
      res: { statusCode: 201 },
    });
    expect(typeof completed?.traceId).toBe('string');
    expect(typeof completed?.time).toBe('string');
    const warned = records.find((r) => r.requestId === 'log-test-2' && r.msg === 'request completed');
    expect(warned).toMatchObject({ level: 'warn', req: { url: '/v1/widgets' }, res: { statusCode: 400 } });

    const failure = records.find((r) => r.msg === 'Request failed with an unexpected error');
    expect(failure).toMatchObject({ level: 'error', requestId: 'log-test-3', status: 500 });
    expect(JSON.stringify(failure?.err)).toContain('secret internal detail 42');
  });

  it('does not log health probes and metric scrapes on completion', async () => {
    const before = capture.lines.length;
    await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'probe-1' } });
    await fetch(`${base}/metrics`, { headers: { 'x-request-id': 'probe-2' } });
    const added = capture.records().slice(before);
    expect(added.filter((r) => r.requestId === 'probe-1' || r.requestId === 'probe-2')).toEqual([]);
  });
});
