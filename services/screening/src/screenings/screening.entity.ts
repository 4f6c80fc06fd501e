import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RiskLevel } from '../questionnaires/catalog';
import type { ScreeningOutcome } from '../questionnaires/engine';
import type { ConcernCode } from './protection-concerns';
import type { CancelReason, ScreeningStatus, ScreeningTrigger } from './screening-state';

/** A screening session of a case, pinned to one questionnaire version. */
@Entity({ name: 'screening' })
export class ScreeningEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'questionnaire_version_id', type: 'uuid' })
  questionnaireVersionId: string;

  @Column({ name: 'questionnaire_key', type: 'text' })
  questionnaireKey: string;

  @Column({ name: 'questionnaire_version', type: 'integer' })
  questionnaireVersion: number;

  @Column({ name: 'definition_sha256', type: 'text' })
  definitionSha256: string;

  @Column({ type: 'text' })
  status: ScreeningStatus;

  @Column({ type: 'text' })
  trigger: ScreeningTrigger;

  @Column({ name: 'previous_screening_id', type: 'uuid', nullable: true })
  previousScreeningId: string | null;

  /** The person screened (intake's person id); null for a pending screening nobody started yet. */
  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId: string | null;

  /**
   * The answers (personal data, free text included) as one ciphertext under the person's data
   * key (see ScreeningAnswers); null when none yet or erased. Never logged, never in events.
   */
  @Column({ name: 'answers_enc', type: 'text', nullable: true })
  answersEnc: string | null;

  @Column({ type: 'jsonb', nullable: true })
  outcome: ScreeningOutcome | null;

  @Column({ name: 'risk_level', type: 'text', nullable: true })
  riskLevel: RiskLevel | null;

  /** Reference date of the evaluation (YYYY-MM-DD), set at completion. */
  @Column({ name: 'as_of', type: 'text', nullable: true })
  asOf: string | null;

  /** Trigger `protection_concern`: the reception concern that opened it (pending). */
  @Column({ name: 'concern_id', type: 'uuid', nullable: true })
  concernId: string | null;

  /** Trigger `protection_concern`: the reception center that raised the concern, e.g. GT-CRM-01. */
  @Column({ name: 'center_code', type: 'text', nullable: true })
  centerCode: string | null;

  /** Trigger `protection_concern`: the concern codes (e.g. `fear_of_return`); codes only. */
  @Column({ name: 'concern_codes', type: 'text', array: true })
  concernCodes: ConcernCode[];

  /** For a protection concern: the reception client that raised it; otherwise the caseworker who started it. */
  @Column({ name: 'started_by_client', type: 'text' })
  startedByClient: string;

  @Column({ name: 'started_by_partner', type: 'text' })
  startedByPartner: string;

  /** When a caseworker started a pending screening (consent checked then). */
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'activated_by_client', type: 'text', nullable: true })
  activatedByClient: string | null;

  @Column({ name: 'activated_by_partner', type: 'text', nullable: true })
  activatedByPartner: string | null;

  @Column({ name: 'completed_by_client', type: 'text', nullable: true })
  completedByClient: string | null;

  @Column({ name: 'completed_by_partner', type: 'text', nullable: true })
  completedByPartner: string | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason: CancelReason | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ name: 'answers_erased_at', type: 'timestamptz', nullable: true })
  answersErasedAt: Date | null;

  /** Incremented by every change; the ETag (If-Match on answer updates). */
  @Column({ type: 'integer' })
  version: number;
}
