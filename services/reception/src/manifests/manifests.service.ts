import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertJurisdiction, type Principal, resourceNotFound } from '@puente/auth';
import { canonicalJson, ProblemException } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { invalidManifest, ReceptionProblemTypes } from '../problems';
import { type ManifestDto, type PostManifestDto } from './manifest.dto';
import { checkRows, type ManifestPerson, manifestErrors, MAX_MANIFEST_ROWS, type RejectedRow } from './manifest-rows';
import { ManifestMatcher } from './manifest-matcher';

interface MovementRow {
  id: string;
  partner_id: string;
  reference: string;
  center_code: string;
  kind: string;
  expected_on: string;
  row_count: number;
  rejected: RejectedRow[];
  salt: Buffer;
  version: number;
}

/** Statuses of an arrival a corrected manifest may still change (nobody has met the person yet). */
const CHANGEABLE = ['pending', 'expected', 'rejected', 'withdrawn'];

/** Identity sent to intake, and what the pending queue keeps encrypted until then. */
export function identityOf(p: ManifestPerson): string {
  return JSON.stringify({ givenNames: p.givenNames, familyNames: p.familyNames, birthDate: p.birthDate, nationality: p.nationality, sex: p.sex });
}

/**
 * A returning country's manifests: checked as a whole (rows, center, date) and row by row,
 * stored as arrivals whose personal data waits encrypted for intake (ManifestMatcher sends it
 * and keeps only ids). The same movement reference posted again is the same manifest: rows
 * are recognised by a keyed hash of the returning country's reference, unchanged rows stay as
 * they are, corrected rows go back to intake, rows no longer listed are withdrawn.
 */
@Injectable()
export class ManifestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly matcher: ManifestMatcher,
  ) {}

  async post(principal: Principal, dto: PostManifestDto): Promise<{ manifest: ManifestDto; created: boolean }> {
    if (dto.persons.length > MAX_MANIFEST_ROWS) {
      throw new ProblemException(413, ReceptionProblemTypes.MANIFEST_TOO_LARGE, 'Manifest too large', `A manifest lists at most ${MAX_MANIFEST_ROWS} persons; send the movement in several manifests.`, {
        errors: [{ field: 'persons', message: `at most ${MAX_MANIFEST_ROWS} persons`, code: 'arrayMaxSize' }],
      });
    }
    const m = dto.movement;
    const today = new Date().toISOString().slice(0, 10);
    const center: { code: string }[] = await this.dataSource.query(`SELECT code FROM center WHERE code = $1 AND active`, [m.centerCode]);
    const validDay = /^\d{4}-\d{2}-\d{2}$/.test(m.expectedOn) && new Date(`${m.expectedOn}T00:00:00Z`).toISOString().slice(0, 10) === m.expectedOn;
    const errors = manifestErrors({ rowCount: dto.persons.length, expectedOn: validDay ? m.expectedOn : '0000-00-00', today, centerKnown: center.length === 1 });
    if (errors.length > 0) throw invalidManifest(errors);
    assertJurisdiction(principal, m.centerCode);
    const { accepted, rejected } = checkRows(dto.persons, m.expectedOn);
    const now = new Date();
    const result = await this.dataSource.transaction(async (tx) => {
      const { movement, created } = await this.upsertMovement(tx, principal, dto, rejected, now);
      await this.storeRows(tx, movement, accepted, now);
      return { id: movement.id, created };
    });
    this.matcher.kick();
    return { manifest: await this.read(principal, result.id), created: result.created };
  }

  private async upsertMovement(tx: EntityManager, principal: Principal, dto: PostManifestDto, rejected: RejectedRow[], now: Date): Promise<{ movement: MovementRow; created: boolean }> {
    const m = dto.movement;
    const inserted: MovementRow[] = await tx.query(
      `INSERT INTO movement (id, partner_id, reference, center_code, kind, expected_on, carrier_reference, returning_country, row_count, rejected, salt, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
       ON CONFLICT ON CONSTRAINT movement_reference_unique DO NOTHING RETURNING *`,
      [randomUUID(), principal.partnerId, m.reference, m.centerCode, m.kind, m.expectedOn, m.carrierReference ?? null, m.returningCountry, dto.persons.length, JSON.stringify(rejected), randomBytes(32), now],
    );
    // The day as sent (a date column would come back as a Date at local midnight).
    if (inserted.length === 1) return { movement: { ...inserted[0], expected_on: m.expectedOn }, created: true };
    const [movement]: MovementRow[] = await tx.query(
      `WITH changed AS (
         UPDATE movement SET center_code = $3, kind = $4, expected_on = $5, carrier_reference = $6, returning_country = $7, row_count = $8, rejected = $9, updated_at = $10, version = version + 1
         WHERE partner_id = $1 AND reference = $2 RETURNING *)
       SELECT * FROM changed`,
      [principal.partnerId, m.reference, m.centerCode, m.kind, m.expectedOn, m.carrierReference ?? null, m.returningCountry, dto.persons.length, JSON.stringify(rejected), now],
    );
    return { movement: { ...movement, expected_on: m.expectedOn }, created: false };
  }

  private async storeRows(tx: EntityManager, movement: MovementRow, accepted: { row: number; person: ManifestPerson }[], now: Date): Promise<void> {
    const hmac = (text: string) => createHmac('sha256', movement.salt).update(text).digest('base64url');
    const existing = new Map<string, { id: string; content_hash: string; status: string }>(
      ((await tx.query(`SELECT id, row_key, content_hash, status FROM arrival WHERE movement_id = $1 FOR UPDATE`, [movement.id])) as { id: string; row_key: string; content_hash: string; status: string }[]).map(
        (a) => [a.row_key, a],
      ),
    );
    const keyOwner = randomUUID();
    const fresh: { id: string; row: number; rowKey: string; contentHash: string; person: ManifestPerson }[] = [];
    const unchanged: { id: string; row: number; person: ManifestPerson }[] = [];
    const listed = new Set<string>();
    for (const { row, person } of accepted) {
      const rowKey = hmac(`ref\u001f${person.returningReference}`);
      const contentHash = hmac(canonicalJson({ ...JSON.parse(identityOf(person)), medicalNotes: person.medicalNotes, protectionNotes: person.protectionNotes, child: person.unaccompaniedChild }));
      listed.add(rowKey);
      const before = existing.get(rowKey);
      if (!before) fresh.push({ id: randomUUID(), row, rowKey, contentHash, person });
      else if (!CHANGEABLE.includes(before.status)) continue;
      else if (before.content_hash === contentHash && before.status !== 'withdrawn') unchanged.push({ id: before.id, row, person });
      else fresh.push({ id: before.id, row, rowKey, contentHash, person });
    }
    // New and corrected rows (re)enter the pending queue with their personal data encrypted.
    if (fresh.length > 0) {
      await tx.query(
        `INSERT INTO arrival (id, movement_id, center_code, expected_on, row_number, row_key, content_hash, status, unaccompanied_child, at_risk, created_at, updated_at)
         SELECT t.id, $1, $2, $3, t.row_number, t.row_key, t.content_hash, 'pending', t.child, t.at_risk, $4, $4
         FROM unnest($5::uuid[], $6::int[], $7::text[], $8::text[], $9::boolean[], $10::boolean[]) AS t (id, row_number, row_key, content_hash, child, at_risk)
         ON CONFLICT (id) DO UPDATE SET center_code = EXCLUDED.center_code, expected_on = EXCLUDED.expected_on, row_number = EXCLUDED.row_number,
           content_hash = EXCLUDED.content_hash, status = 'pending', intake_errors = NULL,
           unaccompanied_child = EXCLUDED.unaccompanied_child, at_risk = EXCLUDED.at_risk, attempts = 0, next_attempt_at = NULL,
           updated_at = EXCLUDED.updated_at, version = arrival.version + 1`,
        [
          movement.id,
          movement.center_code,
          movement.expected_on,
          now,
          fresh.map((f) => f.id),
          fresh.map((f) => f.row),
          fresh.map((f) => f.rowKey),
          fresh.map((f) => f.contentHash),
          fresh.map((f) => f.person.unaccompaniedChild),
          fresh.map((f) => isAtRisk(f.person)),
        ],
      );
      const sealed = await this.vault.encryptRows(
        keyOwner,
        fresh.map((f) => ({ identity: identityOf(f.person), medical: f.person.medicalNotes, protection: f.person.protectionNotes })),
        tx,
      );
      await tx.query(
        `INSERT INTO pending_personal_data (arrival_id, key_owner, identity_enc, medical_notes_enc, protection_notes_enc)
         SELECT t.id, $1, t.i, t.m, t.p FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS t (id, i, m, p)
         ON CONFLICT (arrival_id) DO UPDATE SET key_owner = EXCLUDED.key_owner, identity_enc = EXCLUDED.identity_enc,
           medical_notes_enc = EXCLUDED.medical_notes_enc, protection_notes_enc = EXCLUDED.protection_notes_enc`,
        [keyOwner, fresh.map((f) => f.id), sealed.map((s) => s.identity), sealed.map((s) => s.medical), sealed.map((s) => s.protection)],
      );
    }
    if (unchanged.length > 0) {
      await tx.query(
        `UPDATE arrival a SET row_number = t.row_number, center_code = $2, expected_on = $3, updated_at = $4
         FROM unnest($1::uuid[], $5::int[]) AS t (id, row_number) WHERE a.id = t.id`,
        [unchanged.map((u) => u.id), movement.center_code, movement.expected_on, now, unchanged.map((u) => u.row)],
      );
    }
    const dropped = [...existing.entries()].filter(([key, a]) => !listed.has(key) && ['pending', 'expected'].includes(a.status)).map(([, a]) => a.id);
    if (dropped.length > 0) {
      await tx.query(`DELETE FROM pending_personal_data WHERE arrival_id = ANY($1::uuid[])`, [dropped]);
      await tx.query(`UPDATE arrival SET status = 'withdrawn', updated_at = $2, version = version + 1 WHERE id = ANY($1::uuid[])`, [dropped, now]);
    }
  }

  /** A manifest as its poster sees it: status, counts and the rows it refused. */
  async read(principal: Principal, id: string): Promise<ManifestDto> {
    const [m]: (MovementRow & { expected_on_text: string })[] = await this.dataSource.query(`SELECT *, expected_on::text AS expected_on_text FROM movement WHERE id = $1`, [id]);
    if (!m || (m.partner_id !== principal.partnerId && !principal.scopes.includes('arrivals:read'))) throw resourceNotFound('manifest');
    const [c]: Record<string, number>[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'expected')::int AS expected,
              count(*) FILTER (WHERE status = 'rejected')::int AS "rejectedByIntake",
              count(*) FILTER (WHERE status = 'withdrawn')::int AS withdrawn,
              count(*) FILTER (WHERE status IN ('arrived', 'sent_to_hospital', 'handed_over', 'no_show'))::int AS received,
              count(*) FILTER (WHERE match = 'matched' AND status <> 'withdrawn')::int AS matched,
              count(*) FILTER (WHERE match = 'registered' AND status <> 'withdrawn')::int AS registered
       FROM arrival WHERE movement_id = $1`,
      [id],
    );
    return {
      id: m.id,
      reference: m.reference,
      kind: m.kind,
      centerCode: m.center_code,
      expectedOn: m.expected_on_text,
      status: c.pending > 0 ? 'matching' : 'matched',
      rowCount: m.row_count,
      accepted: c.pending + c.expected + c.rejectedByIntake + c.received,
      rejected: m.rejected,
      counts: c as unknown as ManifestDto['counts'],
      version: m.version,
    };
  }
}

/** A person the center must not lose: an unaccompanied child, or anyone with a medical or protection note. */
export function isAtRisk(p: ManifestPerson): boolean {
  return p.unaccompaniedChild || p.medicalNotes !== null || p.protectionNotes !== null;
}
