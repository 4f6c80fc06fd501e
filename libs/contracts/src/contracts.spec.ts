import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create, equals, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import {
  AgeBand,
  allTopics,
  CaseClosedSchema,
  CaseCloseReason,
  CaseOpenedSchema,
  CaseStatus,
  CaseStatusChangedSchema,
  decodeEvent,
  dlqTopic,
  encodeEvent,
  EventDecodeError,
  EventSchemas,
  eventTypes,
  fromTimestamp,
  isKnownEventType,
  partnerTopic,
  Priority,
  Sex,
  topicForEventType,
  Topics,
  toTimestamp,
  UnknownEventTypeError,
  VulnerabilityFlag,
  type CaseOpened,
  type TopicSpec,
} from './index';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROTO_CLI = path.join(ROOT, 'tools', 'proto.mjs');
const CLI_TIMEOUT = 60_000;

function runProtoCli(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PROTO_CLI, ...args], { cwd: ROOT, timeout: CLI_TIMEOUT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function withProtoCopy<T>(fn: (protoDir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'puente-proto-spec-'));
  const protoDir = path.join(dir, 'proto');
  cpSync(path.join(ROOT, 'proto'), protoDir, { recursive: true });
  return fn(protoDir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('proto toolchain (buf, spawned)', () => {
  it('buf lint (STANDARD) and buf format pass', async () => {
    const { code, output } = await runProtoCli('lint');
    expect(output).toContain('ok');
    expect(code).toBe(0);
  }, CLI_TIMEOUT);

  it('committed generated code is up to date with proto/', async () => {
    const { code, output } = await runProtoCli('check');
    if (code !== 0) throw new Error(`stale generated code, run: node tools/proto.mjs generate\n${output}`);
    expect(code).toBe(0);
  }, CLI_TIMEOUT);

  it('check detects a field added to a proto and names the stale file', async () => {
    await withProtoCopy(async (protoDir) => {
      const file = path.join(protoDir, 'puente/intake/v1/case_events.proto');
      const src = readFileSync(file, 'utf8');
      const edited = src.replace(
        '  repeated VulnerabilityFlag vulnerability_flags = 11;\n',
        '  repeated VulnerabilityFlag vulnerability_flags = 11;\n  // test-only field\n  string extra_field = 12;\n',
      );
      expect(edited).not.toBe(src);
      writeFileSync(file, edited);
      const { code, output } = await runProtoCli('check', '--proto', protoDir);
      expect(code).toBe(1);
      expect(output).toMatch(/changed\s+libs\/contracts\/src\/gen\/puente\/intake\/v1\/case_events_pb\.ts/);
      expect(output).not.toContain('envelope_pb.ts');
    });
  }, CLI_TIMEOUT);

  it('check detects a new proto file whose code was never generated', async () => {
    await withProtoCopy(async (protoDir) => {
      const file = path.join(protoDir, 'puente/intake/v1/extra.proto');
      writeFileSync(file, 'syntax = "proto3";\n\npackage puente.intake.v1;\n\nmessage ExtraThing {\n  string id = 1;\n}\n');
      const { code, output } = await runProtoCli('check', '--proto', protoDir);
      expect(code).toBe(1);
      expect(output).toMatch(/missing\s+libs\/contracts\/src\/gen\/puente\/intake\/v1\/extra_pb\.ts/);
    });
  }, CLI_TIMEOUT);

  it('breaking passes an unchanged copy and names a removed field and a renumbered one (buf FILE rules)', async () => {
    await withProtoCopy(async (protoDir) => {
      const same = await runProtoCli('breaking', '--proto', protoDir, '--against', 'proto');
      expect(same.output).toContain('no breaking changes');
      expect(same.code).toBe(0);
      const file = path.join(protoDir, 'puente/intake/v1/case_events.proto');
      const src = readFileSync(file, 'utf8');
      const edited = src.replace('  repeated VulnerabilityFlag vulnerability_flags = 11;\n', '');
      expect(edited).not.toBe(src);
      writeFileSync(file, edited);
      const broken = await runProtoCli('breaking', '--proto', protoDir, '--against', 'proto');
      expect(broken.code).toBe(1);
      expect(broken.output).toMatch(/Previously present field "11" with name "vulnerability_flags" on message "CaseOpened" was deleted/);
    });
  }, CLI_TIMEOUT);

  it('lint rejects an enum without an _UNSPECIFIED zero value', async () => {
    await withProtoCopy(async (protoDir) => {
      const file = path.join(protoDir, 'puente/intake/v1/extra.proto');
      writeFileSync(file, 'syntax = "proto3";\n\npackage puente.intake.v1;\n\nenum Colour {\n  COLOUR_RED = 0;\n}\n');
      const { code, output } = await runProtoCli('lint', '--proto', protoDir);
      expect(code).toBe(1);
      expect(output).toMatch(/COLOUR_RED.*_UNSPECIFIED/);
    });
  }, CLI_TIMEOUT);
});

// ---- event registry ----------------------------------------------------------------------

const MIN_SECONDS = -62_135_596_800n; // 0001-01-01T00:00:00Z, the Timestamp range
const MAX_SECONDS = 253_402_300_799n; // 9999-12-31T23:59:59Z
const timestampArb = fc.record({
  seconds: fc.bigInt({ min: MIN_SECONDS, max: MAX_SECONDS }),
  nanos: fc.integer({ min: 0, max: 999_999_999 }),
});
const alpha2 = fc.stringMatching(/^[A-Z]{2}$/);
/** Enum values, including ones this code does not know (proto3 enums are open). */
const enumArb = (known: readonly number[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 1000 }) });
const numericValues = (e: object) => Object.values(e).filter((v): v is number => typeof v === 'number');
const text = fc.string({ unit: 'binary', maxLength: 40 });

const caseOpenedArb = fc
  .record(
    {
      caseId: fc.uuid(),
      reference: fc.oneof(fc.stringMatching(/^[A-Z]{2}-20\d{2}-\d{6}$/), text),
      siteCode: fc.oneof(fc.stringMatching(/^[A-Z]{2}-MRC-\d{2}$/), text),
      custodyNode: alpha2,
      openedAt: fc.option(timestampArb, { nil: undefined }),
      priority: enumArb(numericValues(Priority)),
      household: fc.boolean(),
      ageBand: enumArb(numericValues(AgeBand)),
      sex: enumArb(numericValues(Sex)),
      nationality: alpha2,
      vulnerabilityFlags: fc.array(enumArb(numericValues(VulnerabilityFlag)), { maxLength: 12 }),
    },
    { requiredKeys: ['caseId'] },
  )
  .map((init) => create(CaseOpenedSchema, init));

describe('event registry', () => {
  it('round-trips random CaseOpened messages through protobuf binary', () => {
    fc.assert(
      fc.property(caseOpenedArb, (msg: CaseOpened) => {
        const bytes = encodeEvent(CaseOpenedSchema, msg);
        const decoded = decodeEvent('puente.intake.v1.CaseOpened', bytes);
        expect(decoded.$typeName).toBe('puente.intake.v1.CaseOpened');
        return equals(CaseOpenedSchema, decoded, msg);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes init objects and decodes every registered event type', () => {
    const now = new Date('2026-03-14T15:09:26.535Z');
    const cases: Array<[DescMessage, Record<string, unknown>]> = [
      [
        CaseOpenedSchema,
        {
          caseId: '3f1c2a9e-5b7d-4c1e-9a0f-2d6b8e4c7a11',
          reference: 'GT-2026-000123',
          siteCode: 'GT-MRC-01',
          custodyNode: 'GT',
          openedAt: toTimestamp(now),
          priority: Priority.URGENT,
          household: true,
          ageBand: AgeBand.AGED_12_TO_17,
          sex: Sex.FEMALE,
          nationality: 'HN',
          vulnerabilityFlags: [VulnerabilityFlag.UNACCOMPANIED_CHILD, VulnerabilityFlag.FEAR_OF_RETURN],
        },
      ],
      [
        CaseStatusChangedSchema,
        {
          caseId: '3f1c2a9e-5b7d-4c1e-9a0f-2d6b8e4c7a11',
          fromStatus: CaseStatus.OPEN,
          toStatus: CaseStatus.IN_SCREENING,
          changedAt: toTimestamp(now),
          actor: { clientId: 'mrc-gt-frontend', partnerId: '', node: 'GT' },
        },
      ],
      [
        CaseClosedSchema,
        {
          caseId: '3f1c2a9e-5b7d-4c1e-9a0f-2d6b8e4c7a11',
          closedAt: toTimestamp(now),
          reason: CaseCloseReason.TRANSFERRED_OUT,
        },
      ],
    ];
    for (const [schema, init] of cases) {
      const decoded = decodeEvent(schema.typeName, encodeEvent(schema, init));
      expect(decoded.$typeName).toBe(schema.typeName);
      expect(equals(schema, decoded, create(schema, init))).toBe(true);
    }
    const opened = decodeEvent('puente.intake.v1.CaseOpened', encodeEvent(CaseOpenedSchema, cases[0][1]));
    expect(opened.openedAt && fromTimestamp(opened.openedAt).toISOString()).toBe(now.toISOString());
  });

  it('throws UnknownEventTypeError for unknown ce_type values', () => {
    expect(isKnownEventType('puente.intake.v1.CaseOpened')).toBe(true);
    expect(isKnownEventType('puente.intake.v1.Nope')).toBe(false);
    expect(() => decodeEvent('puente.intake.v1.Nope', new Uint8Array())).toThrow(UnknownEventTypeError);
    let caught: unknown;
    try {
      decodeEvent('com.example.Other', new Uint8Array());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnknownEventTypeError);
    expect(caught).toMatchObject({ ceType: 'com.example.Other', code: 'UNKNOWN_EVENT_TYPE' });
  });

  it('throws EventDecodeError for malformed payloads', () => {
    // field 1, wire type 2 (length-delimited) claiming 100 bytes that are not there
    expect(() => decodeEvent('puente.intake.v1.CaseOpened', new Uint8Array([0x0a, 100, 1]))).toThrow(EventDecodeError);
  });

  it('event messages carry no personal-data fields', () => {
    const pii = /name|birth|dob|document|passport|phone|email|address|contact|note|comment|text|photo|biometric/i;
    for (const schema of EventSchemas) {
      for (const field of schema.fields) expect(`${schema.typeName}.${field.name}`).not.toMatch(pii);
    }
  });
});

// ---- topic catalog -----------------------------------------------------------------------

describe('topic catalog', () => {
  const topics: TopicSpec[] = allTopics();
  const base = topics.filter((t) => !t.deadLetterOf);
  const dlqs = topics.filter((t) => t.deadLetterOf);

  it('has the intake case topic keyed by caseId', () => {
    expect(Topics.intakeCase).toMatchObject({ name: 'puente.intake.case.v1', partitions: 6, key: 'caseId' });
  });

  it('names follow puente.<context>.<aggregate>.v<n> and partitions are >= 1', () => {
    for (const t of base) {
      expect(t.name).toMatch(/^puente\.[a-z-]+\.[a-z-]+\.v\d+$/);
      expect(Number.isInteger(t.partitions) && t.partitions >= 1).toBe(true);
      expect(t.eventTypes.length).toBeGreaterThan(0);
    }
    expect(new Set(topics.map((t) => t.name)).size).toBe(topics.length);
  });

  it('every event type resolves in the registry, and every registered event has exactly one topic', () => {
    for (const t of topics) for (const type of t.eventTypes) expect(isKnownEventType(type)).toBe(true);
    for (const type of eventTypes()) {
      expect(base.filter((t) => t.eventTypes.includes(type))).toHaveLength(1);
      expect(topicForEventType(type)).toBeDefined();
    }
  });

  it('every topic has a DLQ named <topic>.dlq with the same partitions', () => {
    expect(dlqs).toHaveLength(base.length);
    for (const t of base) {
      const dlq = dlqs.find((d) => d.deadLetterOf === t.name);
      expect(dlq).toMatchObject({ name: dlqTopic(t.name), partitions: t.partitions, key: t.key });
      expect(dlq?.name.endsWith('.dlq')).toBe(true);
    }
  });

  it('builds partner topics and rejects unsafe partner ids', () => {
    expect(partnerTopic('comar-mx')).toBe('puente.partner.comar-mx.v1');
    expect(() => partnerTopic('../etc')).toThrow();
    expect(() => partnerTopic('UNHCR')).toThrow();
  });
});
