import { Injectable } from '@nestjs/common';
import { ServiceClient, ServiceNotAnsweringError } from '@puente/auth';
import { ReceptionConfig } from '../config/reception.config';

/** How referral routing answered a referral request. */
export type RoutingAnswer =
  | { created: true; referralId: string; status: string }
  | { created: false; status: 404 | 409 | 422; problem: { type?: string; detail?: string; reason?: string; errors?: unknown[]; failedRules?: unknown[] } };

/**
 * Referral routing's referral API, called with reception's own service token (scope
 * referrals:write) through libs/auth's ServiceClient: reception asks, routing decides (consent,
 * agreement, eligibility) and owns the referral.
 */
@Injectable()
export class RoutingClient {
  private readonly client: ServiceClient;

  constructor(config: ReceptionConfig) {
    this.client = new ServiceClient({ baseUrl: config.ROUTING_URL, tokenFile: config.ROUTING_TOKEN_FILE, timeoutMs: 30_000 });
  }

  /** Throws ServiceNotAnsweringError when routing gives no usable answer (nothing is recorded then). */
  async requestReferral(r: { caseId: string; programId: string; personIds: string[] }, idempotencyKey: string, traceparent?: string): Promise<RoutingAnswer> {
    const answer = await this.client.post<Record<string, unknown>>(
      '/v1/referrals',
      { caseId: r.caseId, programId: r.programId, coveredPersonIds: r.personIds, reason: 'caseworker_referral' },
      { accept: [201, 404, 409, 422], idempotencyKey, traceparent },
    );
    if (answer.status === 201) {
      if (typeof answer.body?.id !== 'string') throw new ServiceNotAnsweringError('malformed-answer', 201);
      return { created: true, referralId: answer.body.id, status: String(answer.body.status) };
    }
    return { created: false, status: answer.status as 404 | 409 | 422, problem: answer.body ?? {} };
  }
}
