import type { CareStatusValue, RelationshipValue } from '../common/enums';

/** What the derivation needs to know about one member: relationship to the principal and whether a child. */
export interface CareMember {
  personId: string;
  relationship: RelationshipValue;
  /** Under 18; undefined when the age is unknown (then the member is not treated as a child). */
  minor: boolean | undefined;
}

/**
 * Derives every member's care status (UNHCR/UNICEF definitions) from the household as recorded:
 *
 * - `not_a_child`: 18 or older, or age unknown;
 * - `accompanied`: under 18 with a parent or a legal guardian in the household;
 * - `separated`: under 18 without parent or guardian, but with another adult (relative or not);
 * - `unaccompanied`: under 18 without any adult.
 *
 * Relationships are to the principal applicant, so a child's parents in the household are:
 * the principal for a `child`; the principal's `parent` members for the principal and for a
 * `sibling`. A `guardian` member is the legal guardian of the household's children and counts
 * for every child, but only if an adult. Parents count at any age (a minor mother accompanies
 * her baby, though she may herself be unaccompanied).
 */
export function deriveCareStatuses(members: readonly CareMember[]): Map<string, CareStatusValue> {
  const adults = members.filter((m) => m.minor === false);
  const adultGuardians = adults.filter((m) => m.relationship === 'guardian');
  const principal = members.find((m) => m.relationship === 'principal');
  const parentsOfPrincipal = members.filter((m) => m.relationship === 'parent');
  const result = new Map<string, CareStatusValue>();
  for (const member of members) {
    if (member.minor !== true) {
      result.set(member.personId, 'not_a_child');
      continue;
    }
    const parents: CareMember[] = [];
    if (member.relationship === 'principal' || member.relationship === 'sibling') parents.push(...parentsOfPrincipal);
    if (member.relationship === 'child' && principal) parents.push(principal);
    const caregivers = [...parents, ...adultGuardians].filter((c) => c.personId !== member.personId);
    if (caregivers.length > 0) {
      result.set(member.personId, 'accompanied');
    } else if (adults.some((a) => a.personId !== member.personId)) {
      result.set(member.personId, 'separated');
    } else {
      result.set(member.personId, 'unaccompanied');
    }
  }
  return result;
}

/** True for the two statuses that make a child a protection priority. */
export function isUnaccompaniedOrSeparated(status: CareStatusValue): boolean {
  return status === 'separated' || status === 'unaccompanied';
}
