import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One person's data key as stored: wrapped under a node KEK while active; after
 * crypto-shredding the key bytes and KEK id are gone and the row stays as a tombstone,
 * so "erased" is distinguishable from "never existed".
 */
@Entity({ name: 'person_data_key' })
@Index('person_data_key_by_kek', ['kekId', 'personId'], { where: 'shredded_at IS NULL' })
export class PersonDataKey {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId: string;

  /** Id of the KEK that wraps `wrappedKey`; NULL once shredded. */
  @Column({ name: 'kek_id', type: 'text', nullable: true })
  kekId: string | null;

  /** `0x01 ‖ iv ‖ AES-256-GCM(kek, dataKey) ‖ tag`; NULL once shredded. */
  @Column({ name: 'wrapped_key', type: 'bytea', nullable: true })
  wrappedKey: Buffer | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** Last re-wrap under another KEK (key rotation). */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  /** When the key was destroyed (crypto-shredding); NULL while active. */
  @Column({ name: 'shredded_at', type: 'timestamptz', nullable: true })
  shreddedAt: Date | null;
}
