import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Principal, ServiceNotAnsweringError } from '@puente/auth';
import { ProblemException } from '@puente/platform';
import { DataSource } from 'typeorm';
import { ReceptionProblemTypes } from '../problems';
import { ArrivalDayService, RECEIVED } from './arrival-day.service';
import type { FamilyTracingDto, RequestFamilyTracingDto, TracingSubject } from './family-tracing.dto';
import { RoutingClient } from './routing.client';

interface TracingRow {
  id: string;
  arrival_id: string;
  program_id: string;
  subject: TracingSubject;
  referral_id: string;
  referral_status: string;
  requested_at: Date;
}

const toDto = (r: TracingRow): FamilyTracingDto => ({
  id: r.id,
  arrivalId: r.arrival_id,
  programId: r.program_id,
  subject: r.subject,
  referralId: r.referral_id,
  referralStatus: r.referral_status,
  requestedAt: r.requested_at.toISOString(),
});

/**
 * Family tracing for a child or a separated family member met at the center: a referral to a
 * family-tracing program through referral routing's API (routing checks the person's referral
 * consent, the partner's agreement and the program's eligibility, and delivers it). Reception
 * keeps only the link between the arrival and the referral.
 */
@Injectable()
export class FamilyTracingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly arrivals: ArrivalDayService,
    private readonly routing: RoutingClient,
  ) {}

  /**
   * `requestKey`: the caller's Idempotency-Key. Routing's call is keyed by it with the arrival and
   * program, so a request repeated after a lost answer finds the same referral, while a new request
   * (after a refusal routing stored under its own key) is decided afresh.
   */
  async request(principal: Principal, arrivalId: string, dto: RequestFamilyTracingDto, traceparent: string, requestKey: string = randomUUID()): Promise<FamilyTracingDto> {
    const a = await this.arrivals.get(principal, arrivalId);
    if (!RECEIVED.includes(a.status) || !a.case_id || !a.person_id) {
      throw new ProblemException(409, ReceptionProblemTypes.ARRIVAL_NOT_READY, 'Not checked in', `Family tracing follows a check-in; this arrival is ${a.status}.`, { status: a.status });
    }
    const programId = dto.programId.toLowerCase();
    let answer;
    try {
      answer = await this.routing.requestReferral({ caseId: a.case_id, programId, personIds: [a.person_id] }, `family-tracing:${arrivalId}:${programId}:${requestKey}`, traceparent);
    } catch (error) {
      if (error instanceof ServiceNotAnsweringError) {
        throw new ProblemException(503, ReceptionProblemTypes.ROUTING_UNAVAILABLE, 'Referral routing unavailable', 'Referral routing did not answer; nothing was requested. Try again shortly.', { reason: error.reason });
      }
      throw error;
    }
    if (!answer.created) throw refused(answer.status, answer.problem);
    const [row]: TracingRow[] = await this.dataSource.query(
      `WITH added AS (
         INSERT INTO family_tracing_request (id, arrival_id, program_id, subject, referral_id, referral_status, requested_at, requested_by, desk)
         VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8) ON CONFLICT (referral_id) DO NOTHING RETURNING *)
       SELECT * FROM added UNION ALL SELECT * FROM family_tracing_request WHERE referral_id = $5 LIMIT 1`,
      [randomUUID(), arrivalId, programId, dto.subject, answer.referralId, answer.status, principal.clientId, dto.desk],
    );
    return toDto(row);
  }

  async list(principal: Principal, arrivalId: string): Promise<FamilyTracingDto[]> {
    await this.arrivals.get(principal, arrivalId);
    const rows: TracingRow[] = await this.dataSource.query(`SELECT * FROM family_tracing_request WHERE arrival_id = $1 ORDER BY requested_at, id`, [arrivalId]);
    return rows.map(toDto);
  }
}

/** Routing's refusal, in reception's words: its reason, field errors and failed rules kept (they carry no personal data). */
function refused(status: 404 | 409 | 422, problem: { detail?: string; reason?: string; errors?: unknown[]; failedRules?: unknown[] }): ProblemException {
  if (status === 404) {
    return new ProblemException(409, ReceptionProblemTypes.FAMILY_TRACING_REFUSED, 'Family tracing refused', 'Referral routing does not know this case yet (it learns of cases from intake); try again shortly.', {
      reason: 'case-not-known-to-routing',
    });
  }
  const reason = typeof problem.reason === 'string' ? problem.reason : status === 422 ? 'program-refused' : 'referral-not-allowed';
  return new ProblemException(status, ReceptionProblemTypes.FAMILY_TRACING_REFUSED, 'Family tracing refused', `Referral routing refused the referral (${reason}).`, {
    reason,
    ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
    ...(Array.isArray(problem.failedRules) ? { failedRules: problem.failedRules } : {}),
  });
}
