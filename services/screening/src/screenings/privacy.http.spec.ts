import { eventually } from '@puente/testing';
import { LogCapture } from '@puente/platform';
import { expectProblem, openCase, type ScreeningTestApp, startScreening, withdrawConsent } from '../testing/harness';

const SECRET = 'Mi tío Rigoberto Chún me espera en la colonia La Esperanza';

describe('screening privacy: logs, audit and concurrent writers (real HTTP, PostgreSQL and Kafka)', () => {
  let t: ScreeningTestApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    t = await startScreening('privacy', { logs, env: { LOG_LEVEL: 'debug' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('never logs answers, not even refused ones, nor the read model changes', async () => {
    const { caseId, consentId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    const saved = await t.call('PATCH', `/v1/screenings/${started.body.id}/answers`, {
      body: { answers: { q_notes: SECRET, q_age: 41 } },
      headers: { 'if-match': started.headers.get('etag')! },
    });
    expect(saved.status).toBe(200);
    const refused = await t.call('PATCH', `/v1/screenings/${started.body.id}/answers`, {
      body: { answers: { q_notes: `${SECRET} ${'x'.repeat(1000)}`, q_age: SECRET } },
      headers: { 'if-match': saved.headers.get('etag')! },
    });
    expectProblem(refused, 422, 'invalid-answers');
    expect(refused.text).not.toContain('Rigoberto');
    await t.call('GET', `/v1/screenings/${started.body.id}`);
    const withdrawal = await withdrawConsent(t, caseId, consentId!);
    await eventually('withdrawal consumed', async () => (await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [withdrawal])).length === 1);
    // Logs were written (requests, the consumer), and none carries the answer.
    expect(logs.lines.some((l) => l.includes(`/v1/screenings/${started.body.id}/answers`))).toBe(true);
    expect(logs.lines.some((l) => l.includes('open screenings cancelled'))).toBe(true);
    for (const needle of ['Rigoberto', 'Chún', 'La Esperanza']) expect(logs.text).not.toContain(needle);
  });

  it('audits every read and change of a screening, with purpose and caller', async () => {
    const { caseId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    const id = started.body.id;
    await t.call('GET', `/v1/screenings/${id}`);
    await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: { q_age: 30 } }, headers: { 'if-match': started.headers.get('etag')! } });
    await t.call('POST', `/v1/screenings/${id}/complete`);
    const records = await t.ds.query(`SELECT action, purpose, outcome, actor_client_id FROM audit_record WHERE object_id = $1 ORDER BY seq`, [id]);
    expect(records).toEqual([
      { action: 'screening.start', purpose: 'screening', outcome: 'success', actor_client_id: 'gt-mrc-01-caseworker-app' },
      { action: 'screening.read', purpose: 'screening', outcome: 'success', actor_client_id: 'gt-mrc-01-caseworker-app' },
      { action: 'screening.answer', purpose: 'screening', outcome: 'success', actor_client_id: 'gt-mrc-01-caseworker-app' },
      // Completing with required answers missing is refused, and audited as such.
      { action: 'screening.complete', purpose: 'screening', outcome: 'error', actor_client_id: 'gt-mrc-01-caseworker-app' },
    ]);
  });

  it('lets only one of two writers holding the same ETag win', async () => {
    const { caseId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    const etag = started.headers.get('etag')!;
    const results = await Promise.all(
      [25, 26, 27, 28].map((age) => t.call('PATCH', `/v1/screenings/${started.body.id}/answers`, { body: { answers: { q_age: age } }, headers: { 'if-match': etag } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
    const winner = results.find((r) => r.status === 200)!;
    const now = await t.call('GET', `/v1/screenings/${started.body.id}`);
    expect(now.body.answers.q_age).toBe(winner.body.answers.q_age);
    expect(now.body.version).toBe(started.body.version + 1);
  });
});
