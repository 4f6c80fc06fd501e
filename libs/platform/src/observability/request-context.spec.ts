import fc from 'fast-check';
import { continueTrace, formatTraceparent, parseTraceparent, sanitizeRequestId } from './request-context';

describe('traceparent', () => {
  it('parses valid headers and rejects invalid ones', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      version: '00',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '01',
    });
    for (const bad of [
      undefined,
      '',
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    // future versions may append fields
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x')).toBeDefined();
  });

  it('continues any valid trace with a fresh span id', () => {
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
    fc.assert(
      fc.property(hex(32), hex(16), fc.constantFrom('00', '01'), (traceId, parent, flags) => {
        fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(parent));
        const t = continueTrace(formatTraceparent(traceId, parent, flags));
        expect(t.traceId).toBe(traceId);
        expect(t.parentSpanId).toBe(parent);
        expect(t.traceparent).toBe(`00-${traceId}-${t.spanId}-${flags}`);
        expect(parseTraceparent(t.traceparent)).toBeDefined();
      }),
    );
  });

  it('starts a sampled trace when none is given', () => {
    const t = continueTrace(undefined);
    expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(t.parentSpanId).toBeUndefined();
  });
});

describe('sanitizeRequestId', () => {
  it('accepts short plain ids and rejects anything else', () => {
    expect(sanitizeRequestId('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    expect(sanitizeRequestId(['first', 'second'])).toBe('first');
    expect(sanitizeRequestId('a'.repeat(129))).toBeUndefined();
    expect(sanitizeRequestId('has space')).toBeUndefined();
    expect(sanitizeRequestId('new\nline')).toBeUndefined();
    expect(sanitizeRequestId(undefined)).toBeUndefined();
  });
});
