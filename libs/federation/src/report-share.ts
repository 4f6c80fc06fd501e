// Kind `report-share`: an aggregate report for planning, shared with a peer node. The content is
// built and checked by libs/reports (sharing.ts) from a report whose small cells are already
// suppressed, so a count under the threshold never leaves the node; the receiver checks the
// rule again and refuses (malformed) what breaks it. Codes and counts only, no personal data.
import { fromBinary } from '@bufbuild/protobuf';
import { encodeEvent, fromTimestamp, SharedReportSchema, toTimestamp } from '@puente/contracts';
import { type PublishedReport, shareableReport, type SharedReportContent, storeSharedReport, UnshareableReportError } from '@puente/reports';
import type { EntityManager } from 'typeorm';
import type { OpenedEnvelope } from './envelope';
import { EnvelopeContentError } from './exchange-receiver';
import type { ExchangeWriter } from './exchange-writer';

const SHARE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The sealed payload of a share (protobuf puente.federation.v1.SharedReport). */
export function encodeSharedReport(shareId: string, content: SharedReportContent): Uint8Array {
  return encodeEvent(SharedReportSchema, {
    shareId,
    service: content.service,
    report: content.report,
    unit: content.unit,
    dimensions: [...content.dimensions],
    fromWeek: content.fromWeek,
    toWeek: content.toWeek,
    generatedAt: toTimestamp(content.generatedAt),
    threshold: content.threshold,
    cells: content.cells.map((c) => ({ values: [...c.values], count: c.count, suppressed: c.suppressed })),
  });
}

/** Reads a share's payload back (EnvelopeContentError when it is not one). */
export function decodeSharedReport(payload: Uint8Array): { shareId: string; content: SharedReportContent } {
  let m;
  try {
    m = fromBinary(SharedReportSchema, payload);
  } catch {
    throw new EnvelopeContentError('not a puente.federation.v1.SharedReport');
  }
  if (!SHARE_ID.test(m.shareId) || !m.generatedAt) throw new EnvelopeContentError('shared report without a share id or a time');
  return {
    shareId: m.shareId,
    content: {
      service: m.service,
      report: m.report,
      unit: m.unit,
      dimensions: m.dimensions,
      fromWeek: m.fromWeek,
      toWeek: m.toWeek,
      generatedAt: fromTimestamp(m.generatedAt),
      threshold: m.threshold,
      cells: m.cells.map((c) => ({ values: c.values, count: c.count, suppressed: c.suppressed })),
    },
  };
}

/**
 * Shares a published report of `service` with node `to`, in the caller's transaction (the outbox
 * carries the envelope): UnshareableReportError when a cell would carry a small count or a value
 * that is not a code; NotAgreedError when the agreement with `to` does not list `report-share`.
 */
export async function sendReportShare(
  tx: EntityManager,
  writer: ExchangeWriter,
  share: { to: string; service: string; report: PublishedReport; shareId: string; traceparent?: string },
): Promise<{ shareId: string; envelopeId: string; content: SharedReportContent }> {
  const content = shareableReport(share.service, share.report);
  const [envelopeId] = await writer.send(tx, { to: share.to, kind: 'report-share', key: content.report, payload: encodeSharedReport(share.shareId, content), traceparent: share.traceparent });
  return { shareId: share.shareId, envelopeId, content };
}

/** The effect of a peer's share: stored once for this node's planners; refused (malformed) when it breaks the rule. */
export async function receiveReportShare(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
  const { shareId, content } = decodeSharedReport(envelope.payload);
  try {
    await storeSharedReport(tx, envelope.iss, envelope.jti, shareId, content);
  } catch (error) {
    if (error instanceof UnshareableReportError) throw new EnvelopeContentError(error.message);
    throw error;
  }
}
