import fc from 'fast-check';
import { CASE_FLAGS, type CaseProfile, checkEligibility, compileEligibility, RISK_LEVELS } from './eligibility';

const profile = (over: Partial<CaseProfile> = {}): CaseProfile => ({
  ageBand: '12-17',
  sex: 'female',
  nationality: 'HN',
  country: 'GT',
  site: 'GT-MRC-01',
  household: false,
  householdSize: 1,
  flags: ['unaccompanied_child'],
  recommended: ['cam'],
  riskLevel: 'high',
  ...over,
});

const rule = (json: unknown) => {
  const { expr, issues } = compileEligibility(json);
  if (!expr) throw new Error(JSON.stringify(issues));
  return expr;
};

describe('program eligibility in the shared rule language', () => {
  const cam = rule({
    and: [{ in: [{ var: 'nationality' }, ['SV', 'GT', 'HN']] }, { in: [{ var: 'age_band' }, ['0-4', '5-11', '12-17']] }, { recommended: 'cam' }],
  });

  it('is eligible with the attributes and outcomes that decided it', () => {
    expect(checkEligibility(cam, profile(), '2026-12-06')).toEqual({ eligible: true, reasons: ['age_band', 'nationality', 'recommended:cam'], failedRules: [] });
  });

  it('names every failed condition of a top-level and, with what decided it', () => {
    const result = checkEligibility(cam, profile({ nationality: 'MX', ageBand: '18-59' }), '2026-12-06');
    expect(result.eligible).toBe(false);
    expect(result.failedRules).toEqual([
      { rule: 'eligibility.and[0]', condition: { in: [{ var: 'nationality' }, ['SV', 'GT', 'HN']] }, decidedBy: ['nationality'] },
      { rule: 'eligibility.and[1]', condition: { in: [{ var: 'age_band' }, ['0-4', '5-11', '12-17']] }, decidedBy: ['age_band'] },
    ]);
  });

  it('reads flags and risk levels as references', () => {
    const urgent = rule({ or: [{ flag: 'survivor_of_gbv' }, { risk_at_least: 'urgent' }] });
    expect(checkEligibility(urgent, profile({ riskLevel: 'urgent' }), '2026-12-06').eligible).toBe(true);
    expect(checkEligibility(urgent, profile({ riskLevel: 'high' }), '2026-12-06').failedRules[0].rule).toBe('eligibility');
    expect(checkEligibility(urgent, profile({ riskLevel: null, flags: ['survivor_of_gbv'] }), '2026-12-06').eligible).toBe(true);
  });

  it('refuses rules over unknown attributes, options or flags with exact paths', () => {
    expect(compileEligibility({ '==': [{ var: 'age' }, 10] }).issues.map((i) => i.path)).toEqual(['eligibilityRule.==[0].var']);
    expect(compileEligibility({ '==': [{ var: 'sex' }, 'woman'] }).issues.map((i) => i.code)).toEqual(['unknown-option']);
    expect(compileEligibility({ flag: 'tall' }).issues.map((i) => i.code)).toEqual(['unknown-flag']);
    expect(compileEligibility({ recommended: 'national_asylum' }).issues.map((i) => i.code)).toEqual(['unknown-pathway']);
  });

  it('knows exactly the flags and risk levels of the contract', () => {
    expect(CASE_FLAGS).toContain('fear_of_return');
    expect(CASE_FLAGS).toHaveLength(13);
    expect(RISK_LEVELS).toEqual(['low', 'medium', 'high', 'urgent']);
  });

  it('no rule: everyone is eligible; a rule is a pure function of the profile', () => {
    expect(checkEligibility(null, profile(), '2026-12-06')).toEqual({ eligible: true, reasons: [], failedRules: [] });
    fc.assert(
      fc.property(fc.constantFrom('0-4', '5-11', '12-17', '18-59', '60+', 'unknown' as const), fc.constantFrom('GT', 'HN', 'SV', 'MX'), (ageBand, nationality) => {
        const p = profile({ ageBand, nationality });
        const a = checkEligibility(cam, p, '2026-12-06');
        expect(checkEligibility(cam, p, '2026-12-06')).toEqual(a);
        expect(a.eligible).toBe(['SV', 'GT', 'HN'].includes(nationality) && ['0-4', '5-11', '12-17'].includes(ageBand));
        expect(a.eligible === (a.failedRules.length === 0)).toBe(true);
      }),
    );
  });
});
