// Ranking of eligible programs for a case: pure, deterministic and explainable.
import type { EligibilityResult, FailedRule } from '../directory/eligibility';
import type { Pathway } from '../directory/vocabulary';

/** A program as ranking sees it. */
export interface RankedProgram {
  id: string;
  partnerId: string;
  pathway: Pathway;
  openSlots: number;
  totalSlots: number;
  waitlist: number;
  slaAcknowledgeHours: number;
}

/** How a program's partner has kept the program's SLA: referrals acknowledged in time, and breaches. */
export interface SlaRecord {
  kept: number;
  breached: number;
}

export interface Candidate {
  program: RankedProgram;
  eligibility: EligibilityResult;
  sla: SlaRecord;
}

/** One suggestion, with why it is where it is. */
export interface Suggestion {
  rank: number;
  programId: string;
  partnerId: string;
  pathway: Pathway;
  /** Higher is stronger: the earlier the screening recommends the pathway, the stronger (0: not recommended). */
  pathwayStrength: number;
  hasOpenSlot: boolean;
  /** Laplace-smoothed share of SLAs kept, in (0, 1): 0.5 for a program without a record. */
  slaScore: number;
  reasons: string[];
}

export interface Ineligible {
  programId: string;
  partnerId: string;
  pathway: Pathway;
  failedRules: FailedRule[];
}

/** (kept + 1) / (kept + breached + 2): a new program starts at 0.5, one breach weighs less the longer the record. */
export function slaScore(r: SlaRecord): number {
  return (r.kept + 1) / (r.kept + r.breached + 2);
}

/**
 * Strength of each recommended pathway from its position among the screening's recommendations:
 * the first is strongest. `positions` maps a pathway to its 1-based position; `count` is how many
 * recommendations there were.
 */
export function pathwayStrengths(recommended: readonly { pathway: Pathway; position: number }[]): Map<Pathway, number> {
  const count = recommended.reduce((m, r) => Math.max(m, r.position), 0);
  return new Map(recommended.map((r) => [r.pathway, count - r.position + 1]));
}

/**
 * Orders the eligible programs: by pathway strength, then an open slot now before a waitlist, then
 * the SLA record, then more open slots, then the program id (a total order, so the same input
 * always gives the same list). Ineligible programs are returned apart, with their failed rules.
 */
export function rankPrograms(candidates: readonly Candidate[], strengths: ReadonlyMap<Pathway, number>): { suggestions: Suggestion[]; ineligible: Ineligible[] } {
  const ineligible: Ineligible[] = candidates
    .filter((c) => !c.eligibility.eligible)
    .map((c) => ({ programId: c.program.id, partnerId: c.program.partnerId, pathway: c.program.pathway, failedRules: c.eligibility.failedRules }))
    .sort((a, b) => (a.programId < b.programId ? -1 : a.programId > b.programId ? 1 : 0));
  const scored = candidates
    .filter((c) => c.eligibility.eligible)
    .map((c) => ({
      c,
      strength: strengths.get(c.program.pathway) ?? 0,
      open: c.program.openSlots > 0,
      sla: slaScore(c.sla),
    }));
  scored.sort(
    (a, b) =>
      b.strength - a.strength ||
      Number(b.open) - Number(a.open) ||
      b.sla - a.sla ||
      b.c.program.openSlots - a.c.program.openSlots ||
      (a.c.program.id < b.c.program.id ? -1 : a.c.program.id > b.c.program.id ? 1 : 0),
  );
  const suggestions = scored.map(({ c, strength, open, sla }, i) => ({
    rank: i + 1,
    programId: c.program.id,
    partnerId: c.program.partnerId,
    pathway: c.program.pathway,
    pathwayStrength: strength,
    hasOpenSlot: open,
    slaScore: Math.round(sla * 1000) / 1000,
    reasons: [
      strength > 0 ? `pathway ${c.program.pathway} recommended by the screening (strength ${strength})` : `pathway ${c.program.pathway} not recommended by the screening`,
      open ? `${c.program.openSlots} of ${c.program.totalSlots} slots open` : `no open slot: waitlist of ${c.program.waitlist}`,
      c.sla.kept + c.sla.breached === 0 ? 'no SLA record yet' : `SLA kept ${c.sla.kept} of ${c.sla.kept + c.sla.breached} times`,
      ...(c.eligibility.reasons.length ? [`eligible on ${c.eligibility.reasons.join(', ')}`] : ['no eligibility conditions']),
    ],
  }));
  return { suggestions, ineligible };
}
