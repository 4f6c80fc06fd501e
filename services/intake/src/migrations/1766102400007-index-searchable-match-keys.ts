import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lookup index holds only the match keys that can find another person: of a person's 41 keys
 * about 20 are NEAR_FIRSTNAMES fillers (libs/privacy isSearchableMatchKey) that equal no one
 * else's. bench `scale` measured a registration at 1 million persons writing 425 KB of WAL, 93%
 * of it full-page images of the lookup index's leaf pages, one random page per key; a key left
 * out is a page not written. Every key is still stored (a partner is sent all 41, so their number
 * says nothing about the names' lengths).
 *
 * Rows already stored keep `searchable` true (a key's kind is not in the row), so they stay in
 * the index; only persons keyed from now on save the space. Rebuilding the index locks the table
 * against writes for as long as it takes (bench `scale` built both of the table's indexes over 41
 * million keys in 112-141 s on two cores): at that size, run it in a maintenance window.
 */
export class IndexSearchableMatchKeys1766102400007 implements MigrationInterface {
  name = 'IndexSearchableMatchKeys1766102400007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person_match_key ADD COLUMN searchable boolean NOT NULL DEFAULT true`);
    await q.query(`DROP INDEX person_match_key_lookup`);
    await q.query(`CREATE INDEX person_match_key_lookup ON person_match_key (value, rule, kid) WHERE searchable`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX person_match_key_lookup`);
    await q.query(`CREATE INDEX person_match_key_lookup ON person_match_key (value, rule, kid)`);
    await q.query(`ALTER TABLE person_match_key DROP COLUMN searchable`);
  }
}
