import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessDenials, type AccessDenialReason } from '@puente/platform';
import { AuditLog } from '../audit-log';
import type { AuditedOptions } from './audited.decorator';
import { objectIdOf, purposeOf } from './audit.interceptor';
import { AUDITED_METADATA } from './constants';
import { auditContextOf, type AuditableRequest } from './request-audit-context';

/**
 * A caller refused by the auth guard's scope check on an @Audited route gets the same `denied`
 * record the interceptor writes for refusals inside the handler: an attempt on personal data
 * by a known partner is on the record even though no handler ran. Routes that are not audited
 * are left alone.
 */
@Injectable()
export class AuditedRouteDenials extends AccessDenials {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async refused(context: ExecutionContext, _reason: AccessDenialReason): Promise<void> {
    const options = this.reflector.getAllAndOverride<AuditedOptions | undefined>(AUDITED_METADATA, [context.getHandler(), context.getClass()]);
    if (!options || context.getType() !== 'http') return;
    const request = context.switchToHttp().getRequest<AuditableRequest & { headers: Record<string, unknown>; params?: Record<string, string | undefined> }>();
    await this.audit.append(null, {
      ...auditContextOf(request),
      action: options.action,
      objectType: options.objectType,
      objectId: objectIdOf(options, request, undefined),
      purpose: purposeOf(options, request, this.audit) ?? null,
      outcome: 'denied',
    });
  }
}
