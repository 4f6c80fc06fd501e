// The three cases a caseworker met on one node (issue 10), over real HTTP and PostgreSQL: a
// dropped second surname and a one-letter surname typo are reported as possible duplicates;
// siblings with the same surnames and birth date but other given names are not.
import { randomInt } from 'node:crypto';
import { type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';

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
