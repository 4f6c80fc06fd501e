import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IsSiteCode } from '../common/validators';
import type { PossibleDuplicate } from './duplicate.entities';

const STATUSES = ['open', 'linked', 'dismissed'] as const;

/** A possible duplicate: ids, rules and score only, never the other record's personal data. */
export class PossibleDuplicateDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'The person registered here' })
  personId: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ example: 'MX', description: 'Node holding the other record (this node for a local match)' })
  otherNode: string;

  @ApiProperty({ example: 'c0a8012e-5b7d-4f1a-9e3c-6d2b1a0f9e8d', description: 'Local person id, or the other node\'s opaque reference' })
  otherReference: string;

  @ApiProperty({ example: ['FULLNAME_DOB', 'FULLNAME_BIRTHYEAR_NATIONALITY', 'SURNAME_DOB_NATIONALITY'] })
  rules: string[];

  @ApiProperty({ example: 0.98, description: '0..1; a reason to review, never an automatic merge' })
  score: number;

  @ApiProperty({ enum: STATUSES, example: 'open' })
  status: string;

  @ApiProperty({ format: 'date-time' })
  foundAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  resolvedAt: string | null;

  @ApiProperty({ example: 1 })
  version: number;
}

export function toDuplicateDto(d: PossibleDuplicate): PossibleDuplicateDto {
  return {
    id: d.id,
    personId: d.personId,
    caseId: d.caseId,
    otherNode: d.otherNode,
    otherReference: d.otherReference,
    rules: d.rules,
    score: d.score,
    status: d.status,
    foundAt: d.foundAt.toISOString(),
    resolvedAt: d.resolvedAt?.toISOString() ?? null,
    version: d.version,
  };
}

export class ListDuplicatesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STATUSES, example: 'open' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'Duplicates involving this person (either side)' })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @ApiPropertyOptional({ example: 'GT-MRC-01' })
  @IsOptional()
  @IsSiteCode()
  siteCode?: string;
}
