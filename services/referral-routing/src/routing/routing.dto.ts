import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PATHWAYS, type Pathway } from '../directory/vocabulary';

export class FailedRuleDto {
  @ApiProperty({ example: 'eligibility.and[0]' }) rule: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { in: [{ var: 'nationality' }, ['SV', 'GT', 'HN']] } }) condition?: unknown;
  @ApiProperty({ example: ['nationality'], description: 'Case attributes that decided it (names, never values)' }) decidedBy: string[];
}

export class SuggestionDto {
  @ApiProperty({ format: 'uuid', description: 'Give it as suggestionId when referring from this suggestion' }) suggestionId: string;
  @ApiProperty({ example: 1 }) rank: number;
  @ApiProperty({ format: 'uuid' }) programId: string;
  @ApiProperty({ example: 'Protection Transfer Arrangement' }) programName: string;
  @ApiProperty({ example: 'UNHCR-CR' }) partnerId: string;
  @ApiProperty({ example: 'ACNUR Costa Rica' }) partnerName: string;
  @ApiProperty({ enum: PATHWAYS, example: 'pta' }) pathway: Pathway;
  @ApiProperty({ example: 'CR', description: 'Node hosting the program' }) node: string;
  @ApiProperty({ example: false }) hostedHere: boolean;
  @ApiProperty({ example: 3, description: 'Higher is stronger: from the position of the pathway among the screening’s recommendations (0: not recommended)' }) pathwayStrength: number;
  @ApiProperty({ example: true }) hasOpenSlot: boolean;
  @ApiProperty({ example: 0.833, description: 'Share of SLAs kept, Laplace-smoothed (0.5 without a record)' }) slaScore: number;
  @ApiProperty({ example: ['pathway pta recommended by the screening (strength 3)', '12 of 40 slots open', 'SLA kept 4 of 4 times', 'eligible on country, flag:fear_of_return, nationality, risk_at_least:high'] })
  reasons: string[];
}

export class IneligibleProgramDto {
  @ApiProperty({ format: 'uuid' }) programId: string;
  @ApiProperty({ example: 'Central American Minors (CAM) program' }) programName: string;
  @ApiProperty({ example: 'US-PRM' }) partnerId: string;
  @ApiProperty({ enum: PATHWAYS, example: 'cam' }) pathway: Pathway;
  @ApiProperty({ type: [FailedRuleDto] }) failedRules: FailedRuleDto[];
}

export class CaseSuggestionsDto {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ format: 'uuid', description: 'The completed screening they follow' }) screeningId: string;
  @ApiProperty({ format: 'date-time' }) computedAt: string;
  @ApiProperty({ type: [SuggestionDto], description: 'Eligible programs, best first' }) suggestions: SuggestionDto[];
  @ApiProperty({ type: [IneligibleProgramDto], description: 'Active programs the case is not eligible for, with the rules it fails' }) ineligible: IneligibleProgramDto[];
}

export class ProtectionAlertDto {
  @ApiProperty({ example: '6f1c1f0e-3f5e-4a8e-9a52-2b7f5c1d9e10' }) alertId: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ example: 'GT-MRC-02' }) siteCode: string;
  @ApiProperty({ example: 'urgent' }) riskLevel: string;
  @ApiProperty({ format: 'date-time' }) raisedAt: string;
  @ApiProperty({ format: 'date-time' }) acknowledgeDueAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Set when nobody acknowledged it in time' }) escalatedAt: string | null;
}
