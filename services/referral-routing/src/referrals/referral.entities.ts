import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { DeliveryChannel } from '../directory/vocabulary';
import type { HoldableStatus, ReferralAction, ReferralRole, ReferralStatus } from './referral-state-machine';

/** A request that a partner's program serve a case (FHIR Task). Columns: see CreateReferrals1797000000100. */
@Entity({ name: 'referral' })
export class ReferralEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'program_id', type: 'uuid' })
  programId: string;

  /** The receiving partner (the program's). */
  @Column({ name: 'partner_id', type: 'text' })
  partnerId: string;

  @Column({ type: 'text' })
  pathway: string;

  @Column({ name: 'covered_person_ids', type: 'uuid', array: true })
  coveredPersonIds: string[];

  /** FHIR Task.partOf: the referral this one was made under. */
  @Column({ name: 'part_of', type: 'uuid', nullable: true })
  partOf: string | null;

  @Column({ name: 'suggestion_id', type: 'uuid', nullable: true })
  suggestionId: string | null;

  @Column({ type: 'text' })
  status: ReferralStatus;

  @Column({ name: 'held_from', type: 'text', nullable: true })
  heldFrom: HoldableStatus | null;

  @Column({ name: 'business_status', type: 'text', nullable: true })
  businessStatus: string | null;

  @Column({ name: 'status_reason', type: 'text' })
  statusReason: string;

  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @Column({ type: 'text', array: true })
  channels: DeliveryChannel[];

  @Column({ name: 'slot_reserved', type: 'boolean' })
  slotReserved: boolean;

  @Column({ name: 'acknowledge_due_at', type: 'timestamptz' })
  acknowledgeDueAt: Date;

  @Column({ name: 'decide_due_at', type: 'timestamptz' })
  decideDueAt: Date;

  /** The referring site's node and partner (e.g. GT, GT-MRC-01): where outcomes go back to. */
  @Column({ name: 'referring_node', type: 'char', length: 2 })
  referringNode: string;

  @Column({ name: 'referring_partner_id', type: 'text' })
  referringPartnerId: string;

  @Column({ name: 'requested_by_client', type: 'text' })
  requestedByClient: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One transition of a referral, with who did it, when and why. */
@Entity({ name: 'referral_transition' })
export class ReferralTransitionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'referral_id', type: 'uuid' })
  referralId: string;

  @Column({ type: 'text' })
  action: ReferralAction | 'request';

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: ReferralStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: ReferralStatus;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'business_status', type: 'text', nullable: true })
  businessStatus: string | null;

  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole: ReferralRole;

  @Column({ name: 'actor_client', type: 'text' })
  actorClient: string;

  @Column({ name: 'actor_partner', type: 'text' })
  actorPartner: string;

  @Column({ type: 'timestamptz' })
  at: Date;
}

export const MESSAGE_KINDS = ['information_request', 'information_response', 'note'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** A message between the referring caseworker and the partner on a referral. */
@Entity({ name: 'referral_message' })
export class ReferralMessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'referral_id', type: 'uuid' })
  referralId: string;

  @Column({ type: 'text' })
  author: 'referrer' | 'partner';

  @Column({ type: 'text' })
  kind: MessageKind;

  @Column({ type: 'text' })
  body: string;

  @Column({ name: 'in_reply_to', type: 'uuid', nullable: true })
  inReplyTo: string | null;

  @Column({ name: 'posted_by_client', type: 'text' })
  postedByClient: string;

  @Column({ name: 'posted_by_partner', type: 'text' })
  postedByPartner: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export const referralEntities = [ReferralEntity, ReferralTransitionEntity, ReferralMessageEntity];
