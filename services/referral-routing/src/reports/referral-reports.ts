import type { ReportDefinition } from '@puente/reports';

// From referrals' own status columns (ids and codes only), in the ISO week each referral was
// requested: the outcome is the referral's current status (completed, rejected, expired, …).
export const REFERRAL_REPORTS: readonly ReportDefinition[] = [
  {
    id: 'referrals-by-outcome',
    title: 'Referrals by outcome',
    description: 'Referrals per current status (completed, rejected, cancelled, failed, expired, or still open: requested, sent, received, accepted, in progress, on hold).',
    unit: 'referrals',
    dimension: 'outcome',
    from: 'referral r',
    time: 'r.created_at',
    value: 'r.status',
    counted: 'r.id',
  },
  {
    id: 'referrals-by-pathway',
    title: 'Referrals by pathway',
    description: 'Referrals per pathway of the program referred to.',
    unit: 'referrals',
    dimension: 'pathway',
    from: 'referral r',
    time: 'r.created_at',
    value: 'r.pathway',
    counted: 'r.id',
  },
];
