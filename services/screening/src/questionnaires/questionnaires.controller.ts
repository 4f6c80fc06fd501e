import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, ProblemDetailsDto, ProblemException, ProblemTypes, RequireIfMatch, setEtag } from '@puente/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_QUESTIONNAIRE_KEY } from './catalog';
import {
  DraftDto,
  KeyParamsDto,
  ListQuestionnairesQueryDto,
  QuestionnaireDefinitionBodyDto,
  QuestionnaireVersionDto,
  QuestionnaireVersionSummaryDto,
  toIssueDtos,
  toSummary,
  toVersionDto,
  ValidationReportDto,
  VersionParamsDto,
} from './dto';
import { etagOf, QuestionnairesService } from './questionnaires.service';

const location = (key: string, version: number) => `/v1/questionnaires/${key}/versions/${version}`;

@ApiTags('questionnaires')
@Controller('questionnaires')
export class QuestionnairesController {
  constructor(private readonly questionnaires: QuestionnairesService) {}

  @Get()
  @ApiAuth('screening:read')
  @ApiOperation({ summary: 'List questionnaire versions (drafts, published, retired), newest last' })
  @ApiPaginatedResponse(QuestionnaireVersionSummaryDto)
  async list(@Query() query: ListQuestionnairesQueryDto): Promise<Page<QuestionnaireVersionSummaryDto>> {
    return mapPage(await this.questionnaires.list({ key: query.key, status: query.status }, query), toSummary);
  }

  @Post()
  @ApiAuth('screening:admin')
  @Idempotent()
  @ApiOperation({
    summary: 'Create a draft version',
    description: `The draft gets the next version number of its key (e.g. ${DEFAULT_QUESTIONNAIRE_KEY}). Only one draft per key at a time. The answer lists what would stop it from being published.`,
  })
  @ApiCreatedResponse({ type: DraftDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'questionnaire-draft-exists' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-questionnaire: the definition has no valid key' })
  async create(@Body() body: QuestionnaireDefinitionBodyDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<DraftDto> {
    const { draft, issues } = await this.questionnaires.createDraft(body.definition, principal.clientId);
    void reply.header('Location', location(draft.key, draft.version));
    setEtag(reply, etagOf(draft));
    return { ...toVersionDto(draft), issues: toIssueDtos(issues) };
  }

  @Get(':key/current')
  @ApiAuth('screening:read')
  @ApiOperation({ summary: 'The version new screenings of this questionnaire use (the highest published one)' })
  @ApiOkResponse({ type: QuestionnaireVersionDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async current(@Param() params: KeyParamsDto): Promise<QuestionnaireVersionDto> {
    const current = await this.questionnaires.current(params.key);
    if (!current) throw new ProblemException(404, ProblemTypes.NOT_FOUND, 'No published version', 'This questionnaire has no published version.');
    return toVersionDto(current);
  }

  @Get(':key/versions/:version')
  @ApiAuth('screening:read')
  @ApiOperation({ summary: 'One questionnaire version with its definition' })
  @ApiOkResponse({ type: QuestionnaireVersionDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param() params: VersionParamsDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<QuestionnaireVersionDto> {
    const v = await this.questionnaires.get(params.key, params.version);
    setEtag(reply, etagOf(v));
    return toVersionDto(v);
  }

  @Put(':key/versions/:version')
  @ApiAuth('screening:admin')
  @RequireIfMatch()
  @ApiOperation({ summary: 'Replace the definition of a draft' })
  @ApiOkResponse({ type: DraftDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'questionnaire-not-editable: the version is published or retired' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-questionnaire: the definition\'s key differs from the draft\'s, or text is not storable' })
  async update(
    @Param() params: VersionParamsDto,
    @Body() body: QuestionnaireDefinitionBodyDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DraftDto> {
    const { draft, issues } = await this.questionnaires.updateDraft(params.key, params.version, body.definition, request);
    setEtag(reply, etagOf(draft));
    return { ...toVersionDto(draft), issues: toIssueDtos(issues) };
  }

  @Delete(':key/versions/:version')
  @ApiAuth('screening:admin')
  @RequireIfMatch()
  @HttpCode(204)
  @ApiOperation({ summary: 'Discard a draft' })
  @ApiNoContentResponse({ description: 'Discarded' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'questionnaire-not-editable' })
  async discard(@Param() params: VersionParamsDto, @Req() request: FastifyRequest): Promise<void> {
    await this.questionnaires.discardDraft(params.key, params.version, request);
  }

  @Post(':key/versions/:version/validate')
  @ApiAuth('screening:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a version: every problem with its exact path (unknown questions, loops in display conditions, duplicate ids, …)' })
  @ApiOkResponse({ type: ValidationReportDto })
  async validate(@Param() params: VersionParamsDto): Promise<ValidationReportDto> {
    const { issues } = this.questionnaires.compile(await this.questionnaires.get(params.key, params.version));
    return { valid: issues.length === 0, issues: toIssueDtos(issues) };
  }

  @Post(':key/versions/:version/publish')
  @ApiAuth('screening:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a draft: it becomes immutable and new screenings use it; completed screenings keep their results' })
  @ApiOkResponse({ type: QuestionnaireVersionDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'questionnaire-not-editable: only drafts can be published' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-questionnaire, with one error per problem' })
  async publish(@Param() params: VersionParamsDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<QuestionnaireVersionDto> {
    const v = await this.questionnaires.publish(params.key, params.version, principal.clientId);
    setEtag(reply, etagOf(v));
    return toVersionDto(v);
  }

  @Post(':key/versions/:version/retire')
  @ApiAuth('screening:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire a published version: no new screenings start on it' })
  @ApiOkResponse({ type: QuestionnaireVersionDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'questionnaire-not-editable: only published versions can be retired' })
  async retire(@Param() params: VersionParamsDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<QuestionnaireVersionDto> {
    const v = await this.questionnaires.retire(params.key, params.version, principal.clientId);
    setEtag(reply, etagOf(v));
    return toVersionDto(v);
  }
}
