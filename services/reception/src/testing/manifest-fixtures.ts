// Realistic manifests for tests (not production code): Guatemalan and Honduran nationals returned
// by air, each with a unique name and birth date so intake's matching is exact.
const GIVEN = ['José', 'María', 'Kevin', 'Ana', 'Luis', 'Wendy', 'Carlos', 'Sandra', 'Jorge', 'Yesenia', 'Mario', 'Gloria', 'Elmer', 'Dilcia', 'Byron', 'Rosa'];
const SECOND = ['Armando', 'Lucía', 'Josué', 'Isabel', 'Fernando', 'Yolanda', 'Alberto', 'Marisol', 'Estuardo', 'Guadalupe', 'Rolando', 'Esperanza'];
const FAMILY = ['Castillo', 'Tzoc', 'Hernández', 'Xicay', 'Mejía', 'Ajpop', 'López', 'Cux', 'Reyes', 'Pérez', 'Chávez', 'Tum', 'Ramírez', 'Coc', 'Morales', 'Quej'];

export interface ManifestRow {
  returningReference: string;
  givenNames: string;
  familyNames: string;
  birthDate: string;
  nationality: string;
  sex: 'female' | 'male';
  medicalNotes?: string;
  protectionNotes?: string;
  unaccompaniedChild?: boolean;
}

/** The i-th returnee of a test run (`seed` keeps runs apart): a unique name and birth date. */
export function returnee(seed: number, i: number, extra: Partial<ManifestRow> = {}): ManifestRow {
  const n = seed * 10_000 + i;
  const day = 1 + (n % 28);
  const month = 1 + (Math.floor(n / 28) % 12);
  const year = 1960 + (Math.floor(n / 336) % 45);
  return {
    returningReference: `A-${String(200_000_000 + n)}`,
    givenNames: `${GIVEN[n % GIVEN.length]} ${SECOND[Math.floor(n / GIVEN.length) % SECOND.length]}`,
    familyNames: `${FAMILY[Math.floor(n / 7) % FAMILY.length]} ${FAMILY[Math.floor(n / 113) % FAMILY.length]}`,
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    nationality: n % 3 === 0 ? 'HN' : 'GT',
    sex: n % 2 === 0 ? 'female' : 'male',
    ...extra,
  };
}

/** Twenty rows each wrong in its own way (fields, codes). */
export function badRows(seed: number): unknown[] {
  const r = (i: number, extra: Record<string, unknown>) => ({ ...returnee(seed, 90_000 + i), ...extra });
  return [
    r(0, { birthDate: '1990-02-30' }),
    r(1, { birthDate: '2999-01-01' }),
    r(2, { nationality: 'Guatemala' }),
    r(3, { sex: 'M' }),
    r(4, { givenNames: '' }),
    r(5, { givenNames: '12345' }),
    r(6, { returningReference: '' }),
    r(7, { returningReference: 'has spaces in it' }),
    r(8, { unaccompaniedChild: 'yes' }),
    r(9, { unaccompaniedChild: true }),
    r(10, { medicalNotes: '' }),
    r(11, { passportNumber: 'G12345678' }),
    'not an object',
    null,
    r(14, { familyNames: '—' }),
    r(15, { birthDate: '15/03/1990' }),
    r(16, { nationality: 'gt' }),
    r(17, { sex: null }),
    r(18, { givenNames: 42 }),
    [1, 2, 3],
  ];
}

/** Tomorrow (UTC), YYYY-MM-DD: a manifest's earliest useful day in tests that run any time. */
export function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}
