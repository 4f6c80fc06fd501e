import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { encodeEvent, ReferralSlaBreachedSchema, SlaKind, Topics, toTimestamp } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { ScheduledSweeper, serializeError } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { ReferralRoutingConfig } from '../delivery/delivery.config';
import { statusEnum } from './referral-events';
import { ReferralLifecycle, SYSTEM } from './referral-lifecycle';
import type { ReasonOf } from './referral-state-machine';

/** Referrals swept per transaction round. */
const BATCH = 100;

// Overdue: not acknowledged by the acknowledge deadline (requested, sent), or not decided by the
// decide deadline (received). SKIP LOCKED: a referral a partner is answering right now is left
// for the next round, and replicas sweep different rows.
const OVERDUE = `
  SELECT id, CASE WHEN status IN ('requested', 'sent') AND acknowledge_due_at <= $1 THEN 'acknowledge' ELSE 'decide' END AS sla
    FROM referral
   WHERE ((status IN ('requested', 'sent') AND acknowledge_due_at <= $1)
      OR (status IN ('requested', 'sent', 'received') AND decide_due_at <= $1))
     -- A referral sent to another node's program expires there (its timers), and the origin hears of it.
     AND NOT EXISTS (SELECT 1 FROM cross_border_referral x WHERE x.referral_id = referral.id AND x.direction = 'outbound')
   ORDER BY acknowledge_due_at, id
   LIMIT ${BATCH}
   FOR UPDATE SKIP LOCKED`;

/**
 * The SLA timers of referrals: a referral its partner did not acknowledge or decide in the
 * program's hours raises ReferralSlaBreached (an escalation for the referring site) and expires,
 * which releases nothing (no slot is held before accept) and tells the partner. `sweep(now)` takes
 * the clock as an argument, so tests move time without waiting.
 */
@Injectable()
export class SlaSweeper extends ScheduledSweeper {
  private readonly logger = new Logger('SlaSweeper');
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ReferralRoutingConfig,
    private readonly lifecycle: ReferralLifecycle,
    private readonly outbox: OutboxWriter,
  ) {
    super(config.REFERRAL_POLL_INTERVAL_MS);
  }

  protected pass(now: Date): Promise<number> {
    return this.sweep(now);
  }

  protected passFailed(error: unknown): void {
    this.logger.error({ err: serializeError(error) }, 'SLA sweep failed');
  }

  /** Expires every referral overdue at `now`; returns how many. */
  async sweep(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (tx) => {
        const overdue = (await tx.query(OVERDUE, [now])) as { id: string; sla: 'acknowledge' | 'decide' }[];
        let expired = 0;
        for (const { id, sla } of overdue) {
          try {
            // A savepoint per referral: one that cannot expire is logged and left, never blocks the others.
            await tx.transaction((inner) => this.expire(inner, id, sla, now));
            expired += 1;
          } catch (error) {
            this.logger.error({ err: serializeError(error), referralId: id }, 'overdue referral not expired');
          }
        }
        return { seen: overdue.length, expired };
      });
      total += n.expired;
      if (n.seen < BATCH || n.expired === 0 || this.stopping) return total;
    }
  }

  /** Raises the breach and expires one overdue referral (locked), inside the sweep's savepoint. */
  private async expire(tx: EntityManager, id: string, sla: 'acknowledge' | 'decide', now: Date): Promise<void> {
    const r = await this.lifecycle.lock(tx, id);
    if (!r) return;
    await this.outbox.append(tx, {
      topic: Topics.referral.name,
      key: r.caseId,
      type: ReferralSlaBreachedSchema.typeName,
      payload: encodeEvent(ReferralSlaBreachedSchema, {
        referralId: r.id,
        caseId: r.caseId,
        programId: r.programId,
        partnerId: r.partnerId,
        sla: sla === 'acknowledge' ? SlaKind.ACKNOWLEDGE : SlaKind.DECIDE,
        status: statusEnum(r.status),
        dueAt: toTimestamp(sla === 'acknowledge' ? r.acknowledgeDueAt : r.decideDueAt),
        breachedAt: toTimestamp(now),
      }),
      time: now,
    });
    const reason: ReasonOf<'expire'> = sla === 'acknowledge' ? 'acknowledge_sla_missed' : 'decision_sla_missed';
    await this.lifecycle.apply(tx, r, { action: 'expire', reason }, SYSTEM, { sla });
  }
}
