import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiGoneResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited, type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { Idempotent, ProblemDetailsDto, RequireIfMatch, WithEtag } from '@puente/platform';
import { uuidParam } from '../common/problems';
import { ErasureDto, PersonDto, PersonRegistrationDto, PersonSummaryDto, RegisterPersonDto, UpdatePersonDto } from './person.dto';
import { PersonRecordsService } from './person-records.service';
import { PersonRegistrationService } from './person-registration.service';

const uuid = uuidParam('id');
const purposeHeader = ApiHeader({
  name: 'X-Purpose',
  required: true,
  description: 'Why personal data is read or changed: screening, referral, case-management, erasure, data-subject-request or oversight (audited)',
  schema: { type: 'string', example: 'case-management' },
});

@ApiTags('persons')
@Controller('persons')
export class PersonsController {
  constructor(
    private readonly registration: PersonRegistrationService,
    private readonly records: PersonRecordsService,
  ) {}

  @Post()
  @ApiAuth('persons:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Register a person at a site, opening a case (case) or joining an open one (caseId)',
    description:
      'Names (any script, kept as written), birth date, nationality, languages, contact and documents are stored encrypted under the person\'s own data key. ' +
      'The answer carries identifiers and minimized attributes only, plus the possible duplicates found (here or at partner nodes) by keyed match keys.',
  })
  @ApiCreatedResponse({ type: PersonRegistrationDto })
  async register(@CurrentCaller() caller: Caller, @Body() dto: RegisterPersonDto): Promise<PersonRegistrationDto> {
    return this.registration.register(caller, dto, { answersRequest: true });
  }

  @Get(':id')
  @ApiAuth('persons:read')
  @Audited({ action: 'person.read', objectType: 'person' })
  @WithEtag()
  @ApiOperation({ summary: 'Read a person\'s identity (audited with the X-Purpose given)' })
  @ApiOkResponse({ type: PersonDto })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'personal-data-erased: the person was erased' })
  async read(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<PersonDto> {
    return this.records.read(caller, id);
  }

  @Get(':id/summary')
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'Non-personal view of a person (sex, age band, nationality, flags, cases); also after erasure' })
  @ApiOkResponse({ type: PersonSummaryDto })
  async summary(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<PersonSummaryDto> {
    return this.records.summary(caller, id);
  }

  @Patch(':id')
  @ApiAuth('persons:write')
  @RequireIfMatch()
  @WithEtag()
  @purposeHeader
  @ApiOperation({ summary: 'Correct a person (If-Match; null clears an optional field); recomputes match keys and duplicates' })
  @ApiOkResponse({ type: PersonDto })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'personal-data-erased: an erased person cannot be updated' })
  async update(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Body() dto: UpdatePersonDto): Promise<PersonDto> {
    return this.records.update(caller, id, dto);
  }

  @Post(':id/erase')
  @HttpCode(200)
  @ApiAuth('persons:erase')
  @ApiOperation({
    summary: 'Erase a person (crypto-shredding)',
    description: 'Destroys the person\'s data key: every copy of their personal data becomes unreadable. Cases keep their non-personal history; PersonErased is published for each case.',
  })
  @ApiOkResponse({ type: ErasureDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'already-erased: the personal data of this person was already erased' })
  async erase(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<ErasureDto> {
    return this.records.erase(caller, id);
  }
}
