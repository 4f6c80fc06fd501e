/**
 * What may cross a border, and where it travels. A node writes what is addressed to node `xx`
 * to `puente.exchange.<xx>.<aggregate>.v1` on its own cluster; MirrorMaker 2 copies those
 * topics, under the same names, to that node's cluster.
 */

/** ISO 3166-1 alpha-2 code of a country node. */
export const NODE_CODE = /^[A-Z]{2}$/;

/** The nodes development keys exist for (refused in production). */
export const DEV_NODES = ['GT', 'MX', 'HN', 'SV', 'US', 'CR'] as const;

export interface ExchangeKindSpec {
  /** Last-but-one topic segment: `puente.exchange.<xx>.<aggregate>.v1`. */
  readonly aggregate: string;
  /**
   * Consent purpose that must be in force for the person, or null when the kind needs none:
   * a retraction is sent because the consent or the person is gone.
   */
  readonly consentPurpose: string | null;
  /** True when the envelope is about one person (the protection block applies). */
  readonly aboutPerson: boolean;
  /**
   * True for a retraction: it goes to every node that received something about the person,
   * whatever the consent, agreement or protection status (it deletes, it reveals nothing new).
   */
  readonly retracts?: boolean;
}

/**
 * Every exchange kind. Kinds are agreed per peer and direction in the node registry; a
 * receipt (applied or refused) is the answer to any envelope and needs no agreement.
 */
export const EXCHANGE_KINDS = {
  'match-keys': { aggregate: 'matchkey', consentPurpose: 'identity_matching', aboutPerson: true },
  'match-keys-retraction': { aggregate: 'matchkey', consentPurpose: null, aboutPerson: true, retracts: true },
  referral: { aggregate: 'referral', consentPurpose: 'referral', aboutPerson: true },
  'custody-transfer': { aggregate: 'transfer', consentPurpose: 'cross_border_transfer', aboutPerson: true },
  // The destination of a completed transfer reports status changes of the case it opened back to
  // the origin (case ids and status codes, nothing about a person), only where agreed.
  'transfer-followup': { aggregate: 'transfer', consentPurpose: null, aboutPerson: false },
  // Reintegration: an assisted voluntary return package requested at the host and paid out at
  // the origin (its request, stages and cancellation), and a closed plan's outcome for the
  // referring center's node. Both under the reintegration_support consent the plan or package needs.
  avr: { aggregate: 'reintegration', consentPurpose: 'reintegration_support', aboutPerson: true },
  'reintegration-outcome': { aggregate: 'reintegration', consentPurpose: 'reintegration_support', aboutPerson: true },
  // A retraction notice for what the delivery ledger says was sent (referrals, transfers): see retractions.ts.
  retraction: { aggregate: 'retraction', consentPurpose: null, aboutPerson: true, retracts: true },
  // A retraction notice for cross-border referrals: on the referral topic, so the receiving node's
  // referral routing (which holds the copy) applies and answers it, not its intake.
  'referral-retraction': { aggregate: 'referral', consentPurpose: null, aboutPerson: true, retracts: true },
  // The head of a service's audit hash chain, for peers to witness (see audit-witness.ts).
  'audit-checkpoint': { aggregate: 'audit', consentPurpose: null, aboutPerson: false },
  // An aggregate report for planning, small cells suppressed before sealing (see report-share.ts).
  'report-share': { aggregate: 'report', consentPurpose: null, aboutPerson: false },
  receipt: { aggregate: 'receipt', consentPurpose: null, aboutPerson: false },
} as const satisfies Record<string, ExchangeKindSpec>;

export type ExchangeKind = keyof typeof EXCHANGE_KINDS;
export const ALL_EXCHANGE_KINDS = Object.keys(EXCHANGE_KINDS) as ExchangeKind[];
/** Kinds a registry agreement may list (receipts are always allowed). */
export const AGREEABLE_KINDS = ALL_EXCHANGE_KINDS.filter((k) => k !== 'receipt');

export function isExchangeKind(value: unknown): value is ExchangeKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EXCHANGE_KINDS, value);
}

/** `puente.exchange.<to>.<aggregate>.v1`, the topic that carries `kind` to node `to`. */
export function exchangeTopic(to: string, kind: ExchangeKind): string {
  if (!NODE_CODE.test(to)) throw new RangeError(`not a node code: ${JSON.stringify(to)}`);
  return `puente.exchange.${to.toLowerCase()}.${EXCHANGE_KINDS[kind].aggregate}.v1`;
}

/** Every exchange topic addressed to `node` (what its reader consumes). */
export function inboundTopics(node: string): string[] {
  const aggregates = [...new Set(ALL_EXCHANGE_KINDS.map((k) => EXCHANGE_KINDS[k].aggregate))].sort();
  return aggregates.map((a) => `puente.exchange.${node.toLowerCase()}.${a}.v1`);
}

/** Partitions of every exchange topic (the same on both clusters: MirrorMaker keeps partition numbers). */
export const EXCHANGE_PARTITIONS = 3;

/**
 * Exchange topics a node creates on its own cluster: what it receives (MirrorMaker writes into
 * them) and what it sends to each peer (its outbox publishes to them).
 */
export function exchangeTopicDeclarations(node: string, peers: readonly string[]): { name: string; partitions: number }[] {
  const names = [...inboundTopics(node), ...peers.filter((p) => p !== node).flatMap((p) => inboundTopics(p))];
  return names.map((name) => ({ name, partitions: EXCHANGE_PARTITIONS }));
}

/** Regular expression of the topics MirrorMaker 2 copies to `node` (properties-file syntax). */
export function mirroredTopicsPattern(node: string): string {
  return `puente\\.exchange\\.${node.toLowerCase()}\\..*`;
}
