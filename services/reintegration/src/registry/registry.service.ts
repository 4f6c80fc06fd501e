import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What reintegration knows of a person from intake's events (minimized attributes only). */
export interface PersonRecord {
  personId: string;
  /** Intake's age band (`aged_0_to_4`, `aged_5_to_11`, `aged_12_to_17`, `aged_18_to_59`, `aged_60_plus`, `unknown`), null until registered. */
  ageBand: string | null;
  /** `female`, `male`, `other`, `undisclosed`; null until registered. */
  sex: string | null;
  erasedAt: Date | null;
  /** ISO 3166-1 alpha-2 nationality, null when unknown or stateless. */
  nationality: string | null;
  /** Intake's vulnerability flags, lower-case codes (`fear_of_return`, `asylum_claim`, …). */
  vulnerabilityFlags: string[];
}

/** Why an action for a person on a case is not allowed now. */
export type ConsentGap = 'person-erased' | 'no-consent' | 'consent-withdrawn' | 'consent-not-yet-valid' | 'consent-expired';

/** Age bands intake calls minors (school re-enrollment is for them). */
export const MINOR_AGE_BANDS: readonly string[] = ['aged_0_to_4', 'aged_5_to_11', 'aged_12_to_17'];

/** A change of intake's about a person on a case that features react to, in the consumer's transaction. */
export interface PersonEnded {
  personId: string;
  caseId: string;
  at: Date;
  traceparent?: string;
}
export type PersonEndedHandler = (tx: EntityManager, event: PersonEnded) => Promise<void>;

/** Intake found a person's match keys again (a registration at an MRC here, or at another node). */
export interface PersonSeenAgain {
  /** Intake's person ids at this node that may be the same person (the new record, the earlier one). */
  personIds: string[];
  /** Where the person was registered again. */
  seenAtNode: string;
  duplicateId: string;
  at: Date;
  traceparent?: string;
}

/**
 * Reads the local consent/person read model, and lets features react to erasures and to the end
 * of a person's last reintegration_support consent: a feature registers its handler once (in its
 * constructor or onModuleInit) and the registry's consumer calls it in the same transaction as its
 * own writes, so the inbox makes the reaction exactly-once.
 */
@Injectable()
export class PersonRegistry {
  private readonly erasureHandlers: PersonEndedHandler[] = [];
  private readonly consentEndedHandlers: PersonEndedHandler[] = [];
  private readonly consentRecordedHandlers: PersonEndedHandler[] = [];
  private readonly seenAgainHandlers: ((tx: EntityManager, event: PersonSeenAgain) => Promise<void>)[] = [];

  /** Called for each PossibleDuplicateFound of intake's (re-migration). */
  onPersonSeenAgain(handler: (tx: EntityManager, event: PersonSeenAgain) => Promise<void>): void {
    this.seenAgainHandlers.push(handler);
  }

  /** @internal the registry's consumer. */
  async personSeenAgain(tx: EntityManager, event: PersonSeenAgain): Promise<void> {
    for (const handler of this.seenAgainHandlers) await handler(tx, event);
  }

  /** Called for each PersonErased (once per case the person is on); the person's data key is already shredded. */
  onPersonErased(handler: PersonEndedHandler): void {
    this.erasureHandlers.push(handler);
  }

  /** Called when a withdrawal leaves the person with no reintegration_support consent in force on the case. */
  onConsentEnded(handler: PersonEndedHandler): void {
    this.consentEndedHandlers.push(handler);
  }

  /** Called after a reintegration_support consent of the person on the case was recorded. */
  onConsentRecorded(handler: PersonEndedHandler): void {
    this.consentRecordedHandlers.push(handler);
  }

  /** @internal the registry's consumer. */
  async consentRecorded(tx: EntityManager, event: PersonEnded): Promise<void> {
    for (const handler of this.consentRecordedHandlers) await handler(tx, event);
  }

  /** @internal the registry's consumer. */
  async personErased(tx: EntityManager, event: PersonEnded): Promise<void> {
    for (const handler of this.erasureHandlers) await handler(tx, event);
  }

  /** @internal the registry's consumer. */
  async consentEnded(tx: EntityManager, event: PersonEnded): Promise<void> {
    for (const handler of this.consentEndedHandlers) await handler(tx, event);
  }

  async person(manager: EntityManager, personId: string): Promise<PersonRecord | undefined> {
    const rows: PersonRecord[] = await manager.query(
      `SELECT person_id AS "personId", age_band AS "ageBand", sex, erased_at AS "erasedAt", nationality, vulnerability_flags AS "vulnerabilityFlags" FROM person_record WHERE person_id = $1`,
      [personId],
    );
    return rows[0];
  }

  async isErased(manager: EntityManager, personId: string): Promise<boolean> {
    return (await this.person(manager, personId))?.erasedAt != null;
  }

  /**
   * Why the person may not be supported on the case at `at`, or null when they may: not erased,
   * with a reintegration_support consent of theirs in force (a consent that names no person counts
   * for everyone on the case).
   */
  async consentGap(manager: EntityManager, caseId: string, personId: string, at: Date): Promise<ConsentGap | null> {
    if (await this.isErased(manager, personId)) return 'person-erased';
    const rows: { valid_from: Date | null; valid_until: Date | null; recorded_at: Date | null; withdrawn_at: Date | null }[] = await manager.query(
      `SELECT valid_from, valid_until, recorded_at, withdrawn_at FROM reintegration_consent
        WHERE case_id = $1 AND (person_id = $2 OR person_id IS NULL)`,
      [caseId, personId],
    );
    const t = at.getTime();
    const recorded = rows.filter((c) => c.recorded_at !== null && c.withdrawn_at === null);
    if (recorded.some((c) => (c.valid_from === null || c.valid_from.getTime() <= t) && (c.valid_until === null || c.valid_until.getTime() > t))) return null;
    if (recorded.some((c) => c.valid_from !== null && c.valid_from.getTime() > t)) return 'consent-not-yet-valid';
    if (recorded.length > 0) return 'consent-expired';
    return rows.some((c) => c.withdrawn_at !== null) ? 'consent-withdrawn' : 'no-consent';
  }

  /** The persons reintegration knows on a case (registered on it, or who consented on it). */
  async personsOn(manager: EntityManager, caseId: string): Promise<string[]> {
    const rows: { person_id: string }[] = await manager.query(
      `SELECT person_id FROM case_member WHERE case_id = $1
       UNION SELECT person_id FROM reintegration_consent WHERE case_id = $1 AND person_id IS NOT NULL ORDER BY person_id`,
      [caseId],
    );
    return rows.map((r) => r.person_id);
  }
}
