import fc from 'fast-check';
import type { EligibilityResult } from '../directory/eligibility';
import { PATHWAYS, type Pathway } from '../directory/vocabulary';
import { type Candidate, pathwayStrengths, rankPrograms, slaScore } from './ranking';

const eligible: EligibilityResult = { eligible: true, reasons: ['nationality'], failedRules: [] };
const ineligible: EligibilityResult = { eligible: false, reasons: [], failedRules: [{ rule: 'eligibility', condition: { flag: 'fear_of_return' }, decidedBy: ['flag:fear_of_return'] }] };

const candidate = (id: string, pathway: Pathway, over: Partial<Candidate['program']> = {}, sla = { kept: 0, breached: 0 }, e = eligible): Candidate => ({
  program: { id, partnerId: `P-${id}`, pathway, openSlots: 5, totalSlots: 10, waitlist: 0, slaAcknowledgeHours: 48, ...over },
  eligibility: e,
  sla,
});

describe('ranking of suggestions', () => {
  const strengths = pathwayStrengths([
    { pathway: 'asylum', position: 1 },
    { pathway: 'legal_aid', position: 2 },
  ]);

  it('orders by pathway strength, then an open slot, then the SLA record, then open slots; ineligible programs apart with their failed rules', () => {
    const { suggestions, ineligible: out } = rankPrograms(
      [
        candidate('a', 'legal_aid'),
        candidate('b', 'asylum', { openSlots: 0, waitlist: 7 }),
        candidate('c', 'asylum', {}, { kept: 1, breached: 3 }),
        candidate('d', 'asylum', {}, { kept: 9, breached: 0 }),
        candidate('e', 'shelter'),
        candidate('f', 'asylum', {}, { kept: 0, breached: 0 }, ineligible),
      ],
      strengths,
    );
    expect(suggestions.map((s) => s.programId)).toEqual(['d', 'c', 'b', 'a', 'e']);
    expect(suggestions[0]).toMatchObject({ rank: 1, pathwayStrength: 2, hasOpenSlot: true, slaScore: 0.909 });
    expect(suggestions[2].reasons).toContain('no open slot: waitlist of 7');
    expect(suggestions[4].reasons[0]).toBe('pathway shelter not recommended by the screening');
    expect(out).toEqual([{ programId: 'f', partnerId: 'P-f', pathway: 'asylum', failedRules: ineligible.failedRules }]);
  });

  it('gives the first recommendation the greatest strength', () => {
    expect([...pathwayStrengths([{ pathway: 'pta', position: 1 }, { pathway: 'resettlement', position: 2 }, { pathway: 'idp_protection', position: 3 }])]).toEqual([
      ['pta', 3],
      ['resettlement', 2],
      ['idp_protection', 1],
    ]);
  });

  const arbitraryCandidate = fc.record({
    id: fc.uuid(),
    pathway: fc.constantFrom(...PATHWAYS),
    openSlots: fc.nat(50),
    waitlist: fc.nat(20),
    kept: fc.nat(30),
    breached: fc.nat(30),
    eligible: fc.boolean(),
  });
  const candidates = fc.uniqueArray(arbitraryCandidate, { selector: (c) => c.id, maxLength: 25 }).map((xs) =>
    xs.map((x) => candidate(x.id, x.pathway, { openSlots: x.openSlots, waitlist: x.waitlist }, { kept: x.kept, breached: x.breached }, x.eligible ? eligible : ineligible)),
  );
  const recommendations = fc.uniqueArray(fc.constantFrom(...PATHWAYS), { maxLength: 6 }).map((ps) => pathwayStrengths(ps.map((pathway, i) => ({ pathway, position: i + 1 }))));

  it('property: suggests exactly the eligible programs, each once, ranked 1..n', () => {
    fc.assert(
      fc.property(candidates, recommendations, (cs, st) => {
        const { suggestions, ineligible: out } = rankPrograms(cs, st);
        expect(suggestions.map((s) => s.programId).sort()).toEqual(cs.filter((c) => c.eligibility.eligible).map((c) => c.program.id).sort());
        expect(out.map((s) => s.programId).sort()).toEqual(cs.filter((c) => !c.eligibility.eligible).map((c) => c.program.id).sort());
        expect(suggestions.map((s) => s.rank)).toEqual(suggestions.map((_, i) => i + 1));
      }),
    );
  });

  it('property: the order does not depend on the order of the input, and respects strength, then open slot, then SLA', () => {
    fc.assert(
      fc.property(candidates, recommendations, fc.nat(), (cs, st, seed) => {
        const shuffled = [...cs].sort((a, b) => ((a.program.id.charCodeAt(seed % 36) || 0) - (b.program.id.charCodeAt(seed % 36) || 0)) || (a.program.id < b.program.id ? 1 : -1));
        const one = rankPrograms(cs, st).suggestions;
        expect(rankPrograms(shuffled, st).suggestions).toEqual(one);
        for (let i = 1; i < one.length; i++) {
          const [a, b] = [one[i - 1], one[i]];
          expect(a.pathwayStrength).toBeGreaterThanOrEqual(b.pathwayStrength);
          if (a.pathwayStrength === b.pathwayStrength) {
            expect(Number(a.hasOpenSlot)).toBeGreaterThanOrEqual(Number(b.hasOpenSlot));
            if (a.hasOpenSlot === b.hasOpenSlot) expect(a.slaScore).toBeGreaterThanOrEqual(b.slaScore);
          }
        }
      }),
    );
  });

  it('property: opening a slot or keeping an SLA never moves a program down', () => {
    fc.assert(
      fc.property(candidates, recommendations, fc.nat(24), (cs, st, pick) => {
        const chosen = cs.filter((c) => c.eligibility.eligible)[pick];
        if (!chosen) return;
        const before = rankPrograms(cs, st).suggestions.find((s) => s.programId === chosen.program.id)!.rank;
        const better = cs.map((c) => (c === chosen ? { ...c, program: { ...c.program, openSlots: c.program.openSlots + 1 }, sla: { ...c.sla, kept: c.sla.kept + 1 } } : c));
        expect(rankPrograms(better, st).suggestions.find((s) => s.programId === chosen.program.id)!.rank).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('property: the SLA score is in (0, 1), 0.5 without a record, and grows with kept SLAs', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (kept, breached) => {
        const s = slaScore({ kept, breached });
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThan(1);
        expect(slaScore({ kept: kept + 1, breached })).toBeGreaterThan(s);
      }),
    );
    expect(slaScore({ kept: 0, breached: 0 })).toBe(0.5);
  });
});
