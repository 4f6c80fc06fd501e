import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Match keys (keyed HMACs) of local persons and of partner nodes' persons, possible duplicates,
 * and the case timeline projection.
 */
export class CreateDuplicatesAndTimeline1766102400003 implements MigrationInterface {
  name = 'CreateDuplicatesAndTimeline1766102400003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person_match_key (
        person_id uuid NOT NULL REFERENCES person (id),
        kid text NOT NULL,
        rule text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (person_id, kid, rule)
      )`);
    await q.query(`CREATE INDEX person_match_key_lookup ON person_match_key (value, rule, kid)`);
    await q.query(`
      CREATE TABLE partner_match_key (
        node char(2) NOT NULL,
        reference text NOT NULL,
        kid text NOT NULL,
        rule text NOT NULL,
        value text NOT NULL,
        published_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (node, reference, kid, rule)
      )`);
    await q.query(`CREATE INDEX partner_match_key_lookup ON partner_match_key (value, rule, kid)`);
    await q.query(`
      CREATE TABLE possible_duplicate (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES person (id),
        case_id uuid NOT NULL REFERENCES intake_case (id),
        other_node char(2) NOT NULL,
        other_reference text NOT NULL,
        rules text[] NOT NULL,
        score double precision NOT NULL CHECK (score > 0 AND score <= 1),
        status text NOT NULL CHECK (status IN ('open', 'linked', 'dismissed')),
        found_at timestamptz NOT NULL,
        resolved_at timestamptz NULL,
        resolved_by text NULL,
        version int NOT NULL DEFAULT 1,
        UNIQUE (person_id, other_node, other_reference)
      )`);
    await q.query(`CREATE INDEX possible_duplicate_status_found ON possible_duplicate (status, found_at, id)`);
    await q.query(`CREATE INDEX possible_duplicate_other ON possible_duplicate (other_node, other_reference)`);
    await q.query(`
      CREATE TABLE timeline_entry (
        seq bigserial PRIMARY KEY,
        case_id uuid NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        occurred_at timestamptz NOT NULL,
        topic text NOT NULL,
        actor_client_id text NULL,
        actor_partner_id text NULL,
        actor_node text NULL,
        data jsonb NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (source, event_id)
      )`);
    await q.query(`CREATE INDEX timeline_entry_case_time ON timeline_entry (case_id, occurred_at, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE timeline_entry');
    await q.query('DROP TABLE possible_duplicate');
    await q.query('DROP TABLE partner_match_key');
    await q.query('DROP TABLE person_match_key');
  }
}
