import type { ReportDefinition } from '@puente/reports';
import { DIMENSIONS } from '../plans/sustainability';

// Reintegration outcomes for planning, from reintegration's own coded columns (never the encrypted
// skills profiles): plans per referring center, the members they support by age band and sex,
// closed plans by outcome, re-migration flags, and the follow-ups' sustainability scores per
// dimension in bands, each outcome also crossed with center, age band and sex. Counts only;
// libs/reports suppresses the small cells (along both dimensions of a cross).

const plans = { unit: 'plans', from: 'plan p', time: 'p.created_at', counted: 'p.id' } as const;
// Members of the plans opened in the week (an erased member still counts: the support happened).
const members = { unit: 'persons', from: 'plan p JOIN plan_member m ON m.plan_id = p.id LEFT JOIN person_record r ON r.person_id = m.person_id', time: 'p.created_at', counted: 'm.person_id' } as const;

/**
 * A dimension's score (0 to 1, the mean of its questions answered 0, 0.5 or 1) in three bands:
 * low below 1/3, medium below 2/3, high from 2/3. Bands, not scores: a count per exact score
 * would cut the cells small.
 */
export const scoreBand = (column: string) => `CASE WHEN ${column} < 1.0 / 3 THEN 'low' WHEN ${column} < 2.0 / 3 THEN 'medium' ELSE 'high' END`;

/**
 * The crosses planners ask for: per referring center (of the plan), and per age band and sex (of
 * the plan's members: a household's follow-up or outcome counts once for each member).
 */
const CROSSES = [
  { id: 'center', dimension: 'center', value: 'p.referring_center_code', members: false },
  { id: 'age-band', dimension: 'ageBand', value: 'r.age_band', members: true },
  { id: 'sex', dimension: 'sex', value: 'r.sex', members: true },
] as const;
const MEMBERS_JOIN = 'JOIN plan_member m ON m.plan_id = p.id LEFT JOIN person_record r ON r.person_id = m.person_id';

const sustainability: ReportDefinition[] = DIMENSIONS.flatMap((dimension) => {
  const base = {
    title: `${dimension[0].toUpperCase()}${dimension.slice(1)} sustainability of reintegration`,
    unit: 'follow-ups',
    dimension: `${dimension}Band`,
    from: 'follow_up f JOIN plan p ON p.id = f.plan_id',
    time: 'f.recorded_at',
    value: scoreBand(`f.${dimension}`),
    counted: 'f.id',
    where: 'f.recorded_at IS NOT NULL',
  };
  const bands = `per band of their ${dimension} score: low (< 1/3), medium (< 2/3), high; week of recording`;
  return [
    { ...base, id: `${dimension}-sustainability`, description: `Follow-ups recorded (1, 3, 6 and 12 months) ${bands}.` },
    ...CROSSES.map((c) => ({
      ...base,
      id: `${dimension}-sustainability-by-${c.id}`,
      title: `${base.title} by ${c.id.replace('-', ' ')}`,
      description: c.members ? `Follow-ups recorded, once per member of the plan, ${bands}, per member's ${c.id.replace('-', ' ')}.` : `Follow-ups recorded ${bands}, per referring center of the plan.`,
      ...(c.members && { unit: 'member follow-ups', from: `${base.from} ${MEMBERS_JOIN}`, counted: "f.id::text || '/' || m.person_id::text" }),
      by: { dimension: c.dimension, value: c.value },
    })),
  ];
});

const outcomes = { ...plans, title: 'Reintegration plan outcomes', dimension: 'outcome', time: 'p.closed_at', value: 'p.outcome', where: 'p.closed_at IS NOT NULL' } as const;
const outcomeCrosses: ReportDefinition[] = CROSSES.map((c) => ({
  ...outcomes,
  id: `plan-outcomes-by-${c.id}`,
  title: `${outcomes.title} by ${c.id.replace('-', ' ')}`,
  description: c.members
    ? `Members of the plans closed in the week, per outcome and member's ${c.id.replace('-', ' ')}.`
    : 'Plans closed (completed or dropped) per outcome and referring center, in the week of closing.',
  ...(c.members && { unit: 'persons', from: `plan p ${MEMBERS_JOIN}`, counted: 'm.person_id' }),
  by: { dimension: c.dimension, value: c.value },
}));

export const REINTEGRATION_REPORTS: readonly ReportDefinition[] = [
  { ...plans, id: 'plans-by-week', title: 'Reintegration plans by week', description: 'Plans opened per ISO week.', dimension: 'week', value: 'NULL' },
  { ...plans, id: 'plans-by-center', title: 'Reintegration plans by referring center', description: 'Plans opened per referring reception center (`unknown` when none).', dimension: 'center', value: 'p.referring_center_code' },
  { ...members, id: 'plan-members-by-age-band', title: 'Persons supported by age band', description: 'Members of the plans opened in the week, per age band.', dimension: 'ageBand', value: 'r.age_band' },
  { ...members, id: 'plan-members-by-sex', title: 'Persons supported by sex', description: 'Members of the plans opened in the week, per sex as recorded.', dimension: 'sex', value: 'r.sex' },
  { ...outcomes, id: 'plan-outcomes', description: 'Plans closed (completed or dropped) per outcome, in the week of closing.' },
  ...outcomeCrosses,
  {
    id: 'remigration-by-center',
    title: 'Re-migration flags by referring center',
    description: 'Persons flagged as registered again at an MRC (here or at another node) while their plan was active or after it completed, per referring center of the plan, in the week flagged.',
    unit: 'persons',
    dimension: 'center',
    from: 'plan_remigration f JOIN plan p ON p.id = f.plan_id',
    time: 'f.flagged_at',
    value: 'p.referring_center_code',
    counted: 'f.person_id',
  },
  ...sustainability,
];
