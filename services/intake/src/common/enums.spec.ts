import { CaseStatus, ChildCareStatus, Sex, VulnerabilityFlag } from '@puente/contracts';
import { CONSENT_PURPOSE_NAMES } from '@puente/privacy';
import { CARE_STATUSES, CASE_STATUSES, CONSENT_PURPOSES, restValues, SEXES, toProto, toRest } from './enums';

describe('REST ↔ protobuf enums', () => {
  it('lists the lower-case names without UNSPECIFIED', () => {
    expect(SEXES).toEqual(['female', 'male', 'other', 'undisclosed']);
    expect(CASE_STATUSES).toEqual(['open', 'in_screening', 'screened', 'referred', 'transfer_pending', 'transferred', 'on_hold', 'closed']);
    expect(CARE_STATUSES).toEqual(['not_a_child', 'accompanied', 'separated', 'unaccompanied']);
  });

  it('every consent purpose of the contract names its field set in libs/privacy (the input of minimization), and no other', () => {
    expect([...CONSENT_PURPOSES].sort()).toEqual([...CONSENT_PURPOSE_NAMES].sort());
    expect(CONSENT_PURPOSES).toEqual(expect.arrayContaining(['identity_matching', 'reception_services', 'reintegration_support', 'follow_up_contact']));
  });

  it('round-trips every value', () => {
    for (const value of restValues(VulnerabilityFlag)) expect(toRest(VulnerabilityFlag, toProto(VulnerabilityFlag, value))).toBe(value);
    expect(toProto(CaseStatus, 'in_screening')).toBe(CaseStatus.IN_SCREENING);
    expect(toProto(ChildCareStatus, 'unaccompanied')).toBe(ChildCareStatus.UNACCOMPANIED);
  });

  it('refuses UNSPECIFIED, unknown and upper-case values', () => {
    expect(() => toProto(Sex, 'unspecified')).toThrow(RangeError);
    expect(() => toProto(Sex, 'FEMALE')).toThrow(RangeError);
    expect(() => toProto(Sex, 'robot')).toThrow(RangeError);
    expect(() => toRest(Sex, 99)).toThrow(RangeError);
  });
});
