// The AsyncAPI document of one service, from what it declares at run time: the topics it passes to
// MessagingModule.forRoot and the `@EventPattern` handlers it registered. A topic another helper
// adds to the catalog appears in the documents of the services that declare or handle it.
import { type TopicSpec, Topics } from '../topics';
import {
  type AsyncApiDocument,
  buildAsyncApiDocument,
  catalogChannel,
  catalogTopic,
  channelId,
  type ChannelSpec,
  type CustomMessageSpec,
  deadLetterChannel,
  type OperationSpec,
} from './document';

/**
 * Which service publishes a catalogued topic: the one named by the topic's context
 * (`puente.<context>.<aggregate>.v1`). A context that is not a service's name is listed here.
 */
const CONTEXT_PRODUCERS: Readonly<Record<string, string>> = {
  intake: 'intake',
  screening: 'screening',
  reception: 'reception',
  referral: 'referral-routing',
  reintegration: 'reintegration',
};

/** The service that publishes `spec` (see CONTEXT_PRODUCERS), or undefined when none is known. */
export function producerOf(spec: TopicSpec): string | undefined {
  return CONTEXT_PRODUCERS[spec.name.split('.')[1]];
}

/** Every catalogued topic `service` publishes. */
export function topicsPublishedBy(service: string): TopicSpec[] {
  return (Object.values(Topics) as TopicSpec[]).filter((t) => producerOf(t) === service);
}

/** CloudEvents type of every envelope on an exchange topic (the kind is inside, signed). */
export const SEALED_ENVELOPE_TYPE = 'puente.federation.v1.SealedEnvelope';
/** `content-type` of a sealed envelope: a JWE in compact serialization. */
export const SEALED_ENVELOPE_CONTENT_TYPE = 'application/jose';

/** `puente.exchange.<node>.<aggregate>.v1`: node (lowercase alpha-2) and aggregate. */
export const EXCHANGE_TOPIC = /^puente\.exchange\.([a-z]{2})\.([a-z0-9]+(?:-[a-z0-9]+)*)\.v1$/;

export const SEALED_ENVELOPE_MESSAGE: CustomMessageSpec = {
  contentType: SEALED_ENVELOPE_CONTENT_TYPE,
  summary:
    'A payload signed by the sending node (JWS ES256: iss, aud, jti, iat, exp, kind) and encrypted to the receiving node (JWE ECDH-ES+A256KW, A256GCM); the plaintext is the protobuf message of its kind (see the exchange document).',
  payload: {
    type: 'string',
    description: 'JWE compact serialization (five base64url parts separated by dots), as UTF-8 bytes',
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
  },
};

export interface DeclaredTopic {
  readonly name: string;
  readonly partitions?: number;
}

export interface ConsumedTopic {
  readonly topic: string;
  /** ce_types the handler takes; undefined: every type of the topic. */
  readonly types?: readonly string[];
}

export interface ServiceAsyncApiInput {
  readonly service: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** This node (ISO 3166-1 alpha-2). */
  readonly node: string;
  readonly declared: readonly DeclaredTopic[];
  readonly consumed: readonly ConsumedTopic[];
}

/** Union of what the handlers of one topic take (undefined when one takes everything). */
function consumedTypes(topic: string, consumed: readonly ConsumedTopic[]): readonly string[] | undefined | null {
  const handlers = consumed.filter((c) => c.topic === topic);
  if (handlers.length === 0) return null;
  if (handlers.some((h) => h.types === undefined)) return undefined;
  return [...new Set(handlers.flatMap((h) => h.types ?? []))];
}

export function serviceAsyncApiDocument(input: ServiceAsyncApiInput): AsyncApiDocument {
  const channels: ChannelSpec[] = [];
  const operations: OperationSpec[] = [];
  const own = input.node.toLowerCase();
  for (const declared of input.declared) {
    const taken = consumedTypes(declared.name, input.consumed);
    const spec = catalogTopic(declared.name);
    if (spec) {
      const publishes = producerOf(spec) === input.service;
      if (!publishes && taken === null) continue;
      const channel = catalogChannel(spec);
      channels.push(channel);
      if (publishes) operations.push({ channel: channel.id, action: 'send', summary: `${input.service} publishes through its outbox` });
      if (taken !== null) {
        const types = taken?.filter((t) => spec.eventTypes.includes(t));
        operations.push({ channel: channel.id, action: 'receive', eventTypes: types, summary: `${input.service} handles these events through its inbox` });
        const dlq = deadLetterChannel(spec);
        channels.push(dlq);
        operations.push({ channel: dlq.id, action: 'send', eventTypes: types, summary: `what ${input.service} could not handle after retries` });
      }
      continue;
    }
    const exchange = EXCHANGE_TOPIC.exec(declared.name);
    if (exchange) {
      const [, node, aggregate] = exchange;
      // What is addressed to this node is read here; what is addressed to a peer is sent from here.
      const action = node === own ? (taken !== null ? 'receive' : null) : 'send';
      if (!action) continue;
      const id = channelId(declared.name);
      channels.push({
        id,
        address: declared.name,
        description: `Federation exchange: ${aggregate} envelopes addressed to node ${node.toUpperCase()}, ${node === own ? 'copied here from the peers\' clusters by MirrorMaker 2' : 'copied by MirrorMaker 2 to that node\'s cluster'}.`,
        partitions: declared.partitions,
        eventTypes: [SEALED_ENVELOPE_TYPE],
      });
      operations.push({ channel: id, action });
    }
    // Other declared topics (none today) carry no catalogued contract and are left out.
  }
  return buildAsyncApiDocument({
    title: `${input.title} events`,
    version: input.version,
    description: `${input.description}\n\nEvents of the ${input.service} service at node ${input.node.toUpperCase()}: the Kafka topics it publishes (send) and handles (receive), generated from the topic catalog and the protobuf contracts in proto/.`,
    channels,
    operations,
    customMessages: { [SEALED_ENVELOPE_TYPE]: SEALED_ENVELOPE_MESSAGE },
  });
}
