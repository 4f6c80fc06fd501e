import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SITE_CODE_PATTERN } from '@puente/auth';
import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsIn, IsObject, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { MAX_MANIFEST_ROWS, MOVEMENT_KINDS, type MovementKind, SEXES } from './manifest-rows';

export class MovementDto {
  @ApiProperty({ example: 'ICE-IAFR-2026-12-08-GUA-01', description: "The returning country's reference of the movement: re-posting the same reference updates the same manifest" })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, { message: 'reference must be 1 to 128 letters, digits, dot, underscore, colon, slash or hyphen' })
  reference: string;

  @ApiProperty({ enum: MOVEMENT_KINDS, example: 'flight' })
  @IsIn(MOVEMENT_KINDS)
  kind: MovementKind;

  @ApiProperty({ example: 'GT-CRM-01', description: 'The reception center the persons are brought to' })
  @IsString()
  @Matches(SITE_CODE_PATTERN, { message: 'centerCode must be a center code such as GT-CRM-01' })
  centerCode: string;

  @ApiProperty({ example: '2026-12-08', description: 'Day of arrival (YYYY-MM-DD, today or later)' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'expectedOn must be a date YYYY-MM-DD' })
  expectedOn: string;

  @ApiPropertyOptional({ example: 'GUA-4512', description: 'Flight number, bus company and plate, or convoy reference' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,63}$/, { message: 'carrierReference must be 1 to 64 letters, digits, spaces, dot, underscore, colon, slash or hyphen' })
  carrierReference?: string;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of the returning country' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'returningCountry must be an ISO 3166-1 alpha-2 code' })
  returningCountry: string;
}

/** One row as documented (rows are checked one by one, so a bad row does not refuse the manifest). */
export class ManifestPersonDto {
  @ApiProperty({ example: 'A-208-114-552', description: "The returning country's reference of the person (unique in the manifest)" })
  returningReference: string;

  @ApiProperty({ example: 'Kevin Josué' })
  givenNames: string;

  @ApiPropertyOptional({ type: String, example: 'Hernández Mejía', nullable: true })
  familyNames?: string | null;

  @ApiProperty({ example: '1999-04-18' })
  birthDate: string;

  @ApiProperty({ example: 'GT' })
  nationality: string;

  @ApiProperty({ enum: SEXES, example: 'male' })
  sex: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Insulin-dependent diabetes; medication for 3 days', description: 'Special category: stored encrypted, readable only with medical:read' })
  medicalNotes?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Says he was threatened by a gang before leaving' })
  protectionNotes?: string | null;

  @ApiPropertyOptional({ example: false })
  unaccompaniedChild?: boolean;
}

export class PostManifestDto {
  @ApiProperty({ type: MovementDto })
  // ValidateNested skips a missing value: without these a manifest without its movement reached the service (500).
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MovementDto)
  movement: MovementDto;

  @ApiProperty({ type: [ManifestPersonDto], minItems: 1, maxItems: MAX_MANIFEST_ROWS })
  @IsArray()
  persons: unknown[];
}

export class RejectedRowDto {
  @ApiProperty({ example: 17, description: 'Row number in the manifest, from 1' })
  row: number;

  @ApiProperty({ example: 'birthDate' })
  field: string;

  @ApiProperty({ example: 'isBirthDate' })
  code: string;

  @ApiProperty({ example: 'birthDate must be a real date YYYY-MM-DD, from 1900 and not after the arrival' })
  message: string;
}

export const MANIFEST_STATUSES = ['matching', 'matched'] as const;

export class ManifestCountsDto {
  @ApiProperty({ example: 0, description: 'Rows waiting for intake (stored encrypted until then)' })
  pending: number;
  @ApiProperty({ example: 480 })
  expected: number;
  @ApiProperty({ example: 0, description: 'Rows intake refused (see the arrivals)' })
  rejectedByIntake: number;
  @ApiProperty({ example: 0, description: 'Rows a corrected manifest no longer lists' })
  withdrawn: number;
  @ApiProperty({ example: 0, description: 'Rows checked in (arrived, sent to hospital, handed over) or marked no-show' })
  received: number;
  @ApiProperty({ example: 40, description: 'Rows matched to a person intake already knew' })
  matched: number;
  @ApiProperty({ example: 440, description: 'Rows registered as new persons' })
  registered: number;
}

export class ManifestDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ example: 'ICE-IAFR-2026-12-08-GUA-01' })
  reference: string;
  @ApiProperty({ enum: MOVEMENT_KINDS })
  kind: string;
  @ApiProperty({ example: 'GT-CRM-01' })
  centerCode: string;
  @ApiProperty({ example: '2026-12-08' })
  expectedOn: string;
  @ApiProperty({ enum: MANIFEST_STATUSES, description: 'matching while rows wait for intake, matched when none does' })
  status: string;
  @ApiProperty({ example: 500, description: 'Rows in the last version posted' })
  rowCount: number;
  @ApiProperty({ example: 480 })
  accepted: number;
  @ApiProperty({ type: [RejectedRowDto] })
  rejected: RejectedRowDto[];
  @ApiProperty({ type: ManifestCountsDto })
  counts: ManifestCountsDto;
  @ApiProperty({ example: 1 })
  version: number;
}
