import fc from 'fast-check';
import {
  AUDIT_HASHED_FIELDS,
  AUDIT_RECORD_FIELDS,
  auditRecordHash,
  auditRecordLine,
  canonicalAuditJson,
  CanonicalEncodingError,
  GENESIS_HASH,
  type UnhashedAuditRecord,
} from './canonical';

/** The test vector published in README.md for integrators. */
const VECTOR: UnhashedAuditRecord = {
  seq: '1',
  id: '0b5e2c8e-3f7a-4c1e-9d2b-6a1f0e4d3c21',
  occurred_at: '2025-01-31T09:05:00.120Z',
  service: 'intake',
  node: 'GT',
  actor_subject: 'svc-7',
  actor_client_id: 'client-7',
  actor_partner_id: 'unhcr-gt',
  action: 'person.read',
  object_type: 'person',
  object_id: '5f0c1d2e-8a9b-4c7d-b6e5-f4a3b2c1d0e9',
  purpose: 'case-management',
  outcome: 'success',
  request_id: 'req-1',
  traceparent: null,
  prev_hash: GENESIS_HASH,
};

const VECTOR_CANONICAL =
  '{"action":"person.read","actor_client_id":"client-7","actor_partner_id":"unhcr-gt","actor_subject":"svc-7",' +
  '"id":"0b5e2c8e-3f7a-4c1e-9d2b-6a1f0e4d3c21","node":"GT","object_id":"5f0c1d2e-8a9b-4c7d-b6e5-f4a3b2c1d0e9",' +
  '"object_type":"person","occurred_at":"2025-01-31T09:05:00.120Z","outcome":"success",' +
  '"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","purpose":"case-management",' +
  '"request_id":"req-1","seq":"1","service":"intake","traceparent":null}';

describe('canonical encoding', () => {
  it('is sorted-key compact JSON of the hashed fields (published test vector)', () => {
    expect(canonicalAuditJson(VECTOR)).toBe(VECTOR_CANONICAL);
    // sha256sum of the string above, computed outside Node
    expect(auditRecordHash(VECTOR)).toBe('610462d0d88665c06ff0ee2b60d3c1dbc43acdad3c1c11947cab7cbcf37cbca5');
  });

  it('lists the fields in code-point order, and the export line adds only hash', () => {
    expect([...AUDIT_HASHED_FIELDS]).toEqual([...AUDIT_HASHED_FIELDS].sort());
    expect([...AUDIT_RECORD_FIELDS]).toEqual([...AUDIT_HASHED_FIELDS, 'hash'].sort());
  });

  it('does not depend on the property order of the input, and ignores extra properties', () => {
    const reversed = Object.fromEntries(Object.entries(VECTOR).reverse()) as unknown as UnhashedAuditRecord;
    expect(canonicalAuditJson(reversed)).toBe(VECTOR_CANONICAL);
    expect(canonicalAuditJson({ ...VECTOR, hash: 'x' } as UnhashedAuditRecord)).toBe(VECTOR_CANONICAL);
  });

  it('rejects values that are neither strings nor null (no silent coercion)', () => {
    expect(() => canonicalAuditJson({ ...VECTOR, seq: 1 as unknown as string })).toThrow(CanonicalEncodingError);
    expect(() => canonicalAuditJson({ ...VECTOR, traceparent: undefined as unknown as null })).toThrow(CanonicalEncodingError);
  });

  it('changes the hash when any single field changes', () => {
    const base = auditRecordHash(VECTOR);
    for (const field of AUDIT_HASHED_FIELDS) {
      const current = VECTOR[field];
      const changed = { ...VECTOR, [field]: current === null ? 'x' : `${current}x` };
      expect(auditRecordHash(changed)).not.toBe(base);
    }
  });

  it('round-trips any string values through the export line (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: null }), (action, objectId) => {
        const record = { ...VECTOR, action, object_id: objectId };
        const line = auditRecordLine({ ...record, hash: auditRecordHash(record) });
        const parsed = JSON.parse(line) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual([...AUDIT_RECORD_FIELDS]);
        const { hash, ...rest } = parsed;
        expect(auditRecordHash(rest as unknown as UnhashedAuditRecord)).toBe(hash);
      }),
    );
  });
});
