import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Caller } from '@puente/audit';
import { JobMatchedSchema, JobPlacementConfirmedSchema, toTimestamp } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { isUniqueViolation, ProblemException, ServiceConfig } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, reintegrationEvent } from '../common/events';
import { matchProfileFromRow, type MatchProfileRow } from '../matching/match-features';
import { scoreMatch } from '../matching/scorer';
import { consentRequired, personErased } from '../problems';
import { PersonRegistry } from '../registry/registry.service';
import { JobProblemTypes, openingFull, placementNotFound } from './job-problems';
import type { PlacementDto, PlacementStatus } from './jobs.dto';
import { Openings } from './openings.service';

interface PlacementRow {
  placement_id: string;
  opening_id: string;
  person_id: string;
  case_id: string;
  status: PlacementStatus;
  score: string;
  proposed_at: Date;
  accepted_at: Date | null;
  declined_at: Date | null;
  confirmed_at: Date | null;
  withdrawn_at: Date | null;
  withdrawn_reason: string | null;
}

const iso = (d: Date | null) => (d ? { value: new Date(d).toISOString() } : null);

function placementView(row: PlacementRow): PlacementDto {
  const at = (key: 'acceptedAt' | 'declinedAt' | 'confirmedAt' | 'withdrawnAt', d: Date | null) => (iso(d) ? { [key]: iso(d)?.value } : {});
  return {
    id: row.placement_id,
    openingId: row.opening_id,
    personId: row.person_id,
    caseId: row.case_id,
    status: row.status,
    score: Number(row.score),
    proposedAt: new Date(row.proposed_at).toISOString(),
    ...at('acceptedAt', row.accepted_at),
    ...at('declinedAt', row.declined_at),
    ...at('confirmedAt', row.confirmed_at),
    ...at('withdrawnAt', row.withdrawn_at),
    ...(row.withdrawn_reason && { withdrawnReason: row.withdrawn_reason }),
  };
}

const invalidTransition = (from: PlacementStatus, action: string) =>
  new ProblemException(409, JobProblemTypes.PLACEMENT_INVALID_TRANSITION, 'Not possible now', `A ${from} placement cannot be ${action}.`, { status: from });

/**
 * Placements: a caseworker proposes an opening to a person (JobMatched), the person accepts (or
 * declines), the employer who posted the opening confirms (JobPlacementConfirmed). A confirmation
 * takes a slot with one conditional UPDATE on the opening row (slots_filled < slots), so
 * concurrent confirmations queue on that row and never oversell; the table's CHECK is the
 * backstop.
 */
@Injectable()
export class Placements implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly openings: Openings,
    private readonly registry: PersonRegistry,
    private readonly outbox: OutboxWriter,
    private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    // An erased person's live proposals end; confirmed placements stay as ids-only history.
    this.registry.onPersonErased(async (tx, { personId }) => {
      await tx.query(
        `UPDATE job_placement SET status = 'withdrawn', withdrawn_at = clock_timestamp(), withdrawn_reason = 'person_erased', updated_at = clock_timestamp()
         WHERE person_id = $1 AND status IN ('proposed', 'accepted')`,
        [personId],
      );
    });
  }

  private async requireConsent(tx: EntityManager, caseId: string, personId: string): Promise<void> {
    const gap = await this.registry.consentGap(tx, caseId, personId, new Date());
    if (gap === 'person-erased') throw personErased('personId');
    if (gap !== null) throw consentRequired([{ field: 'caseId', message: `no reintegration_support consent of this person in force on this case (${gap})`, code: gap }]);
  }

  async propose(caller: Caller, input: { openingId: string; personId: string; caseId: string }): Promise<PlacementDto> {
    return this.dataSource.transaction(async (tx) => {
      await this.requireConsent(tx, input.caseId, input.personId);
      const opening = await this.openings.requireOpen(tx, input.openingId);
      const features: MatchProfileRow[] = await tx.query(`SELECT person_id, active, occupations, languages, area_lat, area_lon FROM match_profile WHERE person_id = $1 AND active`, [input.personId]);
      if (features.length === 0) {
        throw new ProblemException(422, JobProblemTypes.SKILLS_PROFILE_REQUIRED, 'Skills profile required', 'Record the person\'s skills profile before proposing an opening.', {
          errors: [{ field: 'personId', message: 'the person has no skills profile', code: 'noSkillsProfile' }],
        });
      }
      const { score } = scoreMatch(matchProfileFromRow(features[0]), {
        openingId: opening.opening_id,
        iscoCode: opening.isco_code,
        requiredSkills: opening.required_skills,
        requiredLanguages: opening.required_languages,
        location: opening.lat === null || opening.lon === null ? null : { lat: opening.lat, lon: opening.lon },
      });
      const id = randomUUID();
      let row: PlacementRow;
      try {
        // One live proposal per person and opening (partial unique index): a second one is a 409, and the transaction ends.
        [row] = await tx.query(
          `INSERT INTO job_placement (placement_id, opening_id, person_id, case_id, status, score, proposed_by_client, proposed_by_partner)
           VALUES ($1, $2, $3, $4, 'proposed', $5, $6, $7) RETURNING *`,
          [id, input.openingId, input.personId, input.caseId, score, caller.principal.clientId, caller.principal.partnerId],
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ProblemException(409, JobProblemTypes.PLACEMENT_EXISTS, 'Already proposed', 'This opening is already proposed to this person (proposed, accepted or confirmed).');
        }
        throw error;
      }
      await this.outbox.append(
        tx,
        reintegrationEvent(
          JobMatchedSchema,
          input.caseId,
          {
            matchId: id,
            caseId: input.caseId,
            personId: input.personId,
            openingId: input.openingId,
            employerPartnerId: opening.employer_partner_id,
            iscoCode: opening.isco_code,
            score,
            matchedAt: toTimestamp(new Date(row.proposed_at)),
            matchedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
          },
          { traceparent: caller.traceparent },
        ),
      );
      return placementView(row);
    });
  }

  async get(id: string): Promise<PlacementDto> {
    return placementView(await this.load(this.dataSource.manager, id));
  }

  private async load(manager: EntityManager, id: string, forUpdate = false): Promise<PlacementRow> {
    const rows: PlacementRow[] = await manager.query(`SELECT * FROM job_placement WHERE placement_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    if (rows.length === 0) throw placementNotFound();
    return rows[0];
  }

  /** The person's answer, recorded by their caseworker: accepted, or declined (also after accepting, before confirmation). */
  async answer(id: string, answer: 'accept' | 'decline'): Promise<PlacementDto> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.load(tx, id, true);
      const allowed: PlacementStatus[] = answer === 'accept' ? ['proposed'] : ['proposed', 'accepted'];
      if (!allowed.includes(row.status)) throw invalidTransition(row.status, answer === 'accept' ? 'accepted' : 'declined');
      if (answer === 'accept') await this.requireConsent(tx, row.case_id, row.person_id);
      const set = answer === 'accept' ? `status = 'accepted', accepted_at = clock_timestamp()` : `status = 'declined', declined_at = clock_timestamp()`;
      const [updated]: PlacementRow[] = await tx.query(
        `WITH answered AS (UPDATE job_placement SET ${set}, updated_at = clock_timestamp() WHERE placement_id = $1 RETURNING *) SELECT * FROM answered`,
        [id],
      );
      return placementView(updated);
    });
  }

  /** The employer who posted the opening confirms an accepted placement, taking one slot. */
  async confirm(caller: Caller, id: string): Promise<PlacementDto> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.load(tx, id, true);
      const opening = await this.openings.get(row.opening_id, tx);
      if (opening.employer_partner_id !== caller.principal.partnerId) {
        throw new ProblemException(403, JobProblemTypes.NOT_YOUR_OPENING, 'Not your opening', 'Only the employer who posted the opening confirms its placements.');
      }
      if (row.status === 'confirmed') {
        throw new ProblemException(409, JobProblemTypes.PLACEMENT_ALREADY_CONFIRMED, 'Already confirmed', 'This placement was confirmed already; no other slot was taken.', {
          confirmedAt: new Date(row.confirmed_at as Date).toISOString(),
        });
      }
      if (row.status !== 'accepted') throw invalidTransition(row.status, 'confirmed');
      // The slot: one conditional UPDATE. Concurrent confirmations wait on this row and re-check the condition.
      const taken: { slots_filled: number }[] = await tx.query(
        `WITH taken AS (
           UPDATE job_opening SET slots_filled = slots_filled + 1, status = CASE WHEN slots_filled + 1 = slots THEN 'filled' ELSE status END, updated_at = clock_timestamp()
           WHERE opening_id = $1 AND status = 'open' AND slots_filled < slots RETURNING slots_filled)
         SELECT slots_filled FROM taken`,
        [row.opening_id],
      );
      if (taken.length === 0) throw openingFull();
      const [updated]: PlacementRow[] = await tx.query(
        `WITH confirmed AS (
           UPDATE job_placement SET status = 'confirmed', confirmed_at = clock_timestamp(), confirmed_by_client = $2, updated_at = clock_timestamp()
           WHERE placement_id = $1 RETURNING *)
         SELECT * FROM confirmed`,
        [id, caller.principal.clientId],
      );
      await this.outbox.append(
        tx,
        reintegrationEvent(
          JobPlacementConfirmedSchema,
          row.case_id,
          {
            matchId: id,
            caseId: row.case_id,
            personId: row.person_id,
            openingId: row.opening_id,
            employerPartnerId: opening.employer_partner_id,
            confirmedAt: toTimestamp(new Date(updated.confirmed_at as Date)),
            confirmedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
          },
          { traceparent: caller.traceparent },
        ),
      );
      return placementView(updated);
    });
  }
}
