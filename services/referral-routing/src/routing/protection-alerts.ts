import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  encodeEvent,
  ProtectionAlertAcknowledgedSchema,
  ProtectionAlertAcknowledgementDueSchema,
  ProtectionAlertEscalatedSchema,
  type ProtectionAlertRaised,
  ScreeningRiskLevel,
  toTimestamp,
  Topics,
} from '@puente/contracts';
import { coversJurisdiction, type Principal, resourceNotFound } from '@puente/auth';
import { OutboxWriter } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';

/** Minutes a protection officer has to acknowledge an urgent protection alert before it escalates. */
export const PROTECTION_ALERT_ACK_MINUTES = 60;

/** What tells the time: the system clock, or a test's. */
export abstract class RoutingClock {
  abstract now(): Date;
}

export class SystemClock extends RoutingClock {
  now(): Date {
    return new Date();
  }
}

export interface ProtectionAlertRow {
  alert_id: string;
  case_id: string;
  screening_id: string;
  site_code: string;
  custody_node: string;
  risk_level: string;
  raised_at: Date;
  acknowledge_due_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  escalated_at: Date | null;
}

const RISK_CODE: Record<string, ScreeningRiskLevel> = { low: ScreeningRiskLevel.LOW, medium: ScreeningRiskLevel.MEDIUM, high: ScreeningRiskLevel.HIGH, urgent: ScreeningRiskLevel.URGENT };

function alertFields(a: ProtectionAlertRow) {
  return {
    alertId: a.alert_id,
    caseId: a.case_id,
    screeningId: a.screening_id,
    siteCode: a.site_code,
    custodyNode: a.custody_node,
    riskLevel: RISK_CODE[a.risk_level] ?? ScreeningRiskLevel.UNSPECIFIED,
    raisedAt: toTimestamp(a.raised_at),
    acknowledgeDueAt: toTimestamp(a.acknowledge_due_at),
  };
}

/**
 * Every urgent protection alert (screening's ProtectionAlertRaised) gets an acknowledgement
 * deadline; a protection officer acknowledges it over the API; one still unacknowledged at its
 * deadline is escalated once (ProtectionAlertEscalated, for the node's protection lead). Each step
 * is a state change and its event in one transaction.
 */
@Injectable()
export class ProtectionAlerts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Records a raised alert and its deadline; false for a repeat of the same alert (which changes nothing). */
  async raise(tx: EntityManager, alert: ProtectionAlertRaised, raisedAt: Date, riskLevel: string, traceparent?: string): Promise<boolean> {
    const due = new Date(raisedAt.getTime() + PROTECTION_ALERT_ACK_MINUTES * 60_000);
    const [row] = (await tx.query(
      `INSERT INTO routing_protection_alert (alert_id, case_id, screening_id, site_code, custody_node, risk_level, raised_at, acknowledge_due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (alert_id) DO NOTHING RETURNING *`,
      [alert.alertId, alert.caseId.toLowerCase(), alert.screeningId, alert.siteCode, alert.custodyNode, riskLevel, raisedAt, due],
    )) as ProtectionAlertRow[];
    if (!row) return false;
    const message: MessageInitShape<typeof ProtectionAlertAcknowledgementDueSchema> = alertFields(row);
    await this.outbox.append(tx, { topic: Topics.routing.name, key: row.case_id, type: ProtectionAlertAcknowledgementDueSchema.typeName, payload: encodeEvent(ProtectionAlertAcknowledgementDueSchema, message), traceparent, time: raisedAt });
    return true;
  }

  /** An alert the caller may see (its site or custody node in the caller's jurisdictions); 404 otherwise. */
  async find(tx: EntityManager, alertId: string, principal: Principal, lock = false): Promise<ProtectionAlertRow> {
    const [row] = (await tx.query(`SELECT * FROM routing_protection_alert WHERE alert_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [alertId])) as ProtectionAlertRow[];
    if (!row || !(coversJurisdiction(principal.jurisdictions, row.site_code) || coversJurisdiction(principal.jurisdictions, row.custody_node))) throw resourceNotFound('protection alert');
    return row;
  }

  /** Acknowledges an alert (again: answered as it is, no new event). */
  async acknowledge(alertId: string, principal: Principal, at: Date, traceparent?: string): Promise<ProtectionAlertRow> {
    return this.dataSource.transaction(async (tx) => {
      const current = await this.find(tx, alertId, principal, true);
      if (current.acknowledged_at) return current;
      // An UPDATE … RETURNING answers [rows, count].
      const [[row]] = (await tx.query(`UPDATE routing_protection_alert SET acknowledged_at = $2, acknowledged_by = $3 WHERE alert_id = $1 RETURNING *`, [alertId, at, principal.clientId])) as [ProtectionAlertRow[], number];
      await this.outbox.append(tx, {
        topic: Topics.routing.name,
        key: row.case_id,
        type: ProtectionAlertAcknowledgedSchema.typeName,
        payload: encodeEvent(ProtectionAlertAcknowledgedSchema, {
          alertId: row.alert_id,
          caseId: row.case_id,
          acknowledgedAt: toTimestamp(at),
          late: row.escalated_at !== null,
          actor: { clientId: principal.clientId, partnerId: principal.partnerId, node: principal.node },
        }),
        traceparent,
        time: at,
      });
      return row;
    });
  }

  /**
   * Escalates every alert unacknowledged at `now` whose deadline has passed, once each (rows are
   * claimed with SKIP LOCKED, so replicas sweeping together never escalate one twice). Returns
   * the escalated alert ids.
   */
  async escalateDue(now: Date, batch = 100): Promise<string[]> {
    return this.dataSource.transaction(async (tx) => {
      const due = (await tx.query(
        `UPDATE routing_protection_alert SET escalated_at = $1
          WHERE alert_id IN (SELECT alert_id FROM routing_protection_alert
                              WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND acknowledge_due_at <= $1
                              ORDER BY acknowledge_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [now, batch],
      )) as [ProtectionAlertRow[], number];
      const rows = due[0];
      if (rows.length) {
        await this.outbox.append(
          tx,
          ...rows.map((a) => ({
            topic: Topics.routing.name,
            key: a.case_id,
            type: ProtectionAlertEscalatedSchema.typeName,
            payload: encodeEvent(ProtectionAlertEscalatedSchema, { ...alertFields(a), escalatedAt: toTimestamp(now) }),
            time: now,
          })),
        );
      }
      return rows.map((a) => a.alert_id);
    });
  }
}

/** Polling interval of the escalation sweeper, from REFERRAL_POLL_INTERVAL_MS when the service has it; 0 turns it off (tests drive it). */
interface PollSettings {
  REFERRAL_POLL_INTERVAL_MS?: number;
}

/** Runs escalateDue on the service's clock every poll interval. */
@Injectable()
export class ProtectionAlertSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProtectionAlerts');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly alerts: ProtectionAlerts,
    private readonly clock: RoutingClock,
    private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = (this.config as ServiceConfig & PollSettings).REFERRAL_POLL_INTERVAL_MS ?? 1_000;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      this.running = this.sweep().catch((e: unknown) => this.logger.warn({ err: e }, 'protection alert sweep failed; retrying next round'));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round at the clock's now. */
  async sweep(): Promise<string[]> {
    const escalated = await this.alerts.escalateDue(this.clock.now());
    if (escalated.length) this.logger.warn({ alerts: escalated.length }, 'protection alerts escalated: not acknowledged in time');
    return escalated;
  }
}
