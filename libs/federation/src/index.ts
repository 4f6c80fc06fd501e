export {
  AGREEABLE_KINDS,
  ALL_EXCHANGE_KINDS,
  DEV_NODES,
  EXCHANGE_KINDS,
  EXCHANGE_PARTITIONS,
  exchangeTopicDeclarations,
  NODE_CODE,
  exchangeTopic,
  inboundTopics,
  isExchangeKind,
  mirroredTopicsPattern,
  type ExchangeKind,
  type ExchangeKindSpec,
} from './exchange-kinds';
export {
  CONTENT_ENCRYPTION,
  DEV_FEDERATION_KID_PREFIX,
  KEY_AGREEMENT_ALGORITHM,
  NodeRegistry,
  RegistryConfigError,
  SIGNING_ALGORITHM,
  devKey,
  devRegistryConfig,
  federationEnabled,
  loadNodeRegistry,
  publicKeyOf,
  type OwnKey,
  type PeerConfig,
  type PeerKey,
  type PeerKeyProblem,
  type RegistryConfig,
} from './node-registry';
export {
  CLOCK_SKEW_SECONDS,
  DEFAULT_ENVELOPE_TTL_SECONDS,
  ENVELOPE_JWS_TYPE,
  NotAgreedError,
  REFUSAL_REASONS,
  openEnvelope,
  sealEnvelope,
  type EnvelopeClaims,
  type OpenResult,
  type OpenedEnvelope,
  type RefusalReason,
  type SealInput,
} from './envelope';
export {
  checkArrival,
  decideCrossing,
  protectionBlocks,
  type Arrival,
  type ArrivalAgreement,
  type BorderAgreement,
  type BorderDecision,
  type BorderRefusal,
  type BorderSubject,
  type ConsentInForce,
} from './border-rules';
export { CreateFederationExchange1767052800000 } from './federation.migration';
export { ExchangeWriter, SEALED_ENVELOPE_TYPE, type OutgoingExchange } from './exchange-writer';
export { EnvelopeContentError, EnvelopeRefusedError, ExchangeReceiver, type ExchangeEffect, type ExchangeReceiverOptions, type ReceiveOutcome } from './exchange-receiver';
export {
  DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS,
  listUnacknowledged,
  peersThatReceived,
  unacknowledgedByPeer,
  type Queryable,
  type UnacknowledgedEnvelope,
} from './receipts';
export { FederationMetrics } from './federation-metrics';
export { exchangeAsyncApiDocument, exchangeAsyncApiProvider, SEALED_PAYLOADS } from './exchange-asyncapi';
export { CreateDeliveryLedger1767052800100 } from './delivery-ledger.migration';
export { deliveriesOf, recordDeliveries, type LedgerDelivery, type LedgerRow } from './delivery-ledger';
export { CreateRetractionNotices1767052800200 } from './retraction.migration';
export { CreateAuditWitness1767052800300 } from './audit-witness.migration';
export { AllowReferralRetractionRoute1767052800400 } from './referral-retraction.migration';
export { ASYLUM_FLAGS, protectionOf } from './person-protection';
export {
  auditHead,
  checkpointsFor,
  sendAuditCheckpoint,
  verifyAgainstWitnesses,
  witnessAuditCheckpoint,
  witnessedCheckpoints,
  type WitnessedCheckpoint,
  type WitnessedVerification,
} from './audit-witness';
export {
  attachEnvelope,
  DEFAULT_RETRACTION_RECEIPT_SECONDS,
  findNotice,
  noticeStatus,
  openRetractions,
  overdueRetractions,
  purposeOfChannel,
  receiptNodeNotices,
  receiptNotice,
  retractionNoticesOf,
  retractionsDue,
  routeOf,
  unsentNodeNotices,
  type DeliveryFact,
  type NoticeFact,
  type NoticeStatus,
  type ReceiverType,
  type Retraction,
  type RetractionCause,
  type RetractionDue,
  type RetractionNoticeRow,
  type RetractionRequest,
  type RetractionRoute,
} from './retractions';

export { retractionReceiptedMessage, retractionSentMessage } from './retraction-events';
export { RetractionNoticeDto, RetractionNoticeListDto, RetractionReceiptDto, toNoticeDto } from './retraction.dto';

import { CreateFederationExchange1767052800000 } from './federation.migration';
import { CreateDeliveryLedger1767052800100 } from './delivery-ledger.migration';
import { CreateRetractionNotices1767052800200 } from './retraction.migration';
import { CreateAuditWitness1767052800300 } from './audit-witness.migration';
import { AllowReferralRetractionRoute1767052800400 } from './referral-retraction.migration';
/** Add to the migrations of every service that exchanges envelopes with other nodes. */
export const federationMigrations = [CreateFederationExchange1767052800000, CreateDeliveryLedger1767052800100, CreateRetractionNotices1767052800200, CreateAuditWitness1767052800300, AllowReferralRetractionRoute1767052800400] as const;
// Tests and tools that run two nodes on one machine (second broker, MirrorMaker 2).
export {
  discardTopology,
  holdTwoNodeTopology,
  originKafkaPort,
  peerKafkaPort,
  startMirrorMaker,
  startPeerBroker,
  startPeerBrokers,
  startTwoNodeTopology,
  stopMirrorMaker,
  stopPeerBroker,
  type TwoNodeTopology,
} from './testing/two-nodes';
export { decodeSharedReport, encodeSharedReport, receiveReportShare, sendReportShare } from './report-share';
