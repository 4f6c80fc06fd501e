import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

function defaultSource(result: unknown): EtagSource | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { id, version } = result as { id?: unknown; version?: unknown };
  const idOk = typeof id === 'string' || typeof id === 'number';
  const versionOk = typeof version === 'number' || typeof version === 'string';
  return idOk && versionOk ? { id: id as string | number, version: version as string | number } : undefined;
}

/** Fastify route config key under which `@WithEtag()` leaves its options for the hooks below. */
export const ETAG_ROUTE_CONFIG = 'puenteEtag';

const NOT_MODIFIED = Symbol('puente:not-modified');

type EtagRouteRequest = FastifyRequest & { routeOptions: { config?: Record<string, unknown> } };

/**
 * What `@WithEtag()` does, as Fastify hooks (registered once per app by createServiceApp): in
 * preSerialization, the ETag from the handler's result and, for a GET/HEAD whose If-None-Match
 * matches, 304; in onSend, no body on that 304. As a Nest interceptor it cost every such request
 * an rxjs pipeline and an AsyncResource.bind (Node's deprecation wrapper alone was 7% of a GET).
 */
export function registerEtagHooks(fastify: {
  addHook(name: 'preSerialization', hook: (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => void): unknown;
  addHook(name: 'onSend', hook: (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => void): unknown;
}): void {
  fastify.addHook('preSerialization', (request, reply, payload, done) => {
    const options = (request as EtagRouteRequest).routeOptions.config?.[ETAG_ROUTE_CONFIG] as WithEtagOptions | undefined;
    if (options === undefined || reply.statusCode < 200 || reply.statusCode >= 300) return done(null, payload);
    try {
      let etag = reply.getHeader(ETAG_HEADER);
      if (typeof etag !== 'string') {
        const source = (options.from ?? defaultSource)(payload);
        if (source === undefined) return done(null, payload);
        etag = typeof source === 'string' ? source : computeEtag(source, options);
        void reply.header(ETAG_HEADER, etag);
      }
      if ((request.method === 'GET' || request.method === 'HEAD') && isNotModified(request, etag)) {
        void reply.status(304);
        (reply as unknown as Record<symbol, boolean>)[NOT_MODIFIED] = true;
      }
      done(null, payload);
    } catch (error) {
      done(error as Error);
    }
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if ((reply as unknown as Record<symbol, boolean>)[NOT_MODIFIED]) {
      void reply.removeHeader('content-type');
      // undefined, not null: Fastify's own onSend of HEAD routes reads the payload after this one.
      return done(null, undefined);
    }
    done(null, payload);
  });
}

/**
 * Sets `ETag` on the response from the handler's result (default: its `id` and `version`) and
 * answers a GET/HEAD whose `If-None-Match` matches with 304 Not Modified and no body.
 * Use on GET, PUT and PATCH handlers that return the entity. It sets the handler's Fastify
 * route config (Nest keeps one object per handler): a handler cannot also use `@RouteConfig`.
 */
export function WithEtag(options: WithEtagOptions = {}): MethodDecorator {
  return applyDecorators(
    RouteConfig({ [ETAG_ROUTE_CONFIG]: options }),
    ApiHeader({
      name: IF_NONE_MATCH_HEADER,
      required: false,
      description: 'On GET: an ETag you hold; 304 Not Modified (no body) when it is still current',
    }),
  );
}
