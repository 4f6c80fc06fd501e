import { Inject, Injectable, Logger } from '@nestjs/common';
import { encodeEvent, MatchKeysWithdrawalReason, MatchKeysWithdrawnSchema, toTimestamp } from '@puente/contracts';
import { attachEnvelope, decideCrossing, protectionOf, type BorderSubject, type ExchangeWriter, type NodeRegistry, peersThatReceived, recordDeliveries, unsentNodeNotices } from '@puente/federation';
import type { ConsumedEvent } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { overridesOf } from '../protection/override-store';
import { liftedAt } from '../protection/protection-override-rules';
import { EXCHANGE_WRITER, NODE_REGISTRY } from './federation.tokens';

const PUBLISHED = 'puente.intake.v1.MatchKeysPublished';
const WITHDRAWN = 'puente.intake.v1.MatchKeysWithdrawn';
/** What a match-key envelope carries (the keyed HMACs only). */
const MATCH_KEY_FIELDS = ['matchKeys'];

/**
 * The border for match keys: this node's own MatchKeysPublished / MatchKeysWithdrawn events are
 * sent, as sealed envelopes, to each peer the border rules allow (agreement with that node,
 * identity-matching consent in force, protection block). A peer that holds keys of a person the
 * rules no longer allow it to hold (consent withdrawn, fear of return recorded, erasure) gets a
 * retraction.
 */
@Injectable()
export class MatchKeyBorder {
  private readonly logger = new Logger('MatchKeyBorder');

  constructor(
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
    @Inject(EXCHANGE_WRITER) private readonly writer: ExchangeWriter,
    private readonly publication: MatchKeyPublication,
  ) {}

  /** What the border needs to know about a person (no personal data leaves this method). */
  async subjectOf(tx: EntityManager, personId: string, at: Date): Promise<BorderSubject | null> {
    const rows: { nationality: string; flags: string[]; erased: boolean }[] = await tx.query(
      'SELECT nationality, vulnerability_flags AS flags, erased_at IS NOT NULL AS erased FROM person WHERE id = $1',
      [personId],
    );
    const sentTo = await peersThatReceived(tx, personId, ['match-keys']);
    if (rows.length === 0 || rows[0].erased) return { nationality: null, fearOfReturn: false, asylumClaim: false, protectionFlags: [], consents: [], sentTo, overrides: [] };
    const consented = await this.publication.mayPublish(tx, personId, at);
    return {
      nationality: rows[0].nationality,
      // Fear of return, an asylum claim lodged here or refugee status recognized here (flags).
      ...protectionOf(rows[0].flags),
      consents: consented ? [{ purpose: 'identity_matching' }] : [],
      sentTo,
      // Audited overrides an officer recorded, while they are in force.
      overrides: liftedAt(await overridesOf(tx, personId), at),
    };
  }

  /** Handles one of this node's own match-key events (inside the consumer's transaction). */
  async onOwnEvent(event: ConsumedEvent, tx: EntityManager): Promise<number> {
    const personId = event.key;
    if (!personId) return 0;
    const at = new Date();
    const subject = await this.subjectOf(tx, personId, at);
    if (!subject) return 0;
    const sends: Parameters<ExchangeWriter['send']>[1][] = [];
    // A retraction the border decides says no more than "withdrawn" (never why: that could reveal protection).
    const retraction = event.type === WITHDRAWN ? event.payload : encodeEvent(MatchKeysWithdrawnSchema, { personId, node: this.registry.node, withdrawnAt: toTimestamp(at), reason: MatchKeysWithdrawalReason.UNSPECIFIED });
    const retract = (to: string) => sends.push({ to, kind: 'match-keys-retraction', key: personId, payload: retraction, traceparent: event.traceparent });
    if (event.type === WITHDRAWN) {
      for (const to of subject.sentTo) if (decideCrossing('match-keys-retraction', subject, this.registry.agreementWith(to), []).allowed) retract(to);
    } else if (event.type === PUBLISHED) {
      for (const to of this.registry.peers) {
        const decision = decideCrossing('match-keys', subject, this.registry.agreementWith(to), MATCH_KEY_FIELDS);
        if (decision.allowed && decision.fields.includes('matchKeys')) {
          sends.push({ to, kind: 'match-keys', key: personId, payload: event.payload, traceparent: event.traceparent });
        } else if (subject.sentTo.includes(to)) {
          retract(to);
        }
      }
    }
    if (sends.length > 0) {
      const ids = await this.writer.send(tx, ...sends);
      // Keys sent are deliveries (a later withdrawal or erasure owes those nodes a notice); a
      // retraction sent carries the notices waiting for it (its receipt is theirs).
      const delivered = sends.flatMap((s, i) => (s.kind === 'match-keys' ? [{ receiverType: 'node' as const, receiver: s.to, channel: 'match-keys', envelopeId: ids[i], personId, fields: MATCH_KEY_FIELDS }] : []));
      await recordDeliveries(tx, delivered, at);
      for (const [i, s] of sends.entries()) {
        if (s.kind !== 'match-keys-retraction') continue;
        const waiting = await unsentNodeNotices(tx, personId, s.to, 'match-keys-retraction');
        await attachEnvelope(tx, waiting.map((n) => n.noticeId), ids[i]);
      }
      this.logger.log(`${sends.length} match-key envelope(s) to ${[...new Set(sends.map((s) => s.to))].join(', ')}`);
    }
    return sends.length;
  }
}
