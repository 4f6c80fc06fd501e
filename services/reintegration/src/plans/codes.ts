// The closed vocabularies of a plan: goals, specific needs (women, children, indigenous people),
// members' roles, task kinds and their coded details. Codes, never free text: they are what
// programs count and what can travel in events.

export const GOALS = [
  'employment',
  'self_employment',
  'vocational_training',
  'education',
  'documentation',
  'housing',
  'health',
  'psychosocial_wellbeing',
  'financial_inclusion',
  'social_protection',
  'family_reunification',
  'community_integration',
] as const;
export type Goal = (typeof GOALS)[number];

/**
 * Specific needs, by group. The prefix says whose need it is; a plan holds codes only (what was
 * disclosed stays with the caseworker, not in the plan).
 */
export const SPECIFIC_NEEDS = {
  women: [
    'women_pregnant_or_lactating',
    'women_single_head_of_household',
    'women_gbv_survivor_support',
    'women_childcare_support',
    'women_economic_empowerment',
  ],
  children: [
    'children_school_reenrollment',
    'children_unaccompanied',
    'children_separated',
    'children_child_protection_follow_up',
    'children_early_childhood_care',
    'children_nutrition',
  ],
  indigenous: [
    'indigenous_language_interpretation',
    'indigenous_community_based_reintegration',
    'indigenous_culturally_appropriate_care',
    'indigenous_land_or_territory_access',
  ],
} as const;
export const SPECIFIC_NEED_CODES: readonly string[] = Object.values(SPECIFIC_NEEDS).flat();
export type SpecificNeed = (typeof SPECIFIC_NEEDS)[keyof typeof SPECIFIC_NEEDS][number];

export const MEMBER_ROLES = ['principal', 'spouse_or_partner', 'child', 'parent', 'sibling', 'other_relative'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const TASK_KINDS = [
  'national_id',
  'birth_certificate',
  'certificate_validation',
  'school_enrollment',
  'psychosocial_session',
  'social_program_enrollment',
  'bank_account',
  'mobile_money_account',
  'housing',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_OWNER_KINDS = ['caseworker', 'partner_program', 'person'] as const;
export type TaskOwnerKind = (typeof TASK_OWNER_KINDS)[number];

export const TASK_STATUSES = ['open', 'completed', 'cancelled'] as const;

/** School re-enrollment of a minor: where the grade is a national level code. */
export const SCHOOL_GRADES = [
  'preschool',
  'primary_1',
  'primary_2',
  'primary_3',
  'primary_4',
  'primary_5',
  'primary_6',
  'lower_secondary_1',
  'lower_secondary_2',
  'lower_secondary_3',
  'upper_secondary_1',
  'upper_secondary_2',
  'upper_secondary_3',
] as const;
export const SCHOOL_ENROLLMENT_STATUSES = ['pending', 'enrolled', 'attending', 'dropped_out'] as const;

export const CERTIFICATE_KINDS = ['primary_school', 'secondary_school', 'technical_or_trade', 'university_degree', 'language', 'professional_license'] as const;

export const HOUSING_SUPPORT = ['temporary_shelter', 'rental_support', 'home_repair', 'family_hosting'] as const;

export const PSYCHOSOCIAL_MODALITIES = ['individual', 'group', 'family', 'community'] as const;
