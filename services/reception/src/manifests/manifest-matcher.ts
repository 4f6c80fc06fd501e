import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ArrivalExpectedSchema, MovementKind, toTimestamp } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { ServiceConfig, serializeError } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { arrivalEvent, dayStart, MOVEMENT_KIND_ENUM } from '../common/arrival-events';
import { ReceptionConfig } from '../config/reception.config';
import { INTAKE_BATCH_ROWS, IntakeClient, IntakeNotAnsweringError, type IntakeRow, type IntakeRowResult } from './intake.client';
import type { MovementKind as MovementKindCode } from './manifest-rows';

interface PendingRow {
  id: string;
  movement_id: string | null;
  center_code: string;
  expected_on: string;
  /** null for a walk-in. */
  kind: MovementKindCode | null;
  unaccompanied_child: boolean;
  attempts: number;
  /** The person intake answered before (a corrected row goes back with it). */
  person_id: string | null;
  key_owner: string;
  identity_enc: string;
  medical_notes_enc: string | null;
  protection_notes_enc: string | null;
}

/**
 * Batches in flight at once: while intake writes one batch, the next is validated and its keys
 * computed (SKIP LOCKED gives each its own rows). Intake holds one pooled connection per batch.
 */
const MATCHER_WORKERS = 2;

/**
 * The pending queue's worker: sends rows waiting for intake (oldest first, per center, at most
 * INTAKE_BATCH_ROWS a call), then keeps only intake's ids. Each batch is one transaction that
 * holds its rows (SKIP LOCKED, so several instances share the queue): matched or registered
 * rows become `expected` with ArrivalExpected, their notes re-encrypted under the person's data
 * key; refused rows become `rejected` with the fields intake named; the personal data is
 * deleted and the post's data key shredded once none of its rows waits. When intake does not
 * answer, the rows wait (backoff up to 5 min) and the attempt is counted.
 */
@Injectable()
export class ManifestMatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ManifestMatcher');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly intake: IntakeClient,
    private readonly outbox: OutboxWriter,
    private readonly config: ReceptionConfig,
    private readonly service: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.MANIFEST_RETRY_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Runs the queue now (or right after the run in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    const worker = async () => {
      try {
        while (!this.stopped && (await this.batch()) > 0);
      } catch (error) {
        this.logger.error({ err: serializeError(error) }, 'manifest rows: batch failed; retried on the next run');
      }
    };
    await Promise.all(Array.from({ length: MATCHER_WORKERS }, worker));
  }

  /** One batch; the number of rows intake answered for (0: nothing to do now). */
  async batch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows: PendingRow[] = await tx.query(
        `WITH head AS (
           SELECT a.center_code FROM arrival a WHERE a.status = 'pending' AND (a.next_attempt_at IS NULL OR a.next_attempt_at <= now())
           ORDER BY a.created_at, a.row_number LIMIT 1)
         SELECT a.id, a.movement_id, a.center_code, a.expected_on::text AS expected_on, m.kind, a.unaccompanied_child, a.attempts, a.person_id,
                p.key_owner, p.identity_enc, p.medical_notes_enc, p.protection_notes_enc
         FROM arrival a JOIN pending_personal_data p ON p.arrival_id = a.id LEFT JOIN movement m ON m.id = a.movement_id
         WHERE a.status = 'pending' AND (a.next_attempt_at IS NULL OR a.next_attempt_at <= now()) AND a.center_code = (SELECT center_code FROM head)
         ORDER BY a.created_at, a.row_number LIMIT ${INTAKE_BATCH_ROWS}
         FOR UPDATE OF a SKIP LOCKED`,
      );
      if (rows.length === 0) return 0;
      // Each post's data key read once for its rows.
      const identities = new Map<string, string>();
      for (const owner of new Set(rows.map((r) => r.key_owner))) {
        const mine = rows.filter((r) => r.key_owner === owner);
        const plain = await this.vault.decryptRowsOrThrow(owner, mine.map((r) => ({ identity: r.identity_enc })), tx);
        mine.forEach((r, i) => identities.set(r.id, plain[i].identity as string));
      }
      const sent: IntakeRow[] = rows.map((r) => ({
        rowKey: r.id,
        ...(JSON.parse(identities.get(r.id) as string) as Omit<IntakeRow, 'rowKey' | 'personId'>),
        ...(r.person_id ? { personId: r.person_id } : {}),
      }));
      let results;
      try {
        results = await this.intake.registerOrMatch(rows[0].center_code, sent);
      } catch (error) {
        if (!(error instanceof IntakeNotAnsweringError)) throw error;
        await this.postpone(tx, rows, error.reason);
        this.logger.warn({ rows: rows.length, reason: error.reason }, 'manifest rows: intake did not answer; rows wait in the queue');
        return 0;
      }
      const now = new Date();
      const events = [];
      const refused = rows.flatMap((r, i) => (results[i].outcome === 'rejected' || !results[i].personId || !results[i].caseId ? [{ r, errors: results[i].errors ?? [] }] : []));
      const answered = rows.flatMap((r, i) => (refused.some((x) => x.r === r) ? [] : [{ r, result: results[i] as IntakeRowResult & { personId: string; caseId: string } }]));
      if (refused.length > 0) {
        await tx.query(
          `UPDATE arrival a SET status = 'rejected', intake_errors = t.errors::jsonb, updated_at = $3, version = a.version + 1 FROM unnest($1::uuid[], $2::text[]) AS t (id, errors) WHERE a.id = t.id`,
          [refused.map((x) => x.r.id), refused.map((x) => JSON.stringify(x.errors)), now],
        );
      }
      if (answered.length > 0) {
        await tx.query(
          // A corrected row stays what it was for this manifest (registered by it or matched), as the same person.
          `UPDATE arrival a SET status = 'expected', match = CASE WHEN t.corrected AND a.person_id = t.person_id THEN coalesce(a.match, t.match) ELSE t.match END,
             person_id = t.person_id, case_id = t.case_id, intake_errors = NULL, attempts = a.attempts + 1, updated_at = $5, version = a.version + 1
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $6::boolean[]) AS t (id, match, person_id, case_id, corrected) WHERE a.id = t.id`,
          [
            answered.map((x) => x.r.id),
            answered.map((x) => x.result.outcome),
            answered.map((x) => x.result.personId),
            answered.map((x) => x.result.caseId),
            now,
            answered.map((x) => x.result.identityCorrected === true),
          ],
        );
        await tx.query(`DELETE FROM arrival_note WHERE arrival_id = ANY($1::uuid[])`, [answered.filter((x) => !hasNotes(x.r)).map((x) => x.r.id)]);
      }
      for (const { r, result } of answered) {
        if (hasNotes(r)) await this.keepNotes(tx, r, result.personId);
        events.push(
          arrivalEvent(ArrivalExpectedSchema, result.caseId, {
            arrivalId: r.id,
            caseId: result.caseId,
            personId: result.personId,
            movementId: r.movement_id ?? '',
            centerCode: r.center_code,
            movementKind: r.kind ? MOVEMENT_KIND_ENUM[r.kind] : MovementKind.UNSPECIFIED,
            expectedOn: toTimestamp(dayStart(r.expected_on)),
            unaccompaniedChild: r.unaccompanied_child,
          }),
        );
      }
      await this.outbox.append(tx, ...events);
      await tx.query(`DELETE FROM pending_personal_data WHERE arrival_id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
      await this.shredSpentKeys(tx, [...new Set(rows.map((r) => r.key_owner))]);
      this.logger.log({ rows: rows.length, node: this.service.PUENTE_NODE }, 'manifest rows: intake answered');
      return rows.length;
    });
  }

  /** Medical and protection notes, re-encrypted under the person's own data key (special category). */
  private async keepNotes(tx: EntityManager, r: PendingRow, personId: string): Promise<void> {
    const plain = await this.vault.decryptFieldsOrThrow(r.key_owner, { medical: r.medical_notes_enc, protection: r.protection_notes_enc }, tx);
    const sealed = await this.vault.encryptFields(personId, plain, tx);
    await tx.query(
      `INSERT INTO arrival_note (arrival_id, person_id, medical_notes_enc, protection_notes_enc) VALUES ($1, $2, $3, $4)
       ON CONFLICT (arrival_id) DO UPDATE SET person_id = EXCLUDED.person_id, medical_notes_enc = EXCLUDED.medical_notes_enc, protection_notes_enc = EXCLUDED.protection_notes_enc`,
      [r.id, personId, sealed.medical, sealed.protection],
    );
  }

  /** Shreds the data key of each post none of whose rows waits any more. */
  private async shredSpentKeys(tx: EntityManager, owners: string[]): Promise<void> {
    const spent: { key_owner: string }[] = await tx.query(
      `SELECT o AS key_owner FROM unnest($1::uuid[]) AS o WHERE NOT EXISTS (SELECT 1 FROM pending_personal_data p WHERE p.key_owner = o)`,
      [owners],
    );
    for (const { key_owner } of spent) await this.vault.shred(key_owner, tx);
  }

  private async postpone(tx: EntityManager, rows: PendingRow[], reason: string): Promise<void> {
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    const delayMs = Math.min(300_000, this.config.MANIFEST_RETRY_INTERVAL_MS * 2 ** Math.min(attempts - 1, 8));
    await tx.query(
      `UPDATE arrival SET attempts = attempts + 1, next_attempt_at = now() + ($2::int * interval '1 millisecond'), intake_errors = $3, updated_at = now() WHERE id = ANY($1::uuid[])`,
      [rows.map((r) => r.id), delayMs, JSON.stringify([{ field: 'intake', code: reason }])],
    );
  }
}

const hasNotes = (r: PendingRow) => r.medical_notes_enc !== null || r.protection_notes_enc !== null;
