import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PlanClosedSchema, PlanOutcome, PlanStatus, SustainabilityScoresSchema } from '@puente/contracts';
import { NonRetryableError } from '@puente/messaging';
import fc from 'fast-check';
import { outcomeRecordOf } from './reintegration-outcomes';

const PLAN = '3f1c2b7e-9a4d-4c1e-8f00-5a9d1e2c3b4a';
const CASE = '0b6f8e52-1d3a-4f5e-9c7b-2a1e4d6c8f90';
const closed = (over: Record<string, unknown> = {}) =>
  create(PlanClosedSchema, {
    planId: PLAN,
    caseId: CASE,
    status: PlanStatus.COMPLETED,
    outcome: PlanOutcome.SUSTAINABLY_REINTEGRATED,
    lastScores: create(SustainabilityScoresSchema, { economic: 0.75, social: 1, psychosocial: 0.8, composite: 0.85 }),
    referringCenterCode: 'HN-CAMR-SAP',
    referringNode: 'HN',
    closedAt: timestampFromDate(new Date('2027-12-01T15:00:00Z')),
    ...over,
  });

describe('a closed plan as the referring center keeps it', () => {
  it('keeps ids, codes and scores for a center of this node', () => {
    expect(outcomeRecordOf(closed(), 'HN', '2027-12-01T15:00:01Z')).toEqual({
      planId: PLAN,
      caseId: CASE,
      centerCode: 'HN-CAMR-SAP',
      status: 'completed',
      outcome: 'sustainably_reintegrated',
      scores: { economic: 0.75, social: 1, psychosocial: 0.8, composite: 0.85 },
      closedAt: new Date('2027-12-01T15:00:00Z'),
    });
    expect(outcomeRecordOf(closed({ lastScores: undefined, status: PlanStatus.DROPPED, outcome: PlanOutcome.PERSON_ERASED }), 'HN', '2027-12-01T15:00:01Z')).toMatchObject({
      status: 'dropped',
      outcome: 'person_erased',
      scores: null,
    });
  });

  it('ignores plans referred by another node or by no center', () => {
    expect(outcomeRecordOf(closed(), 'GT', '2027-12-01T15:00:01Z')).toBeNull();
    expect(outcomeRecordOf(closed({ referringCenterCode: '' }), 'HN', '2027-12-01T15:00:01Z')).toBeNull();
  });

  it('treats a closed plan that breaks the contract as poison, naming the field only', () => {
    const poison = (over: Record<string, unknown>, field: RegExp) => {
      expect(() => outcomeRecordOf(closed(over), 'HN', '2027-12-01T15:00:01Z')).toThrow(NonRetryableError);
      expect(() => outcomeRecordOf(closed(over), 'HN', '2027-12-01T15:00:01Z')).toThrow(field);
    };
    poison({ planId: 'Maria Lopez' }, /^plan_id is not a UUID$/);
    poison({ referringCenterCode: 'somewhere' }, /referring_center_code/);
    poison({ status: PlanStatus.ACTIVE }, /status/);
    poison({ outcome: PlanOutcome.UNSPECIFIED }, /outcome/);
  });

  it('accepts every score in [0, 1] and refuses any outside it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.constantFrom('economic', 'social', 'psychosocial', 'composite'), (value, dimension) => {
        const scores = create(SustainabilityScoresSchema, { economic: 0.5, social: 0.5, psychosocial: 0.5, composite: 0.5, [dimension]: value });
        const inRange = Number.isFinite(value) && value >= 0 && value <= 1;
        if (inRange) expect(outcomeRecordOf(closed({ lastScores: scores }), 'HN', '2027-12-01T15:00:01Z')?.scores?.[dimension as 'economic']).toBe(value);
        else expect(() => outcomeRecordOf(closed({ lastScores: scores }), 'HN', '2027-12-01T15:00:01Z')).toThrow(`last_scores.${dimension} is not between 0 and 1`);
      }),
    );
  });
});
