import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ProblemDetailsDto } from '@puente/platform';
import { type Caller, CurrentCaller } from '@puente/audit';
import { ManifestRegistrationDto, ManifestRegistrationResultDto } from './manifest-registration.dto';
import { ManifestRegistrationService } from './manifest-registration.service';

@ApiTags('manifest registrations')
@Controller('manifest-registrations')
export class ManifestRegistrationController {
  constructor(private readonly registrations: ManifestRegistrationService) {}

  // Not @Idempotent: repeating a call is safe by itself (a row registered before now matches).
  @Post()
  @HttpCode(200)
  @ApiAuth('manifests:register')
  @ApiOperation({
    summary: 'Register or match the persons of an arrival manifest (reception, service to service)',
    description:
      'Each row: matched to the local person with the same full name and birth date (their live case, or a case opened now), or registered as a new person on a new case ' +
      '(possible duplicates recorded as at any registration), or rejected with its fields and codes. A corrected row sent with the personId answered before stays that person. ' +
      "Rows are compared with local persons and with the match keys other nodes shared; other nodes' records are reported by node and reference. " +
      'The rows of a call are written in one transaction. Identifiers only in the answer, never personal data.',
  })
  @ApiOkResponse({ type: ManifestRegistrationResultDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'unknown-reference: siteCode is not an active site in your jurisdiction (no row was looked at)' })
  async registerOrMatch(@CurrentCaller() caller: Caller, @Body() dto: ManifestRegistrationDto): Promise<ManifestRegistrationResultDto> {
    return { rows: await this.registrations.registerOrMatch(caller, dto) };
  }
}
