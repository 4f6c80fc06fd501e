import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsIn, IsISO8601, IsOptional, IsUUID, Matches, ValidateIf } from 'class-validator';
import { CONSENT_METHODS, CONSENT_PURPOSES, type ConsentMethodValue, type ConsentPurposeValue, PARTNER_TYPES } from '../common/enums';
import { IDENTIFIER_PATTERN, IsCountryCode } from '../common/validators';
import type { Consent } from './consent.entity';
import { consentStateAt, type ConsentState } from './consent-rules';

const given = (_: object, value: unknown) => value !== undefined && value !== null;

export class RecordConsentDto {
  @ApiProperty({ format: 'uuid', description: 'The person consenting (on this case)' })
  @IsUUID()
  personId: string;

  @ApiProperty({ enum: CONSENT_PURPOSES, example: 'data_sharing' })
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurposeValue;

  @ApiPropertyOptional({ example: 'MX-COMAR', description: 'A partner from the partner directory (data sharing: this or partnerType)' })
  @ValidateIf(given)
  @Matches(IDENTIFIER_PATTERN, { message: 'partnerId must be a partner id such as MX-COMAR' })
  partnerId?: string;

  @ApiPropertyOptional({ enum: PARTNER_TYPES, example: 'government_asylum_agency', description: 'A kind of partner instead of one partner' })
  @ValidateIf(given)
  @IsIn(PARTNER_TYPES)
  partnerType?: string;

  @ApiPropertyOptional({ example: 'MX', description: 'Cross-border transfer: the destination country node' })
  @ValidateIf(given)
  @IsCountryCode()
  destinationCountry?: string;

  @ApiProperty({ enum: CONSENT_METHODS, example: 'written' })
  @IsIn(CONSENT_METHODS)
  method: ConsentMethodValue;

  @ApiPropertyOptional({ example: 'GT-MRC-01/cw-0042', description: 'Verbal consent: staff identifier of the witness (not a name)' })
  @ValidateIf(given)
  @Matches(IDENTIFIER_PATTERN, { message: 'witnessedBy must be a staff identifier such as GT-MRC-01/cw-0042' })
  witnessedBy?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Guardian consent: an adult parent or guardian registered on the same case' })
  @ValidateIf(given)
  @IsUUID()
  guardianPersonId?: string;

  @ApiPropertyOptional({ example: 'PGN-GT-2026-0042', description: 'Guardian consent: reference of an appointed guardian (e.g. child-protection file)' })
  @ValidateIf(given)
  @Matches(IDENTIFIER_PATTERN, { message: 'guardianReference must be an identifier such as PGN-GT-2026-0042' })
  guardianReference?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default now; within a year of now' })
  @ValidateIf(given)
  @IsISO8601({ strict: true, strictSeparator: true })
  validFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-09-10T00:00:00Z', description: 'Unset: valid until withdrawn' })
  @ValidateIf(given)
  @IsISO8601({ strict: true, strictSeparator: true })
  validUntil?: string;
}

/**
 * A consent given together with a registration (e.g. screening and identity matching): the terms
 * of RecordConsentDto that need no other record (a guardian on the case or a partner from the
 * directory are named by recording the consent on the case afterwards).
 */
export class ConsentGivenAtRegistrationDto {
  @ApiProperty({ enum: CONSENT_PURPOSES, example: 'identity_matching' })
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurposeValue;

  @ApiPropertyOptional({ enum: PARTNER_TYPES, example: 'government_asylum_agency', description: 'A kind of partner the consent is narrowed to' })
  @ValidateIf(given)
  @IsIn(PARTNER_TYPES)
  partnerType?: string;

  @ApiPropertyOptional({ example: 'MX', description: 'Cross-border transfer: the destination country node' })
  @ValidateIf(given)
  @IsCountryCode()
  destinationCountry?: string;

  @ApiProperty({ enum: CONSENT_METHODS, example: 'written' })
  @IsIn(CONSENT_METHODS)
  method: ConsentMethodValue;

  @ApiPropertyOptional({ example: 'GT-MRC-01/cw-0042', description: 'Verbal consent: staff identifier of the witness (not a name)' })
  @ValidateIf(given)
  @Matches(IDENTIFIER_PATTERN, { message: 'witnessedBy must be a staff identifier such as GT-MRC-01/cw-0042' })
  witnessedBy?: string;

  @ApiPropertyOptional({ example: 'PGN-GT-2026-0042', description: 'Guardian consent: reference of an appointed guardian (e.g. child-protection file)' })
  @ValidateIf(given)
  @Matches(IDENTIFIER_PATTERN, { message: 'guardianReference must be an identifier such as PGN-GT-2026-0042' })
  guardianReference?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-09-10T00:00:00Z', description: 'Unset: valid until withdrawn' })
  @ValidateIf(given)
  @IsISO8601({ strict: true, strictSeparator: true })
  validUntil?: string;
}

export class ConsentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ enum: CONSENT_PURPOSES })
  purpose: string;

  @ApiProperty({ type: String, nullable: true, example: 'MX-COMAR' })
  partnerId: string | null;

  @ApiProperty({ type: String, nullable: true, enum: PARTNER_TYPES })
  partnerType: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  destinationCountry: string | null;

  @ApiProperty({ enum: CONSENT_METHODS })
  method: string;

  @ApiProperty({ type: String, nullable: true })
  witnessedBy: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  guardianPersonId: string | null;

  @ApiProperty({ type: String, nullable: true })
  guardianReference: string | null;

  @ApiProperty({ format: 'date-time' })
  validFrom: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  validUntil: string | null;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  withdrawnAt: string | null;

  @ApiProperty({ enum: ['pending', 'active', 'expired', 'withdrawn'], example: 'active', description: 'State now' })
  state: ConsentState;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Recorded from a custody transfer: the node where the consent was given (null when given here)' })
  originNode: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: null, description: 'The consent’s id at that node' })
  originConsentId: string | null;

  @ApiProperty({ example: 1 })
  version: number;
}

export function toConsentDto(c: Consent, now: Date = new Date()): ConsentDto {
  return {
    id: c.id,
    caseId: c.caseId,
    personId: c.personId,
    purpose: c.purpose,
    partnerId: c.partnerId,
    partnerType: c.partnerType,
    destinationCountry: c.destinationCountry,
    method: c.method,
    witnessedBy: c.witnessedBy,
    guardianPersonId: c.guardianPersonId,
    guardianReference: c.guardianReference,
    validFrom: c.validFrom.toISOString(),
    validUntil: c.validUntil?.toISOString() ?? null,
    recordedAt: c.recordedAt.toISOString(),
    withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
    state: consentStateAt(c, now),
    originNode: c.originNode ?? null,
    originConsentId: c.originConsentId ?? null,
    version: c.version,
  };
}

export class ListConsentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CONSENT_PURPOSES })
  @IsOptional()
  @IsIn(CONSENT_PURPOSES)
  purpose?: ConsentPurposeValue;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  personId?: string;
}
