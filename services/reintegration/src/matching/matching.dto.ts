import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CEFR_LEVELS } from '../skills/cefr';

export class TopQueryDto {
  @ApiPropertyOptional({ description: 'How many to return, best first', minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

export class OccupationMatchDto {
  @ApiProperty({ description: "The person's ISCO-08 unit group closest to the job's", example: '7112' })
  code: string;
  @ApiProperty({ enum: ['unit', 'minor', 'sub-major', 'major'], description: 'Level of ISCO-08 at which both share a group', example: 'unit' })
  level: string;
}

export class LanguageMatchDto {
  @ApiProperty({ example: 'en' })
  code: string;
  @ApiProperty({ enum: CEFR_LEVELS, example: 'B1' })
  required: string;
  @ApiProperty({ enum: CEFR_LEVELS, nullable: true, type: String, description: "The person's level (null: not spoken)", example: 'B2' })
  held: string | null;
}

export class MatchExplanationDto {
  @ApiProperty({ type: OccupationMatchDto, nullable: true })
  occupation: OccupationMatchDto | null;
  @ApiProperty({ type: [String], description: 'Required skills (ISCO-08 unit groups) the person has', example: ['9313'] })
  skillsMatched: string[];
  @ApiProperty({ type: [String], description: 'Required skills the person lacks', example: ['7114'] })
  skillsMissing: string[];
  @ApiProperty({ type: [LanguageMatchDto] })
  languagesMet: LanguageMatchDto[];
  @ApiProperty({ type: [LanguageMatchDto] })
  languagesMissing: LanguageMatchDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'Kilometres between the work area (to about 5 km) and the job; null when unknown', example: 12.4 })
  distanceKm: number | null;
}

export class OpeningMatchDto {
  @ApiProperty({ format: 'uuid' })
  openingId: string;
  @ApiProperty({ example: 'Albañil con experiencia en bloque' })
  title: string;
  @ApiProperty({ example: '7112' })
  iscoCode: string;
  @ApiProperty({ example: 'HN-EMP-CONSTRUCTORA-01' })
  employerPartnerId: string;
  @ApiProperty({ example: 'San Pedro Sula' })
  locationName: string;
  @ApiProperty({ description: 'Slots not yet filled', example: 2 })
  slotsLeft: number;
  @ApiProperty({ description: '0 to 1; equal scores are ordered by opening id', example: 0.85 })
  score: number;
  @ApiProperty({ type: MatchExplanationDto })
  explanation: MatchExplanationDto;
}

export class JobMatchesDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ type: [OpeningMatchDto] })
  matches: OpeningMatchDto[];
}

export class CandidateDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ description: '0 to 1; equal scores are ordered by person id', example: 0.85 })
  score: number;
  @ApiProperty({ type: MatchExplanationDto })
  explanation: MatchExplanationDto;
}

export class CandidatesDto {
  @ApiProperty({ format: 'uuid' })
  openingId: string;
  @ApiProperty({ type: [CandidateDto] })
  candidates: CandidateDto[];
}
