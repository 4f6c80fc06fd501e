import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LanguageAbility } from './scorer';
import { type IndexedOpening, MatchIndex } from './match-index';
import { matchProfileFromRow, type MatchProfileRow } from './match-features';

interface OpeningRow {
  opening_id: string;
  isco_code: string;
  required_skills: string[];
  required_languages: LanguageAbility[];
  lat: number | null;
  lon: number | null;
  opens_on: string;
  closes_on: string | null;
  takes_placements: boolean;
}

/** Rows changed since the previous read's snapshot, with this read's snapshot. */
type Feed<R> = { snapshot: string; row: R | null }[];

/** Nothing seen yet: every committed row is new. */
const NOTHING_SEEN = '1:1:';

/**
 * Rows written by a transaction the snapshot `$1` did not see: one that started after it (at or
 * above its xmax) or was running when it was taken (its xip list). Both are index ranges or probes
 * on changed_xid; a long transaction elsewhere in the cluster does not make every read start over.
 */
const UNSEEN_BY = (alias: string) => `(${alias}.changed_xid >= pg_snapshot_xmax($1::pg_snapshot) OR ${alias}.changed_xid = ANY(ARRAY(SELECT pg_snapshot_xip($1::pg_snapshot))))`;

/**
 * This instance's MatchIndex, following the tables it is built from (job_opening, match_profile).
 *
 * Each row carries the id of the transaction that last wrote it (`changed_xid`, by trigger). A read
 * returns its own snapshot with the rows written by transactions the previous read's snapshot did
 * not see (started after it, or running when it was taken): everything that snapshot saw was read
 * then, and any transaction still running now, or committing out of order, is unseen by this
 * snapshot and is read next time. Rows are never deleted, only emptied (closed openings, erased
 * persons), so removals travel the same way. Every query catches up first (one indexed statement per table, usually empty), so
 * an answer is never older than the request, on any number of instances.
 */
@Injectable()
export class MatchFeed {
  readonly index = new MatchIndex();
  private openingsSeen = NOTHING_SEEN;
  private profilesSeen = NOTHING_SEEN;
  private loaded = false;
  private catchingUp: Promise<void> | null = null;
  private readonly logger = new Logger('MatchFeed');

  constructor(private readonly dataSource: DataSource) {}

  /** Brings the index up to date with everything committed before this call. */
  async catchUp(): Promise<void> {
    // Serialize: a catch-up that started before our call may have read before our caller's commit.
    while (this.catchingUp) await this.catchingUp.catch(() => undefined);
    this.catchingUp = this.read().finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }

  private async read(): Promise<void> {
    const openings: Feed<OpeningRow> = await this.dataSource.query(
      `SELECT s.snapshot::text AS snapshot,
              CASE WHEN o.opening_id IS NULL THEN NULL ELSE json_build_object(
                'opening_id', o.opening_id, 'isco_code', o.isco_code, 'required_skills', o.required_skills, 'required_languages', o.required_languages,
                'lat', o.lat, 'lon', o.lon, 'opens_on', o.opens_on, 'closes_on', o.closes_on,
                'takes_placements', o.status = 'open' AND o.slots_filled < o.slots) END AS row
         FROM (SELECT pg_current_snapshot() AS snapshot) s
         LEFT JOIN job_opening o ON ${UNSEEN_BY('o')}`,
      [this.openingsSeen],
    );
    for (const { row } of openings) {
      if (!row) continue;
      if (row.takes_placements) this.index.upsertOpening(openingFromRow(row));
      else this.index.removeOpening(row.opening_id);
    }
    this.openingsSeen = openings[0].snapshot;

    const profiles: Feed<MatchProfileRow> = await this.dataSource.query(
      `SELECT s.snapshot::text AS snapshot,
              CASE WHEN p.person_id IS NULL THEN NULL ELSE json_build_object(
                'person_id', p.person_id, 'active', p.active, 'occupations', p.occupations, 'languages', p.languages,
                'area_lat', p.area_lat, 'area_lon', p.area_lon) END AS row
         FROM (SELECT pg_current_snapshot() AS snapshot) s
         LEFT JOIN match_profile p ON ${UNSEEN_BY('p')}`,
      [this.profilesSeen],
    );
    for (const { row } of profiles) {
      if (!row) continue;
      if (row.active) this.index.upsertProfile(matchProfileFromRow(row));
      else this.index.removeProfile(row.person_id);
    }
    if (!this.loaded) this.logger.log({ openings: this.index.openingCount, profiles: this.index.profileCount }, 'match index loaded');
    this.loaded = true;
    this.profilesSeen = profiles[0].snapshot;
  }
}

function openingFromRow(row: OpeningRow): IndexedOpening {
  return {
    openingId: row.opening_id,
    iscoCode: row.isco_code,
    requiredSkills: row.required_skills,
    requiredLanguages: row.required_languages,
    location: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    opensOn: row.opens_on,
    closesOn: row.closes_on,
  };
}
