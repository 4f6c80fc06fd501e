import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '../bootstrap';
import { SPEC_SERVICE, widgetAppModule } from '../spec/widget.fixture';

/** Bytes fetch refuses to send (raw control bytes in a header): straight over TCP. */
function sendBytes(base: string, bytes: Buffer): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('text encoding and transport errors (real Fastify + PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    app = await createServiceApp({ service: SPEC_SERVICE, module: widgetAppModule(), title: 'Platform spec service', description: 'Widgets', shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function expectEncodingProblem(res: Response, field: string): Promise<void> {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { type: string; errors: { field: string }[] };
    expect(problem.type).toBe('https://puente.dev/problems/invalid-encoding');
    expect(problem.errors.map((e) => e.field)).toContain(field);
  }

  it('refuses a NUL byte in a path parameter before the handler (was a 500 from PostgreSQL 22021)', async () => {
    await expectEncodingProblem(await fetch(`${base}/v1/widgets/%00`), 'id');
    await expectEncodingProblem(await fetch(`${base}/v1/widgets/GT%00MRC`), 'id');
  });

  it('refuses NUL and invalid percent-encoded UTF-8 in a query', async () => {
    await expectEncodingProblem(await fetch(`${base}/v1/widgets/context?q=%00`), 'q');
    await expectEncodingProblem(await fetch(`${base}/v1/widgets/context?q=%FF%FE`), 'q');
    await expectEncodingProblem(await fetch(`${base}/v1/widgets/context?q=%ED%A0%80`), 'q');
    const fine = await fetch(`${base}/v1/widgets/context?q=${encodeURIComponent('Ñandú 你好')}`);
    expect(fine.status).toBe(200);
  });

  it('refuses NUL and lone surrogates in JSON strings and keys, and raw invalid UTF-8 bodies', async () => {
    const post = (body: string | Uint8Array) => fetch(`${base}/v1/widgets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await expectEncodingProblem(await post('{"name":"a\\u0000b","count":1}'), 'name');
    await expectEncodingProblem(await post('{"name":"x\\ud800","count":1}'), 'name');
    await expectEncodingProblem(await post('{"name":"ok","count":1,"documents":[{"number":"\\u0000"}]}'), 'documents[0].number');
    await expectEncodingProblem(await post(Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","count":1}')])), '(body)');
    expect((await post('{"name":"María José 👩🏽‍⚕️","count":1}')).status).toBe(201);
  });

  it('refuses header values that are not UTF-8', async () => {
    const raw = await sendBytes(
      base,
      Buffer.concat([Buffer.from('GET /v1/widgets/context HTTP/1.1\r\nhost: x\r\nx-note: '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\r\nconnection: close\r\n\r\n')]),
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/content-type: application\/problem\+json/i);
    expect(raw).toContain('"field":"x-note"');
  });

  it('answers oversized headers with a 431 problem, not Fastify\'s application/json', async () => {
    const res = await fetch(`${base}/v1/widgets/context`, { headers: { 'x-padding': 'p'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ type: 'https://puente.dev/problems/request-header-fields-too-large', status: 431 });
  });

  it('answers what Node\'s HTTP parser refuses (NUL in a header, bad Content-Length) with a 400 problem', async () => {
    for (const request of ['GET /v1/widgets/context HTTP/1.1\r\nhost: x\r\nx-a: a\u0000b\r\n\r\n', 'POST /v1/widgets HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n']) {
      const raw = await sendBytes(base, Buffer.from(request, 'latin1'));
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: 'https://puente.dev/problems/bad-request', status: 400 });
    }
  });

  it('answers a value PostgreSQL refuses for its column (SQLSTATE class 22, 23502 null) with a 400 problem, not a 500', async () => {
    const res = await fetch(`${base}/v1/widgets/unchecked/not-a-uuid`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { type: string; detail: string };
    expect(problem.type).toBe('https://puente.dev/problems/bad-request');
    expect(problem.detail).not.toContain('not-a-uuid');
    expect((await fetch(`${base}/v1/widgets/unchecked/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).status).toBe(200);
    const nullName = await fetch(`${base}/v1/widgets/unchecked`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":null}' });
    expect(nullName.status).toBe(400);
    expect(nullName.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('documents on every /v1 operation the statuses the platform itself can answer', async () => {
    const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/v1/widgets'].post.responses)).toEqual(expect.arrayContaining(['400', '413', '415', '429', '431', '503']));
    expect(Object.keys(doc.paths['/v1/widgets/{id}'].get.responses)).toEqual(expect.arrayContaining(['400', '404', '414', '429', '431', '503']));
    expect(Object.keys(doc.paths['/v1/widgets/{id}'].get.responses)).not.toContain('415');
  });
});
