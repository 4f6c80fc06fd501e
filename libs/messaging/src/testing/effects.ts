import type { DataSource, EntityManager } from 'typeorm';
import type { ConsumedEvent, EventHandlerBinding } from '../consumer/consumed-event';

/**
 * A visible consumer effect for crash tests: one row per application, with no unique
 * constraint, so a duplicate application shows up as a second row.
 */
export async function createEffectTable(ds: DataSource): Promise<void> {
  await ds.query(`CREATE TABLE IF NOT EXISTS test_effect (n bigserial PRIMARY KEY, event_id text NOT NULL, key text, applied_at timestamptz DEFAULT now())`);
}

export function effectBinding(topic: string, fail?: (e: ConsumedEvent) => boolean): EventHandlerBinding & { attempts: Map<string, number> } {
  const attempts = new Map<string, number>();
  return {
    name: 'test-effect',
    topic,
    attempts,
    handle: async (event: ConsumedEvent, tx: EntityManager) => {
      attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      await tx.query('INSERT INTO test_effect (event_id, key) VALUES ($1, $2)', [event.id, event.key]);
      if (fail?.(event)) throw new Error('handler rejected a poison event');
    },
  };
}

export async function effectCounts(ds: DataSource): Promise<{ rows: number; distinct: number }> {
  const [r] = await ds.query('SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS distinct FROM test_effect');
  return r;
}
