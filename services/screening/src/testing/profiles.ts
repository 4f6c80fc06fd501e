// Answer sets shared by the HTTP suites (test fixtures, not production content).

/** A Guatemalan farm worker at home who can get a passport: H-2A on version 1. */
export const FARM_WORKER = {
  q_age: 28,
  q_nationality: 'gt',
  q_current_location: 'country_of_origin',
  q_indigenous: true,
  q_travelling_with: 'with_partner_or_family',
  q_family_abroad: 'no',
  q_fear_of_return: false,
  q_violence: ['none'],
  q_trafficking: ['none'],
  q_medical: 'none',
  q_pregnancy: 'not_applicable',
  q_disability: ['none'],
  q_distress: false,
  q_lgbtqi_risk: 'no',
  q_safe_place_tonight: true,
  q_intention: 'move_to_another_country',
  q_work_abroad_interest: true,
  q_work_experience: ['agriculture'],
  q_passport: 'can_obtain',
  q_us_removal: false,
};
