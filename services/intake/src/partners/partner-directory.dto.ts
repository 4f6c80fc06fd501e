import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalNotNull, PageQueryDto } from '@puente/platform';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PARTNER_TYPES } from '../common/enums';
import { IsCountryCode } from '../common/validators';
import type { PartnerDirectoryEntry } from './partner-directory-entry.entity';

export const PARTNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class PartnerDirectoryEntryDto {
  @ApiProperty({ example: 'MX-COMAR' })
  id: string;

  @ApiProperty({ example: 'Comisión Mexicana de Ayuda a Refugiados (Tapachula)' })
  name: string;

  @ApiProperty({ example: 'MX' })
  country: string;

  @ApiProperty({ enum: PARTNER_TYPES, example: 'government_asylum_agency' })
  partnerType: string;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ example: 1 })
  version: number;
}

export function toPartnerDto(p: PartnerDirectoryEntry): PartnerDirectoryEntryDto {
  return { id: p.id, name: p.name, country: p.country, partnerType: p.partnerType, active: p.active, updatedAt: p.updatedAt.toISOString(), version: p.version };
}

export class CreatePartnerDirectoryEntryDto {
  @ApiProperty({ example: 'MX-COMAR', description: 'The partner id used across Puente (partner_id claim of its tokens)' })
  @Matches(PARTNER_ID_PATTERN, { message: 'id must be 1-128 letters, digits, ".", "_", ":" or "-" such as MX-COMAR' })
  id: string;

  @ApiProperty({ example: 'Comisión Mexicana de Ayuda a Refugiados (Tapachula)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({ example: 'MX' })
  @IsCountryCode()
  country: string;

  @ApiProperty({ enum: PARTNER_TYPES, example: 'government_asylum_agency' })
  @IsIn(PARTNER_TYPES)
  partnerType: string;
}

export class UpdatePartnerDirectoryEntryDto {
  @ApiPropertyOptional({ example: 'COMAR Tapachula' })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ example: false, description: 'An inactive partner cannot be named in new consents' })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class ListPartnersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'MX' })
  @IsOptional()
  @IsCountryCode()
  country?: string;
}
