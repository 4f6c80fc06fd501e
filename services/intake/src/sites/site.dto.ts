import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalNotNull, PageQueryDto } from '@puente/platform';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IDENTIFIER_PATTERN, IsCountryCode, IsSiteCode } from '../common/validators';
import { type Site, SITE_KINDS, type SiteKind } from './site.entity';

export class SiteDto {
  @ApiProperty({ example: 'GT-MRC-01', description: 'Site code; its country prefix is the jurisdiction that covers it' })
  code: string;

  @ApiProperty({ example: 'Centro de Recursos para Migrantes Tecún Umán' })
  name: string;

  @ApiProperty({ example: 'GT', description: 'ISO 3166-1 alpha-2, the prefix of the code' })
  country: string;

  @ApiProperty({ enum: SITE_KINDS, example: 'fixed' })
  kind: SiteKind;

  @ApiProperty({ type: String, nullable: true, example: 'Tecún Umán, San Marcos' })
  locality: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'IOM-GT', description: 'Partner organization running the site' })
  operatingPartnerId: string | null;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-03-10T14:02:11.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-10T14:02:11.000Z' })
  updatedAt: string;

  @ApiProperty({ example: 1 })
  version: number;
}

export function toSiteDto(site: Site): SiteDto {
  return {
    code: site.code,
    name: site.name,
    country: site.country,
    kind: site.kind,
    locality: site.locality,
    operatingPartnerId: site.operatingPartnerId,
    active: site.active,
    createdAt: site.createdAt.toISOString(),
    updatedAt: site.updatedAt.toISOString(),
    version: site.version,
  };
}

export class CreateSiteDto {
  @ApiProperty({ example: 'GT-MRC-01', description: 'Country code, then 1 to 4 upper-case segments (the country prefix must be an ISO 3166-1 code)' })
  @IsSiteCode()
  code: string;

  @ApiProperty({ example: 'Centro de Recursos para Migrantes Tecún Umán', minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({ enum: SITE_KINDS, example: 'fixed', description: 'fixed or mobile MRC, reception centre for returnees, consulate' })
  @IsIn(SITE_KINDS)
  kind: SiteKind;

  @ApiPropertyOptional({ example: 'Tecún Umán, San Marcos', maxLength: 200, description: 'Town or municipality, not an address' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  locality?: string;

  @ApiPropertyOptional({ example: 'IOM-GT', description: 'Partner id of the organization running the site' })
  @IsOptional()
  @Matches(IDENTIFIER_PATTERN, { message: 'operatingPartnerId must be an identifier such as IOM-GT' })
  operatingPartnerId?: string;
}

export class UpdateSiteDto {
  @ApiPropertyOptional({ example: 'Centro de Recursos para Migrantes Tecún Umán (Ciudad Tecún Umán)' })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ enum: SITE_KINDS, example: 'mobile' })
  @IsOptionalNotNull()
  @IsIn(SITE_KINDS)
  kind?: SiteKind;

  @ApiPropertyOptional({ type: String, example: 'Ayutla, San Marcos', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  locality?: string | null;

  @ApiPropertyOptional({ type: String, example: 'IOM-GT', nullable: true })
  @IsOptional()
  @Matches(IDENTIFIER_PATTERN, { message: 'operatingPartnerId must be an identifier such as IOM-GT' })
  operatingPartnerId?: string | null;

  @ApiPropertyOptional({ example: false, description: 'An inactive site accepts no new registrations' })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

const booleanQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListSitesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'GT' })
  @IsOptional()
  @IsCountryCode()
  country?: string;

  @ApiPropertyOptional({ enum: SITE_KINDS })
  @IsOptional()
  @IsIn(SITE_KINDS)
  kind?: SiteKind;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  active?: boolean;
}
