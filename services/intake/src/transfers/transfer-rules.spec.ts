import fc from 'fast-check';
import type { BorderAgreement } from '@puente/federation';
import { screeningSummaryOf } from './transfer-messages';
import {
  decideConsentImport,
  decidePackage,
  decideTransfer,
  SCREENING_FIELD,
  screeningMayTravel,
  TRANSFER_ACTIONS,
  TRANSFER_PERSON_FIELDS,
  TRANSFER_STATUSES,
  type TransferCandidate,
  type TransferSide,
} from './transfer-rules';

const SIDES: TransferSide[] = ['origin', 'destination'];

describe('decideTransfer (exhaustive)', () => {
  it.each(TRANSFER_STATUSES.flatMap((s) => TRANSFER_ACTIONS.flatMap((a) => SIDES.map((by) => [s, a, by] as const))))('%s + %s by the %s', (status, action, by) => {
    const d = decideTransfer(status, action, by);
    const decider = action === 'withdraw' ? 'origin' : 'destination';
    if (by !== decider) return expect(d).toEqual({ ok: false, code: 'not-your-side', action, side: by });
    const target = { accept: 'completed', reject: 'rejected', expire: 'expired', withdraw: 'withdrawn' }[action];
    if (status === 'pending') return expect(d).toEqual({ ok: true, status: target, changed: true });
    if (status === target) return expect(d).toEqual({ ok: true, status, changed: false });
    expect(d).toEqual({ ok: false, code: 'already-decided', status });
  });

  it('a transfer is decided once: after any first step, no other step changes it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...TRANSFER_ACTIONS), fc.constantFrom(...SIDES)), { minLength: 1, maxLength: 8 }), (steps) => {
        let status: (typeof TRANSFER_STATUSES)[number] = 'pending';
        let changes = 0;
        for (const [action, by] of steps) {
          const d = decideTransfer(status, action, by);
          if (d.ok && d.changed) {
            changes += 1;
            status = d.status;
          }
        }
        expect(changes).toBeLessThanOrEqual(1);
      }),
    );
  });
});

const mx: BorderAgreement = { node: 'MX', kinds: ['custody-transfer'], fields: { 'custody-transfer': ['givenNames', 'familyNames', 'birthDate', 'sex', 'nationality', 'relationship'] } };
const person = (o: Partial<TransferCandidate> = {}): TransferCandidate => ({
  personId: 'p1',
  nationality: 'HN',
  flags: [],
  consent: {},
  values: { givenNames: 'Ana', familyNames: 'López', birthDate: '1990-01-02', birthDateEstimated: false, sex: 'female', nationality: 'HN', relationship: 'principal', vulnerabilityFlags: [] },
  ...o,
});

describe('decidePackage', () => {
  it('carries each person’s fields narrowed to agreement ∩ consent', () => {
    const d = decidePackage([person(), person({ personId: 'p2', consent: { fields: ['givenNames', 'birthDate', 'vulnerabilityFlags'] } })], mx);
    expect(d).toEqual({
      allowed: true,
      overridden: false,
      persons: [
        { personId: 'p1', fields: ['givenNames', 'familyNames', 'birthDate', 'sex', 'nationality', 'relationship'], values: { givenNames: 'Ana', familyNames: 'López', birthDate: '1990-01-02', sex: 'female', nationality: 'HN', relationship: 'principal' } },
        { personId: 'p2', fields: ['givenNames', 'birthDate'], values: { givenNames: 'Ana', birthDate: '1990-01-02' } },
      ],
    });
  });

  it('sends nothing when one member has no consent, there is no agreement, or one member is under the protection block toward the destination', () => {
    expect(decidePackage([person(), person({ personId: 'p2', consent: null })], mx)).toEqual({ allowed: false, reason: 'no-consent', personId: 'p2' });
    expect(decidePackage([person()], { ...mx, kinds: ['referral'] })).toEqual({ allowed: false, reason: 'no-agreement', personId: 'p1' });
    expect(decidePackage([person(), person({ personId: 'p3', nationality: 'MX', flags: ['fear_of_return'] })], mx)).toEqual({ allowed: false, reason: 'protection-block', personId: 'p3' });
    // An officer's recorded override for that node lets it through, and says so.
    expect(decidePackage([person({ nationality: 'MX', flags: ['asylum_claim'], overridden: true })], mx)).toMatchObject({ allowed: true, overridden: true });
    // Refugee status recognized here blocks the nationality's node like an asylum claim.
    expect(decidePackage([person({ nationality: 'MX', flags: ['recognized_refugee'] })], mx)).toEqual({ allowed: false, reason: 'protection-block', personId: 'p1' });
  });

  it('sends nothing for a case with nobody left on it (every member erased): 409, never an empty package', () => {
    expect(decidePackage([], mx)).toEqual({ allowed: false, reason: 'no-persons' });
  });

  it('never carries a field outside the known fields, the agreement or the consent', () => {
    const fieldSet = fc.subarray([...TRANSFER_PERSON_FIELDS]);
    fc.assert(
      fc.property(fc.option(fieldSet, { nil: undefined }), fc.array(fc.option(fieldSet, { nil: undefined }), { minLength: 1, maxLength: 4 }), (agreed, consents) => {
        const agreement: BorderAgreement = { node: 'MX', kinds: ['custody-transfer'], fields: agreed ? { 'custody-transfer': agreed } : undefined };
        const d = decidePackage(consents.map((fields, i) => person({ personId: `p${i}`, consent: { fields } })), agreement);
        if (!d.allowed) throw new Error('consented persons are refused');
        d.persons.forEach((p, i) => {
          for (const f of [...p.fields, ...Object.keys(p.values)]) {
            expect(TRANSFER_PERSON_FIELDS).toContain(f);
            if (agreed) expect(agreed).toContain(f);
            if (consents[i]) expect(consents[i]).toContain(f);
          }
        });
      }),
    );
  });
});

describe('screeningMayTravel', () => {
  const agreement = (change: Partial<BorderAgreement> = {}): BorderAgreement => ({ node: 'MX', kinds: ['custody-transfer'], ...change });

  it('travels with a transfer agreement that lists no fields (every field) or lists it', () => {
    expect(screeningMayTravel(agreement())).toBe(true);
    expect(screeningMayTravel(agreement({ fields: { 'custody-transfer': ['givenNames', SCREENING_FIELD] } }))).toBe(true);
  });

  it('stays without it in the list, or without a transfer agreement', () => {
    expect(screeningMayTravel(agreement({ fields: { 'custody-transfer': ['givenNames', 'birthDate'] } }))).toBe(false);
    expect(screeningMayTravel(agreement({ kinds: ['referral'] }))).toBe(false);
    // Another kind's list says nothing about transfers.
    expect(screeningMayTravel(agreement({ fields: { referral: ['givenNames'] } }))).toBe(true);
  });
});

describe('decideConsentImport', () => {
  const consent = { purpose: 'screening', destinationCountry: '', partnerId: '', personKnown: true };

  it('records the consents of the persons taken in', () => {
    expect(decideConsentImport(consent, 'MX', false)).toEqual({ record: true });
    expect(decideConsentImport({ ...consent, purpose: 'cross_border_transfer', destinationCountry: 'US' }, 'MX', false)).toEqual({ record: true });
    expect(decideConsentImport({ ...consent, purpose: 'referral', partnerId: 'UNHCR-MX' }, 'MX', true)).toEqual({ record: true });
  });

  it('not the transfer consent toward this node, one naming a partner unknown here, nor one of a person not transferred', () => {
    expect(decideConsentImport({ ...consent, purpose: 'cross_border_transfer', destinationCountry: 'MX' }, 'MX', false)).toEqual({ record: false, why: 'served-by-this-transfer' });
    expect(decideConsentImport({ ...consent, purpose: 'referral', partnerId: 'UNHCR-GT' }, 'MX', false)).toEqual({ record: false, why: 'partner-unknown-here' });
    expect(decideConsentImport({ ...consent, personKnown: false }, 'MX', true)).toEqual({ record: false, why: 'person-not-transferred' });
  });

  it('never records a consent of a person the destination did not take in, whatever else holds', () => {
    fc.assert(
      fc.property(fc.constantFrom('screening', 'referral', 'cross_border_transfer', 'identity_matching'), fc.constantFrom('', 'MX', 'US'), fc.constantFrom('', 'UNHCR-MX'), fc.boolean(), (purpose, destinationCountry, partnerId, partnerKnown) => {
        expect(decideConsentImport({ purpose, destinationCountry, partnerId, personKnown: false }, 'MX', partnerKnown).record).toBe(false);
      }),
    );
  });
});

describe('screeningSummaryOf', () => {
  it('keeps the codes of a completed screening (flags, grounds, pathways, risk), never its answers', () => {
    const summary = screeningSummaryOf({
      screeningId: 's-1',
      personId: 'p-1',
      riskLevel: 'SCREENING_RISK_LEVEL_HIGH',
      flags: [{ flag: 'PROTECTION_FLAG_FEAR_OF_RETURN', reasons: ['q_fear'] }, { flag: 'PROTECTION_FLAG_UNSPECIFIED' }],
      fearGrounds: [{ ground: 'PERSECUTION_GROUND_POLITICAL_OPINION', reasons: ['q_ground'] }],
      recommendations: [{ pathway: 'PATHWAY_NATIONAL_ASYLUM', reasons: ['q_fear'] }, { pathway: 'PATHWAY_RESETTLEMENT' }],
      completedAt: '2026-12-01T10:00:00Z',
    });
    expect(summary).toMatchObject({
      screeningId: 's-1',
      personId: 'p-1',
      riskLevel: 'high',
      flags: ['fear_of_return'],
      fearGrounds: ['political_opinion'],
      recommendedPathways: ['national_asylum', 'resettlement'],
    });
    expect(JSON.stringify({ ...summary, completedAt: undefined })).not.toContain('q_');
  });
});
