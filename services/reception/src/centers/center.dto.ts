import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PARTNER_ID_PATTERN, SITE_CODE_PATTERN } from '@puente/auth';
import { PageQueryDto } from '@puente/platform';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { type Center, CENTER_KINDS, type CenterKind, RECEPTION_SERVICES, type ReceptionServiceCode } from './center.entity';

export class CenterDto {
  @ApiProperty({ example: 'GT-CRM-01', description: 'Center code; its country prefix is the jurisdiction that covers it' })
  code: string;

  @ApiProperty({ example: 'Centro de Recepción de Retornados, Fuerza Aérea Guatemalteca (La Aurora)' })
  name: string;

  @ApiProperty({ example: 'GT', description: 'ISO 3166-1 alpha-2, the prefix of the code' })
  country: string;

  @ApiProperty({ enum: CENTER_KINDS, example: 'airport' })
  kind: CenterKind;

  @ApiProperty({ example: 'Ciudad de Guatemala (Aeropuerto Internacional La Aurora)' })
  location: string;

  @ApiProperty({ example: 300, description: 'Persons the center can receive in one day' })
  dailyCapacity: number;

  @ApiProperty({ enum: RECEPTION_SERVICES, isArray: true, example: ['interview', 'medical_screening', 'meal'] })
  services: ReceptionServiceCode[];

  @ApiProperty({ example: 'GT-IGM', description: 'Directory partner id of the organization running the center' })
  operatingPartnerId: string;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-03-10T14:02:11.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-10T14:02:11.000Z' })
  updatedAt: string;

  @ApiProperty({ example: 1 })
  version: number;
}

export function toCenterDto(c: Center): CenterDto {
  return {
    code: c.code,
    name: c.name,
    country: c.country,
    kind: c.kind,
    location: c.location,
    dailyCapacity: c.dailyCapacity,
    services: c.services,
    operatingPartnerId: c.operatingPartnerId,
    active: c.active,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    version: c.version,
  };
}

const SERVICES_MESSAGE = `each service must be one of ${RECEPTION_SERVICES.join(', ')}`;

export class CreateCenterDto {
  @ApiProperty({ example: 'GT-CRM-TECUN', description: 'Country code, then 1 to 4 upper-case segments' })
  @IsString()
  @Matches(SITE_CODE_PATTERN, { message: 'code must be a country code and 1 to 4 upper-case segments, e.g. GT-CRM-01' })
  code: string;

  @ApiProperty({ example: 'Centro de Recepción de Retornados Tecún Umán', minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({ enum: CENTER_KINDS, example: 'land_border' })
  @IsIn(CENTER_KINDS)
  kind: CenterKind;

  @ApiProperty({ example: 'Ciudad Tecún Umán, San Marcos', minLength: 1, maxLength: 200, description: 'Town or municipality and landmark, not a street address' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'location must not be blank' })
  location: string;

  @ApiProperty({ example: 150, minimum: 1, maximum: 20000 })
  @IsInt()
  @Min(1)
  @Max(20_000)
  dailyCapacity: number;

  @ApiProperty({ enum: RECEPTION_SERVICES, isArray: true, example: ['interview', 'meal', 'transport_home'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(RECEPTION_SERVICES.length)
  @ArrayUnique()
  @IsIn(RECEPTION_SERVICES, { each: true, message: SERVICES_MESSAGE })
  services: ReceptionServiceCode[];

  @ApiProperty({ example: 'GT-IGM', description: 'Directory partner id of the organization running the center' })
  @IsString()
  @Matches(PARTNER_ID_PATTERN, { message: 'operatingPartnerId must be a partner id such as GT-IGM' })
  operatingPartnerId: string;
}

export class UpdateCenterDto {
  @ApiPropertyOptional({ example: 'Centro de Recepción de Retornados Tecún Umán', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ enum: CENTER_KINDS })
  @IsOptional()
  @IsIn(CENTER_KINDS)
  kind?: CenterKind;

  @ApiPropertyOptional({ example: 'Ciudad Tecún Umán, San Marcos', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'location must not be blank' })
  location?: string;

  @ApiPropertyOptional({ example: 180, minimum: 1, maximum: 20000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20_000)
  dailyCapacity?: number;

  @ApiPropertyOptional({ enum: RECEPTION_SERVICES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(RECEPTION_SERVICES.length)
  @ArrayUnique()
  @IsIn(RECEPTION_SERVICES, { each: true, message: SERVICES_MESSAGE })
  services?: ReceptionServiceCode[];

  @ApiPropertyOptional({ example: 'GT-IGM' })
  @IsOptional()
  @IsString()
  @Matches(PARTNER_ID_PATTERN, { message: 'operatingPartnerId must be a partner id such as GT-IGM' })
  operatingPartnerId?: string;

  @ApiPropertyOptional({ example: false, description: 'An inactive center accepts no new manifests or walk-ins' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

const booleanQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListCentersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'GT' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country?: string;

  @ApiPropertyOptional({ enum: CENTER_KINDS })
  @IsOptional()
  @IsIn(CENTER_KINDS)
  kind?: CenterKind;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  active?: boolean;
}

export class CenterCodeParamsDto {
  @ApiProperty({ example: 'GT-CRM-01' })
  @IsString()
  @Matches(SITE_CODE_PATTERN, { message: 'code must be a center code such as GT-CRM-01' })
  code: string;
}
