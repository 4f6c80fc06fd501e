import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { getRequestContext, type RequestContext } from '../observability/request-context';

/**
 * Injects the current request's id and W3C trace context into a handler parameter,
 * e.g. to stamp an outbox row with `traceparent`:
 * `create(@Body() dto: CreateCaseDto, @CurrentRequestContext() ctx: RequestContext)`.
 */
export const CurrentRequestContext = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestContext =>
    getRequestContext(context.switchToHttp().getRequest<FastifyRequest>()),
);
