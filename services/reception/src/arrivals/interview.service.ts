import { Injectable } from '@nestjs/common';
import { type Principal, resourceNotFound } from '@puente/auth';
import { ProblemException, validationProblem } from '@puente/platform';
import { DataSource } from 'typeorm';
import { ReceptionProblemTypes } from '../problems';
import type { ConcernCode } from './arrival-day.dto';
import { ArrivalDayService, RECEIVED } from './arrival-day.service';
import { answerErrors, concernsOf, type InterviewAnswers, normalizedAnswers } from './interview';
import type { InterviewDto, RecordInterviewDto } from './interview.dto';

interface InterviewRow {
  arrival_id: string;
  answers: InterviewAnswers;
  interviewed_at: Date;
  desk: string;
  concerns_raised: ConcernCode[];
  protection_concern_id: string | null;
}

const toDto = (r: InterviewRow): InterviewDto => ({
  arrivalId: r.arrival_id,
  ...r.answers,
  protectionConcernId: r.protection_concern_id,
  concernsRaised: r.concerns_raised,
  desk: r.desk,
  interviewedAt: r.interviewed_at.toISOString(),
});

/**
 * The reception interview of a person checked in: coded answers only, once per arrival. A
 * protection indicator (or fleeing persecution or violence) raises the protection concern in the
 * same transaction, so screening opens a pending screening for the case.
 */
@Injectable()
export class InterviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly arrivals: ArrivalDayService,
  ) {}

  async record(principal: Principal, arrivalId: string, dto: RecordInterviewDto, traceparent: string): Promise<InterviewDto> {
    const answers = normalizedAnswers(dto);
    const errors = answerErrors(answers);
    if (errors.length > 0) throw validationProblem(errors);
    return this.dataSource.transaction(async (tx) => {
      const a = await this.arrivals.get(principal, arrivalId, tx, true);
      if (!RECEIVED.includes(a.status)) {
        throw new ProblemException(409, ReceptionProblemTypes.ARRIVAL_NOT_READY, 'Not checked in', `The interview follows a check-in; this arrival is ${a.status}.`, { status: a.status });
      }
      const [existing]: unknown[] = await tx.query(`SELECT 1 FROM interview WHERE arrival_id = $1`, [arrivalId]);
      if (existing) throw new ProblemException(409, ReceptionProblemTypes.INTERVIEW_RECORDED, 'Interview already recorded', 'This arrival already has its interview (GET it to read it).');
      const now = new Date();
      const concerns = concernsOf(answers);
      const concernId = concerns.length > 0 ? await this.arrivals.concern(tx, principal, a, concerns, traceparent, now) : null;
      const [row]: InterviewRow[] = await tx.query(
        `INSERT INTO interview (arrival_id, answers, interviewed_at, interviewed_by, desk, concerns_raised, protection_concern_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [arrivalId, JSON.stringify(answers), now, principal.clientId, dto.desk, concerns, concernId],
      );
      return toDto(row);
    });
  }

  async read(principal: Principal, arrivalId: string): Promise<InterviewDto> {
    await this.arrivals.get(principal, arrivalId);
    const [row]: InterviewRow[] = await this.dataSource.query(`SELECT * FROM interview WHERE arrival_id = $1`, [arrivalId]);
    if (!row) throw resourceNotFound('interview');
    return toDto(row);
  }
}
