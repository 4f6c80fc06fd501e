// Measures duplicate detection on the synthetic labelled set (labelled-pairs.ts): precision and
// recall per variant, printed as a table, with the targets of issue 10 asserted.
import { randomBytes } from 'node:crypto';
import { normalizeBirthDate, normalizeNationality } from './normalize';
import { DUPLICATE_VARIANTS, HARD_NEGATIVES, labelledPairs, type LabelledPair, meaningfulNames, spellingVariants } from './labelled-pairs';
import { computeMatchKeys, DEFAULT_MATCH_THRESHOLD, type MatchKey, scoreMatch } from './match-keys';

const agreement = { kid: 'gt-mx-eval', secret: randomBytes(32) };

/** The matcher before issue 10: five exact-spelling rules and their weights, same threshold. */
const BEFORE: Record<string, number> = {
  FULLNAME_DOB: 0.9,
  FULLNAME_BIRTHYEAR_NATIONALITY: 0.6,
  GIVENNAME_DOB_NATIONALITY: 0.5,
  SURNAME_DOB_NATIONALITY: 0.5,
  SURNAME_BIRTHYEAR_NATIONALITY: 0.25,
};
function scoreBefore(a: MatchKey[], b: MatchKey[]): number {
  const theirs = new Set(b.map((k) => `${k.rule} ${k.value}`));
  return 1 - a.filter((k) => k.rule in BEFORE && theirs.has(`${k.rule} ${k.value}`)).reduce((p, k) => p * (1 - BEFORE[k.rule]), 1);
}

interface Row {
  kind: string;
  samePerson: boolean;
  pairs: number;
  reported: number;
  reportedBefore: number;
}

function measure(pairs: LabelledPair[]): Row[] {
  const rows = new Map<string, Row>();
  for (const p of pairs) {
    const a = computeMatchKeys(p.a, agreement);
    const b = computeMatchKeys(p.b, agreement);
    const row = rows.get(p.kind) ?? { kind: p.kind, samePerson: p.samePerson, pairs: 0, reported: 0, reportedBefore: 0 };
    row.pairs++;
    if (scoreMatch(a, b).score >= DEFAULT_MATCH_THRESHOLD) row.reported++;
    if (scoreBefore(a, b) >= DEFAULT_MATCH_THRESHOLD - 1e-9) row.reportedBefore++;
    rows.set(p.kind, row);
  }
  return [...rows.values()];
}

interface Figures {
  precision: number;
  recall: number;
  precisionBefore: number;
  recallBefore: number;
  /** Per duplicate variant: recall, and precision if the variant met as many hard negatives as it has pairs. */
  variants: Map<string, { recall: number; precision: number; recallBefore: number }>;
  /** Per hard negative: the share falsely reported, and precision of all duplicates against as many of these. */
  negatives: Map<string, { falseRate: number; precision: number; falseRateBefore: number }>;
}

function figures(rows: Row[]): Figures {
  const sum = (rs: Row[], f: (r: Row) => number) => rs.reduce((s, r) => s + f(r), 0);
  const dups = rows.filter((r) => r.samePerson);
  const negs = rows.filter((r) => !r.samePerson);
  const [tp, fp, pos, neg] = [sum(dups, (r) => r.reported), sum(negs, (r) => r.reported), sum(dups, (r) => r.pairs), sum(negs, (r) => r.pairs)];
  const [tpB, fpB] = [sum(dups, (r) => r.reportedBefore), sum(negs, (r) => r.reportedBefore)];
  const ratio = (x: number, y: number) => (y === 0 ? 1 : x / y);
  const fpr = fp / neg;
  const tpr = tp / pos;
  return {
    precision: ratio(tp, tp + fp),
    recall: tp / pos,
    precisionBefore: ratio(tpB, tpB + fpB),
    recallBefore: tpB / pos,
    variants: new Map(dups.map((r) => [r.kind, { recall: r.reported / r.pairs, precision: ratio(r.reported / r.pairs, r.reported / r.pairs + fpr), recallBefore: r.reportedBefore / r.pairs }])),
    negatives: new Map(negs.map((r) => [r.kind, { falseRate: r.reported / r.pairs, precision: ratio(tpr, tpr + r.reported / r.pairs), falseRateBefore: r.reportedBefore / r.pairs }])),
  };
}

function table(rows: Row[], f: Figures, title: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
  const lines = [
    title,
    `${'variant'.padEnd(34)}${'pairs'.padStart(6)}${'reported'.padStart(10)}${'recall'.padStart(9)}${'precision*'.padStart(12)}${'before'.padStart(9)}`,
  ];
  for (const r of rows.filter((x) => x.samePerson)) {
    const v = f.variants.get(r.kind)!;
    lines.push(`${r.kind.padEnd(34)}${String(r.pairs).padStart(6)}${String(r.reported).padStart(10)}  ${pct(v.recall)}     ${pct(v.precision)}  ${pct(v.recallBefore)}`);
  }
  lines.push(`${'hard negative'.padEnd(34)}${'pairs'.padStart(6)}${'reported'.padStart(10)}${'false'.padStart(9)}${'precision*'.padStart(12)}${'before'.padStart(9)}`);
  for (const r of rows.filter((x) => !x.samePerson)) {
    const n = f.negatives.get(r.kind)!;
    lines.push(`${r.kind.padEnd(34)}${String(r.pairs).padStart(6)}${String(r.reported).padStart(10)}  ${pct(n.falseRate)}     ${pct(n.precision)}  ${pct(n.falseRateBefore)}`);
  }
  lines.push(`overall: precision ${pct(f.precision)}, recall ${pct(f.recall)} (before: precision ${pct(f.precisionBefore)}, recall ${pct(f.recallBefore)})`);
  lines.push('* precision if these pairs met as many pairs of the other label (all hard negatives, or all duplicates)');
  return lines.join('\n');
}

describe('the labelled set', () => {
  const pairs = labelledPairs();

  it('is the same for the same seed and another for another seed', () => {
    expect(labelledPairs()).toEqual(pairs);
    expect(labelledPairs({ seed: 7 })).not.toEqual(pairs);
    expect(labelledPairs({ perKind: 3 })).toHaveLength(3 * (DUPLICATE_VARIANTS.length + HARD_NEGATIVES.length));
  });

  it('holds 200 pairs of every variant, with valid dates and nationalities HN, GT, SV, MX', () => {
    for (const kind of [...DUPLICATE_VARIANTS, ...HARD_NEGATIVES]) expect(pairs.filter((p) => p.kind === kind)).toHaveLength(200);
    for (const p of pairs) {
      for (const r of [p.a, p.b]) {
        expect(() => normalizeBirthDate(r.birthDate)).not.toThrow();
        expect(['HN', 'GT', 'SV', 'MX']).toContain(normalizeNationality(r.nationality));
        expect(r.familyName.length).toBeGreaterThan(0);
      }
    }
    const accented = pairs.filter((p) => /[áéíóúñ]/i.test(p.a.givenName + p.a.familyName));
    expect(accented.length / pairs.length).toBeGreaterThan(0.5);
  });

  it('changes one thing in each duplicate, and keeps hard negatives apart by names that are no spelling variants', () => {
    for (const p of pairs) {
      const changed = (['givenName', 'familyName', 'birthDate', 'birthDateEstimated', 'nationality'] as const).filter((f) => p.a[f] !== p.b[f]);
      expect(changed.length).toBeGreaterThan(0);
      expect(p.a.nationality).toBe(p.b.nationality);
      if (p.kind === 'siblings_same_birth_date') {
        expect(changed).toEqual(['givenName']);
        for (const mine of meaningfulNames(p.a.givenName)) for (const theirs of meaningfulNames(p.b.givenName)) expect(spellingVariants(mine, theirs)).toBe(false);
      }
      if (p.kind === 'same_given_names_and_birth_date') expect(changed).toEqual(['familyName']);
      if (p.kind === 'namesakes_same_year') {
        expect(changed).toEqual(['familyName', 'birthDate']);
        expect(p.a.birthDate.slice(0, 4)).toBe(p.b.birthDate.slice(0, 4));
        expect(p.a.familyName.split(' ')[0]).toBe(p.b.familyName.split(' ')[0]);
      }
      if (p.kind === 'same_names_other_year') expect(p.a.birthDate.slice(0, 4)).not.toBe(p.b.birthDate.slice(0, 4));
      if (p.kind === 'typo_given_name' || p.kind === 'first_given_name_only') expect(changed).toEqual(['givenName']);
      if (p.kind === 'typo_surname' || p.kind === 'second_surname_dropped') expect(changed).toEqual(['familyName']);
      if (p.kind === 'day_month_swapped') expect(changed).toEqual(['birthDate']);
    }
  });
});

describe('duplicate detection measured on the labelled set', () => {
  it('reaches precision ≥ 0.95 and recall ≥ 0.90 overall, every single-change variant found at ≥ 0.90, every hard negative reported at ≤ 2%', () => {
    const rows = measure(labelledPairs());
    const f = figures(rows);
    process.stdout.write(`\n${table(rows, f, `Duplicate detection, seed 20261206, threshold ${DEFAULT_MATCH_THRESHOLD}`)}\n`);
    expect(f.precision).toBeGreaterThanOrEqual(0.95);
    expect(f.recall).toBeGreaterThanOrEqual(0.9);
    for (const [kind, v] of f.variants) if (kind !== 'two_changes') expect({ kind, recall: v.recall >= 0.9 }).toEqual({ kind, recall: true });
    // Two changes at once are measured, not promised: an estimated date with a dropped surname leaves little to agree on.
    expect(f.variants.get('two_changes')!.recall).toBeGreaterThanOrEqual(0.5);
    for (const [kind, n] of f.negatives) expect({ kind, falseRate: n.falseRate <= 0.02 }).toEqual({ kind, falseRate: true });
    // The measurement tells the matchers apart: the exact-spelling rules missed every dropped
    // surname and surname typo, and reported siblings born the same day as the same person.
    expect(f.variants.get('second_surname_dropped')!.recallBefore).toBe(0);
    expect(f.variants.get('typo_surname')!.recallBefore).toBe(0);
    expect(f.negatives.get('siblings_same_birth_date')!.falseRateBefore).toBe(1);
  });

  it('holds on sets drawn from other seeds (the weights are not fitted to one draw)', () => {
    for (const seed of [1, 2, 3]) {
      const rows = measure(labelledPairs({ seed }));
      const f = figures(rows);
      process.stdout.write(`\n${table(rows, f, `seed ${seed}`)}\n`);
      expect(f.precision).toBeGreaterThanOrEqual(0.95);
      expect(f.recall).toBeGreaterThanOrEqual(0.9);
    }
  });
});
