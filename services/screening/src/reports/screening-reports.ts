import type { ReportDefinition } from '@puente/reports';

// From completed screenings' outcomes (codes only; the answers stay encrypted and are never read
// here): each case counted once per cell, in the ISO week the screening was completed.
export const SCREENING_REPORTS: readonly ReportDefinition[] = [
  {
    id: 'screenings-by-pathway',
    title: 'Completed screenings by pathway recommended',
    description: 'Cases whose completed screening recommended each pathway (a case with several recommendations counts under each).',
    unit: 'cases',
    dimension: 'pathway',
    from: "screening s CROSS JOIN LATERAL jsonb_array_elements(coalesce(s.outcome->'recommendations', '[]'::jsonb)) AS rec(item)",
    time: 's.completed_at',
    value: "rec.item->>'pathway'",
    counted: 's.case_id',
    where: "s.status = 'completed'",
  },
  {
    id: 'screenings-by-risk-level',
    title: 'Completed screenings by risk level',
    description: 'Cases per risk level of their completed screening.',
    unit: 'cases',
    dimension: 'riskLevel',
    from: 'screening s',
    time: 's.completed_at',
    value: 's.risk_level',
    counted: 's.case_id',
    where: "s.status = 'completed'",
  },
];
