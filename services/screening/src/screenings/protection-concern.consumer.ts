import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SITE_CODE_PATTERN } from '@puente/auth';
import { decodeEvent, type ProtectionConcernRaised, Topics } from '@puente/contracts';
import { type ConsumedEvent, type EventContext, NonRetryableError, requireUuid } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { concernCodesOf } from './protection-concerns';
import type { EventActor } from './screening-events';
import { type ConcernRequest, ScreeningsService } from './screenings.service';

export const CONCERN_EVENT_TYPE = 'puente.reception.v1.ProtectionConcernRaised';

/** What an actor field may hold (as the audit log requires): no control characters, bounded. */
const ACTOR_FIELD = /^[^\p{Cc}]{1,255}$/u;

/**
 * The concern as screening uses it, or a NonRetryableError (to the DLQ at once: retrying cannot
 * fix it) when it breaks the contract: ids not UUIDs, no valid center code, no concern code.
 * The actor is informational: a missing or malformed one becomes `system` rather than losing the
 * concern.
 */
export function concernRequestOf(event: ConsumedEvent, message: ProtectionConcernRaised, node: string): ConcernRequest {
  const caseId = requireUuid(message.caseId, 'case_id');
  const concernId = requireUuid(message.concernId, 'concern_id');
  if (!SITE_CODE_PATTERN.test(message.centerCode)) throw new NonRetryableError('center_code is not a site code');
  const concerns = concernCodesOf(message.concerns);
  if (concerns.length === 0) throw new NonRetryableError('concerns is empty');
  const by = message.raisedBy;
  const raisedBy: EventActor = {
    clientId: by && ACTOR_FIELD.test(by.clientId) ? by.clientId : 'system',
    partnerId: by && ACTOR_FIELD.test(by.partnerId) ? by.partnerId : '',
    node: by && /^[A-Z]{2}$/.test(by.node) ? by.node : node,
  };
  return { eventId: event.id, concernId, caseId, centerCode: message.centerCode, concerns, raisedBy, traceparent: event.traceparent };
}

/**
 * Reception's protection concerns open a pending screening for the case (see
 * ScreeningsService.requestFromConcern). Inbox-idempotent (event id), and idempotent by concern
 * id as well (a re-sent concern under a new event id opens nothing new).
 */
@Controller()
export class ProtectionConcernConsumer {
  private readonly logger = new Logger('ProtectionConcerns');

  constructor(
    private readonly screenings: ScreeningsService,
    private readonly config: ServiceConfig,
  ) {}

  @EventPattern(Topics.receptionArrival.name, { types: [CONCERN_EVENT_TYPE] })
  async onProtectionConcern(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    let message: ProtectionConcernRaised;
    try {
      message = decodeEvent(CONCERN_EVENT_TYPE, event.payload);
    } catch (error) {
      throw new NonRetryableError(`cannot decode ${event.type}: ${(error as Error).message}`, { cause: error });
    }
    const request = concernRequestOf(event, message, this.config.PUENTE_NODE);
    const outcome = await this.screenings.requestFromConcern(tx, request);
    if (!outcome.opened && outcome.reason === 'no-published-questionnaire') {
      // Every node publishes the default questionnaire at start; without it the concern waits in the DLQ for a replay.
      throw new NonRetryableError('no published version of the default questionnaire: cannot open a pending screening');
    }
    this.logger.log({ caseId: request.caseId, concernId: request.concernId, ...outcome }, outcome.opened ? 'protection concern: pending screening opened' : 'protection concern: nothing new');
  }
}
