import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ProgramPathway, SuggestionsComputedSchema, Topics, encodeEvent, toTimestamp } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import type { Expr } from '@puente/rules';
import type { EntityManager } from 'typeorm';
import { profileOf, RoutingCaseFacts } from '../cases/case-model';
import { DirectoryService, type ProgramRecord } from '../directory/directory.service';
import { type CaseProfile, checkEligibility, compileEligibility } from '../directory/eligibility';
import { type Candidate, type Ineligible, pathwayStrengths, rankPrograms, type SlaRecord, type Suggestion } from './ranking';

/** A suggestion as stored and served: the ranking's, with the program's and partner's names. */
export interface StoredSuggestion extends Suggestion {
  /** Names this suggestion when a caseworker refers from it (CreateReferral.suggestionId). */
  suggestionId: string;
  programName: string;
  partnerName: string;
  node: string;
  hostedHere: boolean;
}

export interface StoredIneligible extends Ineligible {
  programName: string;
}

export interface CaseSuggestions {
  caseId: string;
  screeningId: string;
  computedAt: Date;
  suggestions: StoredSuggestion[];
  ineligible: StoredIneligible[];
}

/**
 * Ranked program suggestions for a case after its screening: the directory's active programs,
 * each checked against its eligibility rule, ranked by pathway strength (from the screening's
 * recommendations), capacity and SLA record. The latest set per case is stored (what the API
 * serves) and announced with SuggestionsComputed (ids and codes only).
 */
@Injectable()
export class SuggestionsService {
  /** Compiled eligibility rules by program id and version (programs change rarely). */
  private readonly compiled = new Map<string, Expr | null>();

  constructor(
    private readonly cases: RoutingCaseFacts,
    private readonly directory: DirectoryService,
    private readonly outbox: OutboxWriter,
  ) {}

  private rule(p: ProgramRecord): Expr | null {
    const key = `${p.id}@${p.version}`;
    if (!this.compiled.has(key)) {
      // Rules are compiled on write, so a stored rule that no longer compiles (a vocabulary change)
      // makes the program ineligible rather than eligible for everyone.
      const { expr, issues } = p.eligibilityRule === null ? { expr: null, issues: [] } : compileEligibility(p.eligibilityRule);
      this.compiled.set(key, issues.length ? { kind: 'literal', value: false } : (expr ?? null));
    }
    return this.compiled.get(key) ?? null;
  }

  private async slaRecords(tx: EntityManager): Promise<Map<string, SlaRecord>> {
    const rows = (await tx.query(`SELECT program_id, kept, breached FROM routing_program_sla`)) as { program_id: string; kept: number; breached: number }[];
    return new Map(rows.map((r) => [r.program_id, { kept: r.kept, breached: r.breached }]));
  }

  /** Ranks every active program for a profile (pure apart from reading the directory and SLA records). */
  async rank(tx: EntityManager, profile: CaseProfile, recommended: readonly { pathway: ProgramRecord['pathway']; position: number }[], asOf: Date): Promise<{ suggestions: StoredSuggestion[]; ineligible: StoredIneligible[]; programs: Map<string, ProgramRecord> }> {
    const programs = await this.directory.activePrograms(tx);
    const sla = await this.slaRecords(tx);
    const day = asOf.toISOString().slice(0, 10);
    const candidates: Candidate[] = programs.map((p) => ({
      program: { id: p.id, partnerId: p.partner.id, pathway: p.pathway, openSlots: p.capacity.openSlots, totalSlots: p.capacity.totalSlots, waitlist: p.capacity.waitlist, slaAcknowledgeHours: p.sla.acknowledgeHours },
      eligibility: checkEligibility(this.rule(p), profile, day),
      sla: sla.get(p.id) ?? { kept: 0, breached: 0 },
    }));
    const byId = new Map(programs.map((p) => [p.id, p]));
    const ranked = rankPrograms(candidates, pathwayStrengths(recommended));
    return {
      programs: byId,
      suggestions: ranked.suggestions.flatMap((s) => {
        const p = byId.get(s.programId);
        return p ? [{ ...s, suggestionId: randomUUID(), programName: p.name, partnerName: p.partner.name, node: p.node, hostedHere: p.hostedHere }] : [];
      }),
      ineligible: ranked.ineligible.map((i) => ({ ...i, programName: byId.get(i.programId)?.name ?? '' })),
    };
  }

  /** Computes, stores and announces the suggestions of a case after screening `screeningId`. */
  async compute(tx: EntityManager, caseId: string, screeningId: string, traceparent?: string, at: Date = new Date()): Promise<CaseSuggestions | undefined> {
    const c = await this.cases.load(tx, caseId);
    if (!c) return undefined;
    if (c.row.erased_at || c.row.closed_at) {
      await tx.query(`DELETE FROM routing_suggestion WHERE case_id = $1`, [caseId]);
      return undefined;
    }
    const { suggestions, ineligible } = await this.rank(tx, profileOf(c), c.row.recommended, at);
    await tx.query(
      `INSERT INTO routing_suggestion (case_id, screening_id, computed_at, suggestions, ineligible) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (case_id) DO UPDATE SET screening_id = EXCLUDED.screening_id, computed_at = EXCLUDED.computed_at, suggestions = EXCLUDED.suggestions, ineligible = EXCLUDED.ineligible`,
      [caseId, screeningId, at, JSON.stringify(suggestions), JSON.stringify(ineligible)],
    );
    await this.outbox.append(tx, {
      topic: Topics.routing.name,
      key: caseId,
      type: SuggestionsComputedSchema.typeName,
      payload: encodeEvent(SuggestionsComputedSchema, {
        caseId,
        screeningId,
        suggestions: suggestions.map((s) => ({
          programId: s.programId,
          partnerId: s.partnerId,
          pathway: ProgramPathway[s.pathway.toUpperCase() as keyof typeof ProgramPathway] ?? ProgramPathway.UNSPECIFIED,
          rank: s.rank,
          hasOpenSlot: s.hasOpenSlot,
        })),
        ineligibleCount: ineligible.length,
        computedAt: toTimestamp(at),
      }),
      traceparent,
      time: at,
    });
    return { caseId, screeningId, computedAt: at, suggestions, ineligible };
  }

  /** The stored suggestions of a case, if any. */
  async latest(tx: EntityManager, caseId: string): Promise<CaseSuggestions | undefined> {
    const [row] = (await tx.query(`SELECT * FROM routing_suggestion WHERE case_id = $1`, [caseId])) as {
      case_id: string;
      screening_id: string;
      computed_at: Date;
      suggestions: StoredSuggestion[];
      ineligible: StoredIneligible[];
    }[];
    return row ? { caseId: row.case_id, screeningId: row.screening_id, computedAt: row.computed_at, suggestions: row.suggestions, ineligible: row.ineligible } : undefined;
  }

  /**
   * Programs an urgent protection alert should refer the case to without a caseworker: eligible
   * now, marked `autoReferOnProtectionAlert`, with an open slot, best first. For the referral
   * service (it creates the referrals, with consent and agreement checks of its own).
   */
  async autoReferralTargets(tx: EntityManager, caseId: string, at: Date = new Date()): Promise<ProgramRecord[]> {
    const c = await this.cases.load(tx, caseId);
    if (!c || c.row.erased_at || c.row.closed_at) return [];
    const { suggestions, programs } = await this.rank(tx, profileOf(c), c.row.recommended, at);
    return suggestions.flatMap((s) => programs.get(s.programId) ?? []).filter((p) => p.autoReferOnProtectionAlert && p.capacity.openSlots > 0);
  }
}
