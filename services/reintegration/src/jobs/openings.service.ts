import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Caller } from '@puente/audit';
import { validationProblem } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import type { CefrLevel } from '../skills/cefr';
import { iscoTitle } from '../skills/isco';
import { openingNotFound, openingNotOpen } from './job-problems';
import type { JobOpeningDto, OpeningStatus, PostOpeningDto } from './jobs.dto';

export interface OpeningRow {
  opening_id: string;
  employer_partner_id: string;
  title: string;
  isco_code: string;
  location_name: string;
  lat: number | null;
  lon: number | null;
  required_skills: string[];
  required_languages: { code: string; level: CefrLevel }[];
  slots: number;
  slots_filled: number;
  opens_on: string;
  closes_on: string | null;
  status: OpeningStatus;
  created_at: Date;
}

/** Dates come back as `YYYY-MM-DD` text, not as JavaScript Dates at local midnight. */
export const OPENING_COLUMNS = `opening_id, employer_partner_id, title, isco_code, location_name, lat, lon, required_skills, required_languages,
  slots, slots_filled, opens_on::text AS opens_on, closes_on::text AS closes_on, status, created_at`;

export const today = (now = new Date()) => now.toISOString().slice(0, 10);

export function openingView(row: OpeningRow): JobOpeningDto {
  return {
    id: row.opening_id,
    employerPartnerId: row.employer_partner_id,
    title: row.title,
    iscoCode: row.isco_code,
    iscoTitle: iscoTitle(row.isco_code) ?? row.isco_code,
    location: { name: row.location_name, lat: row.lat as number, lon: row.lon as number },
    requiredSkills: row.required_skills,
    requiredLanguages: row.required_languages,
    slots: row.slots,
    slotsFilled: row.slots_filled,
    opensOn: row.opens_on,
    ...(row.closes_on && { closesOn: row.closes_on }),
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Why an opening takes no placement on `day`, or null when it does. */
export function closedReason(row: OpeningRow, day: string): 'filled' | 'withdrawn' | 'not-yet-open' | 'closed' | null {
  if (row.status === 'withdrawn') return 'withdrawn';
  if (row.status === 'filled' || row.slots_filled >= row.slots) return 'filled';
  if (row.opens_on > day) return 'not-yet-open';
  if (row.closes_on !== null && row.closes_on < day) return 'closed';
  return null;
}

/** Job openings posted by employer partners (the partner of the token is the employer). */
@Injectable()
export class Openings {
  constructor(private readonly dataSource: DataSource) {}

  async post(caller: Caller, input: PostOpeningDto): Promise<JobOpeningDto> {
    const day = today();
    const errors = [];
    if (input.closesOn !== undefined && input.closesOn < input.opensOn) errors.push({ field: 'closesOn', message: 'closesOn must not be before opensOn', code: 'beforeOpensOn' });
    if (input.closesOn !== undefined && input.closesOn < day) errors.push({ field: 'closesOn', message: 'closesOn must not be in the past', code: 'inThePast' });
    if (errors.length > 0) throw validationProblem(errors);
    const [row]: OpeningRow[] = await this.dataSource.query(
      `INSERT INTO job_opening (opening_id, employer_partner_id, title, isco_code, location_name, lat, lon, required_skills, required_languages, slots, opens_on, closes_on, created_by_client)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${OPENING_COLUMNS}`,
      [
        randomUUID(),
        caller.principal.partnerId,
        input.title,
        input.iscoCode,
        input.location.name,
        input.location.lat,
        input.location.lon,
        input.requiredSkills,
        JSON.stringify(input.requiredLanguages.map((l) => ({ code: l.code, level: l.level }))),
        input.slots,
        input.opensOn,
        input.closesOn ?? null,
        caller.principal.clientId,
      ],
    );
    return openingView(row);
  }

  async get(openingId: string, manager: EntityManager = this.dataSource.manager): Promise<OpeningRow> {
    const rows: OpeningRow[] = await manager.query(`SELECT ${OPENING_COLUMNS} FROM job_opening WHERE opening_id = $1`, [openingId]);
    if (rows.length === 0) throw openingNotFound();
    return rows[0];
  }

  /** The opening, if it takes placements today; 404 or 409 opening-not-open otherwise. */
  async requireOpen(manager: EntityManager, openingId: string): Promise<OpeningRow> {
    const row = await this.get(openingId, manager);
    const reason = closedReason(row, today());
    if (reason) throw openingNotOpen(reason);
    return row;
  }
}
