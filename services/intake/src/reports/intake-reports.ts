import type { ReportDefinition } from '@puente/reports';

// Registrations for planning, from intake's own minimized columns (never the encrypted ones): each
// person counted once per cell, in the ISO week of registration. Erased persons still count: the
// registration happened, and a count says nothing about who.
const persons = { unit: 'persons', from: 'person p', time: 'p.registered_at', counted: 'p.id' } as const;

export const INTAKE_REPORTS: readonly ReportDefinition[] = [
  { ...persons, id: 'registrations-by-week', title: 'Registrations by week', description: 'Persons registered per ISO week.', dimension: 'week', value: 'NULL' },
  { ...persons, id: 'registrations-by-site', title: 'Registrations by site', description: 'Persons registered per registration site (MRC or other point).', dimension: 'site', value: 'p.site_code' },
  { ...persons, id: 'registrations-by-age-band', title: 'Registrations by age band', description: 'Persons registered per age band at registration.', dimension: 'ageBand', value: 'p.age_band' },
  { ...persons, id: 'registrations-by-sex', title: 'Registrations by sex', description: 'Persons registered per sex as recorded.', dimension: 'sex', value: 'p.sex' },
  { ...persons, id: 'registrations-by-nationality', title: 'Registrations by nationality', description: 'Persons registered per nationality (ISO 3166-1 alpha-2).', dimension: 'nationality', value: 'p.nationality' },
  {
    ...persons,
    id: 'registrations-by-vulnerability',
    title: 'Registrations by vulnerability flag',
    description: 'Persons registered per vulnerability flag noted at registration (a person with several flags counts under each; `none` for no flag).',
    dimension: 'vulnerability',
    from: "person p CROSS JOIN LATERAL unnest(CASE WHEN cardinality(p.vulnerability_flags) = 0 THEN ARRAY['none'] ELSE p.vulnerability_flags END) AS flag(code)",
    value: 'flag.code',
  },
];
