// Test fixtures (not production code): the referral-routing app with referrals on, a directory
// filled through SQL, cases known to the referral side, and a real webhook receiver that verifies
// Standard Webhooks signatures and can be told to fail, hang or recover.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BrokerClient, createBrokerClient, parseBrokers, readTopic, type RecordedEvent } from '@puente/messaging';
import { createServiceApp } from '@puente/platform';
import { type ServiceHarness, startServiceHarness } from '@puente/testing';
import { Webhook } from 'standardwebhooks';
import { DataSource, type EntityManager } from 'typeorm';
import { referralRoutingAppModule, SERVICE } from '../../app.module';
import { WebhookSecrets } from '../../directory/webhook-secrets';
import { type CaseFacts, type PartnerConsents, ReferralCaseFacts } from '../case-facts';

/** Cases as the referral side knows them in these tests, by case id. */
const KNOWN_CASES = new Map<string, { facts: CaseFacts; consents: Map<string, PartnerConsents> }>();

/** The referral side's view of cases in tests: what routing's read model would answer. */
export class KnownCases extends ReferralCaseFacts {
  async find(_tx: EntityManager, caseId: string): Promise<CaseFacts | undefined> {
    return KNOWN_CASES.get(caseId)?.facts;
  }

  async consentsFor(_tx: EntityManager, caseId: string, partner: { id: string }): Promise<PartnerConsents> {
    return KNOWN_CASES.get(caseId)?.consents.get(partner.id) ?? { referral: false, dataSharing: false };
  }
}

/** A case of a GT site with `members` persons, consenting to referral to `partners`. */
export function knownCase(options: { partners: string[]; members?: number; site?: string; nationality?: string; ageBand?: CaseFacts['profile']['ageBand'] }): { caseId: string; personIds: string[] } {
  const caseId = randomUUID();
  const personIds = Array.from({ length: options.members ?? 1 }, () => randomUUID());
  const site = options.site ?? 'GT-MRC-01';
  KNOWN_CASES.set(caseId, {
    facts: {
      caseId,
      siteCode: site,
      closed: false,
      erased: false,
      personIds,
      profile: {
        ageBand: options.ageBand ?? '18-59',
        sex: 'female',
        nationality: options.nationality ?? 'HN',
        country: site.slice(0, 2),
        site,
        household: personIds.length > 1,
        householdSize: personIds.length,
        flags: ['fear_of_return'],
        recommended: ['asylum'],
        riskLevel: 'high',
      },
    },
    consents: new Map(options.partners.map((p) => [p, { referral: true, dataSharing: false }])),
  });
  return { caseId, personIds };
}

export function withdrawReferralConsent(caseId: string, partnerId: string): void {
  KNOWN_CASES.get(caseId)?.consents.set(partnerId, { referral: false, dataSharing: false });
}

export interface ReferralApp extends ServiceHarness {
  ds: DataSource;
  broker: BrokerClient;
}

/** The first `count` events of `topic` with this key (ce_type in `type`), waiting for them to be published. */
export async function eventsOf(app: ReferralApp, topic: string, key: string, count: number): Promise<(RecordedEvent & { type: string })[]> {
  const seen = await readTopic(app.broker, topic, { until: (all) => all.filter((e) => e.key === key).length >= count, timeoutMs: 30_000 });
  return seen.filter((e) => e.key === key).map((e) => ({ ...e, type: e.headers.ce_type }));
}

/** Test-speed delivery settings: fast polling, short deadlines and backoff, a local receiver allowed. */
export const FAST_DELIVERY = {
  REFERRAL_POLL_INTERVAL_MS: '25',
  WEBHOOK_TIMEOUT_MS: '800',
  WEBHOOK_MAX_ATTEMPTS: '8',
  WEBHOOK_INITIAL_BACKOFF_MS: '100',
  WEBHOOK_MAX_BACKOFF_MS: '400',
  WEBHOOK_BACKOFF_MULTIPLIER: '2',
  WEBHOOK_CONCURRENCY_PER_PARTNER: '4',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_INTERNAL_ADDRESSES: 'true',
};

export async function startReferralApp(suite: string, env: Record<string, string> = {}): Promise<ReferralApp> {
  const harness = await startServiceHarness({
    name: 'referral-routing',
    suite,
    defaultScopes: ['referrals:read', 'referrals:write'],
    env: { ...FAST_DELIVERY, ...env },
    create: () =>
      createServiceApp({
        service: SERVICE.name,
        module: referralRoutingAppModule({ consumerGroup: `puente.referral-routing.spec.${process.env.PUENTE_DB_PREFIX ?? ''}${suite}`, caseFacts: KnownCases }),
        title: SERVICE.title,
        description: SERVICE.description,
        shutdownHooks: false,
      }),
  });
  const broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: `referral-routing-spec-${suite}` });
  return Object.assign(harness, { ds: harness.app.get(DataSource), broker });
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A partner with the given channels (and webhook), an agreement for referrals, and one program. */
export async function addPartnerWithProgram(
  app: ReferralApp,
  o: {
    partnerId: string;
    channels?: ('rest_pull' | 'webhook' | 'kafka')[];
    webhookUrl?: string;
    secret?: string;
    pathway?: string;
    slots?: number;
    slaAcknowledgeHours?: number;
    slaDecideHours?: number;
    eligibilityRule?: unknown;
    agreementFields?: string[];
  },
): Promise<{ programId: string }> {
  const channels = o.channels ?? ['rest_pull'];
  const sealed = o.secret ? app.app.get(WebhookSecrets).seal(o.secret) : null;
  await app.ds.query(
    `INSERT INTO directory_partner (id, name, kind, partner_type, country, node, delivery_channels, webhook_url, webhook_secret_id, webhook_secret_kek_id, webhook_secret_wrapped_key, webhook_secret_ciphertext)
     VALUES ($1, $2, 'government_agency', 'government_asylum_agency', 'MX', 'GT', $3, $4, $5, $6, $7, $8)`,
    [o.partnerId, `Partner ${o.partnerId}`, channels, o.webhookUrl ?? null, sealed?.secretId ?? null, sealed?.kekId ?? null, sealed?.wrappedKey ?? null, sealed?.ciphertext ?? null],
  );
  const programId = randomUUID();
  const slots = o.slots ?? 100;
  await app.ds.query(
    `INSERT INTO directory_program (id, partner_id, name, description, pathway, node, total_slots, open_slots, sla_acknowledge_hours, sla_decide_hours, eligibility_rule)
     VALUES ($1, $2, 'Program', 'A program', $3, 'GT', $4, $4, $5, $6, $7)`,
    [programId, o.partnerId, o.pathway ?? 'asylum', slots, o.slaAcknowledgeHours ?? 24, o.slaDecideHours ?? 72, o.eligibilityRule === undefined ? null : JSON.stringify(o.eligibilityRule)],
  );
  await app.ds.query(
    `INSERT INTO directory_agreement (id, partner_id, node, reference, purposes, fields_by_purpose, valid_from) VALUES ($1, $2, 'GT', 'MOU test', '{referral}', $3, '2020-01-01')`,
    [randomUUID(), o.partnerId, JSON.stringify({ referral: o.agreementFields ?? ['caseId', 'coveredPersonIds', 'ageBand', 'nationality', 'flags'] })],
  );
  return { programId };
}

export type ReceiverMode = 'ok' | 'fail' | 'hang';

/**
 * A partner's webhook endpoint: verifies every call with the standardwebhooks package against
 * its secret, then answers by its mode (200, 500, or never). Records what it accepted.
 */
export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  /** Calls that carried a valid signature, by webhook-id, in arrival order. */
  readonly accepted: { id: string; type: string; data: Record<string, unknown> }[] = [];
  /** Every call, valid or not. */
  calls = 0;
  invalidSignatures = 0;
  private readonly hanging = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  constructor(
    readonly secret: string,
    /** Decides the answer per call; defaults to `mode`. */
    private readonly decide?: (id: string, receiver: WebhookReceiver) => ReceiverMode,
  ) {}

  async start(): Promise<this> {
    const verifier = new Webhook(this.secret);
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.calls += 1;
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
        let message: { type: string; data: Record<string, unknown> };
        try {
          message = verifier.verify(body, headers) as typeof message;
        } catch {
          this.invalidSignatures += 1;
          res.writeHead(401).end();
          return;
        }
        const mode = this.decide ? this.decide(headers['webhook-id'], this) : this.mode;
        if (mode === 'hang') {
          this.hanging.add(res);
          return;
        }
        if (mode === 'fail') {
          res.writeHead(500).end();
          return;
        }
        this.accepted.push({ id: headers['webhook-id'], type: message.type, data: message.data });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/puente/webhooks`;
    return this;
  }

  acceptedIds(): string[] {
    return this.accepted.map((a) => a.id);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
