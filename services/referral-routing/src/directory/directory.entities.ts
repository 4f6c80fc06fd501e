import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import type { AgreementPurpose, DeliveryChannel, OrganizationKind, PartnerStatus, PartnerType, Pathway, ProgramStatus } from './vocabulary';

/** A schedule entry (HSDS `schedule`, simplified): on these weekdays, from `opensAt` to `closesAt` local time. */
export interface OpeningHours {
  /** RFC 5545 weekday codes: MO, TU, WE, TH, FR, SA, SU. */
  byDay: string[];
  /** `HH:MM`, 24 h, local time of the location. */
  opensAt: string;
  closesAt: string;
  /** e.g. "Closed on public holidays". */
  description?: string;
}

/** HSDS `service_area`: a country, optionally narrowed to first-level subdivisions (ISO 3166-2). */
export interface ServiceArea {
  country: string;
  subdivisions?: string[];
  description?: string;
}

/** HSDS `required_document`. */
export interface RequiredDocument {
  document: string;
  uri?: string;
}

/** HSDS `cost_option`, simplified: free, or a fee with a description. */
export interface Fees {
  free: boolean;
  description?: string;
}

/** HSDS `accessibility` at the program's locations. */
export interface Accessibility {
  description: string;
  details?: string;
}

/**
 * A partner organization (HSDS `organization`): who runs programs and receives referrals. The id
 * is the partner id its tokens carry (`partner_id`) and names its Kafka topic.
 */
@Entity({ name: 'directory_partner' })
export class PartnerEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'alternate_name', type: 'text', nullable: true })
  alternateName: string | null;

  @Column({ type: 'text' })
  kind: OrganizationKind;

  /** The type a consent may name instead of this partner's id. */
  @Column({ name: 'partner_type', type: 'text' })
  partnerType: PartnerType;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** ISO 3166-1 alpha-2 of the country it works in. */
  @Column({ type: 'char', length: 2 })
  country: string;

  /** The Puente node (ISO 3166-1 alpha-2) where its programs are hosted. */
  @Column({ type: 'char', length: 2 })
  node: string;

  @Column({ type: 'text', nullable: true })
  website: string | null;

  /** An institutional mailbox (never a person's). */
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text' })
  status: PartnerStatus;

  /** Channels its system receives referrals on (REST pull, webhook, its own Kafka topic). */
  @Column({ name: 'delivery_channels', type: 'text', array: true })
  deliveryChannels: DeliveryChannel[];

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  /** Envelope-encrypted webhook signing secret (see WebhookSecrets); never returned by the API. */
  @Column({ name: 'webhook_secret_id', type: 'uuid', nullable: true, select: false })
  webhookSecretId: string | null;

  @Column({ name: 'webhook_secret_kek_id', type: 'text', nullable: true, select: false })
  webhookSecretKekId: string | null;

  @Column({ name: 'webhook_secret_wrapped_key', type: 'bytea', nullable: true, select: false })
  webhookSecretWrappedKey: Buffer | null;

  @Column({ name: 'webhook_secret_ciphertext', type: 'text', nullable: true, select: false })
  webhookSecretCiphertext: string | null;

  @Column({ name: 'last_verified_on', type: 'date', nullable: true })
  lastVerifiedOn: string | null;

  @VersionColumn()
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A place where programs are delivered (HSDS `location`): an MRC, an office, a shelter. */
@Entity({ name: 'directory_location' })
export class LocationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'partner_id', type: 'text' })
  partnerId: string;

  @Column({ type: 'text' })
  name: string;

  /** The site code when the location is a registration site, e.g. GT-MRC-01. */
  @Column({ name: 'site_code', type: 'text', nullable: true })
  siteCode: string | null;

  @Column({ type: 'char', length: 2 })
  country: string;

  /** ISO 3166-2 subdivision, e.g. MX-CHP (Chiapas). */
  @Column({ type: 'text', nullable: true })
  subdivision: string | null;

  @Column({ type: 'text' })
  city: string;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ type: 'double precision', nullable: true })
  latitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude: number | null;

  @Column({ type: 'jsonb' })
  accessibility: Accessibility[];

  @Column({ name: 'opening_hours', type: 'jsonb' })
  openingHours: OpeningHours[];

  @VersionColumn()
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * A program (HSDS `service`) a partner runs on a pathway: who is eligible (a rule in screening's
 * rule language over the case's flags, age band, sex, nationality and location), how many open
 * slots it has, and how fast it must acknowledge and decide.
 */
@Entity({ name: 'directory_program' })
export class ProgramEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'partner_id', type: 'text' })
  partnerId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'alternate_name', type: 'text', nullable: true })
  alternateName: string | null;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text' })
  pathway: Pathway;

  @Column({ type: 'text' })
  status: ProgramStatus;

  /** Open Eligibility / 211 LA taxonomy code, e.g. `FT-1800.3000` (immigration legal services). */
  @Column({ name: 'taxonomy_code', type: 'text', nullable: true })
  taxonomyCode: string | null;

  /** The Puente node (ISO 3166-1 alpha-2) hosting the program: here or across a border. */
  @Column({ type: 'char', length: 2 })
  node: string;

  /** BCP 47 codes, e.g. `es`, `en`, `mam`, `k'iche'` → `quc`. */
  @Column({ type: 'text', array: true })
  languages: string[];

  @Column({ name: 'service_areas', type: 'jsonb' })
  serviceAreas: ServiceArea[];

  @Column({ name: 'required_documents', type: 'jsonb' })
  requiredDocuments: RequiredDocument[];

  @Column({ type: 'jsonb' })
  fees: Fees;

  @Column({ name: 'application_process', type: 'text', nullable: true })
  applicationProcess: string | null;

  /** Human-readable eligibility (HSDS `eligibility_description`). */
  @Column({ name: 'eligibility_description', type: 'text', nullable: true })
  eligibilityDescription: string | null;

  /** Machine eligibility: a rule in the shared rule language (libs/rules), or null for everyone. */
  @Column({ name: 'eligibility_rule', type: 'jsonb', nullable: true })
  eligibilityRule: unknown;

  @Column({ name: 'total_slots', type: 'integer' })
  totalSlots: number;

  /** Reserved atomically by referrals: `UPDATE … SET open_slots = open_slots - 1 WHERE open_slots > 0`. */
  @Column({ name: 'open_slots', type: 'integer' })
  openSlots: number;

  /** People waiting for a slot. */
  @Column({ type: 'integer' })
  waitlist: number;

  @Column({ name: 'sla_acknowledge_hours', type: 'integer' })
  slaAcknowledgeHours: number;

  @Column({ name: 'sla_decide_hours', type: 'integer' })
  slaDecideHours: number;

  /** An urgent protection alert creates a referral to this program without a caseworker. */
  @Column({ name: 'auto_refer_on_protection_alert', type: 'boolean' })
  autoReferOnProtectionAlert: boolean;

  @Column({ name: 'last_verified_on', type: 'date', nullable: true })
  lastVerifiedOn: string | null;

  @VersionColumn()
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** HSDS `service_at_location`: a program is delivered at a location. */
@Entity({ name: 'directory_program_location' })
export class ProgramLocationEntity {
  @PrimaryColumn({ name: 'program_id', type: 'uuid' })
  programId: string;

  @PrimaryColumn({ name: 'location_id', type: 'uuid' })
  locationId: string;
}

/**
 * A data-sharing agreement between this node and a partner: for which purposes data may be shared,
 * which fields per purpose (dotted paths, as libs/privacy `minimize` takes them), and when it is valid.
 */
@Entity({ name: 'directory_agreement' })
export class AgreementEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'partner_id', type: 'text' })
  partnerId: string;

  /** This node (ISO 3166-1 alpha-2), the other party. */
  @Column({ type: 'char', length: 2 })
  node: string;

  /** The signed instrument, e.g. "MOU GT-IOM 2025/014". */
  @Column({ type: 'text' })
  reference: string;

  @Column({ type: 'text', array: true })
  purposes: AgreementPurpose[];

  /** Fields per purpose, e.g. `{ "referral": ["ageBand", "sex", "nationality", "flags"] }`. */
  @Column({ name: 'fields_by_purpose', type: 'jsonb' })
  fieldsByPurpose: Partial<Record<AgreementPurpose, string[]>>;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom: string;

  /** Last day it is valid; null when open-ended. */
  @Column({ name: 'valid_until', type: 'date', nullable: true })
  validUntil: string | null;

  @Column({ name: 'terminated_at', type: 'timestamptz', nullable: true })
  terminatedAt: Date | null;

  @VersionColumn()
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export const directoryEntities = [PartnerEntity, LocationEntity, ProgramEntity, ProgramLocationEntity, AgreementEntity];
