// Test helper (not production code): PartnerChanged events as referral-routing's directory emits
// them on its topic, keyed by partner id, so specs can feed intake the partners they need.
import { randomUUID } from 'node:crypto';
import { encodeEvent, OrganizationKind, PartnerChangedSchema, PartnerType, toTimestamp, Topics } from '@puente/contracts';
import { type BrokerClient, sendRaw, toHeaders } from '@puente/messaging';

export interface AnnouncedPartner {
  partnerId: string;
  version: number;
  label?: string;
  partnerType?: PartnerType;
  country?: string;
  active?: boolean;
}

/** The Kafka record of a PartnerChanged (US resettlement program unless told otherwise). */
export function partnerChangedRecord(partner: AnnouncedPartner) {
  const country = partner.country ?? 'US';
  const payload = encodeEvent(PartnerChangedSchema, {
    partnerId: partner.partnerId,
    label: partner.label ?? 'U.S. Refugee Admissions Program',
    kind: OrganizationKind.GOVERNMENT_AGENCY,
    partnerType: partner.partnerType ?? PartnerType.RESETTLEMENT_PROGRAM,
    country,
    node: country,
    active: partner.active ?? true,
    version: partner.version,
    changedAt: toTimestamp(),
    actor: { clientId: 'directory-admin', partnerId: 'GT-IGM', node: 'GT' },
  });
  const key = partner.partnerId;
  return {
    key,
    value: Buffer.from(payload),
    headers: toHeaders({ id: randomUUID(), type: PartnerChangedSchema.typeName, source: '/puente/gt/referral-routing', time: new Date().toISOString(), subject: key }),
  };
}

/** Publishes the partners' changes on the directory topic, in order. */
export async function announcePartners(broker: BrokerClient, partners: AnnouncedPartner[]): Promise<void> {
  await sendRaw(broker, Topics.directory.name, partners.map(partnerChangedRecord));
}
