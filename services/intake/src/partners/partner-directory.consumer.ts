import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { decodeEvent, EventDecodeError, fromTimestamp, PartnerType, Topics } from '@puente/contracts';
import { type ConsumedEvent, type EventContext, NonRetryableError } from '@puente/messaging';
import { toRest } from '../common/enums';
import { PARTNER_ID_PATTERN } from './partner-directory.dto';

const COUNTRY = /^[A-Z]{2}$/;

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
    const label = partner.label.trim();
    if (!PARTNER_ID_PATTERN.test(partner.partnerId) || !COUNTRY.test(partner.country) || label.length === 0 || label.length > 200 || partner.version < 1) {
      throw new NonRetryableError('PartnerChanged without a valid partner id, label, country or version');
    }
    if (partner.partnerType === PartnerType.UNSPECIFIED || PartnerType[partner.partnerType] === undefined) {
      throw new NonRetryableError('PartnerChanged without a partner type a consent may name');
    }
    const changedAt = partner.changedAt ? fromTimestamp(partner.changedAt) : new Date(consumed.producedAt);
    const applied: unknown[] = await tx.query(
      `INSERT INTO partner_directory_entry (id, name, country, partner_type, active, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country, partner_type = EXCLUDED.partner_type,
         active = EXCLUDED.active, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version
       WHERE partner_directory_entry.version < EXCLUDED.version
       RETURNING id`,
      [partner.partnerId, label, partner.country, toRest(PartnerType, partner.partnerType), partner.active, changedAt, partner.version],
    );
    if (applied.length === 0) this.logger.debug(`partner ${partner.partnerId} version ${partner.version} is not newer than the one held; ignored`);
  }
}
