import { eventually } from './eventually';

/**
 * Waits until the service's consumer has applied (or skipped as a repeat) the event with this id:
 * its inbox row commits with the event's effects, so after this the effects are visible.
 */
export async function consumedEvent(db: { query(sql: string, params: unknown[]): Promise<unknown[]> }, eventId: string): Promise<void> {
  await eventually(`event ${eventId} consumed`, async () => (await db.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [eventId])).length === 1);
}
