// REST representation of the protobuf enums: the enum value's name in lower case without the
// enum prefix (`Sex.FEMALE` ↔ `female`, `CaseStatus.IN_SCREENING` ↔ `in_screening`). The zero
// value (`*_UNSPECIFIED`) never appears in the API.
import {
  AgeBand,
  CaseCloseReason,
  CaseStatus,
  ChildCareStatus,
  ConsentMethod,
  ConsentPurpose,
  DuplicateResolution,
  PartnerType,
  Priority,
  Relationship,
  Sex,
  VulnerabilityFlag,
} from '@puente/contracts';

type NumericEnum = Record<string, string | number>;

/** The REST values of a protobuf enum, in declaration order, without UNSPECIFIED. */
export function restValues<E extends NumericEnum>(enumObject: E): string[] {
  return Object.keys(enumObject)
    .filter((k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED')
    .map((k) => k.toLowerCase());
}

/** The protobuf value of a REST value (throws for a value the validator should have refused). */
export function toProto<E extends NumericEnum>(enumObject: E, value: string): E[keyof E] {
  const result = enumObject[value.toUpperCase()];
  if (typeof result !== 'number' || value !== value.toLowerCase() || value.toUpperCase() === 'UNSPECIFIED') {
    throw new RangeError(`not a value of the enum: ${JSON.stringify(value)}`);
  }
  return result as E[keyof E];
}

/** The REST value of a protobuf value. */
export function toRest<E extends NumericEnum>(enumObject: E, value: number): string {
  const name = enumObject[value];
  if (typeof name !== 'string') throw new RangeError(`not a value of the enum: ${value}`);
  return name.toLowerCase();
}

export const SEXES = restValues(Sex) as SexValue[];
export type SexValue = 'female' | 'male' | 'other' | 'undisclosed';

export const AGE_BANDS = restValues(AgeBand) as AgeBandValue[];
export type AgeBandValue = 'aged_0_to_4' | 'aged_5_to_11' | 'aged_12_to_17' | 'aged_18_to_59' | 'aged_60_plus' | 'unknown';

export const VULNERABILITY_FLAGS = restValues(VulnerabilityFlag);
export const PRIORITIES = restValues(Priority) as PriorityValue[];
export type PriorityValue = 'normal' | 'high' | 'urgent';

export const CASE_STATUSES = restValues(CaseStatus) as CaseStatusValue[];
export type CaseStatusValue =
  | 'open'
  | 'in_screening'
  | 'screened'
  | 'referred'
  | 'transfer_pending'
  | 'transferred'
  | 'on_hold'
  | 'closed';

export const CLOSE_REASONS = restValues(CaseCloseReason);
export const CONSENT_PURPOSES = restValues(ConsentPurpose) as ConsentPurposeValue[];
export type ConsentPurposeValue =
  | 'screening'
  | 'referral'
  | 'cross_border_transfer'
  | 'data_sharing'
  | 'identity_matching'
  | 'reception_services'
  | 'reintegration_support'
  | 'follow_up_contact';
export const CONSENT_METHODS = restValues(ConsentMethod) as ConsentMethodValue[];
export type ConsentMethodValue = 'written' | 'verbal_with_witness' | 'guardian' | 'electronic';
export const PARTNER_TYPES = restValues(PartnerType);
export const RELATIONSHIPS = restValues(Relationship) as RelationshipValue[];
export type RelationshipValue = 'principal' | 'parent' | 'child' | 'spouse' | 'sibling' | 'guardian' | 'other';
export const CARE_STATUSES = restValues(ChildCareStatus) as CareStatusValue[];
export type CareStatusValue = 'not_a_child' | 'accompanied' | 'separated' | 'unaccompanied';
export const DUPLICATE_RESOLUTIONS = restValues(DuplicateResolution);
