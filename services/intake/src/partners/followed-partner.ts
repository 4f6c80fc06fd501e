import { type PartnerChanged, PartnerType } from '@puente/contracts';
import { toRest } from '../common/enums';
import { PARTNER_ID_PATTERN } from './partner-directory.dto';

const COUNTRY = /^[A-Z]{2}$/;
const MAX_NAME = 200;
// The version column is a PostgreSQL int; the event's is a uint32.
const MAX_VERSION = 2_147_483_647;

/** The row intake keeps of a partner announced by the directory. */
export interface FollowedPartner {
  id: string;
  name: string;
  country: string;
  partnerType: string;
  active: boolean;
  version: number;
}

/**
 * The partner a PartnerChanged describes, or the reason it cannot be followed (an id, country,
 * label, type or version intake's table and consents could not hold). The label is the
 * organization's public name.
 */
export function followedPartner(event: Pick<PartnerChanged, 'partnerId' | 'label' | 'country' | 'partnerType' | 'active' | 'version'>): FollowedPartner | { refused: string } {
  const name = event.label.trim();
  if (!PARTNER_ID_PATTERN.test(event.partnerId)) return { refused: 'partner id' };
  if (name.length === 0 || name.length > MAX_NAME) return { refused: 'label' };
  if (!COUNTRY.test(event.country)) return { refused: 'country' };
  if (event.partnerType === PartnerType.UNSPECIFIED || typeof PartnerType[event.partnerType] !== 'string') return { refused: 'partner type' };
  if (!Number.isInteger(event.version) || event.version < 1 || event.version > MAX_VERSION) return { refused: 'version' };
  return { id: event.partnerId, name, country: event.country, partnerType: toRest(PartnerType, event.partnerType), active: event.active, version: event.version };
}
