import type { ReportDefinition } from '@puente/reports';

// Returns that arrived: persons checked in at a reception center, in the ISO week of check-in.
export const RECEPTION_REPORTS: readonly ReportDefinition[] = [
  {
    id: 'returns-by-center',
    title: 'Returns by reception center',
    description: 'Persons checked in per reception center (returns from manifests and walk-ins).',
    unit: 'persons',
    dimension: 'center',
    from: 'arrival a',
    time: 'a.checked_in_at',
    value: 'a.center_code',
    counted: 'coalesce(a.person_id::text, a.id::text)',
    where: 'a.checked_in_at IS NOT NULL',
  },
];
