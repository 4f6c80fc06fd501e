import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';
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

export class ManifestRowResultDto {
  @ApiProperty({ example: 'r-0007', description: 'The rowKey sent (null when the row had no valid rowKey)', type: String, nullable: true })
  rowKey: string | null;

  @ApiProperty({ example: 3, description: 'Index of the row in this call (from 0)' })
  index: number;

  @ApiProperty({ enum: MANIFEST_ROW_OUTCOMES, example: 'matched', description: 'matched: an existing person (same full name and birth date); registered: a new person on a new case; rejected: see errors' })
  outcome: ManifestRowOutcome;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  personId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The person's open case (opened now when the matched person had none)" })
  caseId: string | null;

  @ApiProperty({ example: false, description: 'A case was opened for this row' })
  caseOpened: boolean;

  @ApiProperty({ type: [ManifestRowErrorDto], description: 'Fields and codes of a rejected row (never the values)' })
  errors: ManifestRowErrorDto[];
}

export class ManifestRegistrationResultDto {
  @ApiProperty({ type: [ManifestRowResultDto] })
  rows: ManifestRowResultDto[];
}
