import fc from 'fast-check';
import { childTraceparent, fromHeaders, InvalidCloudEventError, isTraceparent, toHeaders } from './cloudevents';

describe('CloudEvents Kafka binding', () => {
  const attrs = fc.record({
    id: fc.uuid(),
    type: fc.stringMatching(/^[a-z]+(\.[a-z0-9]+){2,4}$/),
    source: fc.webPath().map((p) => `/puente${p}`),
    time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    subject: fc.option(fc.uuid(), { nil: undefined }),
  });

  it('round-trips attributes through headers', () => {
    fc.assert(
      fc.property(attrs, (a) => {
        const back = fromHeaders(Object.fromEntries(Object.entries(toHeaders(a)).map(([k, v]) => [k, Buffer.from(v)])));
        expect(back).toMatchObject({ ...a, contentType: 'application/protobuf' });
      }),
    );
  });

  it('rejects headers without required attributes, naming them', () => {
    expect(() => fromHeaders({ ce_type: 'x' })).toThrow(InvalidCloudEventError);
    expect(() => fromHeaders({ ce_type: 'x' })).toThrow(/ce_id.*ce_source.*ce_specversion/);
    expect(() => fromHeaders({ ce_id: '1', ce_type: 'x', ce_source: '/s', ce_specversion: '0.3' })).toThrow(/ce_specversion/);
  });

  it('continues a valid trace and starts a new one otherwise', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[0-9a-f]{16}$/), (trace, span) => {
        fc.pre(!/^0+$/.test(trace) && !/^0+$/.test(span));
        const parent = `00-${trace}-${span}-01`;
        const child = childTraceparent(parent);
        expect(isTraceparent(child)).toBe(true);
        expect(child.slice(3, 35)).toBe(trace);
      }),
    );
    for (const bad of [undefined, '', 'garbage', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`]) {
      expect(isTraceparent(childTraceparent(bad))).toBe(true);
    }
  });
});
