import {
  applyDecorators,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { ProblemDetailsDto } from '../../http/problem.dto';
import {
  computeEtag,
  type EtagOptions,
  type EtagSource,
  ETAG_HEADER,
  IF_MATCH_HEADER,
  IF_NONE_MATCH_HEADER,
  isNotModified,
  preconditionRequiredProblem,
} from './etag';

/** Guard of `@RequireIfMatch()`: 428 before the handler runs when `If-Match` is missing. */
@Injectable()
export class IfMatchRequiredGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const value = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) throw preconditionRequiredProblem();
    return true;
  }
}

/**
 * Marks an update (PUT/PATCH/DELETE) as conditional: without `If-Match` the request is answered
 * 428 `precondition-required` before the handler runs. The handler then loads the entity, calls
 * `assertIfMatch(request, computeEtag(entity))` (412 when stale) and writes with a conditional
 * UPDATE on the version (`assertVersionUpdated`). Documents the header and the 412/428 answers.
 */
export function RequireIfMatch(): MethodDecorator {
  return applyDecorators(
    UseGuards(IfMatchRequiredGuard),
    ApiHeader({
      name: IF_MATCH_HEADER,
      required: true,
      description: 'ETag of the version being changed (from the last GET or write response)',
      schema: { type: 'string', example: '"Hq3W0sN6r2mEPX1rE5rXLA"' },
    }),
    ApiResponse({ status: 412, type: ProblemDetailsDto, description: 'precondition-failed: the resource changed since that ETag' }),
    ApiResponse({ status: 428, type: ProblemDetailsDto, description: 'precondition-required: the If-Match header is missing' }),
  );
}

export interface WithEtagOptions extends EtagOptions {
  /**
   * What the ETag is computed from, given the handler's result; default: its `id` and `version`
   * properties. Return a ready ETag string, or undefined for no ETag.
   */
  from?: (result: unknown) => EtagSource | string | undefined;
}

const WITH_ETAG_OPTIONS = 'puente:with-etag-options';

function defaultSource(result: unknown): EtagSource | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { id, version } = result as { id?: unknown; version?: unknown };
  const idOk = typeof id === 'string' || typeof id === 'number';
  const versionOk = typeof version === 'number' || typeof version === 'string';
  return idOk && versionOk ? { id: id as string | number, version: version as string | number } : undefined;
}

/** Interceptor behind `@WithEtag()`. */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<WithEtagOptions | undefined>(WITH_ETAG_OPTIONS, context.getHandler()) ?? {};
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((result: unknown) => {
        if (reply.statusCode < 200 || reply.statusCode >= 300) return result;
        let etag = reply.getHeader(ETAG_HEADER);
        if (typeof etag !== 'string') {
          const source = (options.from ?? defaultSource)(result);
          if (source === undefined) return result;
          etag = typeof source === 'string' ? source : computeEtag(source, options);
          void reply.header(ETAG_HEADER, etag);
        }
        if ((request.method === 'GET' || request.method === 'HEAD') && isNotModified(request, etag)) {
          void reply.status(304);
          return undefined;
        }
        return result;
      }),
    );
  }
}

/**
 * Sets `ETag` on the response from the handler's result (default: its `id` and `version`) and
 * answers a GET/HEAD whose `If-None-Match` matches with 304 Not Modified and no body.
 * Use on GET, PUT and PATCH handlers that return the entity.
 */
export function WithEtag(options: WithEtagOptions = {}): MethodDecorator {
  return applyDecorators(
    SetMetadata(WITH_ETAG_OPTIONS, options),
    UseInterceptors(EtagInterceptor),
    ApiHeader({
      name: IF_NONE_MATCH_HEADER,
      required: false,
      description: 'On GET: an ETag you hold; 304 Not Modified (no body) when it is still current',
    }),
  );
}
