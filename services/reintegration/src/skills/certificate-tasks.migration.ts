import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A certificate_validation task may name a certificate of the person's skills profile
 * (details.certificate.certificateId, a random id, not personal data). At most one open task per
 * certificate, and the profile finds its tasks by person and certificate.
 */
export class LinkCertificateTasks1798000001100 implements MigrationInterface {
  name = 'LinkCertificateTasks1798000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNIQUE INDEX plan_task_open_per_certificate ON plan_task ((details -> 'certificate' ->> 'certificateId'))
       WHERE status = 'open' AND kind = 'certificate_validation' AND details -> 'certificate' ->> 'certificateId' IS NOT NULL`);
    await q.query(`
      CREATE INDEX plan_task_by_certificate ON plan_task (person_id, (details -> 'certificate' ->> 'certificateId'))
       WHERE kind = 'certificate_validation' AND details -> 'certificate' ->> 'certificateId' IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX plan_task_by_certificate`);
    await q.query(`DROP INDEX plan_task_open_per_certificate`);
  }
}
