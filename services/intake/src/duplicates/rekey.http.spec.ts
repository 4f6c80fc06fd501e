// Re-keying after a new match-key version, against a real intake database (PostgreSQL, the
// persons registered through HTTP) with the operator command as an operator runs it.
import { randomBytes } from 'node:crypto';
import { runTs } from '@puente/testing';
import { developmentAgreementKey } from '../common/privacy.providers';
import { type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';

describe('npm run rekey (a new match-key version)', () => {
  let intake: IntakeTestApp;
  let site: string;

  beforeAll(async () => {
    intake = await startIntake('rekey');
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const kidsOf = async (personId: string): Promise<string[]> =>
    (await intake.ds.query('SELECT DISTINCT kid FROM person_match_key WHERE person_id = $1 ORDER BY kid', [personId])).map((r: { kid: string }) => r.kid);
  const published = async (personId: string): Promise<number> =>
    (await intake.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE event_type = 'puente.intake.v1.MatchKeysPublished' AND message_key = $1`, [personId]))[0].n;
  const rekey = (keys: string) =>
    runTs('services/intake/src/duplicates/rekey.cli.ts', ['--service', 'intake'], { INTAKE_DATABASE_URL: (intake.ds.options as { url: string }).url, MATCH_AGREEMENT_KEYS: keys, PUENTE_NODE: 'GT' });

  it('keys every person again under the current keys, publishes again for those who consented, skips the erased; a second run has nothing to do', async () => {
    const register = async (body: Record<string, unknown>) => {
      const res = await intake.call('POST', '/v1/persons', { body });
      expect(res.status).toBe(201);
      return (res.body as { personId: string }).personId;
    };
    const consenting = await register(people.mariaJose(site, { familyNames: 'Clave Nueva', consents: [{ purpose: 'identity_matching', method: 'written' }] }));
    const other = await register(people.mariaJose(site, { familyNames: 'Sin Publicar' }));
    const erased = await register(people.mariaJose(site, { familyNames: 'Borrada' }));
    expect((await intake.call('POST', `/v1/persons/${erased}/erase`)).status).toBeLessThan(300);
    const dev = developmentAgreementKey();
    expect(await kidsOf(consenting)).toEqual([dev.kid]);
    const before = await published(consenting);

    const both = `${dev.kid}:${Buffer.from(dev.secret).toString('base64')},gt-mx-2027:${randomBytes(32).toString('base64')}`;
    const run = await rekey(both);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\b[1-9][0-9]* persons? re-keyed/);
    for (const p of [consenting, other]) expect(await kidsOf(p)).toEqual([dev.kid, 'gt-mx-2027']);
    expect(await kidsOf(erased)).toEqual([]);
    expect(await published(consenting)).toBe(before + 1);
    expect(await published(other)).toBe(0);
    expect((await rekey(both)).stdout).toContain('0 persons re-keyed');

    // The old key retired: keys under it are gone.
    const newOnly = both.split(',')[1];
    expect((await rekey(newOnly)).code).toBe(0);
    expect(await kidsOf(consenting)).toEqual(['gt-mx-2027']);
    expect((await rekey('not a key')).code).toBe(1);
  }, 120_000);
});
