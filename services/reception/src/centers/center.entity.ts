import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

export const CENTER_KINDS = ['airport', 'land_border', 'shelter'] as const;
export type CenterKind = (typeof CENTER_KINDS)[number];

/** What a center can give an arriving person (the closed list events carry as codes). */
export const RECEPTION_SERVICES = [
  'interview',
  'medical_screening',
  'psychosocial_first_aid',
  'hygiene_kit',
  'meal',
  'transport_home',
  'cash_grant',
  'document_replacement',
  'protection_screening',
  'child_protection_handover',
] as const;
export type ReceptionServiceCode = (typeof RECEPTION_SERVICES)[number];

/** A reception center for returned nationals: an airport, a land border post or a shelter. */
@Entity({ name: 'center' })
export class Center {
  /** `GT-CRM-01`: country code, then segments (the country prefix is the jurisdiction). */
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'char', length: 2 })
  country: string;

  @Column({ type: 'text' })
  kind: CenterKind;

  /** Town or municipality and landmark (e.g. "La Lima, Cortés (Aeropuerto Ramón Villeda Morales)"), not a street address. */
  @Column({ type: 'text' })
  location: string;

  @Column({ name: 'daily_capacity', type: 'int' })
  dailyCapacity: number;

  @Column({ type: 'text', array: true })
  services: ReceptionServiceCode[];

  /** Directory partner id of the organization running the center (e.g. `GT-IGM`). */
  @Column({ name: 'operating_partner_id', type: 'text' })
  operatingPartnerId: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'int' })
  version: number;
}
