import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { CASE_STATUSES, type CaseStatusValue, CLOSE_REASONS, PRIORITIES, type PriorityValue } from '../common/enums';
import { IsSiteCode } from '../common/validators';
import type { IntakeCase } from './case.entity';
import { CASE_REFERENCE_PATTERN } from './case-reference';

export class CaseDto {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-7d4a-4e5f-9a6b-0c1d2e3f4a5b' })
  id: string;

  @ApiProperty({ example: 'GT-2026-000123' })
  reference: string;

  @ApiProperty({ example: 'GT-MRC-01' })
  siteCode: string;

  @ApiProperty({ example: 'GT', description: 'Country node holding custody' })
  custodyNode: string;

  @ApiProperty({ enum: CASE_STATUSES, example: 'open' })
  status: CaseStatusValue;

  @ApiProperty({ enum: PRIORITIES, example: 'high' })
  priority: PriorityValue;

  @ApiProperty({ format: 'uuid' })
  principalPersonId: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Everyone on the case, principal first' })
  personIds: string[];

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  householdId: string | null;

  @ApiProperty({ format: 'date-time' })
  openedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  closedAt: string | null;

  @ApiProperty({ enum: CLOSE_REASONS, nullable: true, type: String })
  closeReason: string | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ example: 1 })
  version: number;
}

export function toCaseDto(c: IntakeCase, personIds: string[], householdId: string | null): CaseDto {
  return {
    id: c.id,
    reference: c.reference,
    siteCode: c.siteCode,
    custodyNode: c.custodyNode,
    status: c.status,
    priority: c.priority,
    principalPersonId: c.principalPersonId,
    personIds,
    householdId,
    openedAt: c.openedAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
    closeReason: c.closeReason,
    updatedAt: c.updatedAt.toISOString(),
    version: c.version,
  };
}

export class OpenCaseDto {
  @ApiProperty({ example: 'GT-REC-01', description: 'Site opening the case (in your jurisdiction), e.g. a reception centre for returnees' })
  @IsSiteCode()
  siteCode: string;

  @ApiProperty({ format: 'uuid', description: 'A registered person (principal applicant)' })
  @IsUUID()
  personId: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: PriorityValue;

  @ApiPropertyOptional({ example: true, description: 'The case will cover a household' })
  @IsOptional()
  @IsBoolean()
  household?: boolean;
}

export class UpdateCaseDto {
  @ApiPropertyOptional({ enum: CASE_STATUSES.filter((s) => s !== 'closed'), example: 'in_screening', description: 'Close with POST /v1/cases/{id}/close' })
  @IsOptional()
  @IsIn(CASE_STATUSES.filter((s) => s !== 'closed'))
  status?: CaseStatusValue;

  @ApiPropertyOptional({ enum: PRIORITIES, example: 'urgent' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: PriorityValue;
}

export class CloseCaseDto {
  @ApiProperty({ enum: CLOSE_REASONS, example: 'services_completed', description: 'Why the case is closed (no free text: it travels in events)' })
  @IsIn(CLOSE_REASONS)
  reason: string;
}

export class SearchCasesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'GT-2026-000123' })
  @IsOptional()
  @Matches(CASE_REFERENCE_PATTERN, { message: 'reference must look like GT-2026-000123' })
  reference?: string;

  @ApiPropertyOptional({ example: 'GT-MRC-01' })
  @IsOptional()
  @IsSiteCode()
  siteCode?: string;

  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatusValue;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-03-01T00:00:00Z', description: 'Opened at or after' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  openedFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-04-01T00:00:00Z', description: 'Opened before' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  openedTo?: string;

  @ApiPropertyOptional({
    example: 'q3JvV2lX9kQy0d3T8m1bZ7uA4cE6gH2jK5nP0rS9tU8',
    description:
      'A match key value (base64url HMAC under an agreement key): cases of persons holding it. A NEAR_FIRSTNAMES filler key (one that equals no other identity\'s key) finds nothing.',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'matchKey must be a base64url HMAC-SHA256 value (43 characters)' })
  @MaxLength(43)
  matchKey?: string;
}
