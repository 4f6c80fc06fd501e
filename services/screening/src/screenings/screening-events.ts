// Screening events as protobuf messages: outcome codes mapped to the contract's enums.
// Only codes, ids and question ids go into events; never answers.
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  Pathway,
  PersecutionGround,
  ProtectionAlertRaisedSchema,
  ProtectionFlag,
  ScreeningCancelledSchema,
  ScreeningCancelReason,
  ScreeningCompletedSchema,
  ScreeningRequestedSchema,
  ScreeningRiskLevel,
  ScreeningStartedSchema,
  ScreeningTrigger,
  toTimestamp,
} from '@puente/contracts';
import type { FlagCode, GroundCode, PathwayCode, RiskLevel } from '../questionnaires/catalog';
import type { ScreeningOutcome } from '../questionnaires/engine';
import type { ScreeningEntity } from './screening.entity';
import type { CancelReason, ScreeningTrigger as Trigger } from './screening-state';

export const FLAG_ENUM: Record<FlagCode, ProtectionFlag> = {
  unaccompanied_child: ProtectionFlag.UNACCOMPANIED_CHILD,
  separated_child: ProtectionFlag.SEPARATED_CHILD,
  survivor_of_gbv: ProtectionFlag.SURVIVOR_OF_GBV,
  survivor_of_torture_or_violence: ProtectionFlag.SURVIVOR_OF_TORTURE_OR_VIOLENCE,
  trafficking_indicators: ProtectionFlag.TRAFFICKING_INDICATORS,
  lgbtqi_risk: ProtectionFlag.LGBTQI_RISK,
  disability: ProtectionFlag.DISABILITY,
  indigenous: ProtectionFlag.INDIGENOUS,
  serious_medical_condition: ProtectionFlag.SERIOUS_MEDICAL_CONDITION,
  pregnancy: ProtectionFlag.PREGNANCY,
  older_person: ProtectionFlag.OLDER_PERSON,
  single_caregiver: ProtectionFlag.SINGLE_CAREGIVER,
  fear_of_return: ProtectionFlag.FEAR_OF_RETURN,
};

export const GROUND_ENUM: Record<GroundCode, PersecutionGround> = {
  race: PersecutionGround.RACE,
  religion: PersecutionGround.RELIGION,
  nationality: PersecutionGround.NATIONALITY,
  political_opinion: PersecutionGround.POLITICAL_OPINION,
  particular_social_group: PersecutionGround.PARTICULAR_SOCIAL_GROUP,
};

export const RISK_ENUM: Record<RiskLevel, ScreeningRiskLevel> = {
  low: ScreeningRiskLevel.LOW,
  medium: ScreeningRiskLevel.MEDIUM,
  high: ScreeningRiskLevel.HIGH,
  urgent: ScreeningRiskLevel.URGENT,
};

export const PATHWAY_ENUM: Record<PathwayCode, Pathway> = {
  national_asylum: Pathway.NATIONAL_ASYLUM,
  resettlement: Pathway.RESETTLEMENT,
  central_american_minors: Pathway.CENTRAL_AMERICAN_MINORS,
  protection_transfer_arrangement: Pathway.PROTECTION_TRANSFER_ARRANGEMENT,
  idp_protection: Pathway.IDP_PROTECTION,
  family_reunification: Pathway.FAMILY_REUNIFICATION,
  labor_h2a: Pathway.LABOR_H2A,
  labor_h2b: Pathway.LABOR_H2B,
  labor_third_country: Pathway.LABOR_THIRD_COUNTRY,
  assisted_voluntary_return: Pathway.ASSISTED_VOLUNTARY_RETURN,
  reintegration_support: Pathway.REINTEGRATION_SUPPORT,
  services_only: Pathway.SERVICES_ONLY,
  child_protection: Pathway.CHILD_PROTECTION,
  medical_care: Pathway.MEDICAL_CARE,
  psychosocial_support: Pathway.PSYCHOSOCIAL_SUPPORT,
  legal_aid: Pathway.LEGAL_AID,
  shelter: Pathway.SHELTER,
};

const TRIGGER_ENUM: Record<Trigger, ScreeningTrigger> = {
  caseworker: ScreeningTrigger.CASEWORKER,
  rescreen: ScreeningTrigger.RESCREEN,
  protection_concern: ScreeningTrigger.PROTECTION_CONCERN,
};

const CANCEL_ENUM: Record<CancelReason, ScreeningCancelReason> = {
  consent_withdrawn: ScreeningCancelReason.CONSENT_WITHDRAWN,
  case_closed: ScreeningCancelReason.CASE_CLOSED,
  person_erased: ScreeningCancelReason.PERSON_ERASED,
};

export interface EventActor {
  clientId: string;
  partnerId: string;
  node: string;
}

function questionnaireRef(s: ScreeningEntity) {
  return { key: s.questionnaireKey, version: s.questionnaireVersion, definitionSha256: s.definitionSha256 };
}

export function screeningStarted(s: ScreeningEntity, actor: EventActor): MessageInitShape<typeof ScreeningStartedSchema> {
  return {
    screeningId: s.id,
    caseId: s.caseId,
    questionnaire: questionnaireRef(s),
    trigger: TRIGGER_ENUM[s.trigger],
    previousScreeningId: s.previousScreeningId ?? '',
    // A pending screening starts when a caseworker activates it, not when it was requested.
    startedAt: toTimestamp(s.activatedAt ?? s.createdAt),
    startedBy: actor,
    concernId: s.concernId ?? '',
    personId: s.personId ?? '',
  };
}

/** A pending screening opened from a reception protection concern (no consent checked yet). */
export function screeningRequested(s: ScreeningEntity, requestedBy: EventActor): MessageInitShape<typeof ScreeningRequestedSchema> {
  return {
    screeningId: s.id,
    caseId: s.caseId,
    questionnaire: questionnaireRef(s),
    concernId: s.concernId ?? '',
    centerCode: s.centerCode ?? '',
    requestedAt: toTimestamp(s.createdAt),
    requestedBy,
  };
}

export function screeningCompleted(s: ScreeningEntity, outcome: ScreeningOutcome, completedAt: Date, actor: EventActor): MessageInitShape<typeof ScreeningCompletedSchema> {
  return {
    screeningId: s.id,
    caseId: s.caseId,
    questionnaire: questionnaireRef(s),
    flags: outcome.flags.map((f) => ({ flag: FLAG_ENUM[f.flag], reasons: f.reasons })),
    fearGrounds: outcome.fearGrounds.map((g) => ({ ground: GROUND_ENUM[g.ground], reasons: g.reasons })),
    riskLevel: RISK_ENUM[outcome.risk.level],
    riskReasons: outcome.risk.reasons,
    recommendations: outcome.recommendations.map((r) => ({ pathway: PATHWAY_ENUM[r.pathway], reasons: r.reasons })),
    completedAt: toTimestamp(completedAt),
    completedBy: actor,
    previousScreeningId: s.previousScreeningId ?? '',
    personId: s.personId ?? '',
  };
}

export function protectionAlertRaised(
  alertId: string,
  s: ScreeningEntity,
  outcome: ScreeningOutcome,
  site: { siteCode: string; custodyNode: string },
  raisedAt: Date,
): MessageInitShape<typeof ProtectionAlertRaisedSchema> {
  return {
    alertId,
    screeningId: s.id,
    caseId: s.caseId,
    riskLevel: RISK_ENUM[outcome.risk.level],
    flags: outcome.flags.map((f) => FLAG_ENUM[f.flag]),
    reasons: outcome.risk.reasons,
    siteCode: site.siteCode,
    custodyNode: site.custodyNode,
    raisedAt: toTimestamp(raisedAt),
    personId: s.personId ?? '',
  };
}

export function screeningCancelled(
  screening: { id: string; caseId: string; personId: string | null },
  reason: CancelReason,
  at: Date,
  actor: EventActor,
): MessageInitShape<typeof ScreeningCancelledSchema> {
  return { screeningId: screening.id, caseId: screening.caseId, reason: CANCEL_ENUM[reason], cancelledAt: toTimestamp(at), cancelledBy: actor, personId: screening.personId ?? '' };
}

export const EVENT_TYPES = {
  requested: ScreeningRequestedSchema.typeName,
  started: ScreeningStartedSchema.typeName,
  completed: ScreeningCompletedSchema.typeName,
  alert: ProtectionAlertRaisedSchema.typeName,
  cancelled: ScreeningCancelledSchema.typeName,
} as const;
