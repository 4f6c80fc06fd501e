// Screening per person with encrypted answers, over real HTTP, PostgreSQL and Kafka: a canary
// disclosure never sits in the database in plaintext, and the person's erasure crypto-shreds it.
import { randomUUID } from 'node:crypto';
import { AgeBand, PersonErasedSchema, PersonUpdatedSchema, Sex, toTimestamp, VulnerabilityFlag } from '@puente/contracts';
import { isUniqueViolation } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import type { DataSource } from 'typeorm';
import { consentToScreening, consumed, expectProblem, openCase, publishIntake, registerPerson, type ScreeningTestApp, startScreening } from '../testing/harness';

/** Every place a canary could hide: each text, character, bytea, json(b) and array column of every table. */
async function placesHolding(ds: DataSource, canary: string): Promise<string[]> {
  const columns: { table_name: string; column_name: string; data_type: string }[] = await ds.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'bytea', 'jsonb', 'json', 'ARRAY')`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const c of columns) {
    const value = c.data_type === 'bytea' ? `"${c.column_name}"` : `convert_to("${c.column_name}"::text, 'UTF8')`;
    const rows: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM "${c.table_name}" WHERE position(convert_to($1, 'UTF8') IN ${value}) > 0`, [canary]);
    if (rows[0].n > 0) found.push(`${c.table_name}.${c.column_name}`);
  }
  return found;
}

describe('screening per person, answers encrypted under the person\'s data key (HTTP + PostgreSQL + Kafka)', () => {
  let t: ScreeningTestApp;

  beforeAll(async () => {
    t = await startScreening('perperson');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('never stores a disclosure in plaintext anywhere, and erasing the person crypto-shreds it (clear erased state, no 5xx)', async () => {
    const canary = `canary-${randomUUID()} mi tío me amenazó en Tapachula`;
    const { caseId, personId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    expect(started.status).toBe(201);
    expect(started.body.personId).toBe(personId);
    const saved = await t.call('PATCH', `/v1/screenings/${started.body.id}/answers`, {
      body: { answers: { q_notes: canary, q_violence: ['sexual_violence'], q_trafficking: ['debt_bondage'], q_age: 29 } },
      headers: { 'if-match': started.headers.get('etag')! },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.answers.q_notes).toBe(canary);
    expect((await t.call('GET', `/v1/screenings/${started.body.id}`)).body.answers).toMatchObject({ q_notes: canary, q_violence: ['sexual_violence'] });

    expect(await placesHolding(t.ds, canary)).toEqual([]);
    const [row] = await t.ds.query(`SELECT answers_enc FROM screening WHERE id = $1`, [started.body.id]);
    expect(row.answers_enc).toMatch(/^pv1\./);

    await consumed(t, await publishIntake(t.broker, caseId, PersonErasedSchema, { personId, caseId, erasedAt: toTimestamp() }));
    const erased = await t.call('GET', `/v1/screenings/${started.body.id}`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ status: 'cancelled', cancelReason: 'person_erased', answers: {}, answersErasedAt: expect.any(String) });
    // The copy of the ciphertext taken before erasure is unreadable: the data key is gone.
    const copy = await t.app.get(PersonVault).decryptFields(personId, { [`screening.${started.body.id}.answers`]: row.answers_enc });
    expect(copy.erased).toBe(true);
    expect(await t.ds.query(`SELECT wrapped_key FROM person_data_key WHERE person_id = $1`, [personId])).toEqual([{ wrapped_key: null }]);
    expect(await placesHolding(t.ds, canary)).toEqual([]);
    expect(await placesHolding(t.ds, row.answers_enc)).toEqual([]);
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId, personId } }), 409, 'screening-not-allowed').reason).toBe('person-erased');
  });

  it('screens household members one by one on the same case: one open screening per person (409, and a partial unique index)', async () => {
    const { caseId, personId: mother } = await openCase(t);
    const son = await registerPerson(t, caseId, randomUUID(), { ageBand: AgeBand.AGED_12_TO_17, sex: Sex.MALE });
    await consentToScreening(t, caseId, son);
    const refused = expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 400);
    expect(refused.errors).toEqual([expect.objectContaining({ field: 'personId', code: 'required' })]);

    const first = await t.call('POST', '/v1/screenings', { body: { caseId, personId: mother } });
    expect(first.status).toBe(201);
    const second = await t.call('POST', '/v1/screenings', { body: { caseId, personId: son } });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ caseId, personId: son });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId, personId: mother } }), 409, 'screening-already-open').screeningId).toBe(first.body.id);
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId, personId: randomUUID() } }), 409, 'screening-not-allowed').reason).toBe('person-unknown');

    // The database refuses a second open screening of one person even without the service's check.
    const error = await t.ds
      .query(
        `INSERT INTO screening (id, case_id, person_id, questionnaire_version_id, questionnaire_key, questionnaire_version, definition_sha256, status, trigger, started_by_client, started_by_partner)
         SELECT $1, case_id, person_id, questionnaire_version_id, questionnaire_key, questionnaire_version, definition_sha256, 'in_progress', 'caseworker', 'x', 'x' FROM screening WHERE id = $2`,
        [randomUUID(), first.body.id],
      )
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('takes age band, sex, nationality and flags from intake (nationality answered, not asked again) and follows PersonUpdated', async () => {
    const { caseId, personId } = await openCase(t, { nationality: 'SV', ageBand: AgeBand.AGED_18_TO_59 });
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    const got = await t.call('GET', `/v1/screenings/${started.body.id}`);
    expect(got.body.person).toEqual({ ageBand: 'aged_18_to_59', sex: 'female', nationality: 'SV', vulnerabilityFlags: [] });
    // The questionnaire's nationality question is answered from intake's ISO code, not asked again.
    expect(got.body.answers).toEqual({ q_nationality: 'sv' });
    await consumed(
      t,
      await publishIntake(t.broker, caseId, PersonUpdatedSchema, {
        personId,
        caseId,
        caseIds: [caseId],
        ageBand: AgeBand.AGED_60_PLUS,
        sex: Sex.FEMALE,
        nationality: 'GT',
        vulnerabilityFlags: [VulnerabilityFlag.FEAR_OF_RETURN],
        updatedAt: toTimestamp(),
      }),
    );
    expect((await t.call('GET', `/v1/screenings/${started.body.id}`)).body.person).toEqual({ ageBand: 'aged_60_plus', sex: 'female', nationality: 'GT', vulnerabilityFlags: ['fear_of_return'] });
  });

  it('dead-letters a person whose nationality is not ISO 3166-1 alpha-2, and keeps going', async () => {
    const { caseId, personId } = await openCase(t);
    const bad = await publishIntake(t.broker, caseId, PersonUpdatedSchema, { personId, caseId, ageBand: AgeBand.AGED_18_TO_59, sex: Sex.FEMALE, nationality: 'ZZ' });
    const good = await publishIntake(t.broker, caseId, PersonUpdatedSchema, { personId, caseId, ageBand: AgeBand.AGED_18_TO_59, sex: Sex.FEMALE, nationality: 'NI' });
    // Same case, same partition: once the good event is applied, the bad one was refused before it.
    await consumed(t, good);
    expect(await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [bad])).toEqual([]);
    expect(await t.ds.query(`SELECT nationality FROM person_record WHERE person_id = $1`, [personId])).toEqual([{ nationality: 'NI' }]);
  });
});
