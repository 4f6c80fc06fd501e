import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { encodeEvent, PersonErasedSchema } from '@puente/contracts';
import fc from 'fast-check';
import type { ConsumedEvent } from './consumed-event';
import { dateOf, decodeOrPoison, requireUuid, timeOf } from './event-fields';
import { NonRetryableError } from './retry-policy';

function consumed(type: string, payload: Uint8Array): ConsumedEvent {
  return { id: 'e1', type, source: 'test', time: '2026-01-02T03:04:05.000Z', key: null, topic: 't', partition: 0, offset: '0', producedAt: 0, payload: Buffer.from(payload), headers: {} };
}

describe('event fields', () => {
  it('accepts any UUID in either case and returns it lower case', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (uuid, upper) => {
        expect(requireUuid(upper ? uuid.toUpperCase() : uuid, 'case_id')).toBe(uuid.toLowerCase());
      }),
    );
  });

  it('makes anything else a poison event that names the field, not the value', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)),
        (value) => {
          expect(() => requireUuid(value, 'person_id')).toThrow(new NonRetryableError('person_id is not a UUID'));
        },
      ),
    );
  });

  it('reads a timestamp PostgreSQL accepts, null when unset, poison when out of range', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        expect(dateOf(timestampFromDate(date), 'opened_at')?.toISOString()).toBe(date.toISOString());
      }),
    );
    expect(dateOf(undefined, 'opened_at')).toBeNull();
    expect(() => dateOf(timestampFromDate(new Date('1899-12-31T23:59:59Z')), 'opened_at')).toThrow(new NonRetryableError('opened_at is out of range'));
    expect(() => dateOf(timestampFromDate(new Date('+010000-01-01T00:00:00Z')), 'opened_at')).toThrow(NonRetryableError);
  });

  it("falls back to the event's own time, else now", () => {
    const at = new Date('2026-05-06T07:08:09.000Z');
    expect(timeOf(timestampFromDate(at), 'erased_at', 'not a time').toISOString()).toBe(at.toISOString());
    expect(timeOf(undefined, 'erased_at', '2026-01-02T03:04:05.000Z').toISOString()).toBe('2026-01-02T03:04:05.000Z');
    const before = Date.now();
    const now = timeOf(undefined, 'erased_at', 'not a time').getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('decodes a payload, and makes undecodable bytes a poison event', () => {
    const personId = '0b7e4f1c-3a2d-4c5e-8f9a-1b2c3d4e5f60';
    const bytes = encodeEvent(PersonErasedSchema, { personId });
    const message = decodeOrPoison(consumed('puente.intake.v1.PersonErased', bytes));
    expect(message.$typeName).toBe('puente.intake.v1.PersonErased');
    expect(() => decodeOrPoison(consumed('puente.intake.v1.PersonErased', Uint8Array.of(0xff, 0xff, 0xff)))).toThrow(NonRetryableError);
    expect(() => decodeOrPoison(consumed('puente.nope.v1.Nothing', bytes))).toThrow(NonRetryableError);
  });
});
