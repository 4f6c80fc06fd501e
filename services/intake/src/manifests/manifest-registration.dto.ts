import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { SEXES, type SexValue } from '../common/enums';
import { IsBirthDate, IsNationalityCode, IsPersonName, IsSiteCode } from '../common/validators';

/** Rows per call: reception sends a large manifest in several calls. */
export const MAX_MANIFEST_REGISTRATION_ROWS = 500;

/** One person of an arrival manifest, as the returning country sent it (minimal data). */
export class ManifestPersonDto {
  @ApiProperty({ example: 'r-0007', description: "The caller's key of the row (opaque, 1-64 characters), echoed in the result" })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'rowKey must be 1 to 64 letters, digits, dot, underscore, colon or hyphen' })
  rowKey: string;

  @ApiProperty({ example: 'José Armando' })
  @IsPersonName()
  givenNames: string;

  @ApiPropertyOptional({ type: String, example: 'Castillo Reyes', nullable: true })
  @IsOptional()
  @IsPersonName()
  familyNames?: string | null;

  @ApiProperty({ example: '1996-02-14' })
  @IsBirthDate()
  birthDate: string;

  @ApiProperty({ example: 'HN', description: 'ISO 3166-1 alpha-2; XX when stateless or unknown' })
  @IsNationalityCode()
  nationality: string;

  @ApiProperty({ enum: SEXES, example: 'male' })
  @IsIn(SEXES)
  sex: SexValue;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description:
      'For a corrected row sent again: the person intake answered for it before. The row stays that person (their identity corrected when the caller registered them from a manifest), never a second person',
  })
  @IsOptional()
  @IsUUID()
  personId?: string;
}

export class ManifestRegistrationDto {
  @ApiProperty({ example: 'GT-CRM-01', description: 'The reception center, registered at intake as an active site in your jurisdiction' })
  @IsSiteCode()
  siteCode: string;

  @ApiProperty({ type: [ManifestPersonDto], minItems: 1, maxItems: MAX_MANIFEST_REGISTRATION_ROWS, description: 'Each row is validated on its own: a bad row is answered as rejected, the others go on' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MANIFEST_REGISTRATION_ROWS)
  @IsObject({ each: true, message: 'each row must be an object' })
  rows: Record<string, unknown>[];
}

export const MANIFEST_ROW_OUTCOMES = ['matched', 'registered', 'rejected'] as const;
export type ManifestRowOutcome = (typeof MANIFEST_ROW_OUTCOMES)[number];

export class ManifestRowErrorDto {
  @ApiProperty({ example: 'birthDate' })
  field: string;

  @ApiProperty({ example: 'isBirthDate' })
  code: string;
}

/** A record of another node sharing match keys with the row (what that node shared under the person's identity-matching consent). */
export class OtherNodeMatchDto {
  @ApiProperty({ example: 'MX', description: 'The other node (ISO 3166-1 alpha-2)' })
  node: string;

  @ApiProperty({ example: '6f1c2a4e-9a0b-4c59-8e6b-2f6d1c0b7a11', description: "The other node's opaque reference of its person (never personal data)" })
  reference: string;

  @ApiProperty({ example: 0.9, description: 'Match score (0-1), at or above the duplicate threshold' })
  score: number;

  @ApiProperty({ type: [String], example: ['FULLNAME_DOB'], description: 'The signals both records agree on' })
  rules: string[];
}

export class ManifestRowResultDto {
  @ApiProperty({ example: 'r-0007', description: 'The rowKey sent (null when the row had no valid rowKey)', type: String, nullable: true })
  rowKey: string | null;

  @ApiProperty({ example: 3, description: 'Index of the row in this call (from 0)' })
  index: number;

  @ApiProperty({ enum: MANIFEST_ROW_OUTCOMES, example: 'matched', description: 'matched: an existing person (same full name and birth date, or the person answered before for a corrected row); registered: a new person on a new case; rejected: see errors' })
  outcome: ManifestRowOutcome;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  personId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The person's open case (opened now when the matched person had none)" })
  caseId: string | null;

  @ApiProperty({ example: false, description: 'A case was opened for this row' })
  caseOpened: boolean;

  @ApiProperty({ example: false, description: 'The row corrected the identity of the person intake had registered for it before (personId sent)' })
  identityCorrected: boolean;

  @ApiProperty({
    type: [OtherNodeMatchDto],
    description: "Other nodes' records that may be the same person (from the match keys they shared), best first; none of the nationality's node for a person protected from it",
  })
  otherNodeMatches: OtherNodeMatchDto[];

  @ApiProperty({ type: [ManifestRowErrorDto], description: 'Fields and codes of a rejected row (never the values)' })
  errors: ManifestRowErrorDto[];
}

export class ManifestRegistrationResultDto {
  @ApiProperty({ type: [ManifestRowResultDto] })
  rows: ManifestRowResultDto[];
}
