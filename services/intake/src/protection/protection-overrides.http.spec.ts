// Protection override over real HTTP, PostgreSQL and Kafka (one node, development registry): a
// Honduran with a fear of return is never sent to HN until an officer lifts the block toward HN
// for match keys (audited, time-limited).
import { eventually } from '@puente/testing';
import { expectProblem, type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';

describe('protection override (HTTP)', () => {
  let intake: IntakeTestApp;
  let site: string;

  beforeAll(async () => {
    intake = await startIntake('protectionoverride', { env: { PUENTE_NODE: 'GT' } });
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const sentTo = async (personId: string): Promise<string[]> =>
    (await intake.ds.query(`SELECT peer FROM federation_sent_envelope WHERE subject = $1 AND kind = 'match-keys' ORDER BY sent_at, peer`, [personId])).map((r: { peer: string }) => r.peer);

  it('lifts the block toward HN for match keys only after an officer grants it; audited; expires', async () => {
    const res = await intake.call('POST', '/v1/persons', {
      body: people.mariaJose(site, { nationality: 'HN', vulnerabilityFlags: ['fear_of_return'], familyNames: 'Protegida', consents: [{ purpose: 'identity_matching', method: 'written' }] }),
    });
    expect(res.status).toBe(201);
    const { personId } = res.body as { personId: string };
    await eventually('keys sent to the other peers', async () => (await sentTo(personId)).includes('MX'), 60_000);
    expect(await sentTo(personId)).not.toContain('HN');

    const officer = await intake.token({ scopes: ['protection:override', 'cases:read'], clientId: 'protection-officer-gt' });
    const grant = (body: Record<string, unknown>, token: string = officer) => intake.call('POST', `/v1/persons/${personId}/protection-overrides`, { token, body });
    // Without the scope: 403. Toward a node the block does not concern, or this node: 400 field errors.
    expect((await grant({ node: 'HN', kinds: ['match-keys'], purpose: 'family_tracing', validForHours: 24 }, await intake.token({ scopes: ['cases:read', 'persons:write'] }))).status).toBe(403);
    for (const [node, code] of [
      ['MX', 'notBlocked'],
      ['GT', 'unknownNode'],
    ]) {
      const refused = await grant({ node, kinds: ['match-keys'], purpose: 'family_tracing', validForHours: 24 });
      expectProblem(refused, 400, 'validation-error');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'node', code })]);
    }
    expect((await grant({ node: 'HN', kinds: ['match-keys'], purpose: 'because', validForHours: 24 })).status).toBe(400);
    expect((await grant({ node: 'HN', kinds: ['match-keys'], purpose: 'family_tracing', validForHours: 24 * 31 })).status).toBe(400);

    const granted = await grant({ node: 'HN', kinds: ['match-keys'], purpose: 'family_tracing', validForHours: 24 });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ personId, node: 'HN', kinds: ['match-keys'], purpose: 'family_tracing', grantedBy: 'protection-officer-gt', inForce: true });
    expect(Date.parse(granted.body.expiresAt) - Date.parse(granted.body.grantedAt)).toBe(24 * 3600_000);
    await eventually('keys sent to HN', async () => (await sentTo(personId)).includes('HN'), 60_000);

    const audit: { action: string; object_id: string; actor_client_id: string }[] = await intake.ds.query(
      `SELECT action, object_id, actor_client_id FROM audit_record WHERE action IN ('person.protection-override', 'protection-override.grant') ORDER BY seq`,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'person.protection-override', object_id: personId, actor_client_id: 'protection-officer-gt' },
        { action: 'protection-override.grant', object_id: granted.body.id, actor_client_id: 'protection-officer-gt' },
      ]),
    );

    // Past its time the override no longer lifts anything.
    await intake.ds.query(`UPDATE protection_override SET granted_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1`, [granted.body.id]);
    const listed = await intake.call('GET', `/v1/persons/${personId}/protection-overrides`, { token: officer });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: granted.body.id, inForce: false })]);
  }, 180_000);

  it.each(['asylum_claim', 'recognized_refugee'])('a Honduran with %s recorded here (no fear of return) is never sent to HN, but is to MX', async (flag) => {
    const res = await intake.call('POST', '/v1/persons', {
      body: people.mariaJose(site, { nationality: 'HN', vulnerabilityFlags: [flag], familyNames: `Solicitante ${flag}`, consents: [{ purpose: 'identity_matching', method: 'written' }] }),
    });
    expect(res.status).toBe(201);
    const { personId } = res.body as { personId: string };
    await eventually('keys sent to MX', async () => (await sentTo(personId)).includes('MX'), 60_000);
    expect(await sentTo(personId)).not.toContain('HN');
    expect((await intake.call('GET', `/v1/persons/${personId}/summary`)).body.vulnerabilityFlags).toEqual([flag]);
  }, 120_000);
});
