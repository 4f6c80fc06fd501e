import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '@puente/audit';
import { assertJurisdiction, inJurisdiction, type Principal, resourceNotFound } from '@puente/auth';
import {
  ArrivalNoShowSchema,
  ChildHandedOverSchema,
  ChildPlacement,
  PersonCheckedInSchema,
  ArrivalOutcome,
  ProtectionConcern,
  ProtectionConcernRaisedSchema,
  ReceptionServiceDeliveredSchema,
  toTimestamp,
} from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { ProblemException, ServiceConfig, validationProblem } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '@puente/audit';
import { DataSource, type EntityManager } from 'typeorm';
import type { ReceptionServiceCode } from '../centers/center.entity';
import { CHILD_PROTECTION_AUTHORITIES } from '../centers/seed-centers';
import { actorOf } from '../common/actor';
import { arrivalEvent, SERVICE_ENUM } from '../common/arrival-events';
import { IntakeClient, IntakeNotAnsweringError } from '../manifests/intake.client';
import { ManifestMatcher } from '../manifests/manifest-matcher';
import { type ManifestPerson, rowErrors } from '../manifests/manifest-rows';
import { identityOf, isAtRisk } from '../manifests/manifests.service';
import { ReceptionProblemTypes } from '../problems';
import type { ArrivalDto, CheckInDto, ConcernCode, HandOverDto, OperationsDto } from './arrival-day.dto';

export interface ArrivalRow {
  id: string;
  movement_id: string | null;
  center_code: string;
  expected_on: string;
  status: string;
  match: string | null;
  person_id: string | null;
  case_id: string | null;
  unaccompanied_child: boolean;
  at_risk: boolean;
  walk_in: boolean;
  checked_in_at: Date | null;
  departed_at: Date | null;
  version: number;
}

const CONCERN_ENUM: Record<ConcernCode, ProtectionConcern> = {
  unaccompanied_child: ProtectionConcern.UNACCOMPANIED_CHILD,
  separated_child: ProtectionConcern.SEPARATED_CHILD,
  fear_of_return: ProtectionConcern.FEAR_OF_RETURN,
  trafficking_indicators: ProtectionConcern.TRAFFICKING_INDICATORS,
  survivor_of_violence: ProtectionConcern.SURVIVOR_OF_VIOLENCE,
  medical_emergency: ProtectionConcern.MEDICAL_EMERGENCY,
  psychosocial_distress: ProtectionConcern.PSYCHOSOCIAL_DISTRESS,
  other: ProtectionConcern.OTHER,
};

/** Received: on site (or at hospital first), the statuses after a check-in. */
export const RECEIVED = ['arrived', 'sent_to_hospital', 'handed_over'];

export function toArrivalDto(a: ArrivalRow): ArrivalDto {
  return {
    id: a.id,
    movementId: a.movement_id,
    centerCode: a.center_code,
    expectedOn: a.expected_on,
    status: a.status,
    match: a.match,
    personId: a.person_id,
    caseId: a.case_id,
    unaccompaniedChild: a.unaccompanied_child,
    atRisk: a.at_risk,
    walkIn: a.walk_in,
    checkedInAt: a.checked_in_at?.toISOString() ?? null,
    departedAt: a.departed_at?.toISOString() ?? null,
    version: a.version,
  };
}

/**
 * The arrival day at a center: check-in from any desk (a conditional update: of two desks
 * checking in the same person at once one wins, the other gets 409), consents forwarded to
 * intake, services delivered, protection concerns (ProtectionConcernRaised for screening),
 * no-shows (an alert when the person was flagged at risk), walk-ins registered through intake,
 * and the child-protection hand-over an unaccompanied child must have before leaving.
 */
@Injectable()
export class ArrivalDayService {
  private readonly logger = new Logger('ArrivalDay');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly intake: IntakeClient,
    private readonly vault: PersonVault,
    private readonly audit: AuditLog,
    private readonly config: ServiceConfig,
    private readonly matcher: ManifestMatcher,
  ) {}

  async get(principal: Principal, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<ArrivalRow> {
    const [a]: ArrivalRow[] = await manager.query(`SELECT *, expected_on::text AS expected_on FROM arrival WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    if (!a || !inJurisdiction(principal, a.center_code)) throw resourceNotFound('arrival');
    return a;
  }

  async list(principal: Principal, centerCode: string, day: string): Promise<ArrivalDto[]> {
    assertJurisdiction(principal, centerCode);
    const rows: ArrivalRow[] = await this.dataSource.query(
      `SELECT *, expected_on::text AS expected_on FROM arrival WHERE center_code = $1 AND expected_on = $2 AND status NOT IN ('withdrawn') ORDER BY movement_id, row_number, id LIMIT 5000`,
      [centerCode, day],
    );
    return rows.map(toArrivalDto);
  }

  async checkIn(principal: Principal, id: string, dto: CheckInDto, traceparent: string): Promise<ArrivalDto> {
    if (dto.consents?.length && !dto.consentMethod) throw validationProblem([{ field: 'consentMethod', message: 'consentMethod is required with consents', code: 'isDefined' }]);
    if (dto.consentMethod === 'verbal_with_witness' && !dto.witnessedBy) throw validationProblem([{ field: 'witnessedBy', message: 'a verbal consent needs its witness', code: 'isDefined' }]);
    if (dto.consentMethod === 'guardian' && !dto.guardianReference) throw validationProblem([{ field: 'guardianReference', message: "a guardian's consent names the guardian's file", code: 'isDefined' }]);
    if (dto.guardianReference && dto.consentMethod !== 'guardian') throw validationProblem([{ field: 'guardianReference', message: 'guardianReference is only for consents given by a guardian', code: 'notAllowed' }]);
    return this.dataSource.transaction(async (tx) => {
      await this.get(principal, id, tx);
      const now = new Date();
      // The conditional update is the race: one desk's statement finds the arrival expected.
      const [won]: ArrivalRow[] = await tx.query(
        `WITH changed AS (UPDATE arrival SET status = $2, checked_in_at = $3, checked_in_by = $4, desk = $5, updated_at = $3, version = version + 1
         WHERE id = $1 AND status = 'expected' RETURNING *) SELECT *, expected_on::text AS expected_on FROM changed`,
        [id, dto.outcome, now, principal.clientId, dto.desk],
      );
      if (!won) throw await this.notCheckable(tx, id);
      for (const purpose of dto.consents ?? []) {
        await this.intake
          // Keyed by arrival and purpose: a check-in retried after a lost answer records each consent once.
          .recordConsent(
            won.case_id as string,
            { personId: won.person_id as string, purpose, method: dto.consentMethod as string, witnessedBy: dto.witnessedBy, guardianReference: dto.guardianReference },
            `check-in:${id}:${purpose}`,
          )
          .catch((error: unknown) => {
            // Intake refusing the terms (e.g. a child's consent not given by a guardian) is the desk's to fix, not an outage.
            if (error instanceof IntakeNotAnsweringError && (error.status === 400 || error.status === 422)) throw consentRefused(purpose);
            if (error instanceof IntakeNotAnsweringError) throw intakeUnavailable(error.reason);
            throw error;
          });
      }
      await this.outbox.append(
        tx,
        arrivalEvent(
          PersonCheckedInSchema,
          won.case_id as string,
          {
            arrivalId: id,
            caseId: won.case_id as string,
            personId: won.person_id as string,
            centerCode: won.center_code,
            outcome: dto.outcome === 'arrived' ? ArrivalOutcome.ARRIVED : ArrivalOutcome.SENT_TO_HOSPITAL,
            walkIn: won.walk_in,
            checkedInAt: toTimestamp(now),
            checkedInBy: actorOf(principal, this.config.PUENTE_NODE),
          },
          traceparent,
        ),
      );
      if (won.unaccompanied_child) await this.concern(tx, principal, won, ['unaccompanied_child'], traceparent, now);
      return toArrivalDto(won);
    });
  }

  private async notCheckable(tx: EntityManager, id: string): Promise<ProblemException> {
    const [a]: { status: string }[] = await tx.query(`SELECT status FROM arrival WHERE id = $1`, [id]);
    if (a && ['arrived', 'sent_to_hospital', 'handed_over', 'no_show'].includes(a.status)) {
      return new ProblemException(409, ReceptionProblemTypes.ALREADY_CHECKED_IN, 'Already checked in', `This arrival is already recorded (${a.status}), perhaps from another desk.`, { status: a.status });
    }
    return new ProblemException(409, ReceptionProblemTypes.ARRIVAL_NOT_READY, 'Arrival not ready', 'This arrival is not expected: intake has not matched it yet, or it was withdrawn or refused.', { status: a?.status });
  }

  async noShow(principal: Principal, id: string, traceparent: string): Promise<ArrivalDto> {
    return this.dataSource.transaction(async (tx) => {
      await this.get(principal, id, tx);
      const now = new Date();
      const [a]: ArrivalRow[] = await tx.query(
        `WITH changed AS (UPDATE arrival SET status = 'no_show', checked_in_by = $3, updated_at = $2, version = version + 1 WHERE id = $1 AND status = 'expected' RETURNING *) SELECT *, expected_on::text AS expected_on FROM changed`,
        [id, now, principal.clientId],
      );
      if (!a) throw await this.notCheckable(tx, id);
      await this.outbox.append(
        tx,
        arrivalEvent(
          ArrivalNoShowSchema,
          a.case_id as string,
          { arrivalId: id, caseId: a.case_id as string, centerCode: a.center_code, atRisk: a.at_risk, recordedAt: toTimestamp(now), recordedBy: actorOf(principal, this.config.PUENTE_NODE) },
          traceparent,
        ),
      );
      if (a.at_risk) this.logger.warn({ arrivalId: id, caseId: a.case_id, centerCode: a.center_code }, 'no-show of a person flagged at risk: protection alert');
      return toArrivalDto(a);
    });
  }

  async deliver(principal: Principal, id: string, service: ReceptionServiceCode, traceparent: string): Promise<{ id: string; service: string; deliveredAt: string }> {
    return this.dataSource.transaction(async (tx) => {
      const a = await this.get(principal, id, tx, true);
      if (!RECEIVED.includes(a.status)) throw await this.notReceived(a);
      const [center]: { services: string[] }[] = await tx.query(`SELECT services FROM center WHERE code = $1`, [a.center_code]);
      if (!center.services.includes(service))
        throw new ProblemException(422, ReceptionProblemTypes.SERVICE_NOT_OFFERED, 'Service not offered', `${a.center_code} does not offer ${service}.`, {
          errors: [{ field: 'service', message: 'the center does not offer this service', code: 'notOffered' }],
        });
      const now = new Date();
      const deliveryId = randomUUID();
      await tx.query(`INSERT INTO service_delivery (id, arrival_id, service, delivered_at, delivered_by) VALUES ($1, $2, $3, $4, $5)`, [deliveryId, id, service, now, principal.clientId]);
      await this.outbox.append(
        tx,
        arrivalEvent(
          ReceptionServiceDeliveredSchema,
          a.case_id as string,
          { deliveryId, arrivalId: id, caseId: a.case_id as string, centerCode: a.center_code, service: SERVICE_ENUM[service], deliveredAt: toTimestamp(now), deliveredBy: actorOf(principal, this.config.PUENTE_NODE) },
          traceparent,
        ),
      );
      return { id: deliveryId, service, deliveredAt: now.toISOString() };
    });
  }

  private async notReceived(a: ArrivalRow): Promise<ProblemException> {
    return new ProblemException(409, ReceptionProblemTypes.ARRIVAL_NOT_READY, 'Not checked in', `Services, concerns and hand-overs follow a check-in; this arrival is ${a.status}.`, { status: a.status });
  }

  async raiseConcern(principal: Principal, id: string, concerns: ConcernCode[], traceparent: string): Promise<{ id: string; concerns: ConcernCode[] }> {
    return this.dataSource.transaction(async (tx) => {
      const a = await this.get(principal, id, tx, true);
      if (!RECEIVED.includes(a.status)) throw await this.notReceived(a);
      return { id: await this.concern(tx, principal, a, concerns, traceparent, new Date()), concerns };
    });
  }

  /** Records a protection concern and its ProtectionConcernRaised (for screening) in the caller's transaction. */
  async concern(tx: EntityManager, principal: Principal, a: ArrivalRow, concerns: ConcernCode[], traceparent: string, now: Date): Promise<string> {
    const concernId = randomUUID();
    await tx.query(`INSERT INTO protection_concern (id, arrival_id, concerns, raised_at, raised_by) VALUES ($1, $2, $3, $4, $5)`, [concernId, a.id, concerns, now, principal.clientId]);
    await this.outbox.append(
      tx,
      arrivalEvent(
        ProtectionConcernRaisedSchema,
        a.case_id as string,
        {
          concernId,
          arrivalId: a.id,
          caseId: a.case_id as string,
          centerCode: a.center_code,
          concerns: concerns.map((c) => CONCERN_ENUM[c]),
          raisedAt: toTimestamp(now),
          raisedBy: actorOf(principal, this.config.PUENTE_NODE),
        },
        traceparent,
      ),
    );
    return concernId;
  }

  async handOver(principal: Principal, id: string, dto: HandOverDto, traceparent: string): Promise<ArrivalDto> {
    if (dto.placement === 'verified_guardian' && dto.guardianVerified !== true) {
      throw new ProblemException(422, ReceptionProblemTypes.CHILD_HANDOVER_REQUIRED, 'Guardian not verified', 'A child is released to an adult only once the authority verified them as parent or legal guardian.', {
        errors: [{ field: 'guardianVerified', message: 'the authority must verify the guardian first', code: 'mustBeTrue' }],
      });
    }
    return this.dataSource.transaction(async (tx) => {
      const a = await this.get(principal, id, tx, true);
      if (!a.unaccompanied_child) throw new ProblemException(409, ReceptionProblemTypes.NOT_A_CHILD_ARRIVAL, 'Not an unaccompanied child', 'Hand-overs to the child-protection authority are for unaccompanied children.');
      if (!['arrived', 'sent_to_hospital'].includes(a.status)) throw await this.notReceived(a);
      const authority = CHILD_PROTECTION_AUTHORITIES[a.center_code.slice(0, 2)];
      const now = new Date();
      const handoverId = randomUUID();
      await tx.query(
        `INSERT INTO child_handover (id, arrival_id, authority_partner_id, receiving_officer, placement, verification_reference, handed_over_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [handoverId, id, authority, dto.receivingOfficer, dto.placement, dto.verificationReference, now, principal.clientId],
      );
      const [done]: ArrivalRow[] = await tx.query(
        `WITH changed AS (UPDATE arrival SET status = 'handed_over', departed_at = $2, departed_by = $3, updated_at = $2, version = version + 1 WHERE id = $1 RETURNING *) SELECT *, expected_on::text AS expected_on FROM changed`,
        [id, now, principal.clientId],
      );
      await tx.query(`UPDATE protection_concern SET status = 'closed' WHERE arrival_id = $1 AND 'unaccompanied_child' = ANY(concerns)`, [id]);
      await this.outbox.append(
        tx,
        arrivalEvent(
          ChildHandedOverSchema,
          a.case_id as string,
          {
            handoverId,
            arrivalId: id,
            caseId: a.case_id as string,
            centerCode: a.center_code,
            authorityPartnerId: authority,
            placement: dto.placement === 'verified_guardian' ? ChildPlacement.VERIFIED_GUARDIAN : ChildPlacement.AUTHORITY_PLACEMENT,
            handedOverAt: toTimestamp(now),
            recordedBy: actorOf(principal, this.config.PUENTE_NODE),
          },
          traceparent,
        ),
      );
      return toArrivalDto(done);
    });
  }

  /** The person leaves the center. An unaccompanied child leaves only through the hand-over (409 otherwise). */
  async checkOut(principal: Principal, id: string): Promise<ArrivalDto> {
    return this.dataSource.transaction(async (tx) => {
      const a = await this.get(principal, id, tx, true);
      if (a.unaccompanied_child) {
        throw new ProblemException(409, ReceptionProblemTypes.CHILD_HANDOVER_REQUIRED, 'Child hand-over required', 'An unaccompanied child leaves the center only through the hand-over to the child-protection authority (POST .../handover).', {
          authorityPartnerId: CHILD_PROTECTION_AUTHORITIES[a.center_code.slice(0, 2)],
        });
      }
      if (!['arrived', 'sent_to_hospital'].includes(a.status) || a.departed_at) throw await this.notReceived(a);
      const [done]: ArrivalRow[] = await tx.query(
        `WITH changed AS (UPDATE arrival SET departed_at = now(), departed_by = $2, updated_at = now(), version = version + 1 WHERE id = $1 RETURNING *) SELECT *, expected_on::text AS expected_on FROM changed`,
        [id, principal.clientId],
      );
      return toArrivalDto(done);
    });
  }

  /**
   * A walk-in not on any manifest: an arrival expected today whose personal data enters the
   * pending queue like a manifest row (so intake being down loses nobody); it becomes `expected`
   * (check-in can follow) as soon as intake has registered or matched the person.
   */
  async walkIn(principal: Principal, centerCode: string, person: Record<string, unknown>): Promise<ArrivalDto> {
    const today = new Date().toISOString().slice(0, 10);
    const [center]: { code: string }[] = await this.dataSource.query(`SELECT code FROM center WHERE code = $1 AND active`, [centerCode]);
    if (!center) throw validationProblem([{ field: 'centerCode', message: 'centerCode does not name an active reception center', code: 'unknownReference' }]);
    assertJurisdiction(principal, centerCode);
    const errors = rowErrors(person, today);
    if (errors.length > 0) throw validationProblem(errors.map((e) => ({ field: `person.${e.field}`, message: e.message, code: e.code })));
    const p = person as unknown as ManifestPerson;
    const id = randomUUID();
    const keyOwner = randomUUID();
    const now = new Date();
    const arrival = await this.dataSource.transaction(async (tx) => {
      const [a]: ArrivalRow[] = await tx.query(
        `INSERT INTO arrival (id, center_code, expected_on, status, unaccompanied_child, at_risk, walk_in, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', $4, $5, true, $6, $6) RETURNING *, expected_on::text AS expected_on`,
        [id, centerCode, today, p.unaccompaniedChild === true, isAtRisk({ ...p, unaccompaniedChild: p.unaccompaniedChild === true, medicalNotes: p.medicalNotes ?? null, protectionNotes: p.protectionNotes ?? null }), now],
      );
      const sealed = await this.vault.encryptFields(keyOwner, { identity: identityOf(p), medical: p.medicalNotes ?? null, protection: p.protectionNotes ?? null }, tx);
      await tx.query(`INSERT INTO pending_personal_data (arrival_id, key_owner, identity_enc, medical_notes_enc, protection_notes_enc) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        keyOwner,
        sealed.identity,
        sealed.medical,
        sealed.protection,
      ]);
      return a;
    });
    this.matcher.kick();
    return toArrivalDto(arrival);
  }

  async read(principal: Principal, id: string): Promise<ArrivalDto> {
    return toArrivalDto(await this.get(principal, id));
  }

  /** Medical notes (special category): medical:read, each read audited. */
  async medicalNotes(principal: Principal, request: FastifyRequest, id: string): Promise<{ medicalNotes: string | null }> {
    const a = await this.get(principal, id);
    const [note]: { person_id: string; medical_notes_enc: string | null }[] = await this.dataSource.query(`SELECT person_id, medical_notes_enc FROM arrival_note WHERE arrival_id = $1`, [id]);
    const { actor, requestId, traceparent } = auditContextOf(request);
    await this.audit.append(this.dataSource.manager, { actor, requestId, traceparent, action: 'arrival.medical-notes.read', objectType: 'arrival', objectId: a.id, purpose: 'case-management' });
    if (!note?.medical_notes_enc) return { medicalNotes: null };
    const plain = await this.vault.decryptFieldsOrThrow(note.person_id, { medical: note.medical_notes_enc });
    return { medicalNotes: plain.medical ?? null };
  }

  async operations(principal: Principal, centerCode: string, day: string): Promise<OperationsDto> {
    assertJurisdiction(principal, centerCode);
    const [center]: { daily_capacity: number }[] = await this.dataSource.query(`SELECT daily_capacity FROM center WHERE code = $1`, [centerCode]);
    if (!center) throw resourceNotFound('center');
    const [c]: Record<string, number>[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status NOT IN ('withdrawn', 'rejected'))::int AS expected,
              count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status IN ('arrived', 'handed_over'))::int AS arrived,
              count(*) FILTER (WHERE status = 'sent_to_hospital')::int AS hospital,
              count(*) FILTER (WHERE status = 'no_show')::int AS no_show,
              count(*) FILTER (WHERE unaccompanied_child AND status IN ('arrived', 'sent_to_hospital'))::int AS children
       FROM arrival WHERE center_code = $1 AND expected_on = $2`,
      [centerCode, day],
    );
    const services: { service: string; n: number }[] = await this.dataSource.query(
      `SELECT d.service, count(*)::int AS n FROM service_delivery d JOIN arrival a ON a.id = d.arrival_id WHERE a.center_code = $1 AND a.expected_on = $2 GROUP BY d.service ORDER BY d.service`,
      [centerCode, day],
    );
    const [concerns]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM protection_concern p JOIN arrival a ON a.id = p.arrival_id WHERE a.center_code = $1 AND a.expected_on = $2 AND p.status = 'open'`,
      [centerCode, day],
    );
    return {
      centerCode,
      date: day,
      dailyCapacity: center.daily_capacity,
      expected: c.expected,
      pendingMatching: c.pending,
      arrived: c.arrived,
      sentToHospital: c.hospital,
      noShow: c.no_show,
      capacityUse: Math.round((c.expected / center.daily_capacity) * 1000) / 1000,
      overCapacity: c.expected > center.daily_capacity,
      servicesDelivered: Object.fromEntries(services.map((s) => [s.service, s.n])),
      childrenAwaitingHandover: c.children,
      openProtectionConcerns: concerns.n,
    };
  }
}

function intakeUnavailable(reason: string): ProblemException {
  return new ProblemException(503, ReceptionProblemTypes.INTAKE_UNAVAILABLE, 'Intake unavailable', 'Intake did not answer; nothing was recorded. Try again shortly.', { reason });
}

function consentRefused(purpose: string): ProblemException {
  return new ProblemException(422, ReceptionProblemTypes.CONSENT_REFUSED, 'Consent refused by intake', `Intake refused the ${purpose} consent as given (a child's consent is given by a guardian, method guardian with guardianReference); nothing was recorded.`, {
    errors: [{ field: 'consentMethod', message: `intake refused the ${purpose} consent as given`, code: 'refusedByIntake' }],
  });
}
