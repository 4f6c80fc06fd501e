import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { decodeEvent, EventDecodeError, fromTimestamp, type MatchKeysPublished, type MatchKeysWithdrawn, Topics } from '@puente/contracts';
import { type ConsumedEvent, type EventContext, NonRetryableError } from '@puente/messaging';
import { MATCH_RULES, type MatchKey } from '@puente/privacy';
import { IntakeConfig } from '../config/intake.config';
import { IntakeEvents } from '../events/intake-events';
import { DuplicateDetector } from './duplicate-detector';

const NODE = /^[A-Z]{2}$/;
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const VALUE = /^[A-Za-z0-9_-]{1,128}$/;
const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Match keys published by partner nodes (MatchKeysPublished replaces a reference's keys,
 * MatchKeysWithdrawn deletes them). New keys are compared with local persons at once: each
 * match at or above the threshold becomes a possible duplicate on the local person's case.
 * This node's own events on the topic are ignored.
 */
@Controller()
export class PartnerMatchKeysConsumer {
  private readonly logger = new Logger('PartnerMatchKeys');

  constructor(
    private readonly detector: DuplicateDetector,
    private readonly events: IntakeEvents,
    private readonly config: IntakeConfig,
  ) {}

  @EventPattern(Topics.intakeMatchKeys.name, { types: ['puente.intake.v1.MatchKeysPublished', 'puente.intake.v1.MatchKeysWithdrawn'], ignoreOwnEvents: true })
  async onMatchKeys(@Payload() consumed: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    let message: MatchKeysPublished | MatchKeysWithdrawn;
    try {
      message = decodeEvent(consumed.type as 'puente.intake.v1.MatchKeysPublished' | 'puente.intake.v1.MatchKeysWithdrawn', consumed.payload);
    } catch (error) {
      if (error instanceof EventDecodeError) throw new NonRetryableError(error.message);
      throw error;
    }
    if (message.node === this.config.PUENTE_NODE) return;
    if (!NODE.test(message.node) || !REFERENCE.test(message.personId)) throw new NonRetryableError('match-key event without a valid node or person reference');
    await tx.query('DELETE FROM partner_match_key WHERE node = $1 AND reference = $2', [message.node, message.personId]);
    if (message.$typeName === 'puente.intake.v1.MatchKeysWithdrawn') return;

    const keys: MatchKey[] = message.keys
      .filter((k) => (MATCH_RULES as string[]).includes(k.rule) && KID.test(k.kid) && VALUE.test(k.value))
      .map((k) => ({ rule: k.rule as MatchKey['rule'], kid: k.kid, value: k.value }));
    if (keys.length === 0) return;
    const publishedAt = message.publishedAt ? fromTimestamp(message.publishedAt) : new Date(consumed.producedAt);
    await tx.query(
      `INSERT INTO partner_match_key (node, reference, kid, rule, value, published_at)
       SELECT $1, $2, k, r, v, $6 FROM unnest($3::text[], $4::text[], $5::text[]) AS t (k, r, v)
       ON CONFLICT (node, reference, kid, rule) DO UPDATE SET value = EXCLUDED.value, published_at = EXCLUDED.published_at`,
      [message.node, message.personId, keys.map((k) => k.kid), keys.map((k) => k.rule), keys.map((k) => k.value), publishedAt],
    );

    // The partner's record against every local person sharing a key, scored from the local side.
    const locals = await this.detector.candidates(tx, keys, { partners: false });
    const now = new Date();
    const events = [];
    for (const local of locals) {
      const cases: { case_id: string }[] = await tx.query('SELECT case_id FROM case_person WHERE person_id = $1 ORDER BY added_at, case_id LIMIT 1', [local.reference]);
      if (cases.length === 0) continue;
      const theirs = { node: message.node, reference: message.personId, keys: local.keys };
      const found = await this.detector.record(tx, { personId: local.reference, caseId: cases[0].case_id }, local.keys, [theirs], now);
      events.push(...found.events);
    }
    if (events.length > 0) {
      await this.events.append(tx, consumed.traceparent, events, now);
      this.logger.log(`${events.length} possible duplicate(s) with records of node ${message.node}`);
    }
  }
}
