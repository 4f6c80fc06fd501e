import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ALL_MILESTONES, REFERRAL_ACTIONS, REFERRAL_OUTCOMES, REFERRAL_STATUSES, type ReferralAction, type ReferralStatus, STATUS_REASONS } from './referral-state-machine';
import { MESSAGE_KINDS, type MessageKind } from './referral.entities';

const UUID_EXAMPLE = '7d3b2f5e-1c4a-4e8b-9f6d-2a1b3c4d5e6f';
/** How a caseworker came to make the referral. */
export const CASEWORKER_REQUEST_REASONS = ['caseworker_referral', 'routing_suggestion'] as const;

export class CreateReferralDto {
  @ApiProperty({ format: 'uuid', description: 'The case to refer (known to routing from intake, with a referral consent for the partner)', example: UUID_EXAMPLE })
  @IsUUID()
  caseId: string;

  @ApiProperty({ description: 'The program (from GET /v1/directory/programs or a routing suggestion)', example: '3f0c8a2e-9b1d-4c7e-8a5f-6d2e1b0c9a87' })
  @IsString()
  @Length(1, 64)
  programId: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Persons of the case’s household the referral covers (1 to 50)', example: ['0b9e7c1a-4d2f-4a8b-9c3e-5f6a7b8c9d0e'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  coveredPersonIds: string[];

  @ApiProperty({ enum: CASEWORKER_REQUEST_REASONS, description: 'By hand, or from a routing suggestion', example: 'routing_suggestion' })
  @IsIn(CASEWORKER_REQUEST_REASONS)
  reason: (typeof CASEWORKER_REQUEST_REASONS)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'The routing suggestion it follows, if any' })
  @IsOptional()
  @IsUUID()
  suggestionId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A referral of yours this one is part of (FHIR Task.partOf): a sub-referral' })
  @IsOptional()
  @IsUUID()
  partOf?: string;
}

export class ReferralIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

const CASEWORKER_ACTIONS = ['cancel', 'hold', 'resume', 'mark_in_error'] as const;
const PARTNER_ACTIONS = ['receive', 'accept', 'reject', 'start', 'hold', 'resume', 'progress', 'complete'] as const;
export type CaseworkerAction = (typeof CASEWORKER_ACTIONS)[number];
export type PartnerAction = (typeof PARTNER_ACTIONS)[number];

export class CaseworkerActionParamsDto extends ReferralIdParamsDto {
  @ApiProperty({ enum: CASEWORKER_ACTIONS })
  @IsIn(CASEWORKER_ACTIONS)
  action: CaseworkerAction;
}

export class PartnerActionParamsDto extends ReferralIdParamsDto {
  @ApiProperty({ enum: PARTNER_ACTIONS })
  @IsIn(PARTNER_ACTIONS)
  action: PartnerAction;
}

export class TransitionDto {
  @ApiProperty({ enum: STATUS_REASONS, description: 'Coded reason of the transition (FHIR Task.statusReason); each action accepts its own codes', example: 'meets_criteria' })
  @IsIn(STATUS_REASONS)
  reason: string;

  @ApiPropertyOptional({ enum: ALL_MILESTONES, description: 'Milestone reached (progress: required; start/complete: optional), forward only along the pathway', example: 'interview' })
  @IsOptional()
  @IsIn(ALL_MILESTONES)
  milestone?: string;

  @ApiPropertyOptional({ enum: REFERRAL_OUTCOMES, description: 'Outcome (complete only, required there)', example: 'status_granted' })
  @IsOptional()
  @IsIn(REFERRAL_OUTCOMES)
  outcome?: string;
}

/** PATCH body: the same transition as the POST action routes, named in the body. */
export class PatchReferralDto extends TransitionDto {
  @ApiProperty({ enum: CASEWORKER_ACTIONS })
  @IsIn(CASEWORKER_ACTIONS)
  action: CaseworkerAction;
}

export class ListReferralsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsIn(REFERRAL_STATUSES)
  status?: ReferralStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only referrals of this case' })
  @IsOptional()
  @IsUUID()
  caseId?: string;
}

export class PostMessageDto {
  @ApiProperty({ enum: MESSAGE_KINDS, example: 'information_request' })
  @IsIn(MESSAGE_KINDS)
  kind: MessageKind;

  @ApiProperty({ description: 'The message (1 to 4000 characters). Stays in this service: events say only that a message was posted.', example: 'Please confirm the date of the last threat.' })
  @IsString()
  @Length(1, 4000)
  @Matches(/\S/, { message: 'body must not be blank' })
  body: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The message it answers' })
  @IsOptional()
  @IsUUID()
  inReplyTo?: string;
}

export class TransitionRecordDto {
  @ApiProperty({ enum: ['request', ...REFERRAL_ACTIONS] })
  action: ReferralAction | 'request';
  @ApiProperty({ type: String, enum: REFERRAL_STATUSES, nullable: true })
  fromStatus: ReferralStatus | null;
  @ApiProperty({ enum: REFERRAL_STATUSES })
  toStatus: ReferralStatus;
  @ApiProperty({ enum: STATUS_REASONS })
  reason: string;
  @ApiProperty({ type: String, nullable: true, enum: ALL_MILESTONES })
  businessStatus: string | null;
  @ApiProperty({ enum: ['referrer', 'partner', 'system'] })
  actorRole: string;
  @ApiProperty({ example: 'gt-mrc-01-caseworker-app' })
  actorClient: string;
  @ApiProperty({ example: 'GT-MRC-01' })
  actorPartner: string;
  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class ReferralDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  caseId: string;
  @ApiProperty({ format: 'uuid' })
  programId: string;
  @ApiProperty({ example: 'MX-COMAR' })
  partnerId: string;
  @ApiProperty({ example: 'asylum' })
  pathway: string;
  @ApiProperty({ type: [String] })
  coveredPersonIds: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  partOf: string | null;
  @ApiProperty({ enum: REFERRAL_STATUSES })
  status: ReferralStatus;
  @ApiProperty({ enum: STATUS_REASONS })
  statusReason: string;
  @ApiProperty({ type: String, enum: ALL_MILESTONES, nullable: true, description: 'Latest milestone (FHIR Task.businessStatus)' })
  businessStatus: string | null;
  @ApiProperty({ type: String, enum: REFERRAL_OUTCOMES, nullable: true })
  outcome: string | null;
  @ApiProperty({ type: [String], example: ['rest_pull', 'webhook'] })
  channels: string[];
  @ApiProperty({ format: 'date-time' })
  acknowledgeDueAt: string;
  @ApiProperty({ format: 'date-time' })
  decideDueAt: string;
  @ApiProperty({ example: 'GT-MRC-01' })
  referringPartnerId: string;
  @ApiProperty({ example: 'GT' })
  referringNode: string;
  @ApiProperty({ type: [String], description: 'What the caller may do now' })
  allowedActions: string[];
  @ApiProperty()
  version: number;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ReferralDetailDto extends ReferralDto {
  @ApiProperty({ type: [TransitionRecordDto] })
  history: TransitionRecordDto[];
}

export class PartnerReferralDto extends ReferralDetailDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The case, minimized to your data-sharing agreement and the person’s consents (ids and attributes; never identity)',
    example: { caseId: UUID_EXAMPLE, ageBand: '18-59', nationality: 'HN', flags: ['fear_of_return'] },
  })
  case: Record<string, unknown>;
}

export class ReferralMessageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  referralId: string;
  @ApiProperty({ enum: ['referrer', 'partner'] })
  author: string;
  @ApiProperty({ enum: MESSAGE_KINDS })
  kind: string;
  @ApiProperty()
  body: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  inReplyTo: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
