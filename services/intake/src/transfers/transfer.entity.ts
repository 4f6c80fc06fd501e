import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The columns of custody_transfer that listings sort and filter on (rows are written with SQL: see TransfersService). */
@Entity({ name: 'custody_transfer' })
export class CustodyTransferListing {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  direction: 'outbound' | 'inbound';

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'origin_case_id', type: 'uuid' })
  originCaseId: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;
}
