import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import type { AgeBandValue, SexValue } from '../common/enums';

/**
 * A registered person. Identity is held only as `pv1.` ciphertexts (one per field, under the
 * person's data key from libs/privacy); in clear are only the minimized attributes that events
 * also carry (sex, nationality, age band, vulnerability flags, interpreter need).
 */
@Entity({ name: 'person' })
export class Person {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Site where the person was registered. */
  @Column({ name: 'site_code', type: 'text' })
  siteCode: string;

  @Column({ type: 'text' })
  sex: SexValue;

  @Column({ type: 'char', length: 2 })
  nationality: string;

  /** Age band when registered or last corrected. */
  @Column({ name: 'age_band', type: 'text' })
  ageBand: AgeBandValue;

  @Column({ name: 'vulnerability_flags', type: 'text', array: true })
  vulnerabilityFlags: string[];

  @Column({ name: 'interpreter_needed', type: 'boolean' })
  interpreterNeeded: boolean;

  @Column({ name: 'given_names_enc', type: 'text' })
  givenNamesEnc: string;

  @Column({ name: 'family_names_enc', type: 'text', nullable: true })
  familyNamesEnc: string | null;

  @Column({ name: 'transliteration_enc', type: 'text', nullable: true })
  transliterationEnc: string | null;

  @Column({ name: 'birth_date_enc', type: 'text' })
  birthDateEnc: string;

  @Column({ name: 'other_citizenships_enc', type: 'text', nullable: true })
  otherCitizenshipsEnc: string | null;

  @Column({ name: 'languages_enc', type: 'text', nullable: true })
  languagesEnc: string | null;

  @Column({ name: 'contact_enc', type: 'text', nullable: true })
  contactEnc: string | null;

  @Column({ name: 'documents_enc', type: 'text', nullable: true })
  documentsEnc: string | null;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt: Date;

  /** OAuth client id of the caseworker's application. */
  @Column({ name: 'registered_by', type: 'text' })
  registeredBy: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Set when the person was crypto-shredded; the ciphertexts stay but can never be decrypted. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @VersionColumn({ type: 'int' })
  version: number;
}
