import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type PlanClosed, Topics } from '@puente/contracts';
import { type ConsumedEvent, decodeOrPoison, type EventContext } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { outcomeRecordOf } from './reintegration-outcomes';
import { ReintegrationOutcomesService } from './reintegration-outcomes.service';

export const PLAN_CLOSED_EVENT_TYPE = 'puente.reintegration.v1.PlanClosed';

/** Reintegration's PlanClosed: the center that referred the person learns the outcome (inbox-idempotent, and once per plan). */
@Controller()
export class PlanClosedConsumer {
  private readonly logger = new Logger('ReintegrationOutcomes');

  constructor(
    private readonly outcomes: ReintegrationOutcomesService,
    private readonly config: ServiceConfig,
  ) {}

  @EventPattern(Topics.reintegrationPlan.name, { types: [PLAN_CLOSED_EVENT_TYPE] })
  async onPlanClosed(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const record = outcomeRecordOf(decodeOrPoison(event) as PlanClosed, this.config.PUENTE_NODE, event.time);
    if (!record) return;
    const result = await this.outcomes.record(tx, record, new Date());
    this.logger.log({ planId: record.planId, caseId: record.caseId, centerCode: record.centerCode, outcome: record.outcome, result }, 'reintegration outcome');
  }
}
