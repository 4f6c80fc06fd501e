import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { type NodeRegistry, protectionBlocks } from '@puente/federation';
import { validationProblem } from '@puente/platform';
import { PersonErasedError } from '@puente/privacy';
import { DataSource } from 'typeorm';
import { privacyProblem } from '../common/problems';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { IntakeEvents } from '../events/intake-events';
import { NODE_REGISTRY } from '../federation/federation.tokens';
import { MatchKeyBorder } from '../federation/match-key-border';
import { Person } from '../persons/person.entity';
import type { GrantProtectionOverrideDto, ProtectionOverrideDto, ProtectionOverrideListDto } from './protection-override.dto';
import { overrideErrors, overrideInForce } from './protection-override-rules';
import { type OverrideRow, overridesOf } from './override-store';

function toDto(row: OverrideRow, now: Date): ProtectionOverrideDto {
  return { ...row, grantedAt: row.grantedAt.toISOString(), expiresAt: row.expiresAt.toISOString(), inForce: overrideInForce(row, now) };
}

/**
 * An authorized officer lifts the protection block for one person toward one node, for some
 * exchange kinds, for a stated purpose and a limited time (audited). While it is in force the
 * border lets those kinds cross; the person's match keys are offered again at once.
 */
@Injectable()
export class ProtectionOverrides {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
    private readonly border: MatchKeyBorder,
    private readonly publication: MatchKeyPublication,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
  ) {}

  async grant(caller: Caller, personId: string, dto: GrantProtectionOverrideDto): Promise<ProtectionOverrideDto> {
    return this.dataSource.transaction(async (tx) => {
      const person = await tx.findOne(Person, { where: { id: personId }, lock: { mode: 'pessimistic_write' } });
      if (!person) throw resourceNotFound('person');
      assertJurisdiction(caller.principal, person.siteCode, { hideAs: 'person' });
      if (person.erasedAt) throw privacyProblem(new PersonErasedError(person.id, person.erasedAt));
      const now = new Date();
      const subject = await this.border.subjectOf(tx, personId, now);
      const errors = overrideErrors(dto, {
        ownNode: this.registry.node,
        peers: this.registry.peers,
        blockedToward: (node) => subject !== null && protectionBlocks(subject, this.registry.agreementWith(node)),
      });
      if (errors.length > 0) throw validationProblem(errors);
      const row: OverrideRow = {
        id: randomUUID(),
        personId,
        node: dto.node,
        kinds: [...new Set(dto.kinds)].sort(),
        purpose: dto.purpose,
        grantedBy: caller.principal.clientId,
        grantedAt: now,
        expiresAt: new Date(now.getTime() + dto.validForHours * 3600_000),
      };
      await tx.query(
        `INSERT INTO protection_override (id, person_id, node, kinds, purpose, granted_by, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [row.id, row.personId, row.node, row.kinds, row.purpose, row.grantedBy, row.grantedAt, row.expiresAt],
      );
      // Who lifted the block, for whom, toward which node: in the tamper-evident audit log.
      await this.audit.append(tx, {
        actor: caller.auditActor,
        requestId: caller.requestId,
        traceparent: caller.traceparent,
        action: 'person.protection-override',
        objectType: 'person',
        objectId: personId,
        purpose: 'case-management',
        occurredAt: now,
      });
      await this.audit.append(tx, {
        actor: caller.auditActor,
        requestId: caller.requestId,
        traceparent: caller.traceparent,
        action: 'protection-override.grant',
        objectType: 'protection-override',
        objectId: row.id,
        purpose: 'case-management',
        occurredAt: now,
      });
      // The keys are offered again: the border now lets them go to that node (consent permitting).
      if (row.kinds.includes('match-keys')) await this.events.append(tx, caller.traceparent, await this.publication.afterConsentRecorded(tx, personId, now), now);
      return toDto(row, now);
    });
  }

  async list(caller: Caller, personId: string): Promise<ProtectionOverrideListDto> {
    const db = this.dataSource.manager;
    const person = await db.findOneBy(Person, { id: personId });
    if (!person) throw resourceNotFound('person');
    assertJurisdiction(caller.principal, person.siteCode, { hideAs: 'person' });
    const now = new Date();
    return { items: (await overridesOf(db, personId)).map((r) => toDto(r, now)) };
  }
}
