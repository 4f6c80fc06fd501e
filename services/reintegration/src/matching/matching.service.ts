import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OpeningRow, OPENING_COLUMNS, Openings, today } from '../jobs/openings.service';
import { skillsProfileNotFound, SkillsProfiles } from '../skills/skills-profiles.service';
import { MatchFeed } from './match-feed';
import type { CandidatesDto, JobMatchesDto } from './matching.dto';

/** Top-N matching both ways, from this instance's index (brought up to date first). */
@Injectable()
export class Matching {
  constructor(
    private readonly dataSource: DataSource,
    private readonly feed: MatchFeed,
    private readonly profiles: SkillsProfiles,
    private readonly openings: Openings,
  ) {}

  /** The best openings for a person: 410 erased, 403 without consent, 404 without a skills profile. */
  async openingsFor(personId: string, limit: number): Promise<JobMatchesDto> {
    await this.profiles.requireSupportable(this.dataSource.manager, personId);
    await this.feed.catchUp();
    const person = this.feed.index.profile(personId);
    if (!person) throw skillsProfileNotFound();
    const ranked = this.feed.index.topOpenings(person, limit, today());
    const rows: OpeningRow[] = ranked.length
      ? await this.dataSource.query(`SELECT ${OPENING_COLUMNS} FROM job_opening WHERE opening_id = ANY($1)`, [ranked.map((r) => r.opening.openingId)])
      : [];
    const byId = new Map(rows.map((r) => [r.opening_id, r]));
    return {
      personId,
      matches: ranked.flatMap((r) => {
        const row = byId.get(r.opening.openingId);
        if (!row) return [];
        return [
          {
            openingId: row.opening_id,
            title: row.title,
            iscoCode: row.isco_code,
            employerPartnerId: row.employer_partner_id,
            locationName: row.location_name,
            slotsLeft: row.slots - row.slots_filled,
            score: r.score,
            explanation: r.explanation as JobMatchesDto['matches'][number]['explanation'],
          },
        ];
      }),
    };
  }

  /**
   * The best persons for an opening. Match features exist only while a consent is in force, but a
   * consent can also lapse by its end date (no event): the ranking takes a margin and keeps only
   * persons whose consent is in force now.
   */
  async candidatesFor(openingId: string, limit: number): Promise<CandidatesDto> {
    const row = await this.openings.get(openingId);
    await this.feed.catchUp();
    const ranked = this.feed.index.topPeople(
      {
        openingId: row.opening_id,
        iscoCode: row.isco_code,
        requiredSkills: row.required_skills,
        requiredLanguages: row.required_languages,
        location: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
      },
      Math.min(limit * 3, 150),
    );
    const supportable = await this.profiles.withConsentInForce(this.dataSource.manager, ranked.map((r) => r.person.personId));
    return {
      openingId,
      candidates: ranked.filter((r) => supportable.has(r.person.personId)).slice(0, limit).map((r) => ({ personId: r.person.personId, score: r.score, explanation: r.explanation as CandidatesDto['candidates'][number]['explanation'] })),
    };
  }
}
