import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { decodeEvent, EventDecodeError, fromTimestamp, Topics } from '@puente/contracts';
import { type ConsumedEvent, type EventContext, NonRetryableError } from '@puente/messaging';
import { followedPartner } from './followed-partner';

/**
 * Intake follows referral-routing's program directory: each PartnerChanged carries the partner's
 * whole public state and its version, so the partners a consent may name are kept here without
 * another call. A version older than (or equal to) the one held is ignored, so a replay or an
 * out-of-order delivery never brings back an old name or a lifted deactivation.
 */
@Controller()
export class PartnerDirectoryFollower {
  private readonly logger = new Logger('PartnerDirectoryFollower');

  @EventPattern(Topics.directory.name, { types: ['puente.referral.v1.PartnerChanged'] })
  async onPartnerChanged(@Payload() consumed: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    let partner;
    try {
      partner = decodeEvent('puente.referral.v1.PartnerChanged', consumed.payload);
    } catch (error) {
      if (error instanceof EventDecodeError) throw new NonRetryableError(error.message);
      throw error;
    }
    const row = followedPartner(partner);
    if ('refused' in row) throw new NonRetryableError(`PartnerChanged without a valid ${row.refused}`);
    const changedAt = partner.changedAt ? fromTimestamp(partner.changedAt) : new Date(consumed.producedAt);
    const applied: unknown[] = await tx.query(
      `INSERT INTO partner_directory_entry (id, name, country, partner_type, active, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country, partner_type = EXCLUDED.partner_type,
         active = EXCLUDED.active, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version
       WHERE partner_directory_entry.version < EXCLUDED.version
       RETURNING id`,
      [row.id, row.name, row.country, row.partnerType, row.active, changedAt, row.version],
    );
    if (applied.length === 0) this.logger.debug(`partner ${row.id} version ${row.version} is not newer than the one held; ignored`);
  }
}
