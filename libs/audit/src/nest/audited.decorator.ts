import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ACTION_PATTERN, AUDIT_PURPOSES, AuditEntryError, OBJECT_TYPE_PATTERN } from '../audit-log';
import { AuditInterceptor } from './audit.interceptor';
import { AUDITED_METADATA } from './constants';
import type { AuditableRequest } from './request-audit-context';

export interface AuditedOptions {
  /** `person.read`, `person.update`, `person.erase`, `case.read`, ... */
  action: string;
  /** `person`, `case`, ... */
  objectType: string;
  /**
   * Fixed purpose of this endpoint (e.g. `erasure`). Without it the caller must send the
   * `X-Purpose` header with one of the allowed purposes, else the request is refused (400).
   */
  purpose?: string;
  /**
   * Where the object id comes from: the name of a route parameter (default `id`), or a function
   * of the request and the handler's result (`undefined` when the handler failed), e.g.
   * `(req, result) => result.id` for a create (that one is `createdObjectId`). Values that do not
   * look like an identifier are recorded as null.
   */
  objectIdParam?: string | ((request: AuditableRequest, result: unknown) => string | null | undefined);
}

/** objectIdParam of a create: the id of the resource the handler returned (none when it failed). */
export const createdObjectId = (_request: AuditableRequest, result: unknown): string | undefined => (result as { id?: string } | undefined)?.id;

/**
 * Writes one audit record per call of the handler (a read or change of personal data), in its
 * own transaction after the handler finished: outcome `success`, or `denied` (401, 403, 404, or
 * no valid purpose) / `error` (any other failure) when it threw; the failure record is written
 * even though the handler's transaction rolled back. Needs AuditModule.forRoot().
 */
export function Audited(options: AuditedOptions): MethodDecorator & ClassDecorator {
  if (!ACTION_PATTERN.test(options.action)) throw new AuditEntryError(`@Audited action must match ${ACTION_PATTERN}`);
  if (!OBJECT_TYPE_PATTERN.test(options.objectType)) throw new AuditEntryError(`@Audited objectType must match ${OBJECT_TYPE_PATTERN}`);
  const decorators: (MethodDecorator & ClassDecorator)[] = [
    SetMetadata(AUDITED_METADATA, options),
    UseInterceptors(AuditInterceptor) as MethodDecorator & ClassDecorator,
  ];
  if (options.purpose === undefined) {
    decorators.push(
      ApiHeader({
        name: 'X-Purpose',
        required: true,
        description:
          'Why personal data is read or changed; recorded in the audit log. One of the purposes allowed by the ' +
          `service (by default: ${AUDIT_PURPOSES.join(', ')}). Missing or unknown: 400 purpose-required.`,
        schema: { type: 'string', example: 'case-management' },
      }) as MethodDecorator & ClassDecorator,
    );
  }
  return applyDecorators(...decorators);
}
