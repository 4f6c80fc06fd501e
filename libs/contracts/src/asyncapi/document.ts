// AsyncAPI 3.0 documents generated from the topic catalog and the protobuf descriptors: nothing
// here is written per event, so a new topic or event type shows up in every document that
// names its topic as soon as it is in the catalog and the event registry.
import type { DescMessage } from '@bufbuild/protobuf';
import { CLOUDEVENTS_SPEC_VERSION, EventSchemas, PROTOBUF_CONTENT_TYPE } from '../events';
import { dlqTopic, isDlqTopic, type TopicSpec, Topics } from '../topics';
import { type JsonSchema, messageSchemas, SCHEMA_REF_BASE, schemaRef } from './json-schema';

export const ASYNCAPI_VERSION = '3.0.0';
const KAFKA_BINDING_VERSION = '0.5.0';

/** A message whose payload is not a catalogued protobuf event (sealed envelopes, partner JSON). */
export interface CustomMessageSpec {
  readonly contentType: string;
  readonly summary: string;
  readonly payload: JsonSchema;
  /** Protobuf messages the payload refers to (listed in components.schemas). */
  readonly refers?: readonly DescMessage[];
}

export interface ChannelSpec {
  /** Channel id in the document (letters, digits, `.`, `-`, `_`). */
  readonly id: string;
  /** Kafka topic name, or an address with `{parameters}`. */
  readonly address: string;
  readonly description: string;
  readonly partitions?: number;
  /** The record key attribute (`caseId`, …). */
  readonly key?: string;
  /** ce_type values the channel carries. */
  readonly eventTypes: readonly string[];
  readonly parameters?: Readonly<Record<string, { description: string; enum?: readonly string[]; examples?: readonly string[] }>>;
  /** `x-…` fields of the channel (values may `$ref` component schemas). */
  readonly extensions?: Readonly<Record<`x-${string}`, unknown>>;
}

export interface OperationSpec {
  /** Channel id. */
  readonly channel: string;
  readonly action: 'send' | 'receive';
  /** The ce_types this side sends or handles; default: every type of the channel. */
  readonly eventTypes?: readonly string[];
  readonly summary?: string;
}

export interface AsyncApiSpec {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly channels: readonly ChannelSpec[];
  readonly operations: readonly OperationSpec[];
  /** Messages outside the protobuf event registry, by ce_type. */
  readonly customMessages?: Readonly<Record<string, CustomMessageSpec>>;
  /** Extra protobuf messages that may appear on a channel (not in the event registry). */
  readonly extraEvents?: readonly DescMessage[];
  /** Protobuf messages the document refers to outside messages (listed in components.schemas). */
  readonly extraSchemas?: readonly DescMessage[];
}

export type AsyncApiDocument = Record<string, unknown> & { asyncapi: string; channels: Record<string, unknown>; operations: Record<string, unknown> };

export class UndescribedEventError extends Error {
  constructor(readonly ceType: string, readonly channel: string) {
    super(`channel ${channel} carries ${ceType}, which is neither a registered protobuf event nor a custom message`);
    this.name = 'UndescribedEventError';
  }
}

/** CloudEvents Kafka binding (binary mode) headers of one event type. */
export function cloudEventHeaders(ceType: string, contentType: string): JsonSchema {
  return {
    type: 'object',
    description: 'CloudEvents 1.0 Kafka protocol binding, binary content mode: the event attributes travel as record headers',
    required: ['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'content-type'],
    properties: {
      ce_id: { type: 'string', description: 'Event id (UUID); consumers deduplicate on it (inbox)' },
      ce_type: { type: 'string', const: ceType, description: 'Protobuf full name of the payload' },
      ce_source: { type: 'string', description: 'Producing node and service, e.g. /puente/gt/intake' },
      ce_time: { type: 'string', format: 'date-time' },
      ce_specversion: { type: 'string', const: CLOUDEVENTS_SPEC_VERSION },
      ce_subject: { type: 'string', description: 'The aggregate id, also the record key' },
      'content-type': { type: 'string', const: contentType },
      traceparent: { type: 'string', description: 'W3C trace context: version-traceid-parentid-flags in lowercase hex (parsed by libs/platform only)' },
    },
    additionalProperties: { type: 'string', description: 'Other headers (dead letters carry the failure here); never personal data' },
  };
}

const registry: ReadonlyMap<string, DescMessage> = new Map(EventSchemas.map((s) => [s.typeName, s as DescMessage] as const));

/** Ids of channels, operations and messages admit letters, digits, `_` and `-` only. */
function documentId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Message id in the document: the ce_type with dots as underscores. */
function messageId(ceType: string): string {
  return documentId(ceType);
}

function channelMessages(channel: ChannelSpec): Record<string, unknown> {
  return Object.fromEntries(channel.eventTypes.map((t) => [messageId(t), { $ref: `#/components/messages/${messageId(t)}` }]));
}

export function buildAsyncApiDocument(spec: AsyncApiSpec): AsyncApiDocument {
  const extra = new Map((spec.extraEvents ?? []).map((d) => [d.typeName, d] as const));
  const channelsById = new Map(spec.channels.map((c) => [c.id, c] as const));
  const messages: Record<string, unknown> = {};
  const roots: DescMessage[] = [...(spec.extraSchemas ?? [])];
  for (const channel of spec.channels) {
    for (const ceType of channel.eventTypes) {
      if (messages[messageId(ceType)]) continue;
      const desc = registry.get(ceType) ?? extra.get(ceType);
      const custom = spec.customMessages?.[ceType];
      if (desc) {
        roots.push(desc);
        messages[messageId(ceType)] = {
          name: desc.name,
          title: desc.name,
          summary: `${desc.typeName} (protobuf binary; the schema is its canonical JSON mapping)`,
          contentType: PROTOBUF_CONTENT_TYPE,
          headers: cloudEventHeaders(ceType, PROTOBUF_CONTENT_TYPE),
          payload: schemaRef(desc.typeName),
          'x-protobuf-message': desc.typeName,
        };
      } else if (custom) {
        roots.push(...(custom.refers ?? []));
        messages[messageId(ceType)] = {
          name: ceType.split('.').pop(),
          summary: custom.summary,
          contentType: custom.contentType,
          headers: cloudEventHeaders(ceType, custom.contentType),
          payload: custom.payload,
        };
      } else {
        throw new UndescribedEventError(ceType, channel.id);
      }
    }
  }

  const channels: Record<string, unknown> = {};
  for (const channel of spec.channels) {
    channels[channel.id] = {
      address: channel.address,
      description: channel.description,
      messages: channelMessages(channel),
      ...(channel.parameters && {
        parameters: Object.fromEntries(
          Object.entries(channel.parameters).map(([name, p]) => [name, { description: p.description, ...(p.enum && { enum: [...p.enum] }), ...(p.examples && { examples: [...p.examples] }) }]),
        ),
      }),
      bindings: {
        kafka: {
          ...(channel.parameters ? {} : { topic: channel.address }),
          ...(channel.partitions !== undefined && { partitions: channel.partitions }),
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
      ...(channel.key && { 'x-record-key': channel.key }),
      ...channel.extensions,
    };
  }

  const operations: Record<string, unknown> = {};
  for (const op of spec.operations) {
    const channel = channelsById.get(op.channel);
    if (!channel) throw new Error(`operation on unknown channel ${op.channel}`);
    const types = op.eventTypes ?? channel.eventTypes;
    const unknown = types.filter((t) => !channel.eventTypes.includes(t));
    if (unknown.length > 0) throw new Error(`operation ${op.action} on ${op.channel} names types the channel does not carry: ${unknown.join(', ')}`);
    operations[documentId(`${op.action}_${op.channel}`)] = {
      action: op.action,
      channel: { $ref: `#/channels/${op.channel}` },
      ...(op.summary && { summary: op.summary }),
      messages: types.map((t) => ({ $ref: `#/channels/${op.channel}/messages/${messageId(t)}` })),
    };
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: { title: spec.title, version: spec.version, description: spec.description },
    defaultContentType: PROTOBUF_CONTENT_TYPE,
    channels,
    operations,
    components: { messages, schemas: messageSchemas(roots) },
  };
}

/** The document's channel id of a catalogued topic or its dead letters. */
export function channelId(topic: string): string {
  return documentId(topic);
}

/** A catalogued topic as a channel. */
export function catalogChannel(spec: TopicSpec): ChannelSpec {
  return { id: channelId(spec.name), address: spec.name, description: spec.description, partitions: spec.partitions, key: spec.key, eventTypes: spec.eventTypes };
}

/** The dead-letter topic of a catalogued topic as a channel: the same messages, the failure in headers. */
export function deadLetterChannel(spec: TopicSpec): ChannelSpec {
  return {
    id: channelId(dlqTopic(spec.name)),
    address: dlqTopic(spec.name),
    description: `Dead letters of ${spec.name}: events whose handling failed after retries, unchanged, with the failure in headers (never a database message or personal data). \`npm run dlq\` lists and replays them.`,
    partitions: spec.partitions,
    key: spec.key,
    eventTypes: spec.eventTypes,
  };
}

/** The catalogued topic named `name` (not a dead-letter topic), if any. */
export function catalogTopic(name: string): TopicSpec | undefined {
  if (isDlqTopic(name)) return undefined;
  return (Object.values(Topics) as TopicSpec[]).find((t) => t.name === name);
}

export { SCHEMA_REF_BASE };
