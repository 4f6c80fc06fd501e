import { Body, Controller, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, type Page, ProblemDetailsDto, RequireIfMatch, ServiceConfig, setEtag } from '@puente/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DirectoryAdminService, directoryEtag } from './directory-admin.service';
import {
  AgreementDto,
  CreateAgreementDto,
  CreateLocationDto,
  CreatePartnerDto,
  CreateProgramDto,
  ListAgreementsQuery,
  ListLocationsQuery,
  ListPartnersQuery,
  ListProgramsQuery,
  LocationDto,
  PartnerDto,
  ProgramDto,
  UpdateAgreementDto,
  UpdateLocationDto,
  UpdatePartnerDto,
  UpdateProgramDto,
} from './directory.dto';
import type { AgreementEntity, LocationEntity, PartnerEntity, ProgramEntity } from './directory.entities';
import { HsdsExportService } from './hsds-export';
import { partnerKafkaTopic } from './vocabulary';

const PREFIX = '/v1/directory';

@ApiTags('directory')
@Controller('directory')
export class DirectoryController {
  constructor(
    private readonly admin: DirectoryAdminService,
    private readonly hsds: HsdsExportService,
    private readonly config: ServiceConfig,
  ) {}

  private async partnerDto(p: PartnerEntity, principal: Principal): Promise<PartnerDto> {
    const mayConfigure = await this.admin.seesDeliveryOf(principal, p.id);
    return {
      id: p.id,
      name: p.name,
      alternateName: p.alternateName,
      kind: p.kind,
      partnerType: p.partnerType,
      description: p.description,
      country: p.country,
      node: p.node,
      hostedHere: p.node === this.config.PUENTE_NODE,
      website: p.website,
      email: p.email,
      status: p.status,
      delivery: {
        channels: [...p.deliveryChannels],
        restPull: p.deliveryChannels.includes('rest_pull'),
        kafkaTopic: partnerKafkaTopic(p.id),
        kafka: p.deliveryChannels.includes('kafka'),
        ...(mayConfigure ? { webhookUrl: p.webhookUrl, webhookSecretSet: await this.admin.hasWebhookSecret(p.id) } : {}),
      },
      lastVerifiedOn: p.lastVerifiedOn,
      version: p.version,
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  private programDto(p: ProgramEntity, locationIds: string[]): ProgramDto {
    return {
      id: p.id,
      partnerId: p.partnerId,
      name: p.name,
      alternateName: p.alternateName,
      description: p.description,
      pathway: p.pathway,
      status: p.status,
      taxonomyCode: p.taxonomyCode,
      node: p.node,
      hostedHere: p.node === this.config.PUENTE_NODE,
      languages: p.languages,
      serviceAreas: p.serviceAreas,
      requiredDocuments: p.requiredDocuments,
      fees: p.fees,
      applicationProcess: p.applicationProcess,
      eligibilityDescription: p.eligibilityDescription,
      eligibilityRule: p.eligibilityRule ?? null,
      capacity: { totalSlots: p.totalSlots, openSlots: p.openSlots, waitlist: p.waitlist },
      sla: { acknowledgeHours: p.slaAcknowledgeHours, decideHours: p.slaDecideHours },
      autoReferOnProtectionAlert: p.autoReferOnProtectionAlert,
      locationIds,
      lastVerifiedOn: p.lastVerifiedOn,
      version: p.version,
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  private async programDtos(programs: ProgramEntity[]): Promise<ProgramDto[]> {
    const locations = await this.admin.locationIdsOf(programs.map((p) => p.id));
    return programs.map((p) => this.programDto(p, locations.get(p.id) ?? []));
  }

  private locationDto(l: LocationEntity): LocationDto {
    return {
      id: l.id,
      partnerId: l.partnerId,
      name: l.name,
      siteCode: l.siteCode,
      country: l.country,
      subdivision: l.subdivision,
      city: l.city,
      address: l.address,
      latitude: l.latitude,
      longitude: l.longitude,
      accessibility: l.accessibility,
      openingHours: l.openingHours,
      version: l.version,
      updatedAt: l.updatedAt.toISOString(),
    };
  }

  private agreementDto(a: AgreementEntity): AgreementDto {
    return {
      id: a.id,
      partnerId: a.partnerId,
      node: a.node,
      reference: a.reference,
      purposes: a.purposes,
      fieldsByPurpose: a.fieldsByPurpose as Record<string, string[]>,
      validFrom: a.validFrom,
      validUntil: a.validUntil,
      terminated: a.terminatedAt !== null,
      version: a.version,
      updatedAt: a.updatedAt.toISOString(),
    };
  }

  // ---------- partners ----------

  @Get('partners')
  @ApiAuth('directory:read')
  @ApiOperation({ summary: 'List partners (HSDS organizations)', description: 'Webhook settings appear only to node staff and to the partner itself.' })
  @ApiPaginatedResponse(PartnerDto)
  async listPartners(@Query() q: ListPartnersQuery, @CurrentPrincipal() principal: Principal): Promise<Page<PartnerDto>> {
    const page = await this.admin.listPartners(q);
    return { items: await Promise.all(page.items.map((p) => this.partnerDto(p, principal))), nextCursor: page.nextCursor };
  }

  @Get('partners/:id')
  @ApiAuth('directory:read')
  @ApiOperation({ summary: 'One partner with its delivery endpoints (the webhook secret is never returned)' })
  @ApiOkResponse({ type: PartnerDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getPartner(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<PartnerDto> {
    const partner = await this.admin.getPartner(id);
    setEtag(reply, directoryEtag('partner', partner));
    return this.partnerDto(partner, principal);
  }

  @Post('partners')
  @ApiAuth('partners:admin')
  @Idempotent()
  @ApiOperation({ summary: 'Add a partner (node staff only)', description: 'Emits PartnerChanged on puente.referral.directory.v1 (intake follows it).' })
  @ApiCreatedResponse({ type: PartnerDto })
  async createPartner(@Body() dto: CreatePartnerDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<PartnerDto> {
    const partner = await this.admin.createPartner({ principal, request }, dto);
    void reply.header('Location', `${PREFIX}/partners/${partner.id}`);
    setEtag(reply, directoryEtag('partner', partner));
    return this.partnerDto(partner, principal);
  }

  @Patch('partners/:id')
  @ApiAuth('partners:admin')
  @RequireIfMatch()
  @ApiOperation({ summary: 'Change a partner (If-Match): node staff, or the partner itself' })
  @ApiOkResponse({ type: PartnerDto })
  async updatePartner(
    @Param('id') id: string,
    @Body() dto: UpdatePartnerDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartnerDto> {
    const partner = await this.admin.updatePartner({ principal, request }, id, dto);
    setEtag(reply, directoryEtag('partner', partner));
    return this.partnerDto(partner, principal);
  }

  // ---------- locations ----------

  @Get('locations')
  @ApiAuth('directory:read')
  @ApiOperation({ summary: 'List locations (HSDS locations)' })
  @ApiPaginatedResponse(LocationDto)
  async listLocations(@Query() q: ListLocationsQuery): Promise<Page<LocationDto>> {
    const page = await this.admin.listLocations(q);
    return { items: page.items.map((l) => this.locationDto(l)), nextCursor: page.nextCursor };
  }

  @Get('locations/:id')
  @ApiAuth('directory:read')
  @ApiOkResponse({ type: LocationDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getLocation(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<LocationDto> {
    const location = await this.admin.getLocation(id);
    setEtag(reply, directoryEtag('location', location));
    return this.locationDto(location);
  }

  @Post('locations')
  @ApiAuth('partners:admin')
  @Idempotent()
  @ApiOperation({ summary: "Add a location of a partner: node staff, or the partner itself" })
  @ApiCreatedResponse({ type: LocationDto })
  async createLocation(@Body() dto: CreateLocationDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LocationDto> {
    const location = await this.admin.createLocation({ principal, request }, dto);
    void reply.header('Location', `${PREFIX}/locations/${location.id}`);
    setEtag(reply, directoryEtag('location', location));
    return this.locationDto(location);
  }

  @Patch('locations/:id')
  @ApiAuth('partners:admin')
  @RequireIfMatch()
  @ApiOkResponse({ type: LocationDto })
  async updateLocation(
    @Param('id') id: string,
    @Body() dto: UpdateLocationDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LocationDto> {
    const location = await this.admin.updateLocation({ principal, request }, id, dto);
    setEtag(reply, directoryEtag('location', location));
    return this.locationDto(location);
  }

  // ---------- programs ----------

  @Get('programs')
  @ApiAuth('directory:read')
  @ApiOperation({ summary: 'List programs (HSDS services) with eligibility, capacity and SLA' })
  @ApiPaginatedResponse(ProgramDto)
  async listPrograms(@Query() q: ListProgramsQuery): Promise<Page<ProgramDto>> {
    const page = await this.admin.listPrograms(q);
    return { items: await this.programDtos(page.items), nextCursor: page.nextCursor };
  }

  @Get('programs/:id')
  @ApiAuth('directory:read')
  @ApiOkResponse({ type: ProgramDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getProgram(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProgramDto> {
    const program = await this.admin.getProgram(id);
    setEtag(reply, directoryEtag('program', program));
    return (await this.programDtos([program]))[0];
  }

  @Post('programs')
  @ApiAuth('partners:admin')
  @Idempotent()
  @ApiOperation({ summary: 'Add a program: node staff, or the partner that runs it', description: 'The eligibility rule is compiled on write; errors name their exact place.' })
  @ApiCreatedResponse({ type: ProgramDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-eligibility-rule, unknown-reference' })
  async createProgram(@Body() dto: CreateProgramDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProgramDto> {
    const program = await this.admin.createProgram({ principal, request }, dto);
    void reply.header('Location', `${PREFIX}/programs/${program.id}`);
    setEtag(reply, directoryEtag('program', program));
    return (await this.programDtos([program]))[0];
  }

  @Patch('programs/:id')
  @ApiAuth('partners:admin')
  @RequireIfMatch()
  @ApiOperation({ summary: 'Change a program (If-Match): node staff, or the partner that runs it' })
  @ApiOkResponse({ type: ProgramDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-eligibility-rule, unknown-reference' })
  async updateProgram(
    @Param('id') id: string,
    @Body() dto: UpdateProgramDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProgramDto> {
    const program = await this.admin.updateProgram({ principal, request }, id, dto);
    setEtag(reply, directoryEtag('program', program));
    return (await this.programDtos([program]))[0];
  }

  // ---------- agreements ----------

  @Get('agreements')
  @ApiAuth('directory:read')
  @ApiOperation({ summary: "Data-sharing agreements between this node and partners (a partner sees its own)" })
  @ApiPaginatedResponse(AgreementDto)
  async listAgreements(@Query() q: ListAgreementsQuery, @CurrentPrincipal() principal: Principal): Promise<Page<AgreementDto>> {
    const page = await this.admin.listAgreements(principal, q);
    return { items: page.items.map((a) => this.agreementDto(a)), nextCursor: page.nextCursor };
  }

  @Get('agreements/:id')
  @ApiAuth('directory:read')
  @ApiOkResponse({ type: AgreementDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getAgreement(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<AgreementDto> {
    const agreement = await this.admin.getAgreement(principal, id);
    setEtag(reply, directoryEtag('agreement', agreement));
    return this.agreementDto(agreement);
  }

  @Post('agreements')
  @ApiAuth('partners:admin')
  @Idempotent()
  @ApiOperation({ summary: 'Record a data-sharing agreement with a partner (node staff only)' })
  @ApiCreatedResponse({ type: AgreementDto })
  async createAgreement(@Body() dto: CreateAgreementDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AgreementDto> {
    const agreement = await this.admin.createAgreement({ principal, request }, dto);
    void reply.header('Location', `${PREFIX}/agreements/${agreement.id}`);
    setEtag(reply, directoryEtag('agreement', agreement));
    return this.agreementDto(agreement);
  }

  @Patch('agreements/:id')
  @ApiAuth('partners:admin')
  @RequireIfMatch()
  @ApiOperation({ summary: 'Extend, narrow or terminate an agreement (If-Match; node staff only)' })
  @ApiOkResponse({ type: AgreementDto })
  async updateAgreement(
    @Param('id') id: string,
    @Body() dto: UpdateAgreementDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AgreementDto> {
    const agreement = await this.admin.updateAgreement({ principal, request }, id, dto);
    setEtag(reply, directoryEtag('agreement', agreement));
    return this.agreementDto(agreement);
  }

  // ---------- HSDS ----------

  @Get('export')
  @ApiAuth('directory:read')
  @ApiOperation({
    summary: 'The whole directory in Open Referral HSDS 3.0 JSON',
    description: 'organizations, services (with eligibility, capacity, schedules, service areas, languages, required documents, cost options), locations and service_at_location. Delivery settings and agreements are not part of HSDS and are left out.',
  })
  @ApiOkResponse({ description: 'HSDS JSON' })
  async export(): Promise<unknown> {
    return this.hsds.export();
  }
}
