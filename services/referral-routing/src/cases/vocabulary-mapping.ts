// Intake's and screening's codes, in the directory's words (what eligibility rules and
// suggestions speak). Pure functions; unknown or unspecified codes map to null / nothing.
import { AgeBand, Pathway as ScreeningPathway, PartnerType, ProtectionFlag, ScreeningRiskLevel, Sex, VulnerabilityFlag } from '@puente/contracts';
import type { CaseFlag, RiskLevel } from '../directory/eligibility';
import type { AgeBand as AgeBandWord, Pathway, PartnerType as PartnerTypeWord, Sex as SexWord } from '../directory/vocabulary';

const AGE_BANDS: Partial<Record<AgeBand, AgeBandWord>> = {
  [AgeBand.AGED_0_TO_4]: '0-4',
  [AgeBand.AGED_5_TO_11]: '5-11',
  [AgeBand.AGED_12_TO_17]: '12-17',
  [AgeBand.AGED_18_TO_59]: '18-59',
  [AgeBand.AGED_60_PLUS]: '60+',
  [AgeBand.UNKNOWN]: 'unknown',
};

export const ageBandWord = (band: AgeBand): AgeBandWord | null => AGE_BANDS[band] ?? null;

const SEXES: Partial<Record<Sex, SexWord>> = { [Sex.FEMALE]: 'female', [Sex.MALE]: 'male', [Sex.OTHER]: 'other', [Sex.UNDISCLOSED]: 'undisclosed' };

export const sexWord = (sex: Sex): SexWord | null => SEXES[sex] ?? null;

/** Intake's preliminary vulnerability flags, as screening's flags (intake's "survivor of violence" is the broader one). */
const INTAKE_FLAGS: Partial<Record<VulnerabilityFlag, CaseFlag>> = {
  [VulnerabilityFlag.UNACCOMPANIED_CHILD]: 'unaccompanied_child',
  [VulnerabilityFlag.SEPARATED_CHILD]: 'separated_child',
  [VulnerabilityFlag.SURVIVOR_OF_VIOLENCE]: 'survivor_of_torture_or_violence',
  [VulnerabilityFlag.LGBTQI]: 'lgbtqi_risk',
  [VulnerabilityFlag.DISABILITY]: 'disability',
  [VulnerabilityFlag.INDIGENOUS]: 'indigenous',
  [VulnerabilityFlag.MEDICAL_CONDITION]: 'serious_medical_condition',
  [VulnerabilityFlag.PREGNANCY]: 'pregnancy',
  [VulnerabilityFlag.TRAFFICKING_INDICATORS]: 'trafficking_indicators',
  [VulnerabilityFlag.FEAR_OF_RETURN]: 'fear_of_return',
  [VulnerabilityFlag.OLDER_PERSON_AT_RISK]: 'older_person',
  [VulnerabilityFlag.SINGLE_CAREGIVER]: 'single_caregiver',
};

export function intakeFlagWords(flags: readonly VulnerabilityFlag[]): CaseFlag[] {
  return [...new Set(flags.map((f) => INTAKE_FLAGS[f]).filter((f): f is CaseFlag => f !== undefined))].sort();
}

/** Screening's ProtectionFlag in words (the enum names, lower case). */
export function screeningFlagWord(flag: ProtectionFlag): CaseFlag | null {
  return flag === ProtectionFlag.UNSPECIFIED || ProtectionFlag[flag] === undefined ? null : (ProtectionFlag[flag].toLowerCase() as CaseFlag);
}

const RISK: Partial<Record<ScreeningRiskLevel, RiskLevel>> = {
  [ScreeningRiskLevel.LOW]: 'low',
  [ScreeningRiskLevel.MEDIUM]: 'medium',
  [ScreeningRiskLevel.HIGH]: 'high',
  [ScreeningRiskLevel.URGENT]: 'urgent',
};

export const riskWord = (level: ScreeningRiskLevel): RiskLevel | null => RISK[level] ?? null;

/**
 * Program pathways that serve what a screening recommends. "Services only" (no protection or
 * lawful pathway identified) is served by the immediate services.
 */
const PATHWAYS_FOR: Partial<Record<ScreeningPathway, readonly Pathway[]>> = {
  [ScreeningPathway.NATIONAL_ASYLUM]: ['asylum'],
  [ScreeningPathway.RESETTLEMENT]: ['resettlement'],
  [ScreeningPathway.CENTRAL_AMERICAN_MINORS]: ['cam'],
  [ScreeningPathway.PROTECTION_TRANSFER_ARRANGEMENT]: ['pta'],
  [ScreeningPathway.IDP_PROTECTION]: ['idp_protection'],
  [ScreeningPathway.FAMILY_REUNIFICATION]: ['family_reunification'],
  [ScreeningPathway.LABOR_H2A]: ['labor_h2a'],
  [ScreeningPathway.LABOR_H2B]: ['labor_h2b'],
  [ScreeningPathway.LABOR_THIRD_COUNTRY]: ['third_country_labor'],
  [ScreeningPathway.ASSISTED_VOLUNTARY_RETURN]: ['assisted_voluntary_return'],
  [ScreeningPathway.REINTEGRATION_SUPPORT]: ['reintegration'],
  [ScreeningPathway.SERVICES_ONLY]: ['shelter', 'cash_assistance', 'legal_aid', 'medical', 'psychosocial'],
  [ScreeningPathway.CHILD_PROTECTION]: ['child_protection'],
  [ScreeningPathway.MEDICAL_CARE]: ['medical'],
  [ScreeningPathway.PSYCHOSOCIAL_SUPPORT]: ['psychosocial'],
  [ScreeningPathway.LEGAL_AID]: ['legal_aid'],
  [ScreeningPathway.SHELTER]: ['shelter'],
};

/** A recommended program pathway and its place in the screening's recommendations (1 = first). */
export interface RecommendedPathway {
  pathway: Pathway;
  position: number;
}

/**
 * The screening's recommendations (in its order: protection and lawful pathways first) as program
 * pathways with their position; a pathway recommended twice keeps its first position.
 */
export function recommendedPathways(recommendations: readonly ScreeningPathway[]): RecommendedPathway[] {
  const out: RecommendedPathway[] = [];
  recommendations.forEach((r, i) => {
    for (const pathway of PATHWAYS_FOR[r] ?? []) if (!out.some((x) => x.pathway === pathway)) out.push({ pathway, position: i + 1 });
  });
  return out;
}

/** Intake's PartnerType in words (`government_asylum_agency`), or null when unspecified. */
export function partnerTypeWord(type: PartnerType): PartnerTypeWord | null {
  return type === PartnerType.UNSPECIFIED || PartnerType[type] === undefined ? null : (PartnerType[type].toLowerCase() as PartnerTypeWord);
}
