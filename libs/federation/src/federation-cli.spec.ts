import { auditEntities, auditMigrations } from '@puente/audit';
import { messagingEntities, messagingMigrations } from '@puente/messaging';
import { openTestDataSource, runTs } from '@puente/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Registry } from 'prom-client';
import { FederationMetrics } from './federation-metrics';
import { CreateFederationExchange1767052800000 } from './federation.migration';

// The operator command against a real service database (intake's, as the service names it).
const federation = (args: string[], env: Record<string, string> = {}) => runTs('tools/federation.ts', args, env);
let ds: DataSource;
let url: string;

beforeAll(async () => {
  ds = await openTestDataSource({ name: 'fed_cli_intake', entities: [...messagingEntities, ...auditEntities], migrations: [...messagingMigrations, ...auditMigrations, CreateFederationExchange1767052800000] });
  url = (ds.options as { url: string }).url;
});

afterAll(async () => {
  await ds?.destroy();
});

it('lists what waits for a receipt longer than the threshold (exit 1), nothing once answered (exit 0); usage errors exit 2', async () => {
  const old = randomUUID();
  const fresh = randomUUID();
  await ds.query(
    `INSERT INTO federation_sent_envelope (envelope_id, peer, kind, subject, sent_at, expires_at) VALUES
       ($1, 'MX', 'match-keys', 'p1', now() - interval '10 minutes', now() + interval '1 day'),
       ($2, 'HN', 'match-keys', 'p2', now(), now() + interval '1 day')`,
    [old, fresh],
  );
  // The same on /metrics, per peer, read at scrape time.
  const registry = new Registry();
  const metrics = new FederationMetrics(registry, ds, 300);
  metrics.record({ outcome: 'refused', reason: 'bad-signature', sender: 'MX', envelopeId: fresh, answered: true });
  const scraped = await registry.metrics();
  expect(scraped).toContain('puente_exchange_unacknowledged{peer="MX"} 1');
  expect(scraped).not.toContain('peer="HN"');
  expect(scraped).toContain('puente_exchange_received_total{sender="MX",outcome="refused",reason="bad-signature"} 1');
  const listed = await federation(['unacknowledged', '--service', 'intake'], { INTAKE_DATABASE_URL: url });
  expect(listed.code).toBe(1);
  expect(listed.stdout).toContain('1 envelope without a receipt after 300 s');
  expect(listed.stdout).toContain(`${old}  match-keys to MX`);
  expect(listed.stdout).not.toContain(fresh);
  const json = await federation(['unacknowledged', '--service', 'intake', '--older-than', '0', '--json'], { INTAKE_DATABASE_URL: url });
  expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l).envelopeId).sort()).toEqual([old, fresh].sort());

  await ds.query(`UPDATE federation_sent_envelope SET receipt_outcome = 'applied', receipt_at = now()`);
  const none = await federation(['unacknowledged', '--service', 'intake', '--older-than', '0'], { INTAKE_DATABASE_URL: url });
  expect(none.code).toBe(0);
  expect(none.stdout).toContain('0 envelopes without a receipt');
  expect((await federation(['unacknowledged', '--service', 'intake', '--older-than', 'soon'], { INTAKE_DATABASE_URL: url })).code).toBe(2);
  expect((await federation(['unacknowledged'], { INTAKE_DATABASE_URL: url })).code).toBe(2);
}, 60_000);
