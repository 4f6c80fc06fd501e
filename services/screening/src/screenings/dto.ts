import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsObject, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { DEFAULT_QUESTIONNAIRE_KEY, FLAG_CODES, type FlagCode, GROUND_CODES, type GroundCode, PATHWAY_CODES, type PathwayCode, RISK_LEVELS, type RiskLevel } from '../questionnaires/catalog';
import { KEY_PATTERN } from '../questionnaires/definition';
import type { AnswerValue } from '../questionnaires/engine';
import { CONCERN_CODES, type ConcernCode } from './protection-concerns';
import { CANCEL_REASONS, type CancelReason, SCREENING_STATUSES, SCREENING_TRIGGERS, type ScreeningStatus, type ScreeningTrigger } from './screening-state';

export class StartScreeningDto {
  @ApiProperty({ format: 'uuid', description: 'The case to screen (known from intake, with a screening consent)', example: '7d3b2f5e-1c4a-4e8b-9f6d-2a1b3c4d5e6f' })
  @IsUUID()
  caseId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The person to screen (intake person id, on this case). May be left out when the case has one person; household members are screened one by one.',
    example: '0b4e6a8c-3f4a-4e1b-9c7d-2a1b3c4d5e6f',
  })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @ApiPropertyOptional({ description: 'Questionnaire to use (its highest published version)', default: DEFAULT_QUESTIONNAIRE_KEY, example: DEFAULT_QUESTIONNAIRE_KEY })
  @IsOptional()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'questionnaireKey must be lower-case letters, digits and "-" (3 to 64)' })
  questionnaireKey?: string;
}

export class SaveAnswersDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Answers by question id: true/false, a number, an option value, a list of option values, a date (YYYY-MM-DD) or text; null clears an answer. ' +
      'Only questions shown for the answers may be answered; answers of questions hidden by this change are cleared (listed in `cleared`).',
    example: { q_age: 34, q_current_location: 'other_country', q_fear_of_return: true, q_harm_reasons: ['political_opinion'] },
  })
  @IsObject()
  answers: Record<string, unknown>;
}

export class ScreeningIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class CaseIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;
}

export class ScreeningHistoryQueryDto extends PageQueryDto {}

export class QuestionnaireRefDto {
  @ApiProperty({ example: DEFAULT_QUESTIONNAIRE_KEY })
  key: string;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ description: 'SHA-256 of the canonical JSON of the published definition' })
  definitionSha256: string;
}

export class FlagFindingDto {
  @ApiProperty({ enum: FLAG_CODES, example: 'fear_of_return' })
  flag: FlagCode;

  @ApiProperty({ type: [String], description: 'Ids of the questions whose answers raised it', example: ['q_fear_of_return'] })
  reasons: string[];
}

export class GroundFindingDto {
  @ApiProperty({ enum: GROUND_CODES, example: 'political_opinion' })
  ground: GroundCode;

  @ApiProperty({ type: [String], example: ['q_fear_of_return', 'q_harm_reasons'] })
  reasons: string[];
}

export class RiskDto {
  @ApiProperty({ enum: RISK_LEVELS, example: 'high' })
  level: RiskLevel;

  @ApiProperty({ type: [String], example: ['q_fear_of_return', 'q_last_threat'] })
  reasons: string[];
}

export class RecommendationDto {
  @ApiProperty({ enum: PATHWAY_CODES, example: 'national_asylum' })
  pathway: PathwayCode;

  @ApiProperty({ type: [String], example: ['q_current_location', 'q_fear_of_return'] })
  reasons: string[];
}

export class OutcomeDto {
  @ApiProperty({ type: [FlagFindingDto] })
  flags: FlagFindingDto[];

  @ApiProperty({ type: [GroundFindingDto], description: 'Stated grounds of the fear of return' })
  fearGrounds: GroundFindingDto[];

  @ApiProperty({ type: RiskDto })
  risk: RiskDto;

  @ApiProperty({ type: [RecommendationDto], description: 'In order of priority' })
  recommendations: RecommendationDto[];
}

export class ConcernOriginDto {
  @ApiProperty({ format: 'uuid', description: "Reception's concern id (ProtectionConcernRaised.concern_id)" })
  concernId: string;

  @ApiProperty({ description: 'Reception center that raised the concern', example: 'GT-CRM-01' })
  centerCode: string;

  @ApiProperty({ enum: CONCERN_CODES, isArray: true, description: 'What reception staff noticed (codes only)', example: ['unaccompanied_child', 'fear_of_return'] })
  concerns: ConcernCode[];
}

export class ScreeningSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The person screened; null while a pending screening waits for a caseworker to start it for someone' })
  personId: string | null;

  @ApiProperty({ enum: SCREENING_STATUSES })
  status: ScreeningStatus;

  @ApiProperty({ enum: SCREENING_TRIGGERS })
  trigger: ScreeningTrigger;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  previousScreeningId: string | null;

  @ApiProperty({ type: ConcernOriginDto, nullable: true, description: 'Trigger protection_concern: the reception concern that opened it (pending until a caseworker starts it)' })
  concern: ConcernOriginDto | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a caseworker started a pending screening' })
  activatedAt: string | null;

  @ApiProperty({ type: QuestionnaireRefDto })
  questionnaire: QuestionnaireRefDto;

  @ApiProperty({ enum: RISK_LEVELS, nullable: true, type: String })
  riskLevel: RiskLevel | null;

  @ApiProperty({ enum: CANCEL_REASONS, nullable: true, type: String })
  cancelReason: CancelReason | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  completedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  cancelledAt: string | null;

  @ApiProperty({ description: 'Changes with every update; the ETag is derived from it' })
  version: number;
}

export class ScreeningCreatedDto extends ScreeningSummaryDto {
  @ApiProperty({ type: [String], description: 'Re-screening: answers carried over from the previous screening (question ids)' })
  carriedOver: string[];

  @ApiProperty({ type: [String], description: 'Re-screening: previous answers that do not fit the new version (question ids)' })
  dropped: string[];
}

/** What screening knows of the person from intake's events (never asked again). */
export class ScreenedPersonDto {
  @ApiProperty({ enum: ['aged_0_to_4', 'aged_5_to_11', 'aged_12_to_17', 'aged_18_to_59', 'aged_60_plus', 'unknown'], example: 'aged_18_to_59' })
  ageBand: string;

  @ApiProperty({ enum: ['female', 'male', 'other', 'undisclosed'], example: 'female' })
  sex: string;

  @ApiProperty({ example: 'HN', description: 'ISO 3166-1 alpha-2; XX when stateless or unknown' })
  nationality: string;

  @ApiProperty({ type: [String], example: ['fear_of_return'], description: 'Vulnerability flags intake recorded' })
  vulnerabilityFlags: string[];
}

export class ScreeningDto extends ScreeningSummaryDto {
  @ApiProperty({ type: ScreenedPersonDto, nullable: true, description: "The person's age band, sex, nationality and flags, from intake" })
  person: ScreenedPersonDto | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Answers by question id (personal data)' })
  answers: Record<string, AnswerValue>;

  @ApiProperty({ type: [String], description: 'Questions shown for the current answers (open screenings)' })
  visibleQuestions: string[];

  @ApiProperty({ type: [String], description: 'Required questions shown and not answered yet (open screenings)' })
  missingRequired: string[];

  @ApiProperty({ type: OutcomeDto, nullable: true, description: 'The result, once completed' })
  result: OutcomeDto | null;

  @ApiProperty({ nullable: true, type: String, description: 'Reference date (YYYY-MM-DD) the result was evaluated on' })
  asOf: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "Set once the person's data was erased: the answers were crypto-shredded (answers is empty); the coded result stays",
  })
  answersErasedAt: string | null;
}

export class SavedAnswersDto extends ScreeningDto {
  @ApiProperty({ type: [String], description: 'Earlier answers removed because this change hid their questions' })
  cleared: string[];
}

export class ScreeningResultDto extends OutcomeDto {
  @ApiProperty({ format: 'uuid' })
  screeningId: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: QuestionnaireRefDto })
  questionnaire: QuestionnaireRefDto;

  @ApiProperty({ description: 'Reference date (YYYY-MM-DD) of the evaluation' })
  asOf: string;

  @ApiProperty({ format: 'date-time' })
  completedAt: string;
}
