import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction, coversJurisdiction, resourceNotFound } from '@puente/auth';
import { type Actor, ScreeningCompletedSchema, type ScreeningSummarySchema, TransferExchangeSchema, type TransferPackage, fromTimestamp, toTimestamp } from '@puente/contracts';
import { checkArrival, EnvelopeContentError, EnvelopeRefusedError, type ExchangeWriter, type NodeRegistry, type OpenedEnvelope, recordDeliveries } from '@puente/federation';
import { paginate, type Page, ProblemException } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { caseStatusChanged } from '../cases/case-events';
import { CaseOpener } from '../cases/case-opener';
import { actorOf } from '../common/actor';
import type { CaseStatusValue, ConsentMethodValue, ConsentPurposeValue } from '../common/enums';
import { fieldProblem, illegalTransition } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { Consent } from '../consents/consent.entity';
import { consentRecorded } from '../consents/consent-events';
import { consentAllows } from '../consents/consent-rules';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { DuplicateDetector } from '../duplicates/duplicate-detector';
import { IntakeEvents } from '../events/intake-events';
import { PersonRegistrationService } from '../persons/person-registration.service';
import { matchIdentityOf } from '../persons/person-mapping';
import { Person } from '../persons/person.entity';
import { overridesOf } from '../protection/override-store';
import { liftedAt } from '../protection/protection-override-rules';
import { ciphertextsOf, fromPlainFields, type PlainFields } from '../persons/personal-data';
import {
  decideConsentImport,
  decidePackage,
  decideTransfer,
  EXPIRY_REASON,
  type RejectionReason,
  SCREENING_FIELD,
  screeningMayTravel,
  type TransferAction,
  type TransferCandidate,
  type TransferSide,
  type TransferStatus,
  type WithdrawalCause,
} from './transfer-rules';
import { localCaseId, screeningSummaryOf, transferEvents, transferPayload, type TransferRow } from './transfer-messages';
import { CustodyTransferListing } from './transfer.entity';

export const TRANSFER_REGISTRY = 'puente:transfers:NODE_REGISTRY';
export const TRANSFER_WRITER = 'puente:transfers:EXCHANGE_WRITER';

/** How long a destination has to decide (its SLA), in hours. */
export const TRANSFER_DECIDE_HOURS = 72;
const HOUR_MS = 3_600_000;

export const TRANSFER_PROBLEM = 'transfer-not-allowed';

function notAllowed(reason: string): ProblemException {
  return new ProblemException(409, TRANSFER_PROBLEM, 'Transfer not allowed', `This custody transfer cannot be made: ${reason}.`, { reason });
}

/** The transfer as the API shows it (ids, node codes, codes and times; never personal data). */
export interface TransferView {
  id: string;
  direction: 'outbound' | 'inbound';
  caseId: string;
  originNode: string;
  originCaseId: string;
  destinationNode: string;
  destinationCaseId: string | null;
  status: string;
  reason: string;
  rejectionReason: string | null;
  withdrawalCause: string | null;
  personIds: string[];
  fields: string[];
  decideDueAt: string;
  requestedAt: string;
  decidedAt: string | null;
  persons: { originPersonId: string; destinationPersonId: string; linked: boolean }[];
}

/**
 * Custody transfers of cases between nodes (docs/federation.md). The origin sends a package of
 * the case (its persons' identities as far as agreement and consent allow, consents, household,
 * history references) sealed to the destination, which holds it pending under its SLA. On
 * acceptance the destination registers the persons (a person already known there is linked, not
 * registered again) on a case linked to the origin's, and the origin's case is transferred out.
 * Rejection, expiry, withdrawal and a consent withdrawn after sending leave custody where it was.
 * Every crossing is audited with its purpose on both nodes.
 */
@Injectable()
export class TransfersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly config: IntakeConfig,
    private readonly registration: PersonRegistrationService,
    private readonly cases: CaseOpener,
    private readonly detector: DuplicateDetector,
    private readonly matchKeys: MatchKeyPublication,
    @Optional() @Inject(TRANSFER_REGISTRY) private readonly registry?: NodeRegistry,
    @Optional() @Inject(TRANSFER_WRITER) private readonly writer?: ExchangeWriter,
  ) {}

  private get node(): string {
    return this.config.PUENTE_NODE;
  }

  // ---- origin ----

  async request(caller: Caller, caseId: string, dto: { destinationNode: string; reason: string }): Promise<TransferView> {
    const dest = dto.destinationNode;
    if (!this.registry || !this.writer || dest === this.node || !this.registry.peers.includes(dest)) {
      throw fieldProblem('destinationNode', 'not a node this node exchanges with', 'unknownNode');
    }
    const registry = this.registry;
    const writer = this.writer;
    const id = await this.dataSource.transaction(async (tx) => {
      const c = await this.cases.lockById(tx, caller, caseId);
      if (!['open', 'in_screening', 'screened', 'referred', 'on_hold'].includes(c.status)) throw illegalTransition(`A case that is ${c.status} cannot be transferred.`, { status: c.status });
      const at = new Date();
      const persons = await this.personsOf(tx, c.id);
      const relationships = new Map(
        ((await tx.query(`SELECT m.person_id, m.relationship FROM household_member m JOIN household h ON h.id = m.household_id WHERE h.case_id = $1`, [c.id])) as { person_id: string; relationship: string }[]).map((r) => [
          r.person_id,
          r.relationship,
        ]),
      );
      const consents = await tx.getRepository(Consent).find({ where: { caseId: c.id } });
      const candidates: TransferCandidate[] = [];
      for (const p of persons) {
        const data = fromPlainFields((await this.vault.decryptFieldsOrThrow(p.id, ciphertextsOf(p), tx)) as unknown as PlainFields);
        const consent = consents.find((k) => (k.personId === p.id || k.personId === c.principalPersonId) && consentAllows(k, { purpose: 'cross_border_transfer', destinationCountry: dest }, at));
        const overridden = liftedAt(await overridesOf(tx, p.id), at).some((o) => o.node === dest && o.kind === 'custody-transfer');
        candidates.push({
          personId: p.id,
          nationality: p.nationality === 'XX' ? null : p.nationality,
          flags: p.vulnerabilityFlags,
          consent: consent ? {} : null,
          overridden,
          values: {
            givenNames: data.givenNames,
            familyNames: data.familyNames,
            birthDate: data.birthDate,
            birthDateEstimated: data.birthDateEstimated,
            sex: p.sex,
            nationality: p.nationality,
            relationship: relationships.get(p.id) ?? (p.id === c.principalPersonId ? 'principal' : 'other'),
            vulnerabilityFlags: p.vulnerabilityFlags,
          },
        });
      }
      const agreement = registry.agreementWith(dest);
      const decision = decidePackage(candidates, agreement);
      if (!decision.allowed) throw notAllowed(decision.reason);
      const transferId = randomUUID();
      // The latest completed screening of the case, as far as the agreement lets it travel.
      const screening = screeningMayTravel(agreement) ? await this.latestScreening(tx, c.id) : undefined;
      const fields = [...new Set(decision.persons.flatMap((p) => p.fields)), ...(screening ? [SCREENING_FIELD] : [])];
      // References to the case's history (event ids and types), never its content.
      const history = (await tx.query(`SELECT event_id, type AS event_type, occurred_at FROM timeline_entry WHERE case_id = $1 ORDER BY occurred_at, seq LIMIT 200`, [c.id])) as {
        event_id: string;
        event_type: string;
        occurred_at: Date;
      }[];
      const payload = transferPayload.package({
        transferId,
        originCaseId: c.id,
        originSite: c.siteCode,
        persons: decision.persons.map((p) => ({
          personId: p.personId,
          givenNames: String(p.values.givenNames ?? ''),
          familyNames: String(p.values.familyNames ?? ''),
          birthDate: String(p.values.birthDate ?? ''),
          birthDateEstimated: p.values.birthDateEstimated === true,
          sex: String(p.values.sex ?? ''),
          nationality: String(p.values.nationality ?? ''),
          relationship: String(p.values.relationship ?? ''),
          vulnerabilityFlags: (p.values.vulnerabilityFlags as string[] | undefined) ?? [],
        })),
        consents: consents
          .filter((k) => k.withdrawnAt === null)
          .map((k) => ({
            consentId: k.id,
            personId: k.personId,
            purpose: k.purpose,
            method: k.method,
            partnerId: k.partnerId ?? '',
            partnerType: k.partnerType ?? '',
            destinationCountry: k.destinationCountry ?? '',
            guardianPersonId: k.guardianPersonId ?? '',
            validFrom: toTimestamp(k.validFrom),
            recordedAt: toTimestamp(k.recordedAt),
            ...(k.validUntil && { validUntil: toTimestamp(k.validUntil) }),
          })),
        screening,
        history: history.map((h) => ({ eventId: h.event_id, eventType: h.event_type, at: toTimestamp(h.occurred_at) })),
        fields,
        border: {
          nationalities: [...new Set(persons.map((p) => p.nationality).filter((n) => n !== 'XX'))],
          fearOfReturn: persons.some((p) => p.vulnerabilityFlags.includes('fear_of_return')),
          asylumClaim: persons.some((p) => p.vulnerabilityFlags.includes('asylum_claim')),
          protectionFlags: [...new Set(persons.flatMap((p) => p.vulnerabilityFlags))],
          protectionOverride: decision.overridden,
        },
        requestedAt: toTimestamp(at),
        reason: dto.reason,
      });
      const [envelopeId] = await writer.send(tx, { to: dest, kind: 'custody-transfer', key: c.id, payload, traceparent: caller.traceparent });
      const row = await this.insert(tx, {
        id: transferId,
        direction: 'outbound',
        originNode: this.node,
        originCaseId: c.id,
        destinationNode: dest,
        reason: dto.reason,
        personIds: persons.map((p) => p.id),
        fields,
        caseStatusBefore: c.status,
        packageCiphertext: null,
        at,
      });
      if (!row) throw illegalTransition('This case already has a transfer waiting for a decision.', { status: 'transfer_pending' });
      await tx.query(`UPDATE intake_case SET status = 'transfer_pending', updated_at = $2, version = version + 1 WHERE id = $1`, [c.id, at]);
      const actor = actorOf(caller.principal, this.node);
      await recordDeliveries(
        tx,
        decision.persons.map((p) => ({ receiverType: 'node' as const, receiver: dest, channel: 'custody-transfer', envelopeId, caseId: c.id, personId: p.personId, fields: p.fields })),
        at,
      );
      await this.events.append(tx, caller.traceparent, [transferEvents.requested(row, at, actor), caseStatusChanged(c.id, c.status, 'transfer_pending', at, actor)], at);
      await this.audit.append(tx, { action: 'case.transfer-send', objectType: 'case', objectId: c.id, purpose: 'case-management', actor: caller.principal, traceparent: caller.traceparent ?? null, occurredAt: at });
      return transferId;
    });
    return this.get(caller, id);
  }

  async withdraw(caller: Caller, id: string, cause: WithdrawalCause = 'origin_withdrew'): Promise<TransferView> {
    await this.dataSource.transaction(async (tx) => {
      const t = await this.visibleLocked(tx, caller, id);
      if (t.direction !== 'outbound') throw this.stepRefused({ ok: false, code: 'not-your-side', action: 'withdraw', side: 'destination' });
      await this.withdrawLocked(tx, t, cause, actorOf(caller.principal, this.node), caller);
    });
    return this.get(caller, id);
  }

  private async withdrawLocked(tx: EntityManager, t: TransferRow, cause: WithdrawalCause, actor: ReturnType<typeof actorOf>, caller?: Caller): Promise<void> {
    const step = decideTransfer(t.status as TransferStatus, 'withdraw', 'origin');
    if (!step.ok) throw this.stepRefused(step);
    if (!step.changed) return;
    const at = new Date();
    const row = await this.setStatus(tx, t, 'withdrawn', at, { withdrawal_cause: cause });
    await this.restoreCase(tx, t, at, actor);
    if (this.writer) {
      await this.writer.send(tx, {
        to: t.destination_node,
        kind: 'custody-transfer',
        key: t.origin_case_id,
        payload: transferPayload.withdrawal({ transferId: t.id, originCaseId: t.origin_case_id, cause, withdrawnAt: toTimestamp(at) }),
      });
    }
    await this.events.append(tx, caller?.traceparent, [transferEvents.withdrawn(row, at, actor)], at);
    await this.audit.append(tx, {
      action: 'case.transfer-withdraw',
      objectType: 'case',
      objectId: t.origin_case_id,
      purpose: 'case-management',
      actor: caller?.principal ?? { subject: 'system', clientId: 'system', partnerId: this.node },
      occurredAt: at,
    });
  }

  /**
   * A cross-border transfer consent was withdrawn (`consent_withdrawn`), or a person of the case
   * erased (`person_erased`): a transfer of that case not accepted yet is withdrawn too.
   */
  async onCaseLostGround(tx: EntityManager, caseId: string, cause: Extract<WithdrawalCause, 'consent_withdrawn' | 'person_erased'>): Promise<void> {
    const [t] = (await tx.query(`SELECT * FROM custody_transfer WHERE origin_case_id = $1 AND direction = 'outbound' AND status = 'pending' FOR UPDATE`, [caseId])) as TransferRow[];
    if (!t) return;
    await this.withdrawLocked(tx, t, cause, { clientId: 'system', partnerId: '', node: this.node } as ReturnType<typeof actorOf>);
  }

  /**
   * The origin's retraction notice for one of its persons (RetractionArrivals): a package from it
   * that names the person and is still pending here is dropped (withdrawn, `retracted`; the package
   * shredded) in the transaction that answers with the receipt. An accepted transfer is not
   * touched: custody moved, the persons are this node's.
   */
  async onRetraction(sender: string, personId: string, tx: EntityManager): Promise<void> {
    const pending = (await tx.query(
      `SELECT * FROM custody_transfer WHERE direction = 'inbound' AND origin_node = $1 AND status = 'pending' AND $2::text = ANY (person_ids::text[]) ORDER BY id FOR UPDATE`,
      [sender, personId],
    )) as TransferRow[];
    const system = { clientId: `node:${sender}`, partnerId: sender, node: sender } as ReturnType<typeof actorOf>;
    for (const t of pending) {
      const at = new Date();
      const row = await this.setStatus(tx, t, 'withdrawn', at, { withdrawal_cause: 'retracted' });
      await this.vault.shred(t.id, tx);
      await this.events.append(tx, undefined, [transferEvents.withdrawn(row, at, system)], at);
      await this.audit.append(tx, {
        action: 'case.transfer-retracted',
        objectType: 'case',
        objectId: t.origin_case_id,
        purpose: 'case-management',
        actor: { subject: `node:${sender}`, clientId: `node:${sender}`, partnerId: sender },
        occurredAt: at,
      });
    }
  }

  // ---- destination ----

  /**
   * Accepts a pending transfer in one transaction: the persons registered (or linked to someone
   * already known here) on a case linked to the origin's, the package shredded, the decision
   * envelope and the events written. The transfer row is locked first, so two acceptances
   * serialize and the second finds it completed; a crash anywhere before the commit leaves the
   * transfer pending with its package, and nothing registered.
   */
  async accept(caller: Caller, id: string, dto: { siteCode: string }): Promise<TransferView> {
    assertJurisdiction(caller.principal, dto.siteCode);
    await this.dataSource.transaction(async (tx) => {
      const t = await this.visibleLocked(tx, caller, id);
      const step = decideTransfer(t.status as TransferStatus, 'accept', t.direction === 'inbound' ? 'destination' : 'origin');
      if (!step.ok) throw this.stepRefused(step);
      if (!step.changed) return;
      const pkg = await this.packageOf(t, tx);
      const persons: { origin_person_id: string; destination_person_id: string; linked: boolean }[] = [];
      let caseId: string | null = null;
      // The principal first: the case is opened with them.
      const ordered = [...pkg.persons].sort((a, b) => Number(b.relationship === 'principal') - Number(a.relationship === 'principal'));
      for (const p of ordered) {
        // Intake's duplicate check: a person already known here is linked, not registered again.
        const known = await this.knownPerson(tx, p);
        let destinationPersonId: string;
        if (known) {
          destinationPersonId = known;
          if (!caseId) caseId = await this.openCaseFor(tx, caller, dto.siteCode, known, ordered.length > 1);
          else await tx.query(`INSERT INTO case_person (case_id, person_id, added_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`, [caseId, known]);
        } else {
          const registered = await this.registration.register(
            caller,
            {
              siteCode: dto.siteCode,
              givenNames: p.givenNames,
              familyNames: p.familyNames || null,
              birthDate: p.birthDate,
              birthDateEstimated: p.birthDateEstimated,
              sex: p.sex as never,
              nationality: p.nationality || 'XX',
              vulnerabilityFlags: p.vulnerabilityFlags as never,
              ...(caseId ? { caseId } : { case: { household: ordered.length > 1 } }),
            } as never,
            { tx },
          );
          destinationPersonId = registered.personId;
          caseId = registered.caseId;
        }
        await tx.query(`INSERT INTO custody_transfer_person (transfer_id, origin_person_id, destination_person_id, linked) VALUES ($1, $2, $3, $4)`, [
          t.id,
          p.personId,
          destinationPersonId,
          known !== null,
        ]);
        persons.push({ origin_person_id: p.personId, destination_person_id: destinationPersonId, linked: known !== null });
      }
      if (!caseId) throw new Error('a transfer package without persons'); // refused on arrival (1 to 50 persons)
      const at = new Date();
      const actor = actorOf(caller.principal, this.node);
      const here = new Map(persons.map((p) => [p.origin_person_id, p.destination_person_id]));
      const consents = await this.recordConsents(tx, caller, t.origin_node, caseId, pkg.consents, here, at);
      const row = await this.setStatus(tx, t, 'completed', at, { destination_case_id: caseId });
      await this.vault.shred(t.id, tx);
      await this.answer(tx, row, { accepted: true, reason: '', persons }, at);
      // The origin's screening summary shows on the new case (its timeline) with the person as known here.
      const screening = pkg.screening?.screeningId ? { ...pkg.screening, personId: here.get(pkg.screening.personId) ?? '' } : undefined;
      await this.events.append(
        tx,
        caller.traceparent,
        [
          transferEvents.accepted(row, at, actor),
          transferEvents.completed(row, at, { registered: persons.filter((p) => !p.linked).length, linked: persons.filter((p) => p.linked).length }, { screening, consentsRecorded: consents }),
        ],
        at,
      );
      await this.audit.append(tx, { action: 'case.transfer-accept', objectType: 'case', objectId: caseId, purpose: 'case-management', actor: caller.principal, traceparent: caller.traceparent ?? null, occurredAt: at });
    });
    return this.get(caller, id);
  }

  async reject(caller: Caller, id: string, reason: RejectionReason): Promise<TransferView> {
    await this.dataSource.transaction(async (tx) => {
      const t = await this.visibleLocked(tx, caller, id);
      await this.decideLocked(tx, t, 'reject', reason, actorOf(caller.principal, this.node), caller);
    });
    return this.get(caller, id);
  }

  /** Pending transfers past this node's SLA expire; returns their ids. */
  async expireDue(now: Date = new Date()): Promise<string[]> {
    return this.dataSource.transaction(async (tx) => {
      const due = (await tx.query(`SELECT * FROM custody_transfer WHERE direction = 'inbound' AND status = 'pending' AND decide_due_at <= $1 ORDER BY decide_due_at LIMIT 100 FOR UPDATE SKIP LOCKED`, [
        now,
      ])) as TransferRow[];
      for (const t of due) await this.decideLocked(tx, t, 'expire', EXPIRY_REASON, { clientId: 'system', partnerId: '', node: this.node } as ReturnType<typeof actorOf>);
      return due.map((t) => t.id);
    });
  }

  private async decideLocked(tx: EntityManager, t: TransferRow, action: Extract<TransferAction, 'reject' | 'expire'>, reason: string, actor: ReturnType<typeof actorOf>, caller?: Caller): Promise<void> {
    const step = decideTransfer(t.status as TransferStatus, action, t.direction === 'inbound' ? 'destination' : 'origin');
    if (!step.ok) throw this.stepRefused(step);
    if (!step.changed) return;
    const at = new Date();
    const row = await this.setStatus(tx, t, step.status, at, { rejection_reason: reason });
    await this.vault.shred(t.id, tx);
    await this.answer(tx, row, { accepted: false, reason, persons: [] }, at);
    await this.events.append(tx, caller?.traceparent, [transferEvents.rejected(row, at, actor)], at);
    await this.audit.append(tx, {
      action: `case.transfer-${action}`,
      objectType: 'case',
      objectId: t.origin_case_id,
      purpose: 'case-management',
      actor: caller?.principal ?? { subject: 'system', clientId: 'system', partnerId: this.node },
      occurredAt: at,
    });
  }

  private async answer(tx: EntityManager, t: TransferRow, d: { accepted: boolean; reason: string; persons: { origin_person_id: string; destination_person_id: string; linked: boolean }[] }, at: Date): Promise<void> {
    if (!this.writer) return;
    await this.writer.send(tx, {
      to: t.origin_node,
      kind: 'custody-transfer',
      key: t.origin_case_id,
      payload: transferPayload.decision({
        transferId: t.id,
        originCaseId: t.origin_case_id,
        accepted: d.accepted,
        reason: d.reason,
        destinationCaseId: t.destination_case_id ?? '',
        persons: d.persons.map((p) => ({ originPersonId: p.origin_person_id, destinationPersonId: p.destination_person_id, linked: p.linked })),
        decidedAt: toTimestamp(at),
      }),
    });
  }

  // ---- envelopes ----

  /** The effect of a custody-transfer envelope at this node. */
  async arrive(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let message;
    try {
      message = fromBinary(TransferExchangeSchema, envelope.payload).message;
    } catch {
      throw new EnvelopeContentError('not a TransferExchange');
    }
    // A follow-up travels as its own kind (agreed separately), and only a follow-up does.
    if ((message.case === 'followUp') !== (envelope.kind === 'transfer-followup')) throw new EnvelopeContentError(`a ${message.case ?? 'empty'} message in a ${envelope.kind} envelope`);
    const system = { clientId: `node:${envelope.iss}`, partnerId: envelope.iss, node: envelope.iss } as ReturnType<typeof actorOf>;
    const auditArrival = (action: string, caseId: string) =>
      this.audit.append(tx, { action, objectType: 'case', objectId: caseId, purpose: 'case-management', actor: { subject: `node:${envelope.iss}`, clientId: `node:${envelope.iss}`, partnerId: envelope.iss } });
    if (message.case === 'package') {
      const pkg = message.value;
      const registry = this.registry;
      if (!registry) throw new EnvelopeContentError('no node registry: this node takes no transfers');
      for (const nationality of pkg.border?.nationalities.length ? pkg.border.nationalities : [null]) {
        const b = pkg.border;
        const refusal = checkArrival(
          'custody-transfer',
          { fields: pkg.fields, subject: b ? { nationality, fearOfReturn: b.fearOfReturn, asylumClaim: b.asylumClaim, protectionFlags: b.protectionFlags } : null, overridden: b?.protectionOverride ?? false },
          registry.arrivalAgreementWith(envelope.iss),
        );
        if (refusal) throw new EnvelopeRefusedError(refusal);
      }
      if (pkg.persons.length === 0 || pkg.persons.length > 50) throw new EnvelopeContentError('a package names 1 to 50 persons');
      const at = new Date();
      const sealed = await this.vault.encryptFields(pkg.transferId, { package: Buffer.from(envelope.payload).toString('base64') }, tx);
      const row = await this.insert(tx, {
        id: pkg.transferId,
        direction: 'inbound',
        originNode: envelope.iss,
        originCaseId: pkg.originCaseId,
        destinationNode: this.node,
        reason: pkg.reason || 'unspecified',
        personIds: pkg.persons.map((p) => p.personId),
        fields: pkg.fields,
        caseStatusBefore: null,
        packageCiphertext: sealed.package,
        at,
      });
      if (!row) return;
      await this.events.append(tx, undefined, [transferEvents.requested(row, at, system)], at);
      await auditArrival('case.transfer-receive', pkg.originCaseId);
      return;
    }
    if (message.case === 'decision') {
      const d = message.value;
      const [t] = (await tx.query(`SELECT * FROM custody_transfer WHERE id = $1 AND direction = 'outbound' AND destination_node = $2 FOR UPDATE`, [d.transferId, envelope.iss])) as TransferRow[];
      if (!t) throw new EnvelopeContentError('a decision on a transfer this node did not send there');
      const action: TransferAction = d.accepted ? 'accept' : d.reason === EXPIRY_REASON ? 'expire' : 'reject';
      const step = decideTransfer(t.status as TransferStatus, action, 'destination');
      if (!step.ok || !step.changed) return; // withdrawn here first, or a repeat: the destination hears of the withdrawal
      const at = new Date();
      if (d.accepted) {
        const row = await this.setStatus(tx, t, 'completed', at, { destination_case_id: d.destinationCaseId });
        for (const p of d.persons) {
          await tx.query(`INSERT INTO custody_transfer_person (transfer_id, origin_person_id, destination_person_id, linked) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
            t.id,
            p.originPersonId,
            p.destinationPersonId,
            p.linked,
          ]);
        }
        await tx.query(`UPDATE intake_case SET status = 'transferred', updated_at = $2, version = version + 1 WHERE id = $1`, [t.origin_case_id, at]);
        await this.events.append(tx, undefined, [
          caseStatusChanged(t.origin_case_id, 'transfer_pending', 'transferred', at, system),
          transferEvents.accepted(row, at, system),
          transferEvents.completed(row, at, { registered: d.persons.filter((p) => !p.linked).length, linked: d.persons.filter((p) => p.linked).length }),
        ]);
        await auditArrival('case.transfer-accepted', t.origin_case_id);
      } else {
        const row = await this.setStatus(tx, t, step.status, at, { rejection_reason: d.reason });
        await this.restoreCase(tx, t, at, system);
        await this.events.append(tx, undefined, [transferEvents.rejected(row, at, system)]);
        await auditArrival('case.transfer-rejected', t.origin_case_id);
      }
      return;
    }
    if (message.case === 'withdrawal') {
      const w = message.value;
      const [t] = (await tx.query(`SELECT * FROM custody_transfer WHERE id = $1 AND direction = 'inbound' AND origin_node = $2 FOR UPDATE`, [w.transferId, envelope.iss])) as TransferRow[];
      if (!t) throw new EnvelopeContentError('a withdrawal of a transfer this node never received');
      const step = decideTransfer(t.status as TransferStatus, 'withdraw', 'origin');
      if (!step.ok || !step.changed) return; // already decided here: the origin hears of the decision
      const at = new Date();
      const cause: WithdrawalCause = w.cause === 'consent_withdrawn' || w.cause === 'person_erased' ? w.cause : 'origin_withdrew';
      const row = await this.setStatus(tx, t, 'withdrawn', at, { withdrawal_cause: cause });
      await this.vault.shred(t.id, tx);
      await this.events.append(tx, undefined, [transferEvents.withdrawn(row, at, system)], at);
      await auditArrival('case.transfer-withdrawn', t.origin_case_id);
      return;
    }
    if (message.case === 'followUp') {
      const f = message.value;
      const [t] = (await tx.query(`SELECT * FROM custody_transfer WHERE id = $1 AND direction = 'outbound' AND destination_node = $2 AND status = 'completed' AND destination_case_id = $3`, [
        f.transferId,
        envelope.iss,
        f.destinationCaseId,
      ])) as TransferRow[];
      if (!t) throw new EnvelopeContentError('a follow-up on a case this node did not transfer there');
      const at = new Date();
      await this.events.append(tx, undefined, [transferEvents.followUpReceived(t, { updateType: f.updateType, status: f.status, milestone: f.milestone, at: f.at ? fromTimestamp(f.at) : at }, at)], at);
      await auditArrival('case.transfer-followup', t.origin_case_id);
      return;
    }
    throw new EnvelopeContentError('empty TransferExchange');
  }

  /**
   * At the destination: a status change of a case an accepted transfer opened here goes back to
   * the origin, only where the agreement with it has `transfer-followup` (otherwise nothing goes
   * back). Case ids and status codes only; the close reason is the milestone of a closed case.
   */
  async onCaseStatusChanged(tx: EntityManager, caseId: string, update: { id: string; type: string; status: CaseStatusValue; at: Date }): Promise<void> {
    if (!this.registry || !this.writer) return;
    const [t] = (await tx.query(`SELECT * FROM custody_transfer WHERE direction = 'inbound' AND status = 'completed' AND destination_case_id = $1`, [caseId])) as TransferRow[];
    if (!t || !this.registry.agreementWith(t.origin_node).kinds.includes('transfer-followup')) return;
    const [c] = (await tx.query(`SELECT close_reason FROM intake_case WHERE id = $1`, [caseId])) as { close_reason: string | null }[];
    await this.writer.send(tx, {
      to: t.origin_node,
      kind: 'transfer-followup',
      key: t.origin_case_id,
      payload: transferPayload.followUp({
        transferId: t.id,
        originCaseId: t.origin_case_id,
        destinationCaseId: caseId,
        updateType: update.type,
        updateId: update.id,
        status: update.status,
        milestone: update.status === 'closed' ? (c?.close_reason ?? '') : '',
        at: toTimestamp(update.at),
      }),
    });
  }

  // ---- reads ----

  async get(caller: Caller, id: string): Promise<TransferView> {
    return this.viewOf(await this.visibleLocked(this.dataSource.manager, caller, id, false));
  }

  async list(caller: Caller, q: { direction?: string; status?: string; limit: number; cursor?: string }): Promise<Page<TransferView>> {
    const qb = this.dataSource.getRepository(CustodyTransferListing).createQueryBuilder('t');
    // Outbound: cases of the caller's sites; inbound: callers whose jurisdictions cover this node.
    qb.where(`((t.direction = 'outbound' AND EXISTS (SELECT 1 FROM intake_case c WHERE c.id = t.origin_case_id AND c.site_code = ANY (:sites))) OR (t.direction = 'inbound' AND :ownNode))`, {
      sites: await this.sitesOf(caller),
      ownNode: coversJurisdiction(caller.principal.jurisdictions, this.node),
    });
    if (q.direction) qb.andWhere('t.direction = :direction', { direction: q.direction });
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    const page = await paginate(qb, {
      limit: q.limit,
      cursor: q.cursor,
      sort: [
        { column: 't.requested_at', key: 't', type: 'timestamp' },
        { column: 't.id', key: 'id', type: 'uuid' },
      ],
      direction: 'desc',
      scope: `transfers?direction=${q.direction ?? ''}&status=${q.status ?? ''}`,
    });
    const ids = page.items.map((i) => i.id);
    const rows = ids.length ? ((await this.dataSource.query(`SELECT * FROM custody_transfer WHERE id = ANY ($1::uuid[])`, [ids])) as TransferRow[]) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { items: await Promise.all(ids.map((id) => this.viewOf(byId.get(id) as TransferRow))), nextCursor: page.nextCursor };
  }

  private async sitesOf(caller: Caller): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT code FROM site`)) as { code: string }[];
    return rows.map((r) => r.code).filter((code) => coversJurisdiction(caller.principal.jurisdictions, code));
  }

  // ---- helpers ----

  private async personsOf(tx: EntityManager, caseId: string): Promise<Person[]> {
    const ids = ((await tx.query(`SELECT person_id FROM case_person WHERE case_id = $1 ORDER BY added_at, person_id`, [caseId])) as { person_id: string }[]).map((r) => r.person_id);
    const persons = ids.length ? await tx.getRepository(Person).findBy(ids.map((id) => ({ id }))) : [];
    return persons.filter((p) => p.erasedAt === null).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  }

  /** The local person the package's person already is (intake's duplicate check, at or above the threshold), or null. */
  private async knownPerson(tx: EntityManager, p: TransferPackage['persons'][number]): Promise<string | null> {
    if (!p.givenNames || !p.birthDate) return null;
    const keys = this.detector.keysOf(matchIdentityOf({ givenNames: p.givenNames, familyNames: p.familyNames || null, birthDate: p.birthDate, birthDateEstimated: p.birthDateEstimated } as never, p.nationality || 'XX'));
    const scored = this.detector.score(keys, await this.detector.candidates(tx, keys, { local: true, partners: false }));
    const best = scored.filter((s) => s.c.node === this.node).sort((a, b) => b.score - a.score)[0];
    return best && best.score >= this.config.DUPLICATE_SCORE_THRESHOLD ? best.c.reference : null;
  }

  /** A case at the accepting site whose first person is someone already known here. */
  private async openCaseFor(tx: EntityManager, caller: Caller, siteCode: string, personId: string, household: boolean): Promise<string> {
    const at = new Date();
    const reference = await this.cases.prepare(at);
    const principal = await tx.getRepository(Person).findOneByOrFail({ id: personId });
    const opened = await this.cases.open(tx, caller, { caseId: randomUUID(), siteCode, priority: 'normal', household, principal, at, reference });
    await this.events.append(tx, caller.traceparent, opened.events, at);
    return opened.case.id;
  }

  private async packageOf(t: TransferRow, tx: EntityManager): Promise<TransferPackage> {
    if (!t.package_ciphertext) throw illegalTransition('The package of this transfer is no longer held.', { status: t.status });
    const plain = await this.vault.decryptFieldsOrThrow(t.id, { package: t.package_ciphertext }, tx);
    const message = fromBinary(TransferExchangeSchema, Buffer.from(String(plain.package), 'base64')).message;
    if (message.case !== 'package') throw new Error('stored transfer package is not a package');
    return message.value;
  }

  private async insert(
    tx: EntityManager,
    o: { id: string; direction: 'outbound' | 'inbound'; originNode: string; originCaseId: string; destinationNode: string; reason: string; personIds: string[]; fields: string[]; caseStatusBefore: string | null; packageCiphertext: string | null; at: Date },
  ): Promise<TransferRow | undefined> {
    const rows = (await tx.query(
      `INSERT INTO custody_transfer (id, direction, origin_node, origin_case_id, destination_node, status, reason, person_ids, fields, case_status_before, package_ciphertext, decide_due_at, requested_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING *`,
      [o.id, o.direction, o.originNode, o.originCaseId, o.destinationNode, o.reason, o.personIds, o.fields, o.caseStatusBefore, o.packageCiphertext, new Date(o.at.getTime() + TRANSFER_DECIDE_HOURS * HOUR_MS), o.at],
    )) as TransferRow[];
    return rows[0];
  }

  private async setStatus(tx: EntityManager, t: TransferRow, status: TransferStatus, at: Date, extra: Partial<Pick<TransferRow, 'rejection_reason' | 'withdrawal_cause' | 'destination_case_id'>>): Promise<TransferRow> {
    const [row] = (await tx.query(
      `UPDATE custody_transfer SET status = $2, decided_at = $3, updated_at = $3, version = version + 1, package_ciphertext = NULL,
         rejection_reason = COALESCE($4, rejection_reason), withdrawal_cause = COALESCE($5, withdrawal_cause), destination_case_id = COALESCE($6, destination_case_id)
       WHERE id = $1 RETURNING *`,
      [t.id, status, at, extra.rejection_reason ?? null, extra.withdrawal_cause ?? null, extra.destination_case_id ?? null],
    )) as [TransferRow[], number];
    return (Array.isArray(row) ? row[0] : row) as TransferRow;
  }

  /** Custody stays at the origin: its case goes back to the status it had before the transfer. */
  private async restoreCase(tx: EntityManager, t: TransferRow, at: Date, actor: Actor): Promise<void> {
    const to = (t.case_status_before ?? 'open') as CaseStatusValue;
    const [rows] = (await tx.query(`UPDATE intake_case SET status = $2, updated_at = $3, version = version + 1 WHERE id = $1 AND status = 'transfer_pending' RETURNING id`, [t.origin_case_id, to, at])) as [
      unknown[],
      number,
    ];
    if (rows.length > 0) await this.events.append(tx, undefined, [caseStatusChanged(t.origin_case_id, 'transfer_pending', to, at, actor)], at);
  }

  /**
   * Records the package's consents for the persons now known here, with their provenance (the
   * origin node, the consent's id there), each audited and announced like any consent; returns
   * how many. An identity-matching consent publishes the person's match keys, as at registration.
   */
  private async recordConsents(
    tx: EntityManager,
    caller: Caller,
    originNode: string,
    caseId: string,
    arriving: TransferPackage['consents'],
    here: ReadonlyMap<string, string>,
    at: Date,
  ): Promise<number> {
    const actor = actorOf(caller.principal, this.node);
    const known = new Set(
      ((await tx.query(`SELECT id FROM partner_directory_entry WHERE id = ANY ($1::text[])`, [arriving.map((k) => k.partnerId).filter(Boolean)])) as { id: string }[]).map((r) => r.id),
    );
    let recorded = 0;
    for (const k of arriving) {
      const personId = here.get(k.personId);
      const verdict = decideConsentImport({ purpose: k.purpose, destinationCountry: k.destinationCountry, partnerId: k.partnerId, personKnown: personId !== undefined }, this.node, known.has(k.partnerId));
      if (!verdict.record || !personId || !k.consentId) continue;
      const recordedAt = k.recordedAt ? fromTimestamp(k.recordedAt) : at;
      const consent: Consent = {
        id: randomUUID(),
        caseId,
        personId,
        purpose: k.purpose as ConsentPurposeValue,
        partnerId: k.partnerId || null,
        partnerType: k.partnerType || null,
        destinationCountry: k.destinationCountry || null,
        method: k.method as ConsentMethodValue,
        witnessedBy: null,
        guardianPersonId: here.get(k.guardianPersonId) ?? null,
        guardianReference: null,
        validFrom: k.validFrom ? fromTimestamp(k.validFrom) : recordedAt,
        validUntil: k.validUntil ? fromTimestamp(k.validUntil) : null,
        recordedAt,
        recordedBy: caller.principal.clientId,
        withdrawnAt: null,
        withdrawnBy: null,
        originNode,
        originConsentId: k.consentId,
        version: 1,
      };
      const inserted = (await tx.query(
        `INSERT INTO consent (id, case_id, person_id, purpose, partner_id, partner_type, destination_country, method, guardian_person_id, valid_from, valid_until, recorded_at, recorded_by, origin_node, origin_consent_id, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1) ON CONFLICT DO NOTHING RETURNING id`,
        [consent.id, caseId, personId, consent.purpose, consent.partnerId, consent.partnerType, consent.destinationCountry, consent.method, consent.guardianPersonId, consent.validFrom, consent.validUntil, recordedAt, consent.recordedBy, originNode, k.consentId],
      )) as unknown[];
      if (inserted.length === 0) continue;
      recorded += 1;
      const published = consent.purpose === 'identity_matching' ? await this.matchKeys.afterConsentRecorded(tx, personId, at) : [];
      await this.events.append(tx, caller.traceparent, [consentRecorded(consent, actor), ...published], at);
      await this.audit.append(tx, { action: 'consent.import', objectType: 'consent', objectId: consent.id, purpose: 'case-management', actor: caller.principal, traceparent: caller.traceparent ?? null, occurredAt: at });
    }
    return recorded;
  }

  /** The case's latest completed screening on its timeline, summarized for the package; undefined without one. */
  private async latestScreening(tx: EntityManager, caseId: string): Promise<MessageInitShape<typeof ScreeningSummarySchema> | undefined> {
    const [latest] = (await tx.query(`SELECT data FROM timeline_entry WHERE case_id = $1 AND type = $2 AND data IS NOT NULL ORDER BY occurred_at DESC, seq DESC LIMIT 1`, [
      caseId,
      ScreeningCompletedSchema.typeName,
    ])) as { data: Record<string, unknown> }[];
    return latest ? screeningSummaryOf(latest.data) : undefined;
  }

  /** The transfer if the caller may see it (404 otherwise), locked when `lock`. */
  private async visibleLocked(m: EntityManager, caller: Caller, id: string, lock = true): Promise<TransferRow> {
    const [t] = (await m.query(`SELECT * FROM custody_transfer WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as TransferRow[];
    if (!t) throw resourceNotFound('transfer');
    if (t.direction === 'inbound') {
      if (!coversJurisdiction(caller.principal.jurisdictions, this.node)) throw resourceNotFound('transfer');
    } else {
      const [c] = (await m.query(`SELECT site_code FROM intake_case WHERE id = $1`, [t.origin_case_id])) as { site_code: string }[];
      if (!c || !coversJurisdiction(caller.principal.jurisdictions, c.site_code)) throw resourceNotFound('transfer');
    }
    return t;
  }

  private stepRefused(step: Exclude<ReturnType<typeof decideTransfer>, { ok: true }>): ProblemException {
    if (step.code === 'not-your-side') {
      return new ProblemException(403, 'transfer-action-not-allowed', 'Not yours to do', `"${step.action}" is done by the ${step.action === 'withdraw' ? 'origin' : 'destination'} node, not this one.`, {
        action: step.action,
      });
    }
    return illegalTransition(`The transfer is ${step.status}.`, { status: step.status });
  }

  private async viewOf(t: TransferRow): Promise<TransferView> {
    const persons = (await this.dataSource.query(`SELECT origin_person_id, destination_person_id, linked FROM custody_transfer_person WHERE transfer_id = $1 ORDER BY origin_person_id`, [t.id])) as {
      origin_person_id: string;
      destination_person_id: string;
      linked: boolean;
    }[];
    return {
      id: t.id,
      direction: t.direction,
      caseId: localCaseId(t),
      originNode: t.origin_node,
      originCaseId: t.origin_case_id,
      destinationNode: t.destination_node,
      destinationCaseId: t.destination_case_id,
      status: t.status,
      reason: t.reason,
      rejectionReason: t.rejection_reason,
      withdrawalCause: t.withdrawal_cause,
      personIds: t.person_ids,
      fields: t.fields,
      decideDueAt: new Date(t.decide_due_at).toISOString(),
      requestedAt: new Date(t.requested_at).toISOString(),
      decidedAt: t.decided_at ? new Date(t.decided_at).toISOString() : null,
      persons: persons.map((p) => ({ originPersonId: p.origin_person_id, destinationPersonId: p.destination_person_id, linked: p.linked })),
    };
  }
}

export type { TransferSide };
