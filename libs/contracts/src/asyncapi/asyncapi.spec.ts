import { create, createFileRegistry, type DescField, type DescMessage, protoInt64, ScalarType, toJson } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_timestamp,
} from '@bufbuild/protobuf/wkt';
import { validateAsyncApi } from '@puente/testing';
import Ajv from 'ajv';
import fc from 'fast-check';
import { EventSchemas } from '../events';
import { allTopics, Topics } from '../topics';
import { buildAsyncApiDocument, catalogChannel } from './document';
import { messageSchemas } from './json-schema';
import { producerOf, SEALED_ENVELOPE_TYPE, serviceAsyncApiDocument } from './service-document';

/** A deterministic "random" source from one seed (fast-check shrinks the seed). */
function picker(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

function scalarValue(type: ScalarType, pick: (n: number) => number): unknown {
  switch (type) {
    case ScalarType.STRING:
      return ['', 'x', 'Ünïcode ✓'][pick(3)];
    case ScalarType.BOOL:
      return pick(2) === 1;
    case ScalarType.BYTES:
      return new Uint8Array([pick(256), pick(256)]);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return protoInt64.parse(['-9007199254740993', '0', '42'][pick(3)]);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return protoInt64.uParse(['0', '18446744073709551615'][pick(2)]);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return [-2147483648, 0, 7][pick(3)];
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return [0, 4294967295][pick(2)];
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return [0.5, -1, Number.POSITIVE_INFINITY, Number.NaN][pick(4)];
  }
}

function mapKey(type: ScalarType): string {
  if (type === ScalarType.BOOL) return 'true';
  if (type === ScalarType.STRING) return 'k';
  return '1';
}

/** An init object with every field set (one member per oneof), nested to `depth`. */
function filled(desc: DescMessage, pick: (n: number) => number, depth: number): Record<string, unknown> {
  if (desc.typeName === 'google.protobuf.Timestamp') return { seconds: protoInt64.parse(String(1_700_000_000 + pick(1000))), nanos: pick(1000) * 1000 };
  const init: Record<string, unknown> = {};
  const value = (field: DescField): unknown => {
    switch (field.fieldKind) {
      case 'scalar':
        return scalarValue(field.scalar, pick);
      case 'enum':
        return field.enum.values[pick(field.enum.values.length)].number;
      case 'message':
        return depth > 0 ? filled(field.message, pick, depth - 1) : undefined;
      case 'list': {
        const one = () =>
          field.listKind === 'scalar' ? scalarValue(field.scalar, pick) : field.listKind === 'enum' ? field.enum.values[pick(field.enum.values.length)].number : filled(field.message, pick, depth - 1);
        return depth > 0 ? [one(), one()] : [];
      }
      case 'map': {
        const one = field.mapKind === 'scalar' ? scalarValue(field.scalar, pick) : field.mapKind === 'enum' ? field.enum.values[0].number : depth > 0 ? filled(field.message, pick, depth - 1) : {};
        return { [mapKey(field.mapKey)]: one };
      }
    }
  };
  for (const field of desc.fields) {
    if (field.oneof) continue;
    const v = value(field);
    if (v !== undefined) init[field.localName] = v;
  }
  for (const oneof of desc.oneofs) {
    const member = oneof.fields[pick(oneof.fields.length + 1)];
    if (!member) continue;
    const v = value(member);
    if (v !== undefined) init[oneof.localName] = { case: member.localName, value: v };
  }
  return init;
}

function validatorFor(schemas: Record<string, Record<string, unknown>>, typeName: string) {
  const ajv = new Ajv({ allErrors: true });
  ajv.addSchema({ $id: 'doc', components: { schemas } } as object);
  return ajv.compile({ $ref: `doc#/components/schemas/${typeName}` });
}

/** A file with what the Puente contracts do not use yet: oneof, map, nested message, 64-bit ints, bytes. */
function syntheticMessage(): DescMessage {
  const T = FieldDescriptorProto_Type;
  const optional = FieldDescriptorProto_Label.OPTIONAL;
  const repeated = FieldDescriptorProto_Label.REPEATED;
  const file = create(FileDescriptorProtoSchema, {
    name: 'test/v1/synthetic.proto',
    package: 'test.v1',
    syntax: 'proto3',
    dependency: ['google/protobuf/timestamp.proto'],
    enumType: [{ name: 'Colour', value: [{ name: 'COLOUR_UNSPECIFIED', number: 0 }, { name: 'COLOUR_RED', number: 1 }] }],
    messageType: [
      {
        name: 'Outer',
        field: [
          { name: 'id', number: 1, label: optional, type: T.STRING, jsonName: 'id' },
          { name: 'big', number: 2, label: optional, type: T.INT64, jsonName: 'big' },
          { name: 'blob', number: 3, label: optional, type: T.BYTES, jsonName: 'blob' },
          { name: 'inner', number: 4, label: optional, type: T.MESSAGE, typeName: '.test.v1.Outer.Inner', jsonName: 'inner' },
          { name: 'inners', number: 5, label: repeated, type: T.MESSAGE, typeName: '.test.v1.Outer.Inner', jsonName: 'inners' },
          { name: 'colours', number: 6, label: repeated, type: T.ENUM, typeName: '.test.v1.Colour', jsonName: 'colours' },
          { name: 'by_name', number: 7, label: repeated, type: T.MESSAGE, typeName: '.test.v1.Outer.ByNameEntry', jsonName: 'byName' },
          { name: 'text', number: 8, label: optional, type: T.STRING, oneofIndex: 0, jsonName: 'text' },
          { name: 'count', number: 9, label: optional, type: T.UINT32, oneofIndex: 0, jsonName: 'count' },
          { name: 'when', number: 10, label: optional, type: T.MESSAGE, typeName: '.google.protobuf.Timestamp', oneofIndex: 0, jsonName: 'when' },
          { name: 'self', number: 11, label: optional, type: T.MESSAGE, typeName: '.test.v1.Outer', jsonName: 'self' },
        ],
        oneofDecl: [{ name: 'choice' }],
        nestedType: [
          { name: 'Inner', field: [{ name: 'ratio', number: 1, label: optional, type: T.DOUBLE, jsonName: 'ratio' }] },
          {
            name: 'ByNameEntry',
            options: { mapEntry: true },
            field: [
              { name: 'key', number: 1, label: optional, type: T.STRING, jsonName: 'key' },
              { name: 'value', number: 2, label: optional, type: T.ENUM, typeName: '.test.v1.Colour', jsonName: 'value' },
            ],
          },
        ],
      },
    ],
  });
  const registry = createFileRegistry(file, (name) => (name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : undefined));
  return registry.getMessage('test.v1.Outer')!;
}

describe('JSON Schema from protobuf descriptors', () => {
  const schemas = messageSchemas(EventSchemas as readonly DescMessage[]);

  it('every registered event, filled at random, is valid against its schema in canonical JSON', () => {
    const validators = new Map((EventSchemas as readonly DescMessage[]).map((s) => [s.typeName, validatorFor(schemas, s.typeName)] as const));
    fc.assert(
      fc.property(fc.constantFrom(...(EventSchemas as readonly DescMessage[])), fc.integer({ min: 1 }), (desc, seed) => {
        const json = toJson(desc, create(desc, filled(desc, picker(seed), 3)));
        const validate = validators.get(desc.typeName)!;
        if (!validate(json)) throw new Error(`${desc.typeName}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(json)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('oneof, map, nested, repeated, enum, 64-bit and bytes fields map to their JSON forms', () => {
    const outer = syntheticMessage();
    const own = messageSchemas([outer]);
    expect(Object.keys(own)).toEqual(['test.v1.Outer', 'test.v1.Outer.Inner']);
    const props = own['test.v1.Outer'].properties as Record<string, Record<string, unknown>>;
    expect(props.big).toMatchObject({ type: 'string', pattern: '^-?[0-9]+$' });
    expect(props.blob).toMatchObject({ type: 'string', contentEncoding: 'base64' });
    expect(props.inner).toMatchObject({ $ref: '#/components/schemas/test.v1.Outer.Inner' });
    expect(props.inners).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/test.v1.Outer.Inner' } });
    expect(props.colours).toMatchObject({ type: 'array', items: { type: 'string', enum: ['COLOUR_UNSPECIFIED', 'COLOUR_RED'] } });
    expect(props.byName).toMatchObject({ type: 'object', additionalProperties: { type: 'string', enum: ['COLOUR_UNSPECIFIED', 'COLOUR_RED'] } });
    expect(props.when).toMatchObject({ type: 'string', format: 'date-time' });
    expect(props.self).toMatchObject({ $ref: '#/components/schemas/test.v1.Outer' });

    const validate = validatorFor(own, 'test.v1.Outer');
    fc.assert(
      fc.property(fc.integer({ min: 1 }), (seed) => {
        const json = toJson(outer, create(outer, filled(outer, picker(seed), 3)));
        if (!validate(json)) throw new Error(`${JSON.stringify(validate.errors)} for ${JSON.stringify(json)}`);
      }),
      { numRuns: 200 },
    );
    // Two members of one oneof can never both be set.
    expect(validate({ text: 'a', count: 1 })).toBe(false);
    expect(validate({ unknownField: 1 })).toBe(false);
  });
});

describe('AsyncAPI documents from the topic catalog', () => {
  it('every catalogued topic has a producing service', () => {
    for (const spec of Object.values(Topics)) expect([spec.name, producerOf(spec)]).toEqual([spec.name, expect.any(String)]);
  });

  it('a service document sends what the service produces and receives what its handlers take, with their dead letters', () => {
    const doc = serviceAsyncApiDocument({
      service: 'screening',
      title: 'Puente Screening',
      description: 'test',
      version: '1.0.0',
      node: 'GT',
      declared: [Topics.intakeCase, Topics.screening, Topics.receptionArrival, { name: 'puente.exchange.gt.matchkey.v1' }],
      consumed: [{ topic: Topics.intakeCase.name, types: ['puente.intake.v1.CaseOpened'] }, { topic: Topics.receptionArrival.name }],
    });
    const operations = doc.operations as Record<string, { action: string; messages: { $ref: string }[] }>;
    expect(Object.keys(operations).sort()).toEqual(
      [
        'receive_puente_intake_case_v1',
        'receive_puente_reception_arrival_v1',
        'send_puente_intake_case_v1_dlq',
        'send_puente_reception_arrival_v1_dlq',
        'send_puente_screening_screening_v1',
      ].sort(),
    );
    expect(operations.receive_puente_intake_case_v1.messages).toEqual([{ $ref: '#/channels/puente_intake_case_v1/messages/puente_intake_v1_CaseOpened' }]);
    expect(operations.receive_puente_reception_arrival_v1.messages).toHaveLength(Topics.receptionArrival.eventTypes.length);
    // An exchange topic addressed to this node with no handler is not this service's business.
    expect(JSON.stringify(doc)).not.toContain('exchange');
  });

  it('exchange topics to peers are sent, those to this node received when handled, as sealed envelopes', () => {
    const doc = serviceAsyncApiDocument({
      service: 'intake',
      title: 'Puente Intake',
      description: 'test',
      version: '1.0.0',
      node: 'GT',
      declared: [{ name: 'puente.exchange.gt.matchkey.v1', partitions: 3 }, { name: 'puente.exchange.mx.matchkey.v1', partitions: 3 }],
      consumed: [{ topic: 'puente.exchange.gt.matchkey.v1' }],
    });
    expect(Object.keys(doc.operations).sort()).toEqual(['receive_puente_exchange_gt_matchkey_v1', 'send_puente_exchange_mx_matchkey_v1']);
    const messages = (doc.components as { messages: Record<string, { contentType: string }> }).messages;
    expect(Object.keys(messages)).toEqual([SEALED_ENVELOPE_TYPE.replace(/\./g, '_')]);
    expect(messages[SEALED_ENVELOPE_TYPE.replace(/\./g, '_')].contentType).toBe('application/jose');
  });

  it('the document of a service declaring and handling every catalogued topic, and sending to a peer, is valid for the AsyncAPI parser', async () => {
    for (const service of ['intake', 'screening', 'referral-routing', 'reception', 'reintegration']) {
      const doc = serviceAsyncApiDocument({
        service,
        title: `Puente ${service}`,
        description: 'generated in a test',
        version: '1.0.0',
        node: 'GT',
        declared: [...Object.values(Topics), { name: 'puente.exchange.gt.receipt.v1', partitions: 3 }, { name: 'puente.exchange.mx.matchkey.v1', partitions: 3 }],
        consumed: [...Object.values(Topics).map((t) => ({ topic: t.name })), { topic: 'puente.exchange.gt.receipt.v1' }],
      });
      expect([service, await validateAsyncApi(doc)]).toEqual([service, []]);
    }
  }, 60_000);

  it('a channel naming an event nobody describes is refused, not documented empty', () => {
    expect(() =>
      buildAsyncApiDocument({
        title: 't',
        version: '1',
        description: 'd',
        channels: [{ ...catalogChannel(allTopics()[0]), eventTypes: ['puente.nowhere.v1.Nothing'] }],
        operations: [],
      }),
    ).toThrow(/puente.nowhere.v1.Nothing/);
  });
});
