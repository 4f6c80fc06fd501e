import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsOptional } from 'class-validator';
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

  @ApiProperty({ example: 1, description: "The directory's version of the partner" })
  version: number;
}

export function toPartnerDto(p: PartnerDirectoryEntry): PartnerDirectoryEntryDto {
  return { id: p.id, name: p.name, country: p.country, partnerType: p.partnerType, active: p.active, updatedAt: p.updatedAt.toISOString(), version: p.version };
}

export class ListPartnersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'MX' })
  @IsOptional()
  @IsCountryCode()
  country?: string;
}
