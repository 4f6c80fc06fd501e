// The transfer's exchange payloads and events, built from rows (no I/O).
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import {
  type Actor,
  TransferAcceptedSchema,
  TransferCompletedSchema,
  TransferFollowUpReceivedSchema,
  TransferFollowUpSchema,
  TransferDirection,
  TransferExchangeSchema,
  type TransferPackage,
  TransferPackageSchema,
  TransferDecisionSchema,
  TransferRefSchema,
  ScreeningSummarySchema,
  TransferWithdrawalSchema,
  TransferRejectedSchema,
  TransferRejectionReason,
  TransferRequestedSchema,
  TransferWithdrawalCause,
  TransferWithdrawnSchema,
  Topics,
  toTimestamp,
} from '@puente/contracts';
import { event, type IntakeEvent } from '../events/intake-events';

/** A custody_transfer row as the service reads it. */
export interface TransferRow {
  id: string;
  direction: 'outbound' | 'inbound';
  origin_node: string;
  origin_case_id: string;
  destination_node: string;
  destination_case_id: string | null;
  status: string;
  reason: string;
  rejection_reason: string | null;
  withdrawal_cause: string | null;
  person_ids: string[];
  fields: string[];
  case_status_before: string | null;
  package_ciphertext: string | null;
  decide_due_at: Date;
  requested_at: Date;
  decided_at: Date | null;
  version: number;
}

/** The case this node knows the transfer by: the origin's, or the one the destination opened. */
export function localCaseId(t: TransferRow): string {
  return t.direction === 'outbound' ? t.origin_case_id : (t.destination_case_id ?? t.origin_case_id);
}

export function refOf(t: TransferRow): MessageInitShape<typeof TransferRefSchema> {
  return {
    transferId: t.id,
    caseId: localCaseId(t),
    direction: t.direction === 'outbound' ? TransferDirection.OUTBOUND : TransferDirection.INBOUND,
    originNode: t.origin_node,
    originCaseId: t.origin_case_id,
    destinationNode: t.destination_node,
    destinationCaseId: t.destination_case_id ?? '',
  };
}

const topic = Topics.transfer.name;
const rejectionEnum = (r: string | null) => (r ? (TransferRejectionReason[r.toUpperCase() as keyof typeof TransferRejectionReason] ?? TransferRejectionReason.UNSPECIFIED) : TransferRejectionReason.UNSPECIFIED);
const causeEnum = (c: string | null) => (c ? (TransferWithdrawalCause[c.toUpperCase() as keyof typeof TransferWithdrawalCause] ?? TransferWithdrawalCause.UNSPECIFIED) : TransferWithdrawalCause.UNSPECIFIED);

export const transferEvents = {
  requested: (t: TransferRow, at: Date, actor: Actor): IntakeEvent =>
    event(TransferRequestedSchema, { transfer: refOf(t), personIds: t.person_ids, decideDueAt: toTimestamp(t.decide_due_at), requestedAt: toTimestamp(at), actor }, localCaseId(t), topic),
  accepted: (t: TransferRow, at: Date, actor: Actor): IntakeEvent => event(TransferAcceptedSchema, { transfer: refOf(t), acceptedAt: toTimestamp(at), actor }, localCaseId(t), topic),
  rejected: (t: TransferRow, at: Date, actor: Actor): IntakeEvent =>
    event(TransferRejectedSchema, { transfer: refOf(t), reason: rejectionEnum(t.rejection_reason), rejectedAt: toTimestamp(at), actor }, localCaseId(t), topic),
  withdrawn: (t: TransferRow, at: Date, actor: Actor): IntakeEvent =>
    event(TransferWithdrawnSchema, { transfer: refOf(t), cause: causeEnum(t.withdrawal_cause), withdrawnAt: toTimestamp(at), actor }, localCaseId(t), topic),
  /** At the origin: what the destination reported about the case it opened (its timeline shows it). */
  followUpReceived: (t: TransferRow, u: { updateType: string; status: string; milestone: string; at: Date }, receivedAt: Date): IntakeEvent =>
    event(
      TransferFollowUpReceivedSchema,
      { transfer: refOf(t), updateType: u.updateType, status: u.status, milestone: u.milestone, at: toTimestamp(u.at), receivedAt: toTimestamp(receivedAt) },
      localCaseId(t),
      topic,
    ),
  completed: (
    t: TransferRow,
    at: Date,
    counts: { registered: number; linked: number },
    imported: { screening?: MessageInitShape<typeof ScreeningSummarySchema>; consentsRecorded?: number } = {},
  ): IntakeEvent =>
    event(
      TransferCompletedSchema,
      { transfer: refOf(t), personsRegistered: counts.registered, personsLinked: counts.linked, completedAt: toTimestamp(at), screening: imported.screening, consentsRecorded: imported.consentsRecorded ?? 0 },
      localCaseId(t),
      topic,
    ),
};

export const transferPayload = {
  package: (value: MessageInitShape<typeof TransferPackageSchema>): Uint8Array =>
    toBinary(TransferExchangeSchema, create(TransferExchangeSchema, { message: { case: 'package', value } })),
  decision: (value: MessageInitShape<typeof TransferDecisionSchema>): Uint8Array =>
    toBinary(TransferExchangeSchema, create(TransferExchangeSchema, { message: { case: 'decision', value } })),
  withdrawal: (value: MessageInitShape<typeof TransferWithdrawalSchema>): Uint8Array =>
    toBinary(TransferExchangeSchema, create(TransferExchangeSchema, { message: { case: 'withdrawal', value } })),
  followUp: (value: MessageInitShape<typeof TransferFollowUpSchema>): Uint8Array =>
    toBinary(TransferExchangeSchema, create(TransferExchangeSchema, { message: { case: 'followUp', value } })),
};

/** What the origin knows of a completed screening (protobuf JSON of ScreeningCompleted on its timeline). */
interface ScreeningCompletedJson {
  screeningId?: string;
  personId?: string;
  riskLevel?: string;
  flags?: { flag?: string }[];
  fearGrounds?: { ground?: string }[];
  recommendations?: { pathway?: string }[];
  completedAt?: string;
}

/** An enum value's JSON name as the code the APIs use: `PATHWAY_NATIONAL_ASYLUM` → `national_asylum`. */
function code(name: string | undefined, prefix: string): string | null {
  if (!name || !name.startsWith(prefix) || name.endsWith('_UNSPECIFIED')) return null;
  return name.slice(prefix.length).toLowerCase();
}

/** The package's screening summary from the case's latest completed screening (codes only, never answers). */
export function screeningSummaryOf(data: Record<string, unknown>): MessageInitShape<typeof ScreeningSummarySchema> {
  const s = data as ScreeningCompletedJson;
  const codes = (values: (string | undefined)[], prefix: string) => values.map((v) => code(v, prefix)).filter((v): v is string => v !== null);
  return {
    screeningId: s.screeningId ?? '',
    personId: s.personId ?? '',
    riskLevel: code(s.riskLevel, 'SCREENING_RISK_LEVEL_') ?? '',
    flags: codes((s.flags ?? []).map((f) => f.flag), 'PROTECTION_FLAG_'),
    fearGrounds: codes((s.fearGrounds ?? []).map((g) => g.ground), 'PERSECUTION_GROUND_'),
    recommendedPathways: codes((s.recommendations ?? []).map((r) => r.pathway), 'PATHWAY_'),
    ...(s.completedAt && { completedAt: toTimestamp(new Date(s.completedAt)) }),
  };
}

export type { TransferPackage };
