import { Injectable } from '@nestjs/common';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { AgeBand, CaseOpenedSchema, Priority, Sex, toTimestamp, VulnerabilityFlag } from '@puente/contracts';
import type { EntityManager } from 'typeorm';
import { type Caller } from '@puente/audit';
import { actorOf } from '../common/actor';
import { type PriorityValue, toProto } from '../common/enums';
import { illegalTransition, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { event, type IntakeEvent } from '../events/intake-events';
import type { Person } from '../persons/person.entity';
import { CaseReferences } from './case-reference';
import { acceptsChanges } from './case-status';
import { CasePerson, IntakeCase } from './case.entity';

/** Opening cases and loading a case for a change, shared by case, person, household and consent use cases. */
@Injectable()
export class CaseOpener {
  constructor(
    private readonly config: IntakeConfig,
    private readonly references: CaseReferences,
  ) {}

  /**
   * The reference of a case about to be opened at `at`; call it before the transaction that
   * opens the case (it may create the year's sequence or take a block of numbers, on another
   * pooled connection, which must not wait behind open transactions).
   */
  async prepare(at: Date): Promise<string> {
    return this.references.reserve(this.config.PUENTE_NODE, at);
  }

  /**
   * Inserts a new case with `principal` as its first person, taking the next reference of this
   * reference from prepare(), and returns it with its CaseOpened event.
   */
  async open(
    tx: EntityManager,
    caller: Caller,
    input: { caseId: string; siteCode: string; priority: PriorityValue; household: boolean; principal: Person; at: Date; reference: string },
  ): Promise<{ case: IntakeCase; events: IntakeEvent[] }> {
    const { caseId, siteCode, priority, principal, at, reference } = input;
    const row: IntakeCase = {
      id: caseId,
      reference,
      siteCode,
      custodyNode: this.config.PUENTE_NODE,
      status: 'open',
      priority,
      principalPersonId: principal.id,
      openedAt: at,
      openedBy: caller.principal.clientId,
      closedAt: null,
      closeReason: null,
      updatedAt: at,
      version: 1,
    };
    await tx.insert(IntakeCase, row);
    await tx.insert(CasePerson, { caseId, personId: principal.id, addedAt: at });
    return { case: row, events: [this.openedEvent(caller, row, principal, input.household)] };
  }

  /** CaseOpened for a case and its principal applicant's minimized attributes. */
  openedEvent(caller: Caller, row: IntakeCase, principal: Pick<Person, 'ageBand' | 'sex' | 'nationality' | 'vulnerabilityFlags'>, household: boolean): IntakeEvent {
    const { id: caseId, reference, siteCode, priority, openedAt: at } = row;
    return event(
      CaseOpenedSchema,
      {
        caseId,
        reference,
        siteCode,
        custodyNode: row.custodyNode,
        openedAt: toTimestamp(at),
        priority: toProto(Priority, priority),
        household,
        ageBand: toProto(AgeBand, principal.ageBand),
        sex: toProto(Sex, principal.sex),
        nationality: principal.nationality,
        vulnerabilityFlags: principal.vulnerabilityFlags.map((f) => toProto(VulnerabilityFlag, f)),
        openedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
      },
      caseId,
    );
  }

  /**
   * Loads a case named in a request body and locks it for the change (one writer per case, so its
   * events cannot be reordered). 422 naming `field` if it does not exist or is outside the caller's
   * jurisdiction; 409 when the case no longer accepts changes (closed or transferred).
   */
  async lockForChange(tx: EntityManager, caller: Caller, caseId: string, field = 'caseId'): Promise<IntakeCase> {
    const found = await tx.findOne(IntakeCase, { where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
    if (!found) throw unknownReference(field, 'case');
    try {
      assertJurisdiction(caller.principal, found.siteCode, { hideAs: 'case' });
    } catch {
      throw unknownReference(field, 'case');
    }
    if (!acceptsChanges(found.status)) {
      throw illegalTransition(`The case is ${found.status} and accepts no new persons, households or consents.`, { status: found.status });
    }
    return found;
  }

  /** Loads a case by path id and locks it; 404 when missing or outside the caller's jurisdiction. */
  async lockById(tx: EntityManager, caller: Caller, caseId: string): Promise<IntakeCase> {
    const found = await tx.findOne(IntakeCase, { where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
    if (!found) throw caseNotFound();
    assertJurisdiction(caller.principal, found.siteCode, { hideAs: 'case' });
    return found;
  }
}

/** The 404 of a case that does not exist or that the caller may not see (identical answers). */
export function caseNotFound() {
  return resourceNotFound('case');
}
