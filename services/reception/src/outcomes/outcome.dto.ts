import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsIn, IsOptional } from 'class-validator';
import { PLAN_OUTCOMES, type ReintegrationOutcome } from './reintegration-outcome.entity';

export class SustainabilityScoresDto {
  @ApiProperty({ example: 0.75, minimum: 0, maximum: 1 })
  economic: number;

  @ApiProperty({ example: 1, minimum: 0, maximum: 1 })
  social: number;

  @ApiProperty({ example: 0.8, minimum: 0, maximum: 1 })
  psychosocial: number;

  @ApiProperty({ example: 0.85, minimum: 0, maximum: 1, description: 'Mean of the three dimensions (IOM reintegration sustainability index).' })
  composite: number;
}

/** What became of a person's reintegration plan opened from this center: ids, codes and scores, no personal data. */
export class ReintegrationOutcomeDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2b7e-9a4d-4c1e-8f00-5a9d1e2c3b4a' })
  planId: string;

  @ApiProperty({ format: 'uuid', example: '0b6f8e52-1d3a-4f5e-9c7b-2a1e4d6c8f90' })
  caseId: string;

  @ApiProperty({ example: 'HN-CAMR-SAP' })
  centerCode: string;

  @ApiProperty({ enum: ['completed', 'dropped'], example: 'completed' })
  status: string;

  @ApiProperty({ enum: PLAN_OUTCOMES, example: 'sustainably_reintegrated' })
  outcome: string;

  @ApiPropertyOptional({ type: SustainabilityScoresDto, nullable: true, description: 'The last follow-up’s scores; null when the plan closed before any follow-up.' })
  lastScores: SustainabilityScoresDto | null;

  @ApiProperty({ format: 'date-time', example: '2027-12-01T15:00:00.000Z' })
  closedAt: string;
}

export class ListOutcomesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PLAN_OUTCOMES })
  @IsOptional()
  @IsIn(PLAN_OUTCOMES)
  outcome?: string;
}

export function toOutcomeDto(o: ReintegrationOutcome): ReintegrationOutcomeDto {
  const { economic, social, psychosocial, composite } = o;
  const scored = economic !== null && social !== null && psychosocial !== null && composite !== null;
  return {
    planId: o.planId,
    caseId: o.caseId,
    centerCode: o.centerCode,
    status: o.status,
    outcome: o.outcome,
    lastScores: scored ? { economic, social, psychosocial, composite } : null,
    closedAt: o.closedAt.toISOString(),
  };
}
