import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SITE_CODE_PATTERN } from '@puente/auth';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { RECEPTION_SERVICES, type ReceptionServiceCode } from '../centers/center.entity';
import { ManifestPersonDto } from '../manifests/manifest.dto';

const STAFF_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const STAFF_ID_MESSAGE = '$property must be a staff or desk identifier such as GT-CRM-01/desk-3 (not a name)';

export const CHECK_IN_OUTCOMES = ['arrived', 'sent_to_hospital'] as const;
/** Consent purposes reception asks for at check-in (intake's consent table); `referral` for family tracing and other referrals through routing. */
export const CHECK_IN_CONSENT_PURPOSES = ['reception_services', 'reintegration_support', 'follow_up_contact', 'referral'] as const;
export const CONSENT_METHODS = ['written', 'verbal_with_witness', 'guardian', 'electronic'] as const;
export const CONCERN_CODES = [
  'unaccompanied_child',
  'separated_child',
  'fear_of_return',
  'trafficking_indicators',
  'survivor_of_violence',
  'medical_emergency',
  'psychosocial_distress',
  'other',
] as const;
export type ConcernCode = (typeof CONCERN_CODES)[number];
export const PLACEMENTS = ['verified_guardian', 'authority_placement'] as const;

export class CheckInDto {
  @ApiProperty({ enum: CHECK_IN_OUTCOMES, example: 'arrived' })
  @IsIn(CHECK_IN_OUTCOMES)
  outcome: (typeof CHECK_IN_OUTCOMES)[number];

  @ApiProperty({ example: 'GT-CRM-01/desk-3' })
  @IsString()
  @Matches(STAFF_ID, { message: STAFF_ID_MESSAGE })
  desk: string;

  @ApiPropertyOptional({ enum: CHECK_IN_CONSENT_PURPOSES, isArray: true, example: ['reception_services', 'reintegration_support'], description: 'Services the person accepts: each recorded as a consent at intake' })
  @IsOptional()
  @ArrayMaxSize(CHECK_IN_CONSENT_PURPOSES.length)
  @ArrayUnique()
  @IsIn(CHECK_IN_CONSENT_PURPOSES, { each: true })
  consents?: (typeof CHECK_IN_CONSENT_PURPOSES)[number][];

  @ApiPropertyOptional({ enum: CONSENT_METHODS, example: 'verbal_with_witness', description: 'How the consents were given (required with consents)' })
  @IsOptional()
  @IsIn(CONSENT_METHODS)
  consentMethod?: (typeof CONSENT_METHODS)[number];

  @ApiPropertyOptional({ example: 'GT-CRM-01/sw-0042', description: 'Staff identifier of the witness of a verbal consent' })
  @IsOptional()
  @IsString()
  @Matches(STAFF_ID, { message: STAFF_ID_MESSAGE })
  witnessedBy?: string;

  @ApiPropertyOptional({
    example: 'PGN-GT-2026-0042',
    description: "For a child's consents (method guardian): the file of the guardian or the child-protection authority acting as one (a reference, not a name)",
  })
  @IsOptional()
  @IsString()
  @Matches(STAFF_ID, { message: '$property must be a file reference such as PGN-GT-2026-0042' })
  guardianReference?: string;
}

export class DeliverServiceDto {
  @ApiProperty({ enum: RECEPTION_SERVICES, example: 'hygiene_kit' })
  @IsIn(RECEPTION_SERVICES)
  service: ReceptionServiceCode;
}

export class RaiseConcernDto {
  @ApiProperty({ enum: CONCERN_CODES, isArray: true, example: ['fear_of_return'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(CONCERN_CODES.length)
  @ArrayUnique()
  @IsIn(CONCERN_CODES, { each: true })
  concerns: ConcernCode[];
}

export class HandOverDto {
  @ApiProperty({ example: 'PGN-GT/officer-117', description: "Identifier of the authority's receiving officer (badge or staff id, not a name)" })
  @IsString()
  @Matches(STAFF_ID, { message: STAFF_ID_MESSAGE })
  receivingOfficer: string;

  @ApiProperty({ enum: PLACEMENTS, example: 'verified_guardian' })
  @IsIn(PLACEMENTS)
  placement: (typeof PLACEMENTS)[number];

  @ApiProperty({ example: 'PGN-GT-2026-0042', description: "The authority's file of the verification or placement" })
  @IsString()
  @Matches(STAFF_ID, { message: '$property must be a file reference such as PGN-GT-2026-0042' })
  verificationReference: string;

  @ApiPropertyOptional({ example: true, description: 'For verified_guardian: the authority verified the adult is the parent or legal guardian' })
  @IsOptional()
  @IsBoolean()
  guardianVerified?: boolean;
}

export class WalkInDto {
  @ApiProperty({ example: 'GT-CRM-TECUN' })
  @IsString()
  @Matches(SITE_CODE_PATTERN, { message: 'centerCode must be a center code such as GT-CRM-01' })
  centerCode: string;

  @ApiProperty({ type: ManifestPersonDto, description: 'The person (checked like a manifest row; sent to intake, not kept here)' })
  @IsObject()
  person: Record<string, unknown>;
}

export class ArrivalDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  movementId: string | null;
  @ApiProperty({ example: 'GT-CRM-01' })
  centerCode: string;
  @ApiProperty({ example: '2026-12-08' })
  expectedOn: string;
  @ApiProperty({ example: 'expected', enum: ['pending', 'expected', 'rejected', 'withdrawn', 'arrived', 'sent_to_hospital', 'no_show', 'handed_over'] })
  status: string;
  @ApiProperty({ type: String, nullable: true, enum: ['matched', 'registered'] })
  match: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  personId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  caseId: string | null;
  @ApiProperty()
  unaccompaniedChild: boolean;
  @ApiProperty({ description: 'Flagged at risk on the manifest (child, medical or protection note)' })
  atRisk: boolean;
  @ApiProperty()
  walkIn: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  checkedInAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  departedAt: string | null;
  @ApiProperty({ example: 2 })
  version: number;
}

export class MedicalNotesDto {
  @ApiProperty({ type: String, nullable: true })
  medicalNotes: string | null;
}

export class OperationsQueryDto {
  @ApiProperty({ example: '2026-12-08' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date: string;
}

export class OperationsDto {
  @ApiProperty({ example: 'GT-CRM-01' })
  centerCode: string;
  @ApiProperty({ example: '2026-12-08' })
  date: string;
  @ApiProperty({ example: 300 })
  dailyCapacity: number;
  @ApiProperty({ example: 480, description: 'Persons expected that day (manifest rows matched or waiting for intake, and walk-ins)' })
  expected: number;
  @ApiProperty({ example: 12, description: 'Rows still waiting for intake' })
  pendingMatching: number;
  @ApiProperty({ example: 410 })
  arrived: number;
  @ApiProperty({ example: 3 })
  sentToHospital: number;
  @ApiProperty({ example: 7 })
  noShow: number;
  @ApiProperty({ example: 1.6, description: 'expected / daily capacity' })
  capacityUse: number;
  @ApiProperty({ example: true, description: 'More persons expected than the center can receive in a day' })
  overCapacity: boolean;
  @ApiProperty({ example: { meal: 400, hygiene_kit: 380 }, type: 'object', additionalProperties: { type: 'integer' } })
  servicesDelivered: Record<string, number>;
  @ApiProperty({ example: 2 })
  childrenAwaitingHandover: number;
  @ApiProperty({ example: 4 })
  openProtectionConcerns: number;
}
