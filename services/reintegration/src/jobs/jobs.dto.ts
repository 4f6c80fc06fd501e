import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalNotNull } from '@puente/platform';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsDateString, IsDefined, IsIn, IsInt, IsLatitude, IsLongitude, IsNumber, IsObject, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ISCO_MESSAGE, ISCO_UNIT_CODES, LanguageAbilityDto, PLAIN_TEXT } from '../skills/skills-profile.dto';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class OpeningLocationDto {
  @ApiProperty({ description: 'Town or site of the job', minLength: 1, maxLength: 120, example: 'San Pedro Sula' })
  @IsString()
  @Length(1, 120)
  @Matches(PLAIN_TEXT, { message: '$property must be printable text' })
  name: string;

  @ApiProperty({ example: 15.5 })
  @IsLatitude()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  lat: number;

  @ApiProperty({ example: -88.03 })
  @IsLongitude()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  lon: number;
}

export class PostOpeningDto {
  @ApiProperty({ description: 'Job title as the employer words it', minLength: 1, maxLength: 200, example: 'Albañil con experiencia en bloque' })
  @IsString()
  @Length(1, 200)
  @Matches(PLAIN_TEXT, { message: '$property must be printable text' })
  title: string;

  @ApiProperty({ description: 'ISCO-08 unit group of the job', example: '7112' })
  @IsIn(ISCO_UNIT_CODES, { message: ISCO_MESSAGE })
  iscoCode: string;

  @ApiProperty({ type: OpeningLocationDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => OpeningLocationDto)
  location: OpeningLocationDto;

  @ApiProperty({ type: [String], maxItems: 20, description: 'ISCO-08 unit groups whose competence the job needs besides its own', example: ['7114', '9313'] })
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique({ message: '$property must list each code once' })
  @IsIn(ISCO_UNIT_CODES, { each: true, message: ISCO_MESSAGE })
  requiredSkills: string[];

  @ApiProperty({ type: [LanguageAbilityDto], maxItems: 10, description: 'Languages needed, each at a minimum CEFR level' })
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique((l: LanguageAbilityDto) => l?.code, { message: '$property must list each language once' })
  @ValidateNested({ each: true })
  @Type(() => LanguageAbilityDto)
  requiredLanguages: LanguageAbilityDto[];

  @ApiProperty({ description: 'Persons the employer will take (at least 1)', minimum: 1, maximum: 10000, example: 3 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  slots: number;

  @ApiProperty({ format: 'date', description: 'First day applications are taken', example: '2026-12-01' })
  @IsDateString({ strict: true })
  @Matches(DAY, { message: '$property must be a day (YYYY-MM-DD)' })
  opensOn: string;

  @ApiPropertyOptional({ format: 'date', description: 'Last day applications are taken (not before opensOn nor before today)', example: '2027-03-31' })
  @IsOptionalNotNull()
  @IsDateString({ strict: true })
  @Matches(DAY, { message: '$property must be a day (YYYY-MM-DD)' })
  closesOn?: string;
}

export const OPENING_STATUSES = ['open', 'filled', 'withdrawn'] as const;
export type OpeningStatus = (typeof OPENING_STATUSES)[number];

export class JobOpeningDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ description: 'Directory partner id of the employer (from its token)', example: 'HN-EMP-CONSTRUCTORA-01' })
  employerPartnerId: string;
  @ApiProperty({ example: 'Albañil con experiencia en bloque' })
  title: string;
  @ApiProperty({ example: '7112' })
  iscoCode: string;
  @ApiProperty({ example: 'Bricklayers and related workers' })
  iscoTitle: string;
  @ApiProperty({ type: OpeningLocationDto })
  location: OpeningLocationDto;
  @ApiProperty({ type: [String], example: ['7114'] })
  requiredSkills: string[];
  @ApiProperty({ type: [LanguageAbilityDto] })
  requiredLanguages: LanguageAbilityDto[];
  @ApiProperty({ example: 3 })
  slots: number;
  @ApiProperty({ description: 'Placements confirmed', example: 0 })
  slotsFilled: number;
  @ApiProperty({ format: 'date', example: '2026-12-01' })
  opensOn: string;
  @ApiPropertyOptional({ format: 'date', example: '2027-03-31' })
  closesOn?: string;
  @ApiProperty({ enum: OPENING_STATUSES })
  status: OpeningStatus;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class OpeningIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  openingId: string;
}

export class ProposePlacementDto {
  @ApiProperty({ format: 'uuid', description: 'The opening proposed', example: '3f2b8c1e-9a4d-4c2e-8b1f-6d5e4c3b2a10' })
  @IsUUID()
  openingId: string;

  @ApiProperty({ format: 'uuid', description: 'The person (intake person id) with a skills profile', example: '0b4e6a8c-3f4a-4e1b-9c7d-2a1b3c4d5e6f' })
  @IsUUID()
  personId: string;

  @ApiProperty({ format: 'uuid', description: "The person's case with a reintegration_support consent in force (events are keyed by it)", example: '7d3b2f5e-1c4a-4e8b-9f6d-2a1b3c4d5e6f' })
  @IsUUID()
  caseId: string;
}

export const PLACEMENT_STATUSES = ['proposed', 'accepted', 'declined', 'confirmed', 'withdrawn'] as const;
export type PlacementStatus = (typeof PLACEMENT_STATUSES)[number];

export class PlacementDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  openingId: string;
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ format: 'uuid' })
  caseId: string;
  @ApiProperty({ enum: PLACEMENT_STATUSES })
  status: PlacementStatus;
  @ApiProperty({ description: 'Match score when proposed, 0 to 1', example: 0.85 })
  score: number;
  @ApiProperty({ format: 'date-time' })
  proposedAt: string;
  @ApiPropertyOptional({ format: 'date-time' })
  acceptedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  declinedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  confirmedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  withdrawnAt?: string;
  @ApiPropertyOptional({ enum: ['person_erased'] })
  withdrawnReason?: string;
}

export class PlacementIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}
