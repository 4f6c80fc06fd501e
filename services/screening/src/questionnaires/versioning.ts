// Versioning rules of questionnaires, as pure functions (the service applies them in SQL
// transactions; PostgreSQL triggers enforce the same rules underneath).
//
// - A questionnaire `key` has versions 1, 2, 3…; a new draft takes the next number.
// - Only a draft can be edited or discarded; at most one draft per key at a time.
// - Publishing freezes a draft: a published definition never changes again, so every screening
//   that pinned it (by version id) keeps its meaning, and completed results are stored, never
//   recomputed. Publishing a new version therefore cannot change an earlier result.
// - Retiring a published version stops new screenings from starting on it; screenings already
//   running on it may still be completed.
// - New screenings use the highest published (not retired) version of the key.

export const VERSION_STATUSES = ['draft', 'published', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export type VersionAction = 'edit' | 'publish' | 'retire' | 'discard';

export class VersioningError extends Error {
  override readonly name = 'VersioningError';
  constructor(
    readonly code: 'not-a-draft' | 'not-published' | 'draft-exists',
    message: string,
    readonly status?: VersionStatus,
  ) {
    super(message);
  }
}

/** The status after `action`, or a VersioningError saying why the action is not allowed. */
export function transition(status: VersionStatus, action: VersionAction): VersionStatus | VersioningError {
  switch (action) {
    case 'edit':
      return status === 'draft' ? 'draft' : new VersioningError('not-a-draft', `A ${status} version cannot be edited; create a new draft instead.`, status);
    case 'discard':
      return status === 'draft' ? 'draft' : new VersioningError('not-a-draft', `A ${status} version cannot be discarded; retire it instead.`, status);
    case 'publish':
      return status === 'draft' ? 'published' : new VersioningError('not-a-draft', `Only a draft can be published; this version is ${status}.`, status);
    case 'retire':
      return status === 'published' ? 'retired' : new VersioningError('not-published', `Only a published version can be retired; this version is ${status}.`, status);
  }
}

export interface VersionSummary {
  version: number;
  status: VersionStatus;
}

/** The number of a new draft: one more than the highest existing version (1 for a new key). */
export function nextVersionNumber(existing: readonly VersionSummary[]): number {
  return existing.reduce((max, v) => Math.max(max, v.version), 0) + 1;
}

/** A VersioningError when the key already has a draft (edit that one or discard it first). */
export function draftConflict(existing: readonly VersionSummary[]): VersioningError | undefined {
  const draft = existing.find((v) => v.status === 'draft');
  return draft ? new VersioningError('draft-exists', `Version ${draft.version} of this questionnaire is already a draft; edit or discard it first.`) : undefined;
}

/** The version new screenings use: the highest published one. */
export function currentVersion<V extends VersionSummary>(existing: readonly V[]): V | undefined {
  return existing.filter((v) => v.status === 'published').reduce<V | undefined>((best, v) => (!best || v.version > best.version ? v : best), undefined);
}
