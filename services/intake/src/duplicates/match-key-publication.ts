import { Injectable } from '@nestjs/common';
import { MatchKeysPublishedSchema, MatchKeysWithdrawalReason, MatchKeysWithdrawnSchema, toTimestamp, Topics } from '@puente/contracts';
import type { MatchKey, MatchRule } from '@puente/privacy';
import type { EntityManager } from 'typeorm';
import { IntakeConfig } from '../config/intake.config';
import { consentAllows } from '../consents/consent-rules';
import { event, type IntakeEvent } from '../events/intake-events';

/** What the consent check needs of a consent row. */
export interface ConsentTermsInForce {
  purpose: string;
  partnerId: string | null;
  partnerType: string | null;
  destinationCountry: string | null;
  validFrom: Date;
  validUntil: Date | null;
  withdrawnAt: Date | null;
}

/**
 * The one place that decides whether a person's match keys leave this node, and the events that
 * publish or retract them (on the match-key topic, keyed by person id). Keys are published only
 * while an identity-matching consent is in force; they are retracted when that consent is
 * withdrawn (and no other is in force) and when the person is erased. Federation asks
 * `mayPublish` before sending keys to another node.
 */
@Injectable()
export class MatchKeyPublication {
  constructor(private readonly config: IntakeConfig) {}

  /** Whether these consents (of one person) allow publishing their match keys at `at`. */
  allowedBy(consents: readonly ConsentTermsInForce[], at: Date): boolean {
    return consents.some((c) => consentAllows(c, { purpose: 'identity_matching' }, at));
  }

  /** Whether the person's recorded consents allow publishing their match keys at `at`. */
  async mayPublish(db: EntityManager, personId: string, at: Date): Promise<boolean> {
    const rows: ConsentTermsInForce[] = await db.query(
      `SELECT purpose, partner_id AS "partnerId", partner_type AS "partnerType", destination_country AS "destinationCountry",
         valid_from AS "validFrom", valid_until AS "validUntil", withdrawn_at AS "withdrawnAt"
       FROM consent WHERE person_id = $1 AND purpose = 'identity_matching'`,
      [personId],
    );
    return this.allowedBy(rows, at);
  }

  /** MatchKeysPublished for these keys, or nothing without keys. */
  published(personId: string, keys: readonly MatchKey[], at: Date): IntakeEvent[] {
    if (keys.length === 0) return [];
    const message = { personId, node: this.config.PUENTE_NODE, keys: keys.map((k) => ({ rule: k.rule, kid: k.kid, value: k.value })), publishedAt: toTimestamp(at) };
    return [event(MatchKeysPublishedSchema, message, personId, Topics.intakeMatchKeys.name)];
  }

  withdrawn(personId: string, reason: MatchKeysWithdrawalReason, at: Date): IntakeEvent {
    return event(MatchKeysWithdrawnSchema, { personId, node: this.config.PUENTE_NODE, withdrawnAt: toTimestamp(at), reason }, personId, Topics.intakeMatchKeys.name);
  }

  /** After the person's keys were recomputed (a correction): the new keys, or their retraction, if consented. */
  async afterKeysChanged(db: EntityManager, personId: string, keys: readonly MatchKey[], at: Date): Promise<IntakeEvent[]> {
    if (!(await this.mayPublish(db, personId, at))) return [];
    return keys.length > 0 ? this.published(personId, keys, at) : [this.withdrawn(personId, MatchKeysWithdrawalReason.NO_KEYS, at)];
  }

  /** After an identity-matching consent was recorded: the person's stored keys, if it is in force. */
  async afterConsentRecorded(db: EntityManager, personId: string, at: Date): Promise<IntakeEvent[]> {
    if (!(await this.mayPublish(db, personId, at))) return [];
    const rows: { kid: string; rule: MatchRule; value: string }[] = await db.query('SELECT kid, rule, value FROM person_match_key WHERE person_id = $1 ORDER BY rule, kid', [personId]);
    return this.published(personId, rows, at);
  }

  /** After an identity-matching consent was withdrawn: the retraction, unless another is still in force. */
  async afterConsentWithdrawn(db: EntityManager, personId: string, at: Date): Promise<IntakeEvent[]> {
    return (await this.mayPublish(db, personId, at)) ? [] : [this.withdrawn(personId, MatchKeysWithdrawalReason.CONSENT_WITHDRAWN, at)];
  }
}
