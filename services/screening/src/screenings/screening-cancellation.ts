import { encodeEvent, ScreeningCancelledSchema, Topics } from '@puente/contracts';
import type { OutboxWriter } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { EVENT_TYPES, type EventActor, screeningCancelled } from './screening-events';
import type { CancelReason } from './screening-state';

/** Whose open screenings: every one of a case (case closed), or one person's (consent withdrawn, erased). */
export type OpenScreeningsOf = { caseId: string } | { personId: string };

/**
 * Cancels open screenings (consent withdrawn, case closed, person erased) and emits
 * ScreeningCancelled for each (keyed by its case), in the caller's transaction. Returns their ids.
 */
export async function cancelOpenScreenings(
  tx: EntityManager,
  outbox: OutboxWriter,
  of: OpenScreeningsOf,
  reason: CancelReason,
  at: Date,
  actor: EventActor,
  traceparent?: string,
): Promise<string[]> {
  const [column, id] = 'caseId' in of ? ['case_id', of.caseId] : ['person_id', of.personId];
  const rows: { id: string; case_id: string; person_id: string | null }[] = await tx.query(
    `WITH cancelled AS (
       UPDATE screening SET status = 'cancelled', cancel_reason = $2, cancelled_at = $3, updated_at = clock_timestamp(), version = version + 1
       WHERE ${column} = $1 AND status IN ('pending', 'in_progress')
       RETURNING id, case_id, person_id
     ) SELECT id, case_id, person_id FROM cancelled ORDER BY id`,
    [id, reason, at],
  );
  for (const row of rows) {
    await outbox.append(tx, {
      topic: Topics.screening.name,
      key: row.case_id,
      type: EVENT_TYPES.cancelled,
      payload: encodeEvent(ScreeningCancelledSchema, screeningCancelled({ id: row.id, caseId: row.case_id, personId: row.person_id }, reason, at, actor)),
      traceparent,
    });
  }
  return rows.map((r) => r.id);
}

/**
 * Drops the ciphertexts of a person's answers once their data key is shredded (they are
 * unreadable already; this also minimizes what backups keep). Outcomes (codes) stay.
 */
export async function eraseScreeningAnswers(tx: EntityManager, personId: string, at: Date): Promise<number> {
  const rows: unknown[] = await tx.query(
    `WITH erased AS (
       UPDATE screening SET answers_enc = NULL, answers_erased_at = $2, updated_at = clock_timestamp(), version = version + 1
       WHERE person_id = $1 AND answers_erased_at IS NULL
       RETURNING id
     ) SELECT id FROM erased`,
    [personId, at],
  );
  return rows.length;
}
