// Program eligibility in the shared rule language (libs/rules), evaluated against what routing
// knows of a case. The "questions" a program's rule may read are the case's minimized attributes;
// its outcome references are the screening's flags, recommended pathways and risk level.
import { ProtectionFlag, ScreeningRiskLevel } from '@puente/contracts';
import { compileExpression, type CompileScope, type EvalEnv, evaluate, type Expr, type Issue, toJson, truthy, type Value, type VarInfo } from '@puente/rules';
import { AGE_BANDS, type AgeBand, PATHWAYS, type Pathway, SEXES, type Sex } from './vocabulary';

/** The words of a protobuf enum: its value names in lower case, in value order, without UNSPECIFIED. */
function enumWords(e: Record<string, string | number>): string[] {
  return Object.entries(e)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] !== 0)
    .sort((a, b) => a[1] - b[1])
    .map(([name]) => name.toLowerCase());
}

/** Screening's vulnerability flags (puente.screening.v1.ProtectionFlag), in words: the contract is the one list. */
export const CASE_FLAGS: readonly string[] = enumWords(ProtectionFlag);
export type CaseFlag = string;

/** Screening's risk levels, lowest first (puente.screening.v1.ScreeningRiskLevel). */
export type RiskLevel = 'low' | 'medium' | 'high' | 'urgent';
export const RISK_LEVELS = enumWords(ScreeningRiskLevel) as readonly RiskLevel[];

/** What a program's eligibility rule can see of a case (never identity). */
export interface CaseProfile {
  ageBand: AgeBand | null;
  sex: Sex | null;
  /** ISO 3166-1 alpha-2, upper case. */
  nationality: string | null;
  /** Country (ISO 3166-1 alpha-2) where the person is now: the registering site's country. */
  country: string | null;
  /** Registering site, e.g. GT-MRC-01. */
  site: string | null;
  household: boolean;
  householdSize: number;
  flags: readonly string[];
  /** Program pathways recommended by the latest screening. */
  recommended: readonly string[];
  riskLevel: RiskLevel | null;
}

const CASE_VARS: ReadonlyMap<string, VarInfo> = new Map<string, VarInfo>([
  ['age_band', { type: 'choice', options: AGE_BANDS }],
  ['sex', { type: 'choice', options: SEXES }],
  ['nationality', { type: 'choice' }],
  ['country', { type: 'choice' }],
  ['site', { type: 'choice' }],
  ['household', { type: 'boolean' }],
  ['household_size', { type: 'number' }],
]);

/** The compile scope of eligibility rules: case attributes as variables; flags, pathways and risk as references. */
export const ELIGIBILITY_SCOPE: CompileScope = {
  vars: CASE_VARS,
  place: 'eligibility rule',
  refs: {
    flag: { allowed: new Set(CASE_FLAGS), noun: 'flag' },
    recommended: { allowed: new Set(PATHWAYS), noun: 'pathway' },
    risk_at_least: { allowed: new Set(RISK_LEVELS), noun: 'risk level' },
  },
};

/** Compiles a program's eligibility rule; issues carry exact paths under `path` (e.g. `eligibilityRule.and[1].var`). */
export function compileEligibility(json: unknown, path = 'eligibilityRule'): { expr?: Expr; issues: Issue[] } {
  return compileExpression(json, path, ELIGIBILITY_SCOPE);
}

/** A rule of a program a case does not meet. */
export interface FailedRule {
  /** `eligibility` for the whole rule, `eligibility.and[i]` for one condition of a top-level `and`, or a built-in check. */
  rule: string;
  /** The condition, in the rule language (JSON). */
  condition?: unknown;
  /** Case attributes that decided it (e.g. `age_band`), never values. */
  decidedBy: string[];
}

export interface EligibilityResult {
  eligible: boolean;
  /** Attributes and outcomes that made the case eligible: `age_band`, `flag:fear_of_return`, … */
  reasons: string[];
  failedRules: FailedRule[];
}

function caseEnv(profile: CaseProfile, asOf: string): EvalEnv {
  const values: Record<string, Value | undefined> = {
    age_band: profile.ageBand ?? undefined,
    sex: profile.sex ?? undefined,
    nationality: profile.nationality ?? undefined,
    country: profile.country ?? undefined,
    site: profile.site ?? undefined,
    household: profile.household,
    household_size: profile.householdSize,
  };
  const risk = profile.riskLevel === null ? -1 : RISK_LEVELS.indexOf(profile.riskLevel);
  return {
    asOf,
    answer: (name) => values[name],
    ref: (kind, name) => {
      const value =
        kind === 'flag'
          ? profile.flags.includes(name)
          : kind === 'recommended'
            ? profile.recommended.includes(name)
            : risk >= 0 && risk >= RISK_LEVELS.indexOf(name as RiskLevel);
      return { value, reasons: [`${kind}:${name}`] };
    },
  };
}

/**
 * Whether a case meets a program's eligibility rule (null: everyone does). Each condition of a
 * top-level `and` is reported on its own, so a caseworker sees every condition that failed, not
 * only the first. Pure and total: the same rule and profile always give the same answer.
 */
export function checkEligibility(rule: Expr | null, profile: CaseProfile, asOf: string): EligibilityResult {
  if (rule === null) return { eligible: true, reasons: [], failedRules: [] };
  const env = caseEnv(profile, asOf);
  const conditions = rule.kind === 'op' && rule.op === 'and' ? rule.args.map((e, i) => ({ e, name: `eligibility.and[${i}]` })) : [{ e: rule, name: 'eligibility' }];
  const reasons = new Set<string>();
  const failedRules: FailedRule[] = [];
  for (const { e, name } of conditions) {
    const r = evaluate(e, env);
    if (truthy(r.value)) r.reasons.forEach((x) => reasons.add(x));
    else failedRules.push({ rule: name, condition: toJson(e), decidedBy: [...r.reasons].sort() });
  }
  return failedRules.length === 0 ? { eligible: true, reasons: [...reasons].sort(), failedRules } : { eligible: false, reasons: [], failedRules };
}

/** True when `value` is one of the directory's pathways. */
export function isPathway(value: string): value is Pathway {
  return (PATHWAYS as readonly string[]).includes(value);
}
