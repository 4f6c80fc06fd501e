import fc from 'fast-check';
import { CONSENT_PURPOSE_FIELDS } from '@puente/privacy';
import { type ConsentInForce, decideDisclosure, DISCLOSABLE_FIELDS } from './disclosure-rules';

const at = new Date('2026-12-06T12:00:00Z');
const consent = (extra: Partial<ConsentInForce> = {}): ConsentInForce => ({
  id: '00000000-0000-4000-8000-000000000001',
  purpose: 'referral',
  partnerId: null,
  partnerType: null,
  destinationCountry: null,
  validFrom: new Date('2026-11-01T00:00:00Z'),
  validUntil: null,
  withdrawnAt: null,
  ...extra,
});
const comar = { purpose: 'referral' as const, partnerId: 'MX-COMAR', partnerType: 'government_asylum_agency' };

describe('decideDisclosure', () => {
  it('discloses the requested fields a referral consent covers and withholds the others', () => {
    const decision = decideDisclosure(['person.givenNames', 'person.documents', 'person.contact.phone', 'person.givenNames'], [consent()], comar, at);
    expect(decision).toEqual({
      consentIds: ['00000000-0000-4000-8000-000000000001'],
      disclosed: ['person.contact.phone', 'person.givenNames'],
      withheld: ['person.documents'],
    });
  });

  it('allows nothing under a consent narrowed to another partner or type, withdrawn, expired or not yet valid', () => {
    const refused = [
      consent({ partnerId: 'UNHCR-GT' }),
      consent({ partnerType: 'international_organization' }),
      consent({ withdrawnAt: new Date('2026-12-01T00:00:00Z') }),
      consent({ validUntil: new Date('2026-12-01T00:00:00Z') }),
      consent({ validFrom: new Date('2026-12-10T00:00:00Z') }),
      consent({ purpose: 'data_sharing', partnerId: 'MX-COMAR' }),
    ];
    for (const c of refused) expect(decideDisclosure(['person.givenNames'], [c], comar, at)).toEqual({ consentIds: [], disclosed: [], withheld: ['person.givenNames'] });
  });

  it('accepts a consent narrowed to this partner or to its type', () => {
    for (const c of [consent({ partnerId: 'MX-COMAR' }), consent({ partnerType: 'government_asylum_agency' })]) {
      expect(decideDisclosure(['person.familyNames'], [c], comar, at).disclosed).toEqual(['person.familyNames']);
    }
  });

  it('offers only identity fields (person.*) of the consent purposes', () => {
    expect(DISCLOSABLE_FIELDS.length).toBeGreaterThan(0);
    expect(DISCLOSABLE_FIELDS.every((f) => f.startsWith('person.'))).toBe(true);
    expect(DISCLOSABLE_FIELDS).toEqual(expect.arrayContaining(['person.givenNames', 'person.contact.phone']));
    expect(DISCLOSABLE_FIELDS).not.toContain('matchKeys');
  });

  describe('properties', () => {
    const field = fc.constantFrom(...DISCLOSABLE_FIELDS);
    const anyConsent = fc.record({
      id: fc.uuid(),
      purpose: fc.constantFrom('referral', 'data_sharing', 'screening'),
      partnerId: fc.constantFrom(null, 'MX-COMAR', 'UNHCR-GT'),
      partnerType: fc.constantFrom(null, 'government_asylum_agency', 'international_organization'),
      destinationCountry: fc.constant(null),
      validFrom: fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true }),
      validUntil: fc.option(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-06-01T00:00:00Z'), noInvalidDate: true })),
      withdrawnAt: fc.option(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true })),
    });
    const referralFields: readonly string[] = CONSENT_PURPOSE_FIELDS.referral.fields;

    it('splits the requested fields exactly; discloses only what a consent in force allows, and nothing without one', () => {
      fc.assert(
        fc.property(fc.array(field, { maxLength: 12 }), fc.array(anyConsent, { maxLength: 5 }), (requested, consents) => {
          const d = decideDisclosure(requested, consents, comar, at);
          expect([...d.disclosed, ...d.withheld].sort()).toEqual([...new Set(requested)].sort());
          expect(d.disclosed.filter((f) => d.withheld.includes(f))).toEqual([]);
          if (d.consentIds.length === 0) expect(d.disclosed).toEqual([]);
          for (const f of d.disclosed) expect(referralFields.some((r) => f === r || f.startsWith(`${r}.`))).toBe(true);
          for (const id of d.consentIds) {
            const c = consents.find((x) => x.id === id);
            expect(c?.purpose).toBe('referral');
            expect(c?.withdrawnAt === null || (c?.withdrawnAt as Date) > at).toBe(true);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
