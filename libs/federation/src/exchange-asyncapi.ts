// The AsyncAPI document of the border: one channel per exchange aggregate,
// `puente.exchange.{node}.<aggregate>.v1`, generated from EXCHANGE_KINDS and the protobuf
// contracts of what each kind seals. Served at /docs/exchange-asyncapi.json by every service whose
// federation module provides `exchangeAsyncApiProvider`.
import type { DescMessage } from '@bufbuild/protobuf';
import {
  type AsyncApiDocument,
  AuditCheckpointSchema,
  AvrExchangeSchema,
  buildAsyncApiDocument,
  type ChannelSpec,
  ExchangeReceiptSchema,
  MatchKeysPublishedSchema,
  MatchKeysWithdrawnSchema,
  PlanClosedSchema,
  type OperationSpec,
  RetractionNoticeSchema,
  schemaRef,
  SEALED_ENVELOPE_MESSAGE,
  SEALED_ENVELOPE_TYPE,
  SharedReportSchema,
} from '@puente/contracts';
import { type AsyncApiSource, EXCHANGE_ASYNCAPI_DOCUMENT } from '@puente/platform';
import { ALL_EXCHANGE_KINDS, DEV_NODES, EXCHANGE_KINDS, EXCHANGE_PARTITIONS, type ExchangeKind } from './exchange-kinds';

/**
 * The protobuf message sealed in an envelope of each kind. A kind not listed yet is documented
 * by name only (its channel still appears, from EXCHANGE_KINDS).
 */
export const SEALED_PAYLOADS: Partial<Record<ExchangeKind, DescMessage>> = {
  'match-keys': MatchKeysPublishedSchema,
  'match-keys-retraction': MatchKeysWithdrawnSchema,
  retraction: RetractionNoticeSchema,
  'referral-retraction': RetractionNoticeSchema,
  'audit-checkpoint': AuditCheckpointSchema,
  'report-share': SharedReportSchema,
  avr: AvrExchangeSchema,
  'reintegration-outcome': PlanClosedSchema,
  receipt: ExchangeReceiptSchema,
};

function channelIdOf(aggregate: string): string {
  return `exchange_${aggregate.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function exchangeAsyncApiDocument(version = '1.0.0'): AsyncApiDocument {
  const aggregates = [...new Set(ALL_EXCHANGE_KINDS.map((k) => EXCHANGE_KINDS[k].aggregate))].sort();
  const channels: ChannelSpec[] = [];
  const operations: OperationSpec[] = [];
  const sealed: DescMessage[] = [];
  for (const aggregate of aggregates) {
    const kinds = ALL_EXCHANGE_KINDS.filter((k) => EXCHANGE_KINDS[k].aggregate === aggregate);
    const payloads: Record<string, unknown> = {};
    for (const kind of kinds) {
      const desc = SEALED_PAYLOADS[kind];
      const spec = EXCHANGE_KINDS[kind] as { consentPurpose: string | null; aboutPerson: boolean };
      payloads[kind] = {
        ...(desc ? schemaRef(desc.typeName) : { description: 'sealed payload not catalogued yet' }),
        'x-consent-purpose': spec.consentPurpose,
        'x-about-person': spec.aboutPerson,
      };
      if (desc) sealed.push(desc);
    }
    const id = channelIdOf(aggregate);
    channels.push({
      id,
      address: `puente.exchange.{node}.${aggregate}.v1`,
      description: `Envelopes of kind ${kinds.join(', ')} addressed to node {node}. The sender's outbox writes them to its own cluster; MirrorMaker 2 copies the topic, under the same name, to {node}'s cluster. Each record is a sealed envelope; \`x-sealed-payloads\` gives the protobuf message inside for each kind. The receiver answers every envelope with a receipt on puente.exchange.<sender>.receipt.v1.`,
      partitions: EXCHANGE_PARTITIONS,
      eventTypes: [SEALED_ENVELOPE_TYPE],
      parameters: {
        node: {
          description: 'The receiving node: ISO 3166-1 alpha-2 code, lowercase',
          examples: DEV_NODES.map((n) => n.toLowerCase()),
        },
      },
      extensions: { 'x-sealed-payloads': payloads },
    });
    operations.push({ channel: id, action: 'send', summary: 'A node sends to a peer (through its outbox, on its own cluster)' });
    operations.push({ channel: id, action: 'receive', summary: 'The addressed node opens, verifies, applies once and answers with a receipt' });
  }
  return buildAsyncApiDocument({
    title: 'Puente federation exchange',
    version,
    description:
      'What crosses a border between Puente country nodes. Payloads are signed by the sender (JWS ES256) and encrypted to the receiver (JWE ECDH-ES+A256KW, A256GCM); the CloudEvents headers outside carry no personal data. Generated from the exchange kinds (libs/federation) and proto/.',
    channels,
    operations,
    customMessages: { [SEALED_ENVELOPE_TYPE]: SEALED_ENVELOPE_MESSAGE },
    extraSchemas: sealed,
  });
}

/** Add to the providers of a service's federation module: served at /docs/exchange-asyncapi.json. */
export const exchangeAsyncApiProvider = {
  provide: EXCHANGE_ASYNCAPI_DOCUMENT,
  useValue: { document: () => exchangeAsyncApiDocument() } satisfies AsyncApiSource,
};
