import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../../http/problem';
import { validationProblem } from '../../http/validation';
import { ConventionProblemTypes } from '../problem-types';

export const ETAG_HEADER = 'ETag';
export const IF_MATCH_HEADER = 'If-Match';
export const IF_NONE_MATCH_HEADER = 'If-None-Match';

/**
 * What an ETag is computed from: the entity id plus its `@VersionColumn` (preferred) or its
 * `updated_at`. The id is part of the tag so an ETag of one resource never matches another.
 */
export type EtagSource =
  | { id: string | number; version: number | string }
  | { id: string | number; updatedAt: Date | string };

export interface EtagOptions {
  /**
   * Weak ETag (`W/"…"`). Weak tags only serve `If-None-Match` (caching): `If-Match` uses the
   * strong comparison (RFC 9110 §13.1.1), so updates need the default strong tags.
   */
  weak?: boolean;
}

/**
 * ETag of an entity state, e.g. `"Hq3W0sN6r2mEPX1rE5rXLA"`: a hash of id and version (or
 * updatedAt in ISO form, which has millisecond precision: prefer a version column).
 */
export function computeEtag(source: EtagSource, options: EtagOptions = {}): string {
  const marker =
    'version' in source
      ? `v:${String(source.version)}`
      : `t:${source.updatedAt instanceof Date ? source.updatedAt.toISOString() : String(source.updatedAt)}`;
  const opaque = createHash('sha256').update(`${String(source.id)}\u0000${marker}`).digest('base64url').slice(0, 22);
  return options.weak ? `W/"${opaque}"` : `"${opaque}"`;
}

interface EntityTag {
  weak: boolean;
  opaque: string;
}

const ENTITY_TAG = /\s*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"\s*(?:,|$)/y;

function parseTag(tag: string): EntityTag | undefined {
  const list = parseEntityTagList(tag);
  return Array.isArray(list) && list.length === 1 ? list[0] : undefined;
}

/**
 * Parses an `If-Match` / `If-None-Match` value: `'*'`, a list of entity tags, or undefined when
 * malformed. Commas inside quoted tags are handled.
 */
export function parseEntityTagList(value: string): '*' | EntityTag[] | undefined {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  if (trimmed === '') return undefined;
  const tags: EntityTag[] = [];
  ENTITY_TAG.lastIndex = 0;
  while (ENTITY_TAG.lastIndex < trimmed.length) {
    const start = ENTITY_TAG.lastIndex;
    const match = ENTITY_TAG.exec(trimmed);
    if (!match || ENTITY_TAG.lastIndex === start) return undefined;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] });
  }
  return tags;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const raw = request.headers[name.toLowerCase()];
  if (raw === undefined) return undefined;
  return Array.isArray(raw) ? raw.join(', ') : raw;
}

/** Strong comparison (RFC 9110 §8.8.3.2): both tags strong and equal. */
export function strongEtagMatch(a: string, b: string): boolean {
  const x = parseTag(a);
  const y = parseTag(b);
  return !!x && !!y && !x.weak && !y.weak && x.opaque === y.opaque;
}

/** Weak comparison: equal opaque tags, W/ ignored. */
export function weakEtagMatch(a: string, b: string): boolean {
  const x = parseTag(a);
  const y = parseTag(b);
  return !!x && !!y && x.opaque === y.opaque;
}

export function preconditionRequiredProblem(): ProblemException {
  return new ProblemException(
    428,
    ConventionProblemTypes.PRECONDITION_REQUIRED,
    'Precondition required',
    `Send ${IF_MATCH_HEADER} with the ETag of the version you read, so that concurrent changes are not overwritten.`,
  );
}

export function preconditionFailedProblem(): ProblemException {
  return new ProblemException(
    412,
    ConventionProblemTypes.PRECONDITION_FAILED,
    'Precondition failed',
    'The resource was changed since you read it. Read it again (GET) and reapply your change with the new ETag.',
  );
}

function malformedHeader(name: string): ProblemException {
  return validationProblem([{ field: name, message: `${name} must be "*" or a list of quoted entity tags`, code: 'entityTag' }]);
}

/**
 * Throws 428 `precondition-required` when `If-Match` is missing, 400 when it is malformed and
 * 412 `precondition-failed` when it does not match `currentEtag` (strong comparison; `*` matches
 * any existing resource; `currentEtag` undefined means the resource does not exist).
 *
 * Checking the ETag is not enough on its own: write with a conditional UPDATE
 * (`WHERE id = :id AND version = :readVersion`, which a TypeORM `@VersionColumn` increments) and
 * call `assertVersionUpdated(result)`, so two writers holding the same ETag cannot both win.
 */
export function assertIfMatch(request: FastifyRequest, currentEtag: string | undefined): void {
  const value = headerValue(request, IF_MATCH_HEADER);
  if (value === undefined || value.trim() === '') throw preconditionRequiredProblem();
  const tags = parseEntityTagList(value);
  if (tags === undefined) throw malformedHeader(IF_MATCH_HEADER);
  if (currentEtag === undefined) throw preconditionFailedProblem();
  if (tags === '*') return;
  if (!tags.some((tag) => !tag.weak && strongEtagMatch(`"${tag.opaque}"`, currentEtag))) throw preconditionFailedProblem();
}

/**
 * True when a GET/HEAD may be answered 304: `If-None-Match` matches `currentEtag` (weak
 * comparison; `*` matches any existing resource). A malformed header is ignored.
 */
export function isNotModified(request: FastifyRequest, currentEtag: string | undefined): boolean {
  const value = headerValue(request, IF_NONE_MATCH_HEADER);
  if (value === undefined || currentEtag === undefined) return false;
  const tags = parseEntityTagList(value);
  if (tags === undefined) return false;
  if (tags === '*') return true;
  return tags.some((tag) => weakEtagMatch(`"${tag.opaque}"`, currentEtag));
}

/** Sets the `ETag` response header. */
export function setEtag(reply: FastifyReply, etag: string): void {
  void reply.header(ETAG_HEADER, etag);
}

/**
 * For the conditional UPDATE of an optimistic-locking write: throws 412 when it changed no row
 * (another writer bumped the version first), e.g.
 * `assertVersionUpdated(await repo.createQueryBuilder().update().set(patch).where('id = :id AND version = :v', { id, v }).execute())`.
 */
export function assertVersionUpdated(result: { affected?: number | null }): void {
  if (!result.affected) throw preconditionFailedProblem();
}
