import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { WebhookSender } from './webhook-sender';

const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('webhook sender (real local HTTP server)', () => {
  let server: Server;
  let port: number;
  let answer: (res: ServerResponse) => void;
  const seen: { headers: Record<string, string>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
    answer = (res) => res.writeHead(204).end();
  });

  const local = new WebhookAddressPolicy({ allowHttp: true, allowInternalAddresses: true, allowedHosts: [] });

  it('signs each attempt the Standard Webhooks way, with the delivery id as webhook-id', async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'referral.requested', timestamp: '2026-12-06T18:00:00.000Z', data: { referralId: 'r1' } });
    const at = new Date();
    expect(await new WebhookSender(local, 2_000).send(`http://127.0.0.1:${port}/hook`, secret, { id: 'msg_1', body }, at)).toEqual({ ok: true, httpStatus: 204 });
    const [call] = seen;
    expect(call.body).toBe(body);
    expect(call.headers['webhook-id']).toBe('msg_1');
    expect(call.headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(new Webhook(secret).verify(call.body, call.headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(call.body, call.headers)).toThrow();
  });

  it('reports a non-2xx answer, a redirect (never followed) and a refused connection', async () => {
    const sender = new WebhookSender(local, 2_000);
    answer = (res) => res.writeHead(503).end();
    expect(await sender.send(`http://127.0.0.1:${port}/hook`, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: false, kind: 'http_status', httpStatus: 503 });
    answer = (res) => res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    expect(await sender.send(`http://127.0.0.1:${port}/hook`, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: false, kind: 'http_status', httpStatus: 307 });
    expect(seen).toHaveLength(2);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await sender.send(`http://127.0.0.1:${closedPort}/hook`, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: false, kind: 'connection', httpStatus: null });
  });

  it('gives up on a receiver that never answers at its deadline', async () => {
    answer = () => undefined;
    const started = Date.now();
    expect(await new WebhookSender(local, 300).send(`http://127.0.0.1:${port}/hook`, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: false, kind: 'timeout', httpStatus: null });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never connects to an internal address, even one a host name resolves to at delivery time', async () => {
    const strict = new WebhookAddressPolicy({ allowHttp: true, allowInternalAddresses: false, allowedHosts: [] });
    const sender = new WebhookSender(strict, 2_000);
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`, `http://localhost:${port}/hook`]) {
      expect(await sender.send(url, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: false, kind: 'address_refused', httpStatus: null });
    }
    // A public-looking name whose DNS answer is internal at delivery time (rebinding) is refused too.
    const rebinding = new WebhookSender(new WebhookAddressPolicy({ allowHttp: true, allowInternalAddresses: false, allowedHosts: [] }, async () => [{ address: '127.0.0.1', family: 4 }]), 2_000);
    expect(await rebinding.send(`http://partner.example.org:${port}/hook`, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: false, kind: 'address_refused', httpStatus: null });
    expect(seen).toHaveLength(0);
  });

  it('connects to the address it checked, whatever the name resolves to afterwards', async () => {
    // The policy resolves the partner's host name to this server; no second lookup happens.
    const pinned = new WebhookSender(new WebhookAddressPolicy({ allowHttp: true, allowInternalAddresses: true, allowedHosts: [] }, async () => [{ address: '127.0.0.1', family: 4 }]), 2_000);
    expect(await pinned.send(`http://partner.invalid:${port}/hook`, newWebhookSecret(), { id: 'm', body: '{}' })).toEqual({ ok: true, httpStatus: 204 });
    expect(seen[0].headers.host).toBe(`partner.invalid:${port}`);
  });
});
