import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { decodeEvent, fromTimestamp, type PuenteEvent } from '@puente/contracts';
import type { ConsumedEvent } from './consumed-event';
import { NonRetryableError } from './retry-policy';

/*
 * Reading another service's event fields in a consumer. A field that breaks the contract makes the
 * event a poison event (NonRetryableError: dead-lettered at once, since retrying cannot fix it).
 * The messages name the field only, never its value (it may be personal data).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Decodes an event's payload; undecodable bytes are a poison event. */
export function decodeOrPoison(event: ConsumedEvent): PuenteEvent {
  try {
    return decodeEvent(event.type, event.payload);
  } catch (error) {
    throw new NonRetryableError(`cannot decode ${event.type}: ${(error as Error).message}`, { cause: error });
  }
}

/** A UUID field, lower case (as PostgreSQL prints it); a poison event otherwise. */
export function requireUuid(value: string, field: string): string {
  if (!UUID.test(value)) throw new NonRetryableError(`${field} is not a UUID`);
  return value.toLowerCase();
}

/** A Timestamp as a Date PostgreSQL accepts (null when unset); a poison event when out of range. */
export function dateOf(ts: Timestamp | undefined, field: string): Date | null {
  if (!ts) return null;
  const date = fromTimestamp(ts);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 9999) throw new NonRetryableError(`${field} is out of range`);
  return date;
}

/** The field's time, or when unset the event's own (its CloudEvents time, else now). */
export function timeOf(ts: Timestamp | undefined, field: string, fallback: string): Date {
  const date = dateOf(ts, field);
  if (date) return date;
  const parsed = new Date(fallback);
  return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
}
