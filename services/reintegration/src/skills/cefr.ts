/**
 * CEFR levels (Common European Framework of Reference for Languages), lowest first. A person's
 * language is one of them; an opening's required language is met by that level or a higher one.
 */
export const CEFR_LEVELS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
export type CefrLevel = (typeof CEFR_LEVELS)[number];

export function isCefrLevel(value: unknown): value is CefrLevel {
  return typeof value === 'string' && (CEFR_LEVELS as readonly string[]).includes(value);
}

/** 1 (A1) to 6 (C2). */
export function cefrRank(level: CefrLevel): number {
  return CEFR_LEVELS.indexOf(level) + 1;
}
