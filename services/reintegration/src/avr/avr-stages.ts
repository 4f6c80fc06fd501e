// The stages of an assisted voluntary return package as a pure rule: stages are paid out in
// order, each acknowledged after it was paid, and the package is complete when all are.

export const AVR_STAGE_KINDS = ['travel', 'reintegration_grant', 'in_kind'] as const;
export type AvrStageKind = (typeof AVR_STAGE_KINDS)[number];
export type StageStatus = 'planned' | 'disbursed' | 'acknowledged';
export type PackageStatus = 'requested' | 'in_progress' | 'completed' | 'cancelled';

export type StageAction = 'disburse' | 'acknowledge';

export type StageDecision = { ok: true; to: StageStatus } | { ok: false; reason: 'already-done' | 'earlier-stage-pending' | 'not-disbursed' | 'package-closed' };

/** Whether `action` may apply to stage `index` (0-based) of a package whose stages are `stages`. */
export function decideStage(packageStatus: PackageStatus, stages: readonly StageStatus[], index: number, action: StageAction): StageDecision {
  if (packageStatus === 'completed' || packageStatus === 'cancelled') return { ok: false, reason: 'package-closed' };
  const current = stages[index];
  if (action === 'disburse') {
    if (current !== 'planned') return { ok: false, reason: 'already-done' };
    // Paid in order: a grant instalment waits for the travel before it.
    if (stages.slice(0, index).some((s) => s === 'planned')) return { ok: false, reason: 'earlier-stage-pending' };
    return { ok: true, to: 'disbursed' };
  }
  if (current === 'acknowledged') return { ok: false, reason: 'already-done' };
  if (current !== 'disbursed') return { ok: false, reason: 'not-disbursed' };
  return { ok: true, to: 'acknowledged' };
}

/** The package's status once its stages are `stages` (an open package only). */
export function packageStatusOf(stages: readonly StageStatus[]): PackageStatus {
  if (stages.length > 0 && stages.every((s) => s === 'acknowledged')) return 'completed';
  return stages.some((s) => s !== 'planned') ? 'in_progress' : 'requested';
}
