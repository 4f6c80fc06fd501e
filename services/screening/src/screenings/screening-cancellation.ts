import { encodeEvent, ScreeningCancelledSchema, Topics } from '@puente/contracts';
import type { OutboxWriter } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { EVENT_TYPES, type EventActor, screeningCancelled } from './screening-events';
import type { CancelReason } from './screening-state';

/**
 * Cancels the open screenings of a case (consent withdrawn, case closed, person erased) and
 * emits ScreeningCancelled for each, in the caller's transaction. Returns their ids.
 */
export async function cancelOpenScreenings(
  tx: EntityManager,
  outbox: OutboxWriter,
  caseId: string,
  reason: CancelReason,
  at: Date,
  actor: EventActor,
  traceparent?: string,
): Promise<string[]> {
  const rows: { id: string }[] = await tx.query(
    `WITH cancelled AS (
       UPDATE screening SET status = 'cancelled', cancel_reason = $2, cancelled_at = $3, updated_at = clock_timestamp(), version = version + 1
       WHERE case_id = $1 AND status IN ('pending', 'in_progress')
       RETURNING id
     ) SELECT id FROM cancelled ORDER BY id`,
    [caseId, reason, at],
  );
  for (const { id } of rows) {
    await outbox.append(tx, {
      topic: Topics.screening.name,
      key: caseId,
      type: EVENT_TYPES.cancelled,
      payload: encodeEvent(ScreeningCancelledSchema, screeningCancelled(id, caseId, reason, at, actor)),
      traceparent,
    });
  }
  return rows.map((r) => r.id);
}

/** Erases the answers of every screening of a case (the person's data was erased). Outcomes (codes) stay. */
export async function eraseScreeningAnswers(tx: EntityManager, caseId: string, at: Date): Promise<number> {
  const rows: unknown[] = await tx.query(
    `WITH erased AS (
       UPDATE screening SET answers = '{}'::jsonb, answers_erased_at = $2, updated_at = clock_timestamp(), version = version + 1
       WHERE case_id = $1 AND answers <> '{}'::jsonb
       RETURNING id
     ) SELECT id FROM erased`,
    [caseId, at],
  );
  return rows.length;
}
