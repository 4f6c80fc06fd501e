import type { MessageInitShape } from '@bufbuild/protobuf';
import { RetractionCause, RetractionReceiptedSchema, RetractionReceiverType, RetractionSentSchema, toTimestamp } from '@puente/contracts';
import type { RetractionCause as Cause, RetractionNoticeRow } from './retractions';

// The events a service that sends retraction notices says on puente.referral.retraction.v1
// (keyed by the notice's case id), the same for every sender (intake, referral routing).

const CAUSES: Record<Cause, RetractionCause> = { 'consent-withdrawn': RetractionCause.CONSENT_WITHDRAWN, 'person-erased': RetractionCause.PERSON_ERASED };
const RECEIVERS = { partner: RetractionReceiverType.PARTNER, node: RetractionReceiverType.NODE } as const;

/** RetractionSent for a notice just opened. */
export function retractionSentMessage(n: RetractionNoticeRow): MessageInitShape<typeof RetractionSentSchema> {
  return {
    noticeId: n.noticeId,
    caseId: n.caseId ?? '',
    personId: n.personId,
    receiverType: RECEIVERS[n.receiverType],
    receiver: n.receiver,
    cause: CAUSES[n.cause],
    channels: n.channels,
    sentAt: toTimestamp(new Date(n.sentAt)),
    dueAt: toTimestamp(new Date(n.dueAt)),
  };
}

/** RetractionReceipted for a notice just answered. */
export function retractionReceiptedMessage(n: RetractionNoticeRow): MessageInitShape<typeof RetractionReceiptedSchema> {
  return {
    noticeId: n.noticeId,
    caseId: n.caseId ?? '',
    personId: n.personId,
    receiverType: RECEIVERS[n.receiverType],
    receiver: n.receiver,
    receiptedAt: toTimestamp(new Date(n.receiptedAt ?? n.sentAt)),
  };
}
