import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal, resourceNotFound } from '@puente/auth';
import { ProblemDetailsDto } from '@puente/platform';
import { DataSource } from 'typeorm';
import { RoutingCaseFacts } from '../cases/case-model';
import { type ProtectionAlertRow, ProtectionAlerts, RoutingClock } from './protection-alerts';
import { CaseSuggestionsDto, ProtectionAlertDto } from './routing.dto';
import { SuggestionsService } from './suggestions.service';

function alertDto(a: ProtectionAlertRow): ProtectionAlertDto {
  return {
    alertId: a.alert_id,
    caseId: a.case_id,
    siteCode: a.site_code,
    riskLevel: a.risk_level,
    raisedAt: a.raised_at.toISOString(),
    acknowledgeDueAt: a.acknowledge_due_at.toISOString(),
    acknowledgedAt: a.acknowledged_at?.toISOString() ?? null,
    escalatedAt: a.escalated_at?.toISOString() ?? null,
  };
}

@ApiTags('routing')
@Controller()
export class RoutingController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: RoutingCaseFacts,
    private readonly suggestions: SuggestionsService,
    private readonly alerts: ProtectionAlerts,
    private readonly clock: RoutingClock,
  ) {}

  @Get('cases/:caseId/suggestions')
  @ApiAuth('cases:read')
  @ApiOperation({
    summary: 'Ranked program suggestions for a case after its latest screening',
    description: 'Eligible programs only, best first (pathway strength, open slot, SLA record), each with its reasons; the active programs the case is not eligible for come apart with their failed rules. A case outside your jurisdictions is 404.',
  })
  @ApiOkResponse({ type: CaseSuggestionsDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'Unknown case, not in your jurisdictions, or not screened yet' })
  async suggestionsOf(@Param('caseId', new ParseUUIDPipe()) caseId: string, @CurrentPrincipal() principal: Principal): Promise<CaseSuggestionsDto> {
    const m = this.dataSource.manager;
    const c = await this.cases.load(m, caseId);
    if (!c || !this.cases.visibleTo(c, principal.jurisdictions)) throw resourceNotFound('case');
    const latest = await this.suggestions.latest(m, c.row.case_id);
    if (!latest) throw resourceNotFound('suggestions');
    return { ...latest, computedAt: latest.computedAt.toISOString() } as CaseSuggestionsDto;
  }

  @Get('protection-alerts/:alertId')
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'An urgent protection alert with its acknowledgement deadline' })
  @ApiOkResponse({ type: ProtectionAlertDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async alert(@Param('alertId') alertId: string, @CurrentPrincipal() principal: Principal): Promise<ProtectionAlertDto> {
    return alertDto(await this.alerts.find(this.dataSource.manager, alertId, principal));
  }

  @Post('protection-alerts/:alertId/acknowledgement')
  @HttpCode(200)
  @ApiAuth('cases:write')
  @ApiOperation({ summary: 'A protection officer acknowledges an urgent alert (stops its escalation; repeating it changes nothing)' })
  @ApiOkResponse({ type: ProtectionAlertDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async acknowledge(@Param('alertId') alertId: string, @CurrentPrincipal() principal: Principal): Promise<ProtectionAlertDto> {
    return alertDto(await this.alerts.acknowledge(alertId, principal, this.clock.now()));
  }
}
