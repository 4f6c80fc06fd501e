import type { EntityManager } from 'typeorm';

export interface OverrideRow {
  id: string;
  personId: string;
  node: string;
  kinds: string[];
  purpose: string;
  grantedBy: string;
  grantedAt: Date;
  expiresAt: Date;
}

const COLUMNS = `id::text, person_id::text AS "personId", node, kinds, purpose, granted_by AS "grantedBy", granted_at AS "grantedAt", expires_at AS "expiresAt"`;

/** Every override recorded for a person, newest first (the border keeps those in force: liftedAt). */
export async function overridesOf(db: EntityManager, personId: string): Promise<OverrideRow[]> {
  return db.query(`SELECT ${COLUMNS} FROM protection_override WHERE person_id = $1 ORDER BY granted_at DESC, id`, [personId]);
}

