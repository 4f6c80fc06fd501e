import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  AgreementChangedSchema,
  AgreementPurpose as AgreementPurposeCode,
  DeliveryChannel as DeliveryChannelCode,
  DirectoryChange,
  OrganizationKind as OrganizationKindCode,
  PartnerChangedSchema,
  PartnerType as PartnerTypeCode,
  ProgramChangedSchema,
  ProgramPathway,
  ProgramStatus as ProgramStatusCode,
  Topics,
  encodeEvent,
  toTimestamp,
} from '@puente/contracts';
import type { OutgoingEvent } from '@puente/messaging';
import type { AgreementEntity, PartnerEntity, ProgramEntity } from './directory.entities';

/** Who changed the directory, as events name them. */
export interface DirectoryActor {
  clientId: string;
  partnerId: string;
  node: string;
}

/** The protobuf enum value of a word (`government_agency` → ORGANIZATION_KIND_GOVERNMENT_AGENCY). */
function code<E extends Record<string, string | number>>(enumObject: E, word: string): number {
  const value = enumObject[word.toUpperCase() as keyof E];
  return typeof value === 'number' ? value : 0;
}

const change = (created: boolean) => (created ? DirectoryChange.CREATED : DirectoryChange.UPDATED);

export function partnerChanged(p: PartnerEntity, created: boolean, actor: DirectoryActor): OutgoingEvent {
  const message: MessageInitShape<typeof PartnerChangedSchema> = {
    partnerId: p.id,
    label: p.name,
    kind: code(OrganizationKindCode, p.kind),
    partnerType: code(PartnerTypeCode, p.partnerType),
    country: p.country,
    node: p.node,
    active: p.status === 'active',
    channels: p.deliveryChannels.map((c) => code(DeliveryChannelCode, c)),
    version: p.version,
    change: change(created),
    changedAt: toTimestamp(p.updatedAt),
    actor,
  };
  return { topic: Topics.directory.name, key: p.id, type: PartnerChangedSchema.typeName, payload: encodeEvent(PartnerChangedSchema, message), time: p.updatedAt };
}

export function programChanged(p: ProgramEntity, created: boolean, actor: DirectoryActor): OutgoingEvent {
  const message: MessageInitShape<typeof ProgramChangedSchema> = {
    programId: p.id,
    partnerId: p.partnerId,
    label: p.name,
    pathway: code(ProgramPathway, p.pathway),
    status: code(ProgramStatusCode, p.status),
    node: p.node,
    totalSlots: p.totalSlots,
    slaAcknowledgeHours: p.slaAcknowledgeHours,
    slaDecideHours: p.slaDecideHours,
    autoReferOnProtectionAlert: p.autoReferOnProtectionAlert,
    version: p.version,
    change: change(created),
    changedAt: toTimestamp(p.updatedAt),
    actor,
  };
  return { topic: Topics.directory.name, key: p.partnerId, type: ProgramChangedSchema.typeName, payload: encodeEvent(ProgramChangedSchema, message), time: p.updatedAt };
}

export function agreementChanged(a: AgreementEntity, created: boolean, actor: DirectoryActor): OutgoingEvent {
  const message: MessageInitShape<typeof AgreementChangedSchema> = {
    agreementId: a.id,
    partnerId: a.partnerId,
    node: a.node,
    purposes: a.purposes.map((p) => code(AgreementPurposeCode, p)),
    validFrom: a.validFrom,
    validUntil: a.validUntil ?? '',
    terminated: a.terminatedAt !== null,
    version: a.version,
    change: change(created),
    changedAt: toTimestamp(a.updatedAt),
    actor,
  };
  return { topic: Topics.directory.name, key: a.partnerId, type: AgreementChangedSchema.typeName, payload: encodeEvent(AgreementChangedSchema, message), time: a.updatedAt };
}
