import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { VersionStatus } from './versioning';

/** One version of a questionnaire (see versioning.ts for the rules). */
@Entity({ name: 'questionnaire_version' })
export class QuestionnaireVersionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'questionnaire_key', type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  status: VersionStatus;

  @Column({ type: 'jsonb' })
  definition: Record<string, unknown>;

  @Column({ name: 'definition_sha256', type: 'text' })
  definitionSha256: string;

  @Column({ type: 'text' })
  source: 'default' | 'admin';

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ name: 'published_by', type: 'text', nullable: true })
  publishedBy: string | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @Column({ name: 'retired_by', type: 'text', nullable: true })
  retiredBy: string | null;

  /** Incremented by every change of a draft; the ETag of the version. */
  @Column({ name: 'row_version', type: 'integer' })
  rowVersion: number;
}
