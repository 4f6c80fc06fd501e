import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@puente/platform';
import { catchError, defer, mergeMap, type Observable } from 'rxjs';
import { AuditLog, OBJECT_ID_PATTERN } from '../audit-log';
import type { AuditOutcome } from '../canonical';
import { AUDITED_METADATA, PURPOSE_HEADER, PURPOSE_REQUIRED_PROBLEM } from './constants';
import type { AuditedOptions } from './audited.decorator';
import { auditContextOf, type AuditableRequest } from './request-audit-context';

/** HTTP status of a thrown value (500 when it carries none). */
export function statusOfError(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  if (typeof error === 'object' && error !== null) {
    const candidate = (error as { statusCode?: unknown }).statusCode ?? (error as { status?: unknown }).status;
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 400 && candidate <= 599) return candidate;
  }
  return 500;
}

/** 401, 403 and 404 (object-level checks answer 404 to hide existence) → `denied`; anything else → `error`. */
export function outcomeOfError(error: unknown): AuditOutcome {
  const status = statusOfError(error);
  return status === 401 || status === 403 || status === 404 ? 'denied' : 'error';
}

type Params = Record<string, string | undefined> | undefined;
type AuditedRequest = AuditableRequest & { headers: Record<string, unknown>; params?: Params };

/** The endpoint's fixed purpose, else the X-Purpose header if it is an allowed purpose; undefined if none. */
export function purposeOf(options: AuditedOptions, request: AuditedRequest, audit: AuditLog): string | undefined {
  if (options.purpose !== undefined) return options.purpose;
  const header = request.headers[PURPOSE_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const purpose = value.trim().toLowerCase();
  return audit.isAllowedPurpose(purpose) ? purpose : undefined;
}

/** The audited object's id per @Audited's objectIdParam; null when absent or not identifier-shaped. */
export function objectIdOf(options: AuditedOptions, request: AuditedRequest, result: unknown): string | null {
  let id: unknown;
  try {
    const source = options.objectIdParam ?? 'id';
    id = typeof source === 'function' ? source(request, result) : request.params?.[source];
  } catch {
    id = undefined;
  }
  return typeof id === 'string' && OBJECT_ID_PATTERN.test(id) ? id : null;
}

/** Applied by @Audited(); see there. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<AuditedOptions | undefined>(AUDITED_METADATA, [context.getHandler(), context.getClass()]);
    if (!options || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const purpose = purposeOf(options, request, this.audit);
    const record = (outcome: AuditOutcome, result: unknown) =>
      this.audit.append(null, {
        ...auditContextOf(request),
        action: options.action,
        objectType: options.objectType,
        objectId: objectIdOf(options, request, result),
        purpose: purpose ?? null,
        outcome,
      });

    if (purpose === undefined) {
      return defer(async () => {
        await record('denied', undefined);
        throw new ProblemException(
          400,
          PURPOSE_REQUIRED_PROBLEM,
          'Purpose required',
          `Send the X-Purpose header with one of: ${this.audit.purposes.join(', ')}.`,
          { allowedPurposes: [...this.audit.purposes] },
        );
      });
    }

    return next.handle().pipe(
      catchError((error: unknown) =>
        defer(async () => {
          try {
            await record(outcomeOfError(error), undefined);
          } catch (auditError) {
            this.logger.error({ err: { name: (auditError as Error)?.name, code: (auditError as { code?: unknown })?.code }, action: options.action }, 'audit record of a failed request could not be written');
          }
          throw error;
        }),
      ),
      // Fail closed: if the success record cannot be written, the caller gets a 500, not the data.
      mergeMap(async (result: unknown) => {
        await record('success', result);
        return result;
      }),
    );
  }
}
