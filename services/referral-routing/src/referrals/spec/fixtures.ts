// Test fixtures (not production code): the referral-routing app with fast webhook delivery, a
// directory filled through SQL, cases announced by intake's real events on Kafka, and a real
// webhook receiver that verifies Standard Webhooks signatures and can be told to fail, hang or recover.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import {
  AgeBand,
  CaseOpenedSchema,
  ConsentPurpose,
  ConsentRecordedSchema,
  ConsentWithdrawnSchema,
  HouseholdChangedSchema,
  PersonRegisteredSchema,
  Sex,
  Topics,
  toTimestamp,
  VulnerabilityFlag,
} from '@puente/contracts';
import { readTopic, type RecordedEvent } from '@puente/messaging';
import { Webhook } from 'standardwebhooks';
import { WebhookSecrets } from '../../directory/webhook-secrets';
import { consumed, publishEvent, type ReferralRoutingTestApp, startReferralRouting } from '../../testing/harness';

export type ReferralApp = ReferralRoutingTestApp;

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

/** The whole service (directory, routing's case read model, referrals), fed by real intake events. */
export async function startReferralApp(suite: string, env: Record<string, string> = {}): Promise<ReferralApp> {
  return startReferralRouting(suite, { env: { ...FAST_DELIVERY, ...env } });
}

export interface OpenedCase {
  caseId: string;
  personIds: string[];
  /** Referral consent id by partner id. */
  consents: Map<string, string>;
}

/**
 * A case opened at a GT site, as intake announces it on its topic: CaseOpened (adult woman from
 * Honduras with a fear of return), its persons, its household, and a referral consent for each of
 * `partners`; returns once routing's read model has applied them all.
 */
export async function openCase(app: ReferralApp, o: { partners: string[]; members?: number; site?: string; nationality?: string }): Promise<OpenedCase> {
  const caseId = randomUUID();
  const personIds = Array.from({ length: o.members ?? 1 }, () => randomUUID());
  const site = o.site ?? 'GT-MRC-01';
  const intake = <D extends DescMessage>(schema: D, message: MessageInitShape<D>) => publishEvent(app.broker, Topics.intakeCase.name, caseId, schema, message);
  await intake(CaseOpenedSchema, {
    caseId,
    reference: `GT-${caseId.slice(0, 8)}`,
    siteCode: site,
    custodyNode: site.slice(0, 2),
    openedAt: toTimestamp(),
    household: personIds.length > 1,
    ageBand: AgeBand.AGED_18_TO_59,
    sex: Sex.FEMALE,
    nationality: o.nationality ?? 'HN',
    vulnerabilityFlags: [VulnerabilityFlag.FEAR_OF_RETURN],
  });
  for (const personId of personIds) {
    await intake(PersonRegisteredSchema, { personId, caseId, siteCode: site, ageBand: AgeBand.AGED_18_TO_59, sex: Sex.FEMALE, nationality: o.nationality ?? 'HN', registeredAt: toTimestamp() });
  }
  let last = await intake(HouseholdChangedSchema, { householdId: randomUUID(), caseId, members: personIds.map((personId) => ({ personId, ageBand: AgeBand.AGED_18_TO_59 })), changedAt: toTimestamp() });
  const consents = new Map<string, string>();
  for (const partnerId of o.partners) {
    const consentId = randomUUID();
    consents.set(partnerId, consentId);
    last = await intake(ConsentRecordedSchema, { consentId, caseId, personId: personIds[0], purpose: ConsentPurpose.REFERRAL, partnerId, validFrom: toTimestamp(new Date(Date.now() - 60_000)), recordedAt: toTimestamp() });
  }
  // One case's events are one key's, in order: the last one applied means all were.
  await consumed(app, last);
  return { caseId, personIds, consents };
}

/** The person withdraws the referral consent for a partner (intake's ConsentWithdrawn), once applied. */
export async function withdrawReferralConsent(app: ReferralApp, opened: OpenedCase, partnerId: string): Promise<void> {
  const consentId = opened.consents.get(partnerId) as string;
  await consumed(
    app,
    await publishEvent(app.broker, Topics.intakeCase.name, opened.caseId, ConsentWithdrawnSchema, { consentId, caseId: opened.caseId, purpose: ConsentPurpose.REFERRAL, withdrawnAt: toTimestamp() }),
  );
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
