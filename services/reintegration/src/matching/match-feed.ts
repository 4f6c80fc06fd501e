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
  private seen = NOTHING_SEEN;
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
    // One statement, so one round trip and one snapshot for both tables.
    const rows: { snapshot: string; opening: OpeningRow | null; profile: MatchProfileRow | null }[] = await this.dataSource.query(
      `WITH s AS (SELECT pg_current_snapshot() AS snapshot)
       SELECT s.snapshot::text AS snapshot, NULL::json AS opening, NULL::json AS profile FROM s
       UNION ALL
       SELECT NULL, json_build_object(
                'opening_id', o.opening_id, 'isco_code', o.isco_code, 'required_skills', o.required_skills, 'required_languages', o.required_languages,
                'lat', o.lat, 'lon', o.lon, 'opens_on', o.opens_on, 'closes_on', o.closes_on,
                'takes_placements', o.status = 'open' AND o.slots_filled < o.slots), NULL
         FROM job_opening o WHERE ${UNSEEN_BY('o')}
       UNION ALL
       SELECT NULL, NULL, json_build_object(
                'person_id', p.person_id, 'active', p.active, 'occupations', p.occupations, 'languages', p.languages,
                'area_lat', p.area_lat, 'area_lon', p.area_lon)
         FROM match_profile p WHERE ${UNSEEN_BY('p')}`,
      [this.seen],
    );
    let snapshot: string | null = null;
    for (const { snapshot: taken, opening, profile } of rows) {
      if (taken) snapshot = taken;
      if (opening) {
        if (opening.takes_placements) this.index.upsertOpening(openingFromRow(opening));
        else this.index.removeOpening(opening.opening_id);
      }
      if (profile) {
        if (profile.active) this.index.upsertProfile(matchProfileFromRow(profile));
        else this.index.removeProfile(profile.person_id);
      }
    }
    if (!snapshot) throw new Error('the catch-up statement returned no snapshot');
    if (!this.loaded) this.logger.log({ openings: this.index.openingCount, profiles: this.index.profileCount }, 'match index loaded');
    this.loaded = true;
    this.seen = snapshot;
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
