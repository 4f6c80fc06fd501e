// The three cases a caseworker met on one node (issue 10), over real HTTP and PostgreSQL: a
// dropped second surname and a one-letter surname typo are reported as possible duplicates;
// siblings with the same surnames and birth date but other given names are not.
import { randomInt } from 'node:crypto';
import { lookupSignals, type MatchKey } from '@puente/privacy';
import { type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';
import { candidateQuery } from './duplicate-detector';

const FAMILIES: [given: string, family: string, sibling: string][] = [
  ['María José', 'Pérez Gómez', 'Ana Lucía'],
  ['José Luis', 'Hernández López', 'Carlos Alberto'],
  ['Sofía', 'García Martínez', 'Daniela'],
  ['Juan Carlos', 'Ramírez Cruz', 'Miguel Ángel'],
  ['Wendy Xiomara', 'Zelaya Portillo', 'Karla Yesenia'],
  ['Marvin Josué', 'Orellana Argueta', 'Elmer Rigoberto'],
  ['Guadalupe', 'Xicará Ajú', 'Rosa Elena'],
  ['Kevin Alexander', 'Quintanilla Escobar', 'Bryan Josué'],
  ['Jimena', 'Vásquez Chávez', 'Lourdes'],
  ['Óscar', 'Mejía Funes', 'Héctor'],
];

/** One keyboard slip in the first surname, a different kind for each family. */
function surnameTypo(family: string, i: number): string {
  const [first, ...rest] = family.split(' ');
  const letters = [...first];
  const at = Math.floor(letters.length / 2);
  if (i % 4 === 0) letters[at] = letters[at] === 'n' ? 'm' : 'n';
  else if (i % 4 === 1) letters.splice(at, 1);
  else if (i % 4 === 2) letters.splice(at, 0, 'r');
  else [letters[at - 1], letters[at]] = [letters[at], letters[at - 1]];
  return [letters.join(''), ...rest].join(' ');
}

interface Registered {
  personId: string;
  possibleDuplicates: { otherNode: string; otherReference: string; score: number; rules: string[] }[];
}

describe('duplicate detection survives real spelling (HTTP)', () => {
  let intake: IntakeTestApp;
  let site: string;

  beforeAll(async () => {
    intake = await startIntake('spelling');
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Ciudad Hidalgo', kind: 'fixed' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const register = async (givenNames: string, familyNames: string, birthDate: string): Promise<Registered> => {
    const res = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site, { givenNames, familyNames, birthDate }) });
    expect(res.status).toBe(201);
    return res.body as Registered;
  };
  const reported = (r: Registered, personId: string) => r.possibleDuplicates.find((d) => d.otherNode === 'GT' && d.otherReference === personId);

  it('reports 10 of 10 dropped second surnames and 10 of 10 surname typos, and 0 of 10 siblings born the same day', async () => {
    const outcome = { dropped: 0, typo: 0, siblings: 0 };
    for (const [i, [given, family, sibling]] of FAMILIES.entries()) {
      // A fresh birth date each run, so records left by earlier runs never stand in for this one.
      const birthDate = `${randomInt(1965, 2012)}-${String(randomInt(1, 13)).padStart(2, '0')}-${String(randomInt(1, 29)).padStart(2, '0')}`;
      const first = await register(given, family, birthDate);
      const dropped = await register(given, family.split(' ')[0], birthDate);
      const typo = await register(given, surnameTypo(family, i), birthDate);
      const brother = await register(sibling, family, birthDate);

      if (reported(dropped, first.personId)) outcome.dropped++;
      if (reported(typo, first.personId)) outcome.typo++;
      if ([first, dropped, typo].some((r) => reported(brother, r.personId))) outcome.siblings++;
      expect(reported(dropped, first.personId)?.rules).toEqual(expect.arrayContaining(['FIRSTNAMES_DAYMONTH_NATIONALITY', 'NEAR_FIRSTNAMES']));
      expect(reported(typo, first.personId)?.rules).toEqual(expect.arrayContaining(['NEAR_FIRSTNAMES']));
      expect(reported(typo, first.personId)?.score).toBeGreaterThanOrEqual(intake.config.DUPLICATE_SCORE_THRESHOLD);
    }
    expect(outcome).toEqual({ dropped: 10, typo: 10, siblings: 0 });
  });

  it('stores all 41 keys of a person and indexes only those that can find someone else; the candidate query is served by that index', async () => {
    const birthDate = `${randomInt(1965, 2012)}-0${randomInt(1, 10)}-2${randomInt(0, 8)}`;
    const { personId } = await register('Ana', 'Pop Caal', birthDate);
    const [stored] = await intake.ds.query(`SELECT count(*)::int AS total, count(*) FILTER (WHERE searchable)::int AS searchable FROM person_match_key WHERE person_id = $1`, [personId]);
    // 9 single signals, and of the 32 NEAR_FIRSTNAMES slots: Ana, na, aa, an and Pop, op, pp, po (the rest filler).
    expect(stored).toEqual({ total: 41, searchable: 9 + 8 });
    const keys = (await intake.ds.query(`SELECT kid, rule, value FROM person_match_key WHERE person_id = $1`, [personId])) as MatchKey[];
    const query = candidateQuery(keys, lookupSignals(intake.config.DUPLICATE_SCORE_THRESHOLD), { partners: false });
    // Without a sequential scan to fall back on, a query the partial index cannot serve would still plan one (at a prohibitive cost).
    const plan = await intake.ds.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return ((await tx.query(`EXPLAIN ${query!.text}`, query!.values)) as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('person_match_key_lookup');
    expect(plan).not.toMatch(/Seq Scan on person_match_key/);
  });

  it('lists the flags against the first registration for review, without the sibling', async () => {
    const birthDate = `${randomInt(1965, 2012)}-0${randomInt(1, 10)}-1${randomInt(0, 10)}`;
    const first = await register('Ximena', 'Villatoro Cifuentes', birthDate);
    const dropped = await register('XIMENA', 'VILLATORO', birthDate);
    const typo = await register('Ximena', 'Vilatoro Cifuentes', birthDate);
    const sister = await register('Itzel', 'Villatoro Cifuentes', birthDate);
    const res = await intake.call('GET', `/v1/duplicates?personId=${first.personId}&limit=50`);
    expect(res.status).toBe(200);
    const involved = res.body.items.map((d: { personId: string }) => d.personId);
    expect(involved).toEqual(expect.arrayContaining([dropped.personId, typo.personId]));
    expect(involved).not.toContain(sister.personId);
    for (const d of res.body.items) expect(Object.keys(d).sort()).toEqual(['caseId', 'foundAt', 'id', 'otherNode', 'otherReference', 'personId', 'resolvedAt', 'rules', 'score', 'status', 'version']);
  });
});
