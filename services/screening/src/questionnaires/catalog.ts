// The closed vocabulary of screening outcomes. Questionnaires (data) decide *when* a flag, ground,
// risk level or pathway applies; *which* codes exist is part of the event contract
// (proto/puente/screening/v1), because the services that act on them (referral routing,
// reception) must understand every code. Adding a code = adding an enum value to the proto
// (non-breaking) and here.

/** Vulnerability flags (UNHCR Heightened Risk Identification Tool categories, IOM vulnerability screening). */
export const FLAG_CODES = [
  'unaccompanied_child',
  'separated_child',
  'survivor_of_gbv',
  'survivor_of_torture_or_violence',
  'trafficking_indicators',
  'lgbtqi_risk',
  'disability',
  'indigenous',
  'serious_medical_condition',
  'pregnancy',
  'older_person',
  'single_caregiver',
  'fear_of_return',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** Grounds of the 1951 Refugee Convention, as stated by the person (not a legal determination). */
export const GROUND_CODES = ['race', 'religion', 'nationality', 'political_opinion', 'particular_social_group'] as const;
export type GroundCode = (typeof GROUND_CODES)[number];

/** Risk levels, lowest first. */
export const RISK_LEVELS = ['low', 'medium', 'high', 'urgent'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

/**
 * Recommended pathways: protection and lawful pathways first, then immediate services.
 * `services_only` means that no protection or lawful pathway was identified.
 */
export const PATHWAY_CODES = [
  'national_asylum',
  'resettlement',
  'central_american_minors',
  'protection_transfer_arrangement',
  'idp_protection',
  'family_reunification',
  'labor_h2a',
  'labor_h2b',
  'labor_third_country',
  'assisted_voluntary_return',
  'reintegration_support',
  'services_only',
  'child_protection',
  'medical_care',
  'psychosocial_support',
  'legal_aid',
  'shelter',
] as const;
export type PathwayCode = (typeof PATHWAY_CODES)[number];

/** Locales every questionnaire text must have. */
export const REQUIRED_LOCALES = ['es', 'en', 'fr', 'pt'] as const;

/** Key of the questionnaire that ships with Puente and is used when a start request names none. */
export const DEFAULT_QUESTIONNAIRE_KEY = 'puente-protection-screening';
