import { partnerTopic } from '@puente/contracts';

/**
 * The directory's controlled vocabularies, in the domain's words. Each list is the single source
 * for the database CHECK constraints (see directory.migration.ts), the DTO validation and Swagger.
 */

/** Kinds of organization that run programs (HSDS `organization`, narrowed to Puente's partners). */
export const ORGANIZATION_KINDS = ['government_agency', 'international_organization', 'ngo', 'employer'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/**
 * The partner types a consent may name (intake's PartnerType, in words): a referral consent for
 * "any resettlement program" covers every partner of that type.
 */
export const PARTNER_TYPES = [
  'government_asylum_agency',
  'resettlement_program',
  'consulate',
  'labor_ministry',
  'return_reception_agency',
  'international_organization',
  'ngo_service_provider',
] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

/** Protection and lawful pathways, then immediate services, a program belongs to. */
export const PATHWAYS = [
  'asylum',
  'resettlement',
  'cam',
  'pta',
  'idp_protection',
  'labor_h2a',
  'labor_h2b',
  'third_country_labor',
  'family_reunification',
  'assisted_voluntary_return',
  'shelter',
  'cash_assistance',
  'legal_aid',
  'medical',
  'psychosocial',
  'reintegration',
  'child_protection',
] as const;
export type Pathway = (typeof PATHWAYS)[number];

/** HSDS service status. */
export const PROGRAM_STATUSES = ['active', 'inactive', 'defunct', 'temporarily_closed'] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];

/** Organization status: an inactive partner receives nothing new. */
export const PARTNER_STATUSES = ['active', 'inactive'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** How a partner's system receives referrals. */
export const DELIVERY_CHANNELS = ['rest_pull', 'webhook', 'kafka'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** What a data-sharing agreement allows data to be shared for (intake's consent purposes, less screening). */
export const AGREEMENT_PURPOSES = ['referral', 'cross_border_transfer', 'data_sharing'] as const;
export type AgreementPurpose = (typeof AGREEMENT_PURPOSES)[number];

/** Age bands routing knows a case by (never a birth date): intake's AgeBand, in words. */
export const AGE_BANDS = ['0-4', '5-11', '12-17', '18-59', '60+', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Sex as recorded at intake (intake's Sex, in words). */
export const SEXES = ['female', 'male', 'other', 'undisclosed'] as const;
export type Sex = (typeof SEXES)[number];

/**
 * Kafka topic on which a partner receives its referrals (DESIGN §4: partner outbound), from the
 * topic catalog: `puente.partner.<partner id in lower case>.v1`.
 */
export function partnerKafkaTopic(partnerId: string): string {
  return partnerTopic(partnerId.toLowerCase());
}

/**
 * Partner ids are token `partner_id` claims (e.g. `MX-COMAR`) and, in lower case, Kafka topic
 * segments: letters and digits in groups joined by single hyphens, at most 64 characters, unique
 * regardless of case (so two partners never share a topic).
 */
export const DIRECTORY_PARTNER_ID_PATTERN = /^(?=.{2,64}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/;

/** SQL list literal of a vocabulary, for CHECK constraints: `'a', 'b'`. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
}
