import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { Idempotent, ProblemDetailsDto } from '@puente/platform';
import type { FastifyReply } from 'fastify';
import { ManifestDto, PostManifestDto } from './manifest.dto';
import { ManifestsService } from './manifests.service';

@ApiTags('manifests')
@Controller('manifests')
export class ManifestsController {
  constructor(private readonly manifests: ManifestsService) {}

  @Post()
  @ApiAuth('manifests:write')
  @Idempotent({ required: false })
  @ApiOperation({
    summary: "Post a returning country's manifest: the movement and the persons on it",
    description:
      'Rows are checked one by one: good rows are accepted, bad rows are reported with their row number, field and code (never their values). ' +
      'The personal data goes to intake (register or match) and reception keeps only the ids; when intake is unreachable the rows wait encrypted and are sent when it is back (status matching). ' +
      'Posting the same movement reference again is the same manifest (200): unchanged rows stay, corrected rows are matched again, rows no longer listed are withdrawn.',
  })
  @ApiCreatedResponse({ type: ManifestDto, description: 'A new manifest' })
  @ApiOkResponse({ type: ManifestDto, description: 'The same movement posted again (corrections applied)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-manifest: no persons, a day in the past, an unknown or inactive center (nothing stored)' })
  @ApiPayloadTooLargeResponse({ type: ProblemDetailsDto, description: 'manifest-too-large: more than 5,000 persons' })
  async post(@CurrentPrincipal() principal: Principal, @Body() dto: PostManifestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ManifestDto> {
    const { manifest, created } = await this.manifests.post(principal, dto);
    void reply.status(created ? 201 : 200).header('Location', `/v1/manifests/${manifest.id}`);
    return manifest;
  }

  @Get(':id')
  @ApiAuth()
  @ApiOperation({ summary: 'A manifest: status (matching until intake has answered for every row), counts and refused rows (the poster, or arrivals:read)' })
  @ApiOkResponse({ type: ManifestDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<ManifestDto> {
    return this.manifests.read(principal, id);
  }
}
