import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_QUESTIONNAIRE_KEY, FLAG_CODES, GROUND_CODES, PATHWAY_CODES, REQUIRED_LOCALES } from './catalog';
import { DefaultContentError, loadDefaultQuestionnaires } from './default-content';
import { type Answers, applyAnswerPatch, completionIssues, evaluateOutcome } from './engine';

const ASOF = '2026-03-01';
const [q] = loadDefaultQuestionnaires();

/** An adult in another country with no particular need; every profile starts from it. */
const BASE: Record<string, unknown> = {
  q_age: 30,
  q_nationality: 'hn',
  q_current_location: 'other_country',
  q_indigenous: false,
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
  q_intention: 'undecided',
  q_work_abroad_interest: false,
};
const CHILD = { q_work_abroad_interest: undefined, q_parent_in_us: 'no', q_married: false };
const YOUNG_ADULT = { q_parent_in_us: 'no', q_married: false };
const FEAR = (reasons: string[], sources: string[], last: string, extra: Record<string, unknown> = {}) => ({
  q_fear_of_return: true,
  q_harm_reasons: reasons,
  q_harm_sources: sources,
  q_last_threat: last,
  q_danger_now: false,
  ...extra,
});
const WORK = (experience: string[], passport = 'yes', removed = false) => ({
  q_work_abroad_interest: true,
  q_work_experience: experience,
  q_passport: passport,
  q_us_removal: removed,
});

interface Profile {
  name: string;
  answers: Record<string, unknown>;
  flags: string[];
  grounds?: string[];
  risk: string;
  pathways: string[];
}

const PROFILES: Profile[] = [
  {
    name: 'unaccompanied 15-year-old Guatemalan girl at home, mother in the US with TPS',
    answers: { ...CHILD, q_age: 15, q_nationality: 'gt', q_current_location: 'country_of_origin', q_travelling_with: 'alone', q_parent_in_us: 'yes_lawful_status', q_family_abroad: 'yes_united_states', q_pregnancy: 'no', q_intention: 'move_to_another_country' },
    flags: ['unaccompanied_child'],
    risk: 'high',
    pathways: ['central_american_minors', 'child_protection', 'legal_aid'],
  },
  {
    name: 'Honduran man in Guatemala fleeing gang threats for his political opinion',
    answers: { q_age: 34, q_arrival_date: '2026-02-10', q_travelling_with: 'alone', q_intention: 'stay_here', ...FEAR(['political_opinion'], ['criminal_group'], 'within_month', { q_safe_in_current_country: true }) },
    flags: ['fear_of_return'],
    grounds: ['political_opinion'],
    risk: 'high',
    pathways: ['national_asylum', 'legal_aid'],
  },
  {
    name: 'Guatemalan farm worker at home with no fear of return',
    answers: { q_age: 28, q_nationality: 'gt', q_current_location: 'country_of_origin', q_intention: 'move_to_another_country', ...WORK(['agriculture']) },
    flags: [],
    risk: 'low',
    pathways: ['labor_h2a', 'labor_third_country'],
  },
  {
    name: 'pregnant Salvadoran woman with a medical emergency',
    answers: { q_age: 24, q_nationality: 'sv', q_pregnancy: 'pregnant', q_pregnancy_danger_signs: true, q_medical: 'emergency' },
    flags: ['serious_medical_condition', 'pregnancy'],
    risk: 'urgent',
    pathways: ['services_only', 'medical_care'],
  },
  {
    name: 'Honduran deported three weeks ago who wants to stay home',
    answers: { q_age: 38, q_current_location: 'returned_to_origin', q_return_date: '2026-02-08', q_intention: 'stay_here' },
    flags: [],
    risk: 'low',
    pathways: ['reintegration_support'],
  },
  {
    name: 'Nicaraguan in Guatemala who wants to go home',
    answers: { q_age: 45, q_nationality: 'ni', q_intention: 'return_home' },
    flags: [],
    risk: 'low',
    pathways: ['assisted_voluntary_return'],
  },
  {
    name: 'woman in debt bondage whose recruiter is nearby, nowhere to sleep',
    answers: { q_age: 22, q_pregnancy: 'no', q_trafficking: ['documents_taken', 'debt_bondage', 'not_free_to_leave'], q_controller_nearby: true, q_safe_place_tonight: false },
    flags: ['trafficking_indicators'],
    risk: 'urgent',
    pathways: ['services_only', 'legal_aid', 'shelter'],
  },
  {
    name: 'trans woman attacked for her gender identity, unsafe in the transit country',
    answers: {
      q_age: 27,
      q_lgbtqi_risk: 'yes',
      q_violence: ['physical_assault'],
      ...FEAR(['sexual_orientation_or_gender_identity'], ['criminal_group', 'community'], 'within_year', { q_safe_in_current_country: false }),
    },
    flags: ['survivor_of_torture_or_violence', 'lgbtqi_risk', 'fear_of_return'],
    grounds: ['particular_social_group'],
    risk: 'high',
    pathways: ['national_asylum', 'resettlement', 'psychosocial_support', 'legal_aid'],
  },
  {
    name: '19-year-old raped two days ago on the journey',
    answers: { ...YOUNG_ADULT, q_age: 19, q_nationality: 'sv', q_pregnancy: 'no', q_violence: ['sexual_violence'], q_sexual_violence_72h: true },
    flags: ['survivor_of_gbv'],
    risk: 'urgent',
    pathways: ['services_only', 'medical_care', 'psychosocial_support'],
  },
  {
    name: 'diabetic 67-year-old with limited mobility and sight, in his community',
    answers: { q_age: 67, q_nationality: 'gt', q_current_location: 'country_of_origin', q_disability: ['walking', 'seeing'], q_medical: 'chronic', q_intention: 'stay_here' },
    flags: ['disability', 'serious_medical_condition', 'older_person'],
    risk: 'medium',
    pathways: ['services_only', 'medical_care'],
  },
  {
    name: 'Mam mother returned with her children more than a year ago',
    answers: { q_age: 32, q_nationality: 'gt', q_current_location: 'returned_to_origin', q_return_date: '2025-01-20', q_indigenous: true, q_travelling_with: 'alone_with_children', q_pregnancy: 'no', q_intention: 'stay_here' },
    flags: ['indigenous', 'single_caregiver'],
    risk: 'medium',
    pathways: ['services_only'],
  },
  {
    name: 'Mam mother returned with her children 100 days ago',
    answers: { q_age: 32, q_nationality: 'gt', q_current_location: 'returned_to_origin', q_return_date: '2025-11-21', q_indigenous: true, q_travelling_with: 'alone_with_children', q_pregnancy: 'no', q_intention: 'stay_here' },
    flags: ['indigenous', 'single_caregiver'],
    risk: 'medium',
    pathways: ['reintegration_support'],
  },
  {
    name: '12-year-old with his uncle after a gang killed his father',
    answers: { ...CHILD, q_age: 12, q_nationality: 'sv', q_travelling_with: 'with_other_adult_relative', ...FEAR(['family_membership'], ['criminal_group'], 'within_year', { q_safe_in_current_country: true }) },
    flags: ['separated_child', 'fear_of_return'],
    grounds: ['particular_social_group'],
    risk: 'medium',
    pathways: ['national_asylum', 'child_protection', 'legal_aid'],
  },
  {
    name: 'Salvadoran journalist threatened by police this month, in danger at home',
    answers: { q_age: 41, q_nationality: 'sv', q_current_location: 'country_of_origin', q_intention: 'move_to_another_country', ...FEAR(['human_rights_or_journalism'], ['state_agents'], 'within_month', { q_danger_now: true }) },
    flags: ['fear_of_return'],
    grounds: ['political_opinion'],
    risk: 'urgent',
    pathways: ['protection_transfer_arrangement', 'idp_protection', 'legal_aid'],
  },
  {
    name: 'Venezuelan office worker in transit looking for work',
    answers: { q_age: 35, q_nationality: 've', q_intention: 'move_to_another_country', ...WORK(['office_or_it', 'driving']) },
    flags: [],
    risk: 'low',
    pathways: ['labor_third_country'],
  },
  {
    name: 'construction worker deported from the US two months ago',
    answers: { q_age: 31, q_current_location: 'returned_to_origin', q_return_date: '2026-01-01', q_intention: 'stay_here', ...WORK(['construction'], 'can_obtain', true) },
    flags: [],
    risk: 'low',
    pathways: ['labor_third_country', 'reintegration_support'],
  },
  {
    name: 'Guatemalan hotel and landscaping worker at home',
    answers: { q_age: 26, q_nationality: 'gt', q_current_location: 'country_of_origin', q_intention: 'move_to_another_country', ...WORK(['hospitality', 'landscaping']) },
    flags: [],
    risk: 'low',
    pathways: ['labor_h2b', 'labor_third_country'],
  },
  {
    name: 'woman fleeing her violent partner',
    answers: { q_age: 29, q_pregnancy: 'no', q_violence: ['partner_or_domestic_violence'], ...FEAR(['gender'], ['partner_or_family'], 'within_year', { q_safe_in_current_country: true }) },
    flags: ['survivor_of_gbv', 'fear_of_return'],
    grounds: ['particular_social_group'],
    risk: 'high',
    pathways: ['national_asylum', 'psychosocial_support', 'legal_aid'],
  },
  {
    name: 'man living with HIV who wants to go home',
    answers: { q_age: 40, q_nationality: 'ni', q_medical: 'chronic', q_intention: 'return_home' },
    flags: ['serious_medical_condition'],
    risk: 'medium',
    pathways: ['assisted_voluntary_return', 'medical_care'],
  },
  {
    name: 'unaccompanied 16-year-old fleeing gang recruitment, sleeping in the street',
    answers: { ...CHILD, q_age: 16, q_travelling_with: 'alone', q_safe_place_tonight: false, ...FEAR(['refused_gang_demands'], ['criminal_group'], 'within_year', { q_safe_in_current_country: true }) },
    flags: ['unaccompanied_child', 'fear_of_return'],
    grounds: [],
    risk: 'urgent',
    pathways: ['national_asylum', 'child_protection', 'legal_aid', 'shelter'],
  },
  {
    name: 'adult with thoughts of self-harm',
    answers: { q_age: 29, q_nationality: 'co', q_distress: true, q_self_harm: true },
    flags: [],
    risk: 'urgent',
    pathways: ['services_only', 'psychosocial_support'],
  },
  {
    name: 'Cuban dissident in transit, last threatened more than a year ago',
    answers: { q_age: 52, q_nationality: 'cu', ...FEAR(['political_opinion'], ['state_agents'], 'more_than_year', { q_safe_in_current_country: true }) },
    flags: ['fear_of_return'],
    grounds: ['political_opinion'],
    risk: 'medium',
    pathways: ['national_asylum', 'legal_aid'],
  },
  {
    name: 'Haitian woman whose husband has legal status in Canada',
    answers: { q_age: 33, q_nationality: 'ht', q_pregnancy: 'no', q_family_abroad: 'yes_other_country', q_intention: 'move_to_another_country' },
    flags: [],
    risk: 'low',
    pathways: ['family_reunification', 'legal_aid'],
  },
  {
    name: 'Nicaraguan pastor persecuted for his faith and opposition',
    answers: { q_age: 50, q_nationality: 'ni', ...FEAR(['religion', 'political_opinion'], ['state_agents'], 'within_year', { q_safe_in_current_country: true }) },
    flags: ['fear_of_return'],
    grounds: ['religion', 'political_opinion'],
    risk: 'medium',
    pathways: ['national_asylum', 'legal_aid'],
  },
  {
    name: 'unmarried 19-year-old in Honduras whose father has TPS in the US',
    answers: { ...YOUNG_ADULT, q_age: 19, q_current_location: 'country_of_origin', q_travelling_with: 'with_other_adult_relative', q_parent_in_us: 'yes_lawful_status', q_family_abroad: 'yes_united_states', q_intention: 'move_to_another_country' },
    flags: [],
    risk: 'low',
    pathways: ['central_american_minors', 'legal_aid'],
  },
  {
    name: 'married 19-year-old in Honduras whose father has TPS in the US',
    answers: { ...YOUNG_ADULT, q_age: 19, q_married: true, q_current_location: 'country_of_origin', q_parent_in_us: 'yes_lawful_status', q_family_abroad: 'yes_united_states', q_intention: 'move_to_another_country' },
    flags: [],
    risk: 'low',
    pathways: ['family_reunification', 'legal_aid'],
  },
  {
    name: 'Garifuna land defender returned to Honduras, threatened this month',
    answers: {
      q_age: 44,
      q_current_location: 'returned_to_origin',
      q_return_date: '2025-12-15',
      q_indigenous: true,
      q_intention: 'move_to_another_country',
      ...FEAR(['race_or_ethnicity', 'human_rights_or_journalism'], ['criminal_group', 'state_agents'], 'within_month'),
    },
    flags: ['indigenous', 'fear_of_return'],
    grounds: ['race', 'political_opinion'],
    risk: 'high',
    pathways: ['protection_transfer_arrangement', 'idp_protection', 'legal_aid'],
  },
  {
    name: 'Mexican displaced by cartel violence inside Mexico',
    answers: { q_age: 36, q_nationality: 'mx', q_current_location: 'country_of_origin', ...FEAR(['general_violence'], ['criminal_group'], 'more_than_year') },
    flags: ['fear_of_return'],
    grounds: [],
    risk: 'medium',
    pathways: ['idp_protection', 'legal_aid'],
  },
  {
    name: 'person who prefers not to disclose violence or identity',
    answers: { q_age: 41, q_nationality: 'other', q_violence: ['prefer_not_to_say'], q_lgbtqi_risk: 'prefer_not_to_say' },
    flags: [],
    risk: 'low',
    pathways: ['services_only'],
  },
  {
    name: 'pregnant Colombian woman with nowhere to sleep',
    answers: { q_age: 26, q_nationality: 'co', q_pregnancy: 'pregnant', q_pregnancy_danger_signs: false, q_safe_place_tonight: false, q_intention: 'stay_here' },
    flags: ['pregnancy'],
    risk: 'medium',
    pathways: ['services_only', 'medical_care', 'shelter'],
  },
  {
    name: 'afraid to return without knowing why, and unsafe in the transit country',
    answers: { q_age: 23, ...FEAR(['does_not_know'], ['other'], 'never_directly', { q_safe_in_current_country: false }) },
    flags: ['fear_of_return'],
    grounds: [],
    risk: 'medium',
    pathways: ['national_asylum', 'resettlement', 'legal_aid'],
  },
  {
    name: 'deaf 8-year-old travelling with her parents',
    answers: { ...CHILD, q_age: 8, q_nationality: 'gt', q_pregnancy: undefined, q_travelling_with: 'with_parent_or_legal_guardian', q_disability: ['hearing'] },
    flags: ['disability'],
    risk: 'medium',
    pathways: ['services_only'],
  },
];

function answersOf(profile: Profile): Answers {
  const merged = Object.fromEntries(Object.entries({ ...BASE, ...profile.answers }).filter(([, v]) => v !== undefined));
  // Every profile is a complete, valid screening: answers accepted in one go, nothing missing.
  const applied = applyAnswerPatch(q, {}, merged, ASOF);
  expect(applied.issues).toEqual([]);
  expect(applied.cleared).toEqual([]);
  expect(completionIssues(q, applied.answers!, ASOF)).toEqual([]);
  return applied.answers!;
}

describe('default questionnaire', () => {
  it('ships one valid questionnaire with every text in es, en, fr and pt', () => {
    expect(q.key).toBe(DEFAULT_QUESTIONNAIRE_KEY);
    for (const section of q.definition.sections) {
      for (const question of section.questions) {
        for (const locale of REQUIRED_LOCALES) expect(question.text[locale]).toBeTruthy();
      }
    }
    expect(q.definition.sections.some((s) => s.questions.some((x) => x.interpreterNotes))).toBe(true);
  });

  it('raises, across the profiles, every flag, risk level and pathway of the catalog and all grounds but nationality', () => {
    const outcomes = PROFILES.map((p) => evaluateOutcome(q, answersOf(p), ASOF));
    const seen = {
      flags: new Set(outcomes.flatMap((o) => o.flags.map((f) => f.flag))),
      grounds: new Set(outcomes.flatMap((o) => o.fearGrounds.map((g) => g.ground))),
      risk: new Set(outcomes.map((o) => o.risk.level)),
      pathways: new Set(outcomes.flatMap((o) => o.recommendations.map((r) => r.pathway))),
    };
    expect([...seen.flags].sort()).toEqual([...FLAG_CODES].sort());
    expect([...seen.grounds].sort()).toEqual([...GROUND_CODES].filter((g) => g !== 'nationality').sort());
    expect([...seen.risk].sort()).toEqual(['high', 'low', 'medium', 'urgent']);
    expect([...seen.pathways].sort()).toEqual([...PATHWAY_CODES].sort());
  });

  it.each(PROFILES.map((p) => [p.name, p] as const))('%s', (_name, profile) => {
    const outcome = evaluateOutcome(q, answersOf(profile), ASOF);
    expect(outcome.flags.map((f) => f.flag)).toEqual(profile.flags);
    if (profile.grounds) expect(outcome.fearGrounds.map((g) => g.ground)).toEqual(profile.grounds);
    else expect(outcome.fearGrounds).toEqual([]);
    expect(outcome.risk.level).toBe(profile.risk);
    expect(outcome.recommendations.map((r) => r.pathway)).toEqual(profile.pathways);
    // Every outcome except "low" risk is explained by at least one answer.
    for (const item of [...outcome.flags, ...outcome.fearGrounds, ...outcome.recommendations]) expect(item.reasons.length).toBeGreaterThan(0);
    if (profile.risk !== 'low') expect(outcome.risk.reasons.length).toBeGreaterThan(0);
  });

  it('explains recommendations with the answers that triggered them', () => {
    const asylum = evaluateOutcome(q, answersOf(PROFILES[1]), ASOF);
    expect(asylum.recommendations[0]).toEqual({ pathway: 'national_asylum', reasons: ['q_current_location', 'q_fear_of_return'] });
    expect(asylum.fearGrounds[0]).toEqual({ ground: 'political_opinion', reasons: ['q_fear_of_return', 'q_harm_reasons'] });
    expect(asylum.risk).toEqual({ level: 'high', reasons: ['q_fear_of_return', 'q_last_threat'] });
    const farm = evaluateOutcome(q, answersOf(PROFILES[2]), ASOF);
    expect(farm.recommendations[0]).toEqual({
      pathway: 'labor_h2a',
      reasons: ['q_age', 'q_fear_of_return', 'q_trafficking', 'q_work_abroad_interest', 'q_work_experience', 'q_passport', 'q_us_removal'],
    });
    const returned = evaluateOutcome(q, answersOf(PROFILES[4]), ASOF);
    expect(returned.recommendations[0]).toEqual({ pathway: 'reintegration_support', reasons: ['q_current_location', 'q_return_date', 'q_intention'] });
  });

  it('covers an older person and the nationality ground too', () => {
    const older = evaluateOutcome(q, answersOf({ name: 'older', answers: { q_age: 72 }, flags: [], risk: '', pathways: [] }), ASOF);
    expect(older.flags.map((f) => f.flag)).toEqual(['older_person']);
    expect(older.risk.level).toBe('medium');
    const stateless = evaluateOutcome(
      q,
      answersOf({ name: 'stateless', answers: { q_nationality: 'stateless', ...FEAR(['nationality'], ['state_agents'], 'within_year', { q_safe_in_current_country: true }) }, flags: [], risk: '', pathways: [] }),
      ASOF,
    );
    expect(stateless.fearGrounds.map((g) => g.ground)).toEqual(['nationality']);
  });

  it('refuses to start with broken default content, naming the file and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puente-default-'));
    try {
      writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...q.definition, sections: [{ ...q.definition.sections[0], id: 'Bad Id' }] }));
      expect(() => loadDefaultQuestionnaires(dir)).toThrow(DefaultContentError);
      expect(() => loadDefaultQuestionnaires(dir)).toThrow(/broken\.json.*\n.*sections\[0\]\.id/);
      writeFileSync(join(dir, 'broken.json'), '{ not json');
      expect(() => loadDefaultQuestionnaires(dir)).toThrow(/broken\.json is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
