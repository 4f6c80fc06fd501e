import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { Issue } from './definition';
import { KEY_PATTERN } from './definition';
import type { QuestionnaireVersionEntity } from './questionnaire-version.entity';
import { VERSION_STATUSES, type VersionStatus } from './versioning';

const DEFINITION_EXAMPLE = {
  schemaVersion: 1,
  key: 'puente-protection-screening',
  title: { es: 'Evaluación de necesidades de protección', en: 'Protection needs screening', fr: 'Évaluation des besoins de protection', pt: 'Triagem de necessidades de proteção' },
  locales: ['es', 'en', 'fr', 'pt'],
  sections: [
    {
      id: 's_safety',
      title: { es: 'Seguridad', en: 'Safety', fr: 'Sécurité', pt: 'Segurança' },
      questions: [
        {
          id: 'q_fear_of_return',
          type: 'boolean',
          required: true,
          text: { es: '¿Teme regresar?', en: 'Are you afraid to return?', fr: 'Craignez-vous de rentrer ?', pt: 'Você tem medo de voltar?' },
        },
      ],
    },
  ],
  rules: {
    flags: [{ flag: 'fear_of_return', when: { var: 'q_fear_of_return' } }],
    fearGrounds: [],
    risk: [{ level: 'medium', when: { flag: 'fear_of_return' } }],
    pathways: [{ pathway: 'legal_aid', when: { flag: 'fear_of_return' } }],
  },
};

export class QuestionnaireDefinitionBodyDto {
  @ApiProperty({
    description:
      'The questionnaire definition (JSON): sections, questions (boolean, single, multi, number, date, text) with translations in es, en, fr and pt, ' +
      'display conditions (visibleWhen) and rules (flags, fearGrounds, risk, pathways) written as JSON rule expressions, e.g. {"and": [{"var": "q_age"}, …]}. ' +
      'Drafts may be incomplete; publishing validates everything and reports each problem with its path.',
    type: 'object',
    additionalProperties: true,
    example: DEFINITION_EXAMPLE,
  })
  @IsObject()
  definition: Record<string, unknown>;
}

export class ListQuestionnairesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'puente-protection-screening' })
  @IsOptional()
  @IsString()
  @Matches(KEY_PATTERN)
  key?: string;

  @ApiPropertyOptional({ enum: VERSION_STATUSES })
  @IsOptional()
  @IsIn(VERSION_STATUSES)
  status?: VersionStatus;
}

export class VersionParamsDto {
  @ApiProperty({ example: 'puente-protection-screening' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'key must be lower-case letters, digits and "-" (3 to 64)' })
  key: string;

  @ApiProperty({ example: 2, minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version: number;
}

export class KeyParamsDto {
  @ApiProperty({ example: 'puente-protection-screening' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'key must be lower-case letters, digits and "-" (3 to 64)' })
  key: string;
}

export class DefinitionIssueDto {
  @ApiProperty({ example: 'definition.rules.flags[0].when.and[1].var' })
  field: string;

  @ApiProperty({ example: 'unknown-question' })
  code: string;

  @ApiProperty({ example: 'Unknown question "q_fear_of_retrun".' })
  message: string;
}

export class QuestionnaireVersionSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'puente-protection-screening' })
  key: string;

  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ enum: VERSION_STATUSES, example: 'published' })
  status: VersionStatus;

  @ApiProperty({ enum: ['default', 'admin'], description: 'default: shipped with Puente; admin: created through this API' })
  source: 'default' | 'admin';

  @ApiProperty({ description: 'SHA-256 of the canonical JSON of the definition', example: '3f2a…' })
  definitionSha256: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  publishedAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  retiredAt: string | null;
}

export class QuestionnaireVersionDto extends QuestionnaireVersionSummaryDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: DEFINITION_EXAMPLE })
  definition: Record<string, unknown>;
}

export class DraftDto extends QuestionnaireVersionDto {
  @ApiProperty({ type: [DefinitionIssueDto], description: 'What would stop this draft from being published (empty when it is valid)' })
  issues: DefinitionIssueDto[];
}

export class ValidationReportDto {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ type: [DefinitionIssueDto] })
  issues: DefinitionIssueDto[];
}

export function toSummary(v: QuestionnaireVersionEntity): QuestionnaireVersionSummaryDto {
  return {
    id: v.id,
    key: v.key,
    version: v.version,
    status: v.status,
    source: v.source,
    definitionSha256: v.definitionSha256,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    publishedAt: v.publishedAt?.toISOString() ?? null,
    retiredAt: v.retiredAt?.toISOString() ?? null,
  };
}

export function toVersionDto(v: QuestionnaireVersionEntity): QuestionnaireVersionDto {
  return { ...toSummary(v), definition: v.definition };
}

export function toIssueDtos(issues: readonly Issue[]): DefinitionIssueDto[] {
  return issues.map((i) => ({ field: i.path, code: i.code, message: i.message }));
}
