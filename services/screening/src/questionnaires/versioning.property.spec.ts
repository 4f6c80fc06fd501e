import { canonicalHash } from '@puente/platform';
import fc from 'fast-check';
import { smallDefinition } from '../testing/fixtures';
import { RISK_LEVELS, type RiskLevel } from './catalog';
import { compileQuestionnaire, type QuestionnaireDefinition } from './definition';
import { type Answers, evaluateOutcome, type ScreeningOutcome } from './engine';
import { currentVersion, draftConflict, nextVersionNumber, transition, type VersionStatus, VersioningError } from './versioning';

/** A variant of the small questionnaire with different rules (what an officer might publish). */
interface Variant {
  childAge: number;
  fearRisk: RiskLevel;
  asylumNeedsHost: boolean;
  legalAidDays: number;
}

function definitionOf(v: Variant): QuestionnaireDefinition {
  const d = structuredClone(smallDefinition());
  d.rules.flags[1].when = { '<': [{ var: 'q_age' }, v.childAge] };
  d.rules.risk[0] = { level: v.fearRisk, when: { flag: 'fear_of_return' } };
  d.rules.pathways[0].when = v.asylumNeedsHost ? { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'q_location' }, 'host'] }] } : { flag: 'fear_of_return' };
  d.rules.pathways[2].when = { and: [{ recommended: 'national_asylum' }, { '>': [{ days_since: { var: 'q_arrival' } }, v.legalAidDays] }] };
  return d;
}

const variantArb: fc.Arbitrary<Variant> = fc.record({
  childAge: fc.integer({ min: 1, max: 25 }),
  fearRisk: fc.constantFrom(...RISK_LEVELS),
  asylumNeedsHost: fc.boolean(),
  legalAidDays: fc.integer({ min: 0, max: 400 }),
});

const answersArb: fc.Arbitrary<Answers> = fc
  .record({
    q_age: fc.integer({ min: 0, max: 90 }),
    q_fear: fc.boolean(),
    q_reasons: fc.constantFrom(['political_opinion'], ['religion'], ['political_opinion', 'religion'], ['unknown']),
    q_location: fc.constantFrom('origin', 'host'),
    q_arrival: fc.date({ min: new Date('2020-01-01'), max: new Date('2026-02-28'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  })
  .map((a) => a as Answers);

type Op =
  | { kind: 'draft'; variant: Variant }
  | { kind: 'edit'; pick: number; variant: Variant }
  | { kind: 'publish' }
  | { kind: 'retire'; pick: number }
  | { kind: 'complete'; answers: Answers; asOf: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  variantArb.map((variant): Op => ({ kind: 'draft', variant })),
  fc.record({ pick: fc.nat(), variant: variantArb }).map(({ pick, variant }): Op => ({ kind: 'edit', pick, variant })),
  fc.constant<Op>({ kind: 'publish' }),
  fc.nat().map((pick): Op => ({ kind: 'retire', pick })),
  fc
    .record({ answers: answersArb, asOf: fc.constantFrom('2026-03-01', '2026-06-15', '2027-01-01') })
    .map(({ answers, asOf }): Op => ({ kind: 'complete', answers, asOf })),
);

interface StoredVersion {
  id: number;
  version: number;
  status: VersionStatus;
  definition: QuestionnaireDefinition;
}

interface Completed {
  versionId: number;
  definitionHash: string;
  answers: Answers;
  asOf: string;
  outcome: ScreeningOutcome;
}

/** The service's versioning rules applied to an in-memory store, the way the service applies them in SQL. */
function runHistory(ops: Op[]): { versions: StoredVersion[]; completed: Completed[] } {
  const versions: StoredVersion[] = [{ id: 0, version: 1, status: 'published', definition: definitionOf({ childAge: 18, fearRisk: 'medium', asylumNeedsHost: true, legalAidDays: 30 }) }];
  const completed: Completed[] = [];
  for (const op of ops) {
    if (op.kind === 'draft') {
      if (draftConflict(versions)) continue;
      versions.push({ id: versions.length, version: nextVersionNumber(versions), status: 'draft', definition: definitionOf(op.variant) });
    } else if (op.kind === 'edit') {
      // Try to edit any version: only drafts may change.
      const target = versions[op.pick % versions.length];
      const next = transition(target.status, 'edit');
      if (!(next instanceof VersioningError)) target.definition = definitionOf(op.variant);
    } else if (op.kind === 'publish') {
      const draft = versions.find((v) => v.status === 'draft');
      if (!draft) continue;
      const next = transition(draft.status, 'publish');
      if (!(next instanceof VersioningError) && compileQuestionnaire(draft.definition).questionnaire) draft.status = next;
    } else if (op.kind === 'retire') {
      const target = versions[op.pick % versions.length];
      const next = transition(target.status, 'retire');
      if (!(next instanceof VersioningError)) target.status = next;
    } else {
      const current = currentVersion(versions);
      if (!current) continue;
      const compiled = compileQuestionnaire(current.definition).questionnaire!;
      completed.push({
        versionId: current.id,
        definitionHash: canonicalHash(current.definition),
        answers: op.answers,
        asOf: op.asOf,
        outcome: evaluateOutcome(compiled, op.answers, op.asOf),
      });
    }
  }
  return { versions, completed };
}

describe('questionnaire versioning (properties)', () => {
  it('publishing, editing drafts and retiring never change an earlier result', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { versions, completed } = runHistory(ops);
        for (const c of completed) {
          const pinned = versions[c.versionId];
          expect(canonicalHash(pinned.definition)).toBe(c.definitionHash);
          expect(evaluateOutcome(compileQuestionnaire(pinned.definition).questionnaire!, c.answers, c.asOf)).toEqual(c.outcome);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('version numbers grow by one, there is at most one draft, and new screenings use the highest published version', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { versions } = runHistory(ops);
        expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1));
        expect(versions.filter((v) => v.status === 'draft').length).toBeLessThanOrEqual(1);
        const current = currentVersion(versions);
        const published = versions.filter((v) => v.status === 'published').map((v) => v.version);
        expect(current?.version).toBe(published.length ? Math.max(...published) : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('only allows draft → published → retired', () => {
    expect(transition('draft', 'publish')).toBe('published');
    expect(transition('published', 'retire')).toBe('retired');
    expect(transition('draft', 'edit')).toBe('draft');
    for (const [status, action] of [
      ['published', 'edit'],
      ['retired', 'edit'],
      ['published', 'publish'],
      ['retired', 'publish'],
      ['draft', 'retire'],
      ['retired', 'retire'],
      ['published', 'discard'],
    ] as const) {
      expect(transition(status, action)).toBeInstanceOf(VersioningError);
    }
  });
});
