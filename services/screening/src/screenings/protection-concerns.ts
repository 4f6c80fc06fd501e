// Reception's protection concerns, as screening stores and shows them: closed codes mapped from
// the contract's enum (proto/puente/reception/v1). Codes only; what staff observed stays with
// reception.
import { ProtectionConcern } from '@puente/contracts';

export const CONCERN_CODES = [
  'unaccompanied_child',
  'separated_child',
  'fear_of_return',
  'trafficking_indicators',
  'survivor_of_violence',
  'medical_emergency',
  'psychosocial_distress',
  'other',
] as const;
export type ConcernCode = (typeof CONCERN_CODES)[number];

export const CONCERN_ENUM: Record<ConcernCode, ProtectionConcern> = {
  unaccompanied_child: ProtectionConcern.UNACCOMPANIED_CHILD,
  separated_child: ProtectionConcern.SEPARATED_CHILD,
  fear_of_return: ProtectionConcern.FEAR_OF_RETURN,
  trafficking_indicators: ProtectionConcern.TRAFFICKING_INDICATORS,
  survivor_of_violence: ProtectionConcern.SURVIVOR_OF_VIOLENCE,
  medical_emergency: ProtectionConcern.MEDICAL_EMERGENCY,
  psychosocial_distress: ProtectionConcern.PSYCHOSOCIAL_DISTRESS,
  other: ProtectionConcern.OTHER,
};

const CODE_OF = new Map<number, ConcernCode>(CONCERN_CODES.map((code) => [CONCERN_ENUM[code], code]));

/**
 * The codes of a concern's enum values, without duplicates, in the order of CONCERN_CODES.
 * UNSPECIFIED is ignored; a value this service does not know yet (a newer reception contract)
 * counts as `other`: a concern is never dropped because its code is new.
 */
export function concernCodesOf(values: readonly number[]): ConcernCode[] {
  const codes = new Set<ConcernCode>();
  for (const value of values) {
    if (value === ProtectionConcern.UNSPECIFIED) continue;
    codes.add(CODE_OF.get(value) ?? 'other');
  }
  return CONCERN_CODES.filter((code) => codes.has(code));
}
