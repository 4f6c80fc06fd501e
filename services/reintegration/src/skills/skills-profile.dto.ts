import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNTRY_CODES, LANGUAGE_CODES } from '@puente/contracts';
import { IsOptionalNotNull } from '@puente/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
  IsDefined,
} from 'class-validator';
import { CEFR_LEVELS, type CefrLevel } from './cefr';
import { ISCED_LEVEL_CODES, type IscedLevel, ISIC_SECTION_CODES, type IsicSection } from './isced';
import { iscoGroups } from './isco';

export const ISCO_UNIT_CODES = iscoGroups()
  .filter((g) => g.level === 'unit')
  .map((g) => g.code);
const COUNTRIES = [...COUNTRY_CODES];
const LANGUAGES = [...LANGUAGE_CODES];
/** Printable text without control characters or bidirectional overrides (titles shown to caseworkers). */
export const PLAIN_TEXT = /^[^\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]*\S[^\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/u;

export const ISCO_MESSAGE = '$property must be an ISCO-08 unit group code (four digits, e.g. 7112 for bricklayers)';
export const LANGUAGE_MESSAGE = '$property must be an ISO 639-1 code (es, en) or a known ISO 639-3 code (quc, mam, cab)';
export const CEFR_MESSAGE = `$property must be a CEFR level: ${CEFR_LEVELS.join(', ')}`;
export const COUNTRY_MESSAGE = '$property must be an assigned ISO 3166-1 alpha-2 country code such as US, MX or ES';

export class LanguageAbilityDto {
  @ApiProperty({ description: 'ISO 639-1 code, or a listed ISO 639-3 code for languages without one (quc, mam, cab)', example: 'en' })
  @IsIn(LANGUAGES, { message: LANGUAGE_MESSAGE })
  code: string;

  @ApiProperty({ enum: CEFR_LEVELS, description: 'CEFR level (A1 lowest, C2 highest)', example: 'B2' })
  @IsIn(CEFR_LEVELS, { message: CEFR_MESSAGE })
  level: CefrLevel;
}

export class OccupationDto {
  @ApiProperty({ description: 'ISCO-08 unit group of a trade or occupation the person practises', example: '7112' })
  @IsIn(ISCO_UNIT_CODES, { message: ISCO_MESSAGE })
  iscoCode: string;

  @ApiPropertyOptional({ description: 'Years of practice', minimum: 0, maximum: 60, example: 6 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(60)
  years?: number;

  @ApiPropertyOptional({ description: 'Learned or practised abroad', example: true })
  @IsOptionalNotNull()
  @IsBoolean()
  learnedAbroad?: boolean;
}

export class CertificateInputDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Id of a certificate already in the profile, to keep it (and its validation); new certificates have none' })
  @IsOptionalNotNull()
  @IsUUID()
  certificateId?: string;

  @ApiProperty({ description: 'What the certificate certifies, as written on it', minLength: 1, maxLength: 200, example: 'OSHA 10-Hour Construction Safety' })
  @IsString()
  @Length(1, 200)
  @Matches(PLAIN_TEXT, { message: '$property must be printable text' })
  title: string;

  @ApiProperty({ description: 'Country that issued it', example: 'US' })
  @IsIn(COUNTRIES, { message: COUNTRY_MESSAGE })
  issuingCountry: string;

  @ApiPropertyOptional({ description: 'ISCO-08 unit group the certificate qualifies for; once validated it counts as an occupation in matching', example: '7112' })
  @IsOptionalNotNull()
  @IsIn(ISCO_UNIT_CODES, { message: ISCO_MESSAGE })
  iscoCode?: string;

  @ApiPropertyOptional({ description: 'Day it was issued', example: '2021-05-14', format: 'date' })
  @IsOptionalNotNull()
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a day (YYYY-MM-DD)' })
  issuedOn?: string;
}

export class WorkAbroadDto {
  @ApiProperty({ description: 'Country worked in', example: 'US' })
  @IsIn(COUNTRIES, { message: COUNTRY_MESSAGE })
  country: string;

  @ApiProperty({ enum: ISIC_SECTION_CODES, description: 'Sector, as an ISIC Rev.4 section (F construction, I accommodation and food, A agriculture, J ICT)', example: 'F' })
  @IsIn(ISIC_SECTION_CODES, { message: `$property must be an ISIC Rev.4 section: ${ISIC_SECTION_CODES.join(', ')}` })
  sector: IsicSection;

  @ApiProperty({ description: 'Years worked there (halves allowed)', minimum: 0.5, maximum: 60, example: 4 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 1 })
  @Min(0.5)
  @Max(60)
  years: number;

  @ApiPropertyOptional({ description: 'ISCO-08 unit group of the job held; counts as an occupation in matching', example: '7112' })
  @IsOptionalNotNull()
  @IsIn(ISCO_UNIT_CODES, { message: ISCO_MESSAGE })
  iscoCode?: string;
}

export class WorkAreaDto {
  @ApiProperty({ description: 'Latitude of where the person looks for work (a town, not a home)', example: 15.5 })
  @IsLatitude()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  lat: number;

  @ApiProperty({ description: 'Longitude', example: -88.03 })
  @IsLongitude()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  lon: number;
}

/** The whole profile, as the caseworker records it; PUT replaces what was there. */
export class SkillsProfileInputDto {
  @ApiProperty({ type: [LanguageAbilityDto], maxItems: 20, description: 'Languages spoken, one entry per language' })
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique((l: LanguageAbilityDto) => l?.code, { message: '$property must list each language once' })
  @ValidateNested({ each: true })
  @Type(() => LanguageAbilityDto)
  languages: LanguageAbilityDto[];

  @ApiProperty({ type: [OccupationDto], maxItems: 20, description: 'Trades and occupations' })
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique((o: OccupationDto) => o?.iscoCode, { message: '$property must list each ISCO code once' })
  @ValidateNested({ each: true })
  @Type(() => OccupationDto)
  occupations: OccupationDto[];

  @ApiProperty({ type: [CertificateInputDto], maxItems: 20, description: 'Certificates earned abroad; each new one opens a validation (pending until validated or rejected)' })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CertificateInputDto)
  certificates: CertificateInputDto[];

  @ApiProperty({ type: [WorkAbroadDto], maxItems: 30, description: 'Work history abroad' })
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => WorkAbroadDto)
  workAbroad: WorkAbroadDto[];

  @ApiProperty({ enum: ISCED_LEVEL_CODES, description: 'Highest education level completed (ISCED 2011)', example: 'isced_3' })
  @IsIn(ISCED_LEVEL_CODES, { message: `$property must be one of ${ISCED_LEVEL_CODES.join(', ')}` })
  educationLevel: IscedLevel;

  @ApiPropertyOptional({ type: WorkAreaDto, description: 'Where the person looks for work; matching uses it rounded to 0.05° (about 5 km)' })
  @IsOptionalNotNull()
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => WorkAreaDto)
  workArea?: WorkAreaDto;
}

export const CERTIFICATE_VALIDATIONS = ['pending', 'validated', 'rejected'] as const;
export type CertificateValidation = (typeof CERTIFICATE_VALIDATIONS)[number];
/** How a validation ends: validated, or rejected (not recognized in the country of return). */
export const CERTIFICATE_VALIDATION_OUTCOMES = ['validated', 'rejected'] as const;
export type CertificateValidationOutcome = (typeof CERTIFICATE_VALIDATION_OUTCOMES)[number];

export class CertificateTaskDto {
  @ApiProperty({ format: 'uuid', description: 'The certificate_validation task on a plan (GET /v1/plans/{planId}/tasks)' })
  taskId: string;
  @ApiProperty({ format: 'uuid' })
  planId: string;
  @ApiProperty({ enum: ['open', 'completed', 'cancelled'] })
  status: string;
  @ApiProperty({ example: '2027-03-31' })
  dueOn: string;
}

export class CertificateDto {
  @ApiProperty({ format: 'uuid' })
  certificateId: string;
  @ApiProperty({ example: 'OSHA 10-Hour Construction Safety' })
  title: string;
  @ApiProperty({ example: 'US' })
  issuingCountry: string;
  @ApiPropertyOptional({ example: '7112' })
  iscoCode?: string;
  @ApiPropertyOptional({ example: '2021-05-14', format: 'date' })
  issuedOn?: string;
  @ApiProperty({ enum: CERTIFICATE_VALIDATIONS, description: 'Validation of the certificate in the country of return (only a validated certificate counts in matching)' })
  validation: CertificateValidation;
  @ApiPropertyOptional({ format: 'date-time' })
  validatedAt?: string;
  @ApiProperty({ type: CertificateTaskDto, nullable: true, description: 'Its validation task: the open one, else the latest; null when none was opened' })
  validationTask: CertificateTaskDto | null;
}

export class OccupationViewDto extends OccupationDto {
  @ApiProperty({ description: 'ISCO-08 title', example: 'Bricklayers and related workers' })
  title: string;
}

export class SkillsProfileDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ type: [LanguageAbilityDto] })
  languages: LanguageAbilityDto[];
  @ApiProperty({ type: [OccupationViewDto] })
  occupations: OccupationViewDto[];
  @ApiProperty({ type: [CertificateDto] })
  certificates: CertificateDto[];
  @ApiProperty({ type: [WorkAbroadDto] })
  workAbroad: WorkAbroadDto[];
  @ApiProperty({ enum: ISCED_LEVEL_CODES })
  educationLevel: IscedLevel;
  @ApiPropertyOptional({ type: WorkAreaDto })
  workArea?: WorkAreaDto;
  @ApiProperty({ description: 'Incremented by each change', example: 1 })
  version: number;
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class PersonIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  personId: string;
}

export class CertificateParamsDto extends PersonIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  certificateId: string;
}

export class CertificateValidationDto {
  @ApiProperty({ enum: CERTIFICATE_VALIDATION_OUTCOMES, description: 'Outcome of the validation (without a validation task; with one, complete the task)', example: 'validated' })
  @IsIn(CERTIFICATE_VALIDATION_OUTCOMES, { message: '$property must be validated or rejected' })
  outcome: CertificateValidationOutcome;
}
