import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryChannel, DeliveryFailureKind, encodeEvent, ReferralDeliveryFailedSchema, Topics, toTimestamp } from '@puente/contracts';
import { backoffDelay, OutboxWriter, type RetryPolicy } from '@puente/messaging';
import { AuditLog } from '@puente/audit';
import { type LedgerDelivery, recordDeliveries } from '@puente/federation';
import { ServiceNotAnsweringError } from '@puente/auth';
import { ScheduledSweeper, serializeError } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { DirectoryService } from '../directory/directory.service';
import { ReferralRoutingConfig } from './delivery.config';
import { PersonalDataFetcher } from './personal-data';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { WebhookMetrics } from './webhook-metrics';
import { type AttemptResult, type FailureKind, WebhookSender } from './webhook-sender';

/** One claimed delivery. */
export interface ClaimedDelivery {
  id: string;
  partnerId: string;
  referralId: string;
  caseId: string;
  eventType: string;
  payload: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
}

/** What the referral lifecycle does when a delivery succeeds or gives up (in the same transaction). */
export interface DeliveryOutcomes {
  delivered(tx: EntityManager, delivery: ClaimedDelivery): Promise<void>;
  gaveUp(tx: EntityManager, delivery: ClaimedDelivery, kind: FailureKind): Promise<void>;
}
export const DELIVERY_OUTCOMES = Symbol('DELIVERY_OUTCOMES');

const FAILURE_ENUM: Record<FailureKind, DeliveryFailureKind> = {
  timeout: DeliveryFailureKind.TIMEOUT,
  http_status: DeliveryFailureKind.HTTP_STATUS,
  connection: DeliveryFailureKind.CONNECTION,
  address_refused: DeliveryFailureKind.ADDRESS_REFUSED,
  personal_data_unavailable: DeliveryFailureKind.PERSONAL_DATA_UNAVAILABLE,
};

/** The audit actor of a delivery: the dispatcher, on behalf of the receiving partner (its partnerId). */
const DISPATCHER = { subject: 'system:webhook-dispatcher', clientId: 'referral-routing' };

// Claims due deliveries, longest due first per partner (a retry waits behind first attempts that
// were due before it), up to each partner's free capacity (what is
// leased to any replica counts against it), and only the oldest pending one of each referral so
// a partner hears of a referral's changes in order. The outer WHERE re-checks the lease on the
// locked row, so two replicas never claim the same delivery.
const CLAIM = `
  WITH busy AS (
    SELECT partner_id, count(*)::int AS n FROM referral_delivery
     WHERE status = 'pending' AND locked_until > $1 GROUP BY partner_id
  ), due AS (
    SELECT d.id, d.partner_id, row_number() OVER (PARTITION BY d.partner_id ORDER BY d.next_attempt_at, d.seq) AS rn
      FROM referral_delivery d
     WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.locked_until IS NULL OR d.locked_until <= $1)
       AND NOT EXISTS (SELECT 1 FROM referral_delivery e WHERE e.referral_id = d.referral_id AND e.status = 'pending' AND e.seq < d.seq)
  )
  UPDATE referral_delivery d
     SET locked_until = $2, attempts = d.attempts + 1
    FROM due LEFT JOIN busy ON busy.partner_id = due.partner_id
   WHERE d.id = due.id AND due.rn <= $3 - coalesce(busy.n, 0)
     AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until <= $1)
  RETURNING d.id, d.partner_id AS "partnerId", d.referral_id AS "referralId", d.case_id AS "caseId", d.event_type AS "eventType", d.payload, d.attempts`;

/**
 * Sends the webhook delivery outbox. Each attempt is claimed with a lease, sent outside any
 * transaction with its own deadline, and recorded afterwards: delivered; or retried later with
 * exponential backoff and jitter; or, after the last attempt (or at once for an address the policy
 * refuses), failed with a ReferralDeliveryFailed alert. Partners are served side by side, each up
 * to its concurrency, so a slow or hanging partner only ever holds its own slots.
 */
@Injectable()
export class WebhookDispatcher extends ScheduledSweeper {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly sender: WebhookSender;
  private readonly retry: RetryPolicy;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ReferralRoutingConfig,
    private readonly directory: DirectoryService,
    private readonly outbox: OutboxWriter,
    readonly policy: WebhookAddressPolicy,
    @Inject(DELIVERY_OUTCOMES) private readonly outcomes: DeliveryOutcomes,
    private readonly metrics: WebhookMetrics,
    private readonly personalData: PersonalDataFetcher,
    private readonly audit: AuditLog,
  ) {
    super(config.REFERRAL_POLL_INTERVAL_MS);
    this.sender = new WebhookSender(policy, config.WEBHOOK_TIMEOUT_MS);
    this.retry = {
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      initialDelayMs: config.WEBHOOK_INITIAL_BACKOFF_MS,
      maxDelayMs: config.WEBHOOK_MAX_BACKOFF_MS,
      multiplier: config.WEBHOOK_BACKOFF_MULTIPLIER,
    };
  }

  protected pass(): Promise<number> {
    return this.tick();
  }

  protected passFailed(error: unknown): void {
    this.logger.error({ err: serializeError(error) }, 'claiming webhook deliveries failed');
  }

  override async onApplicationShutdown(): Promise<void> {
    await super.onApplicationShutdown();
    await this.settled();
  }

  /** Claims what is due and starts sending it (without waiting); returns how many attempts started. */
  async tick(): Promise<number> {
    if (this.stopping) return 0;
    const now = new Date();
    // A lease outlives the attempt's deadline, so a crashed replica's claims come back, never a live one's.
    const leaseUntil = new Date(now.getTime() + 2 * this.config.WEBHOOK_TIMEOUT_MS + 5_000);
    const [rows] = (await this.dataSource.query(CLAIM, [now, leaseUntil, this.config.WEBHOOK_CONCURRENCY_PER_PARTNER])) as [ClaimedDelivery[], number];
    for (const row of rows) {
      const attempt: Promise<void> = this.attempt(row)
        .catch((error: unknown) => this.logger.error({ err: serializeError(error), deliveryId: row.id }, 'webhook delivery attempt could not be recorded'))
        .finally(() => this.inFlight.delete(attempt));
      this.inFlight.add(attempt);
    }
    return rows.length;
  }

  /** Resolves when every attempt started so far is sent and recorded. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const partner = await this.directory.findPartner(d.partnerId);
    const url = partner?.delivery.webhookUrl;
    const secret = url ? await this.directory.webhookSecretOf(d.partnerId) : undefined;
    if (!url || !secret) return this.record(d, { ok: false, kind: 'address_refused', httpStatus: null });
    let body: { text: string; personIds: string[]; ledger: LedgerDelivery[] };
    try {
      body = await this.bodyOf(d);
    } catch (error) {
      if (!(error instanceof ServiceNotAnsweringError)) throw error;
      this.logger.warn({ deliveryId: d.id, partnerId: d.partnerId, reason: error.reason }, 'personal data for a webhook delivery not fetched from intake; tried again later');
      return this.record(d, { ok: false, kind: 'personal_data_unavailable', httpStatus: null });
    }
    await this.record(d, await this.sender.send(url, secret, { id: d.id, body: body.text }), body.personIds, body.ledger);
  }

  /**
   * The signed body: the stored notice, plus for a new referral the covered persons' identity
   * fields (agreement ∩ consent, from intake at this moment). They are added here, in memory,
   * so the delivery row, the retry record and the logs never hold them. `ledger`: what a new
   * referral's notice delivers of each covered person (the case fields, and the identity fields
   * disclosed for them), recorded once it reached the partner.
   */
  private async bodyOf(d: ClaimedDelivery): Promise<{ text: string; personIds: string[]; ledger: LedgerDelivery[] }> {
    if (d.eventType !== 'referral.requested') return { text: JSON.stringify(d.payload), personIds: [], ledger: [] };
    const persons = await this.personalData.forReferral(this.dataSource.manager, d.referralId, d.partnerId);
    const notice = d.payload as { data?: { case?: Record<string, unknown>; referral?: { coveredPersonIds?: string[] } } & Record<string, unknown> };
    const caseFields = Object.keys(notice.data?.case ?? {}).sort();
    const ledger = (notice.data?.referral?.coveredPersonIds ?? []).map((personId) => {
      const identity = Object.keys(persons?.find((p) => p.personId === personId) ?? {}).filter((f) => f !== 'personId').map((f) => `person.${f}`);
      return { receiverType: 'partner' as const, receiver: d.partnerId, channel: 'webhook', caseId: d.caseId, personId, fields: [...caseFields, ...identity.sort()] };
    });
    if (persons === undefined) return { text: JSON.stringify(d.payload), personIds: [], ledger };
    return { text: JSON.stringify({ ...notice, data: { ...notice.data, persons } }), personIds: persons.map((p) => p.personId), ledger };
  }

  /** Records how the attempt went; `personIds`: whose identity fields it carried (audited once delivered); `ledger`: the deliveries it made. */
  private async record(d: ClaimedDelivery, result: AttemptResult, personIds: readonly string[] = [], ledger: readonly LedgerDelivery[] = []): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      // Only the holder of this attempt's claim records it (attempts is the fencing token).
      const mine = `id = $1 AND attempts = $2 AND status = 'pending'`;
      if (result.ok) {
        const [, n] = (await tx.query(
          `UPDATE referral_delivery SET status = 'delivered', delivered_at = clock_timestamp(), locked_until = NULL, last_http_status = $3 WHERE ${mine}`,
          [d.id, d.attempts, result.httpStatus],
        )) as [unknown, number];
        if (n === 1) {
          this.metrics.attempted('delivered');
          await this.outcomes.delivered(tx, d);
          // Each person whose identity fields reached the partner (intake audited the disclosure to routing).
          for (const personId of personIds) {
            await this.audit.append(tx, { action: 'person.deliver', objectType: 'person', objectId: personId, purpose: 'referral', actor: { ...DISPATCHER, partnerId: d.partnerId } });
          }
          // Where retraction notices must go if the person later withdraws consent or is erased.
          await recordDeliveries(tx, ledger);
        }
        return;
      }
      const final = d.attempts >= this.retry.maxAttempts || result.kind === 'address_refused';
      const now = new Date();
      const next = final ? null : new Date(now.getTime() + backoffDelay(this.retry, d.attempts + 1));
      const [, n] = (await tx.query(
        final
          ? `UPDATE referral_delivery SET status = 'failed', failed_at = clock_timestamp(), locked_until = NULL, last_failure = $3, last_http_status = $4 WHERE ${mine}`
          : `UPDATE referral_delivery SET next_attempt_at = $5, locked_until = NULL, last_failure = $3, last_http_status = $4 WHERE ${mine}`,
        final ? [d.id, d.attempts, result.kind, result.httpStatus] : [d.id, d.attempts, result.kind, result.httpStatus, next],
      )) as [unknown, number];
      if (n !== 1) return;
      this.metrics.attempted(final ? 'failed' : 'retry');
      this.logger.warn({ deliveryId: d.id, partnerId: d.partnerId, attempts: d.attempts, failure: result.kind, httpStatus: result.httpStatus, final }, 'webhook delivery attempt failed');
      // The referring site hears of the first failure and of giving up; the attempts in between are in the table.
      if (final || d.attempts === 1) {
        await this.outbox.append(tx, {
          topic: Topics.referral.name,
          key: d.caseId,
          type: ReferralDeliveryFailedSchema.typeName,
          payload: encodeEvent(ReferralDeliveryFailedSchema, {
            referralId: d.referralId,
            caseId: d.caseId,
            partnerId: d.partnerId,
            deliveryId: d.id,
            channel: DeliveryChannel.WEBHOOK,
            kind: FAILURE_ENUM[result.kind],
            httpStatus: result.httpStatus ?? 0,
            attempts: d.attempts,
            final,
            failedAt: toTimestamp(now),
            nextAttemptAt: next ? toTimestamp(next) : undefined,
          }),
        });
      }
      if (final) await this.outcomes.gaveUp(tx, d, result.kind);
    });
  }
}
