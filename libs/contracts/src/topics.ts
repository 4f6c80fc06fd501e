// Kafka topic catalog: the single place where topic names, partition counts, keys and the
// event types each topic carries are declared. Infra bootstrap creates `allTopics()`;
// producers and consumers refer to `Topics.<x>.name`, never to string literals.
//
// Naming: puente.<context>.<aggregate>.v<major>; dead letters: <topic>.dlq;
// partner outbound: puente.partner.<partnerId>.v1. Event types are protobuf full names,
// which are also the CloudEvents `ce_type` header values.

/** Which attribute is the Kafka record key (ordering is guaranteed per key). */
export type TopicKey = 'caseId' | 'personId' | 'partnerId' | 'referralId' | 'transferId' | 'arrivalId';

export interface TopicSpec {
  /** Kafka topic name. */
  readonly name: string;
  /** Number of partitions (DLQs mirror their source topic). */
  readonly partitions: number;
  /** Record key attribute; one key's events stay in order on one partition. */
  readonly key: TopicKey;
  /** ce_type values (protobuf full names) that may appear on this topic. */
  readonly eventTypes: readonly string[];
  readonly description: string;
  /** For a dead-letter topic: the topic it collects failures from. */
  readonly deadLetterOf?: string;
}

export const DLQ_SUFFIX = '.dlq';

export const Topics = {
  intakeCase: {
    name: 'puente.intake.case.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.intake.v1.CaseOpened',
      'puente.intake.v1.CaseStatusChanged',
      'puente.intake.v1.CaseClosed',
      'puente.intake.v1.ConsentRecorded',
      'puente.intake.v1.ConsentWithdrawn',
      'puente.intake.v1.PersonRegistered',
      'puente.intake.v1.PersonUpdated',
      'puente.intake.v1.HouseholdChanged',
      'puente.intake.v1.PossibleDuplicateFound',
      'puente.intake.v1.PossibleDuplicateResolved',
      'puente.intake.v1.PersonErased',
    ],
    description:
      'Everything intake says about a case: lifecycle, consents, registrations, households, possible duplicates, erasures. Ids and minimized attributes only; never PII.',
  },
  intakeMatchKeys: {
    name: 'puente.intake.matchkey.v1',
    partitions: 3,
    key: 'personId',
    eventTypes: ['puente.intake.v1.MatchKeysPublished', 'puente.intake.v1.MatchKeysWithdrawn'],
    description:
      'Keyed match keys (HMACs) shared with partner nodes under an agreement for cross-border duplicate detection, published only while the person consents to identity matching; retracted (MatchKeysWithdrawn) on withdrawal or erasure.',
  },
  screening: {
    name: 'puente.screening.screening.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.screening.v1.ScreeningStarted',
      'puente.screening.v1.ScreeningCompleted',
      'puente.screening.v1.ProtectionAlertRaised',
      'puente.screening.v1.ScreeningCancelled',
      'puente.screening.v1.ScreeningRequested',
    ],
    description:
      'Protection screenings of a case: requested (pending, from a reception protection concern), started, completed (flags, fear grounds, risk level, recommended pathways, each with the ids of the questions that decided it), urgent protection alerts, cancellations. Codes and question ids only; never answers.',
  },
  receptionArrival: {
    name: 'puente.reception.arrival.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.reception.v1.ProtectionConcernRaised',
      'puente.reception.v1.ArrivalExpected',
      'puente.reception.v1.PersonCheckedIn',
      'puente.reception.v1.ReceptionServiceDelivered',
      'puente.reception.v1.ArrivalNoShow',
      'puente.reception.v1.ChildHandedOver',
    ],
    description:
      'Arrivals at reception centers (returns, walk-ins): arrivals expected from manifests, check-ins (reintegration starts from them), services delivered, no-shows (at-risk ones are alerts), child-protection hand-overs, and protection concerns raised by reception staff, as closed codes (screening opens a pending screening for the case). Ids and codes only; never PII or free text.',
  },
  referral: {
    name: 'puente.referral.referral.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.referral.v1.ReferralRequested',
      'puente.referral.v1.ReferralSent',
      'puente.referral.v1.ReferralReceived',
      'puente.referral.v1.ReferralAccepted',
      'puente.referral.v1.ReferralRejected',
      'puente.referral.v1.ReferralStarted',
      'puente.referral.v1.ReferralPutOnHold',
      'puente.referral.v1.ReferralResumed',
      'puente.referral.v1.ReferralProgressed',
      'puente.referral.v1.ReferralCompleted',
      'puente.referral.v1.ReferralCancelled',
      'puente.referral.v1.ReferralFailed',
      'puente.referral.v1.ReferralExpired',
      'puente.referral.v1.ReferralEnteredInError',
      'puente.referral.v1.ReferralMessagePosted',
      'puente.referral.v1.ReferralDeliveryFailed',
      'puente.referral.v1.ReferralSlaBreached',
      'puente.referral.v1.CrossBorderReferralSent',
      'puente.referral.v1.CrossBorderUpdateReceived',
    ],
    description:
      'Referrals of a case to partner programs (FHIR Task-like lifecycle): one event per transition with actor, time and coded reason, milestones, outcomes, messages posted (ids only), webhook delivery failures and SLA breaches; a referral to a program on another node sent sealed to that node, and each change that node reported back. Ids and codes only; never PII or free text.',
  },
  transfer: {
    name: 'puente.referral.transfer.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.referral.v1.TransferRequested',
      'puente.referral.v1.TransferAccepted',
      'puente.referral.v1.TransferRejected',
      'puente.referral.v1.TransferWithdrawn',
      'puente.referral.v1.TransferCompleted',
      'puente.referral.v1.TransferFollowUpReceived',
    ],
    description:
      'Custody transfers of a case between country nodes (intake, which holds the case): requested (sent by the origin, pending at the destination with its SLA), accepted, rejected with a reason code or for a missed SLA, withdrawn by the origin or by a consent withdrawal, completed (persons registered or linked at the destination, with the screening summary and consents the package carried; the origin case transferred out), and at the origin the updates on the new case the destination sent back where the agreement has transfer follow-ups. On both nodes, keyed by the case on that node. Ids, node codes and closed codes only.',
  },
  directory: {
    name: 'puente.referral.directory.v1',
    partitions: 3,
    key: 'partnerId',
    eventTypes: ['puente.referral.v1.PartnerChanged', 'puente.referral.v1.ProgramChanged', 'puente.referral.v1.AgreementChanged'],
    description:
      'The program directory (Open Referral HSDS): partners, their programs and the data-sharing agreements with this node, each change carrying the whole current public state and its version (intake follows the partners a consent may name). No secrets, no endpoints, no personal data.',
  },
  routing: {
    name: 'puente.referral.routing.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.referral.v1.SuggestionsComputed',
      'puente.referral.v1.ProtectionAlertAcknowledgementDue',
      'puente.referral.v1.ProtectionAlertAcknowledged',
      'puente.referral.v1.ProtectionAlertEscalated',
    ],
    description:
      'Routing of a case: ranked program suggestions after a completed screening, and the acknowledgement deadline, acknowledgement and escalation of urgent protection alerts. Ids and codes only.',
  },
  retraction: {
    name: 'puente.referral.retraction.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: ['puente.referral.v1.RetractionSent', 'puente.referral.v1.RetractionReceipted'],
    description:
      'Retraction notices after a consent withdrawal or an erasure: one notice per receiver (partner or node) that got the person\'s data, as tracked per delivery by the sending service, and the receipt that receiver answered with (it stopped processing and deleted what it held). Ids, node codes and closed codes only.',
  },
  reintegrationPlan: {
    name: 'puente.reintegration.plan.v1',
    partitions: 6,
    key: 'caseId',
    eventTypes: [
      'puente.reintegration.v1.PlanCreated',
      'puente.reintegration.v1.PlanStatusChanged',
      'puente.reintegration.v1.JobMatched',
      'puente.reintegration.v1.JobPlacementConfirmed',
      'puente.reintegration.v1.TaskCompleted',
      'puente.reintegration.v1.MilestoneReached',
      'puente.reintegration.v1.FollowUpOverdue',
      'puente.reintegration.v1.PlanClosed',
      'puente.reintegration.v1.RemigrationFlagged',
      'puente.reintegration.v1.AvrStageDisbursed',
    ],
    description:
      'Reintegration of a returned person or household: plans opened (on check-in or by a caseworker) and their status, job matches and confirmed placements, tasks completed, follow-up milestones with their sustainability scores (economic, social, psychosocial), overdue follow-ups, plans closed with their outcome for the referring reception center, re-migration flags (a member registered again at an MRC on any node), and assisted voluntary return stages disbursed. Ids and codes only; never PII or free text.',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicId = keyof typeof Topics;

/** Dead-letter topic name for `name`: `<name>.dlq`. */
export function dlqTopic(name: string): string {
  return `${name}${DLQ_SUFFIX}`;
}

export function isDlqTopic(name: string): boolean {
  return name.endsWith(DLQ_SUFFIX);
}

/** Outbound topic of one partner: `puente.partner.<partnerId>.v1` (partnerId: lowercase, digits, hyphens). */
export function partnerTopic(partnerId: string): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(partnerId)) {
    throw new Error(`invalid partner id for a topic name: ${JSON.stringify(partnerId)}`);
  }
  return `puente.partner.${partnerId}.v1`;
}

/** The DLQ spec of a topic: same partitions and key; holds any of the topic's event types. */
export function dlqSpec(spec: TopicSpec): TopicSpec {
  return {
    name: dlqTopic(spec.name),
    partitions: spec.partitions,
    key: spec.key,
    eventTypes: spec.eventTypes,
    description: `Dead letters of ${spec.name}: events whose handling failed after retries (error in headers).`,
    deadLetterOf: spec.name,
  };
}

/** Every catalogued topic followed by its DLQ, in a stable order. */
export function allTopics(): TopicSpec[] {
  return Object.values(Topics).flatMap((spec: TopicSpec) => [spec, dlqSpec(spec)]);
}

/** The catalogued topic that carries `ceType`, if any. */
export function topicForEventType(ceType: string): TopicSpec | undefined {
  return Object.values(Topics).find((spec: TopicSpec) => spec.eventTypes.includes(ceType));
}
