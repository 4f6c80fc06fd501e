import fc from 'fast-check';
import { CONSENT_METHODS, CONSENT_PURPOSES } from '../common/enums';
import { consentAllows, consentStateAt, consentTermErrors, type ConsentTerms } from './consent-rules';

const now = new Date('2026-03-10T15:00:00Z');
const adult = { personIsMinor: false, now };
const base: ConsentTerms = { purpose: 'screening', method: 'written', validFrom: now };
const fields = (terms: Partial<ConsentTerms>, ctx = adult) => consentTermErrors({ ...base, ...terms }, ctx).map((e) => e.field);

describe('consent terms', () => {
  it('accepts a written screening consent of an adult', () => {
    expect(fields({})).toEqual([]);
  });

  it('data sharing names exactly one partner or partner type', () => {
    expect(fields({ purpose: 'data_sharing' })).toEqual(['partnerId']);
    expect(fields({ purpose: 'data_sharing', partnerId: 'MX-COMAR' })).toEqual([]);
    expect(fields({ purpose: 'data_sharing', partnerType: 'government_asylum_agency' })).toEqual([]);
    expect(fields({ purpose: 'data_sharing', partnerId: 'MX-COMAR', partnerType: 'consulate' })).toEqual(['partnerId']);
  });

  it('screening names no partner; referral may narrow to one', () => {
    expect(fields({ partnerId: 'MX-COMAR' })).toEqual(['partnerId']);
    expect(fields({ purpose: 'referral' })).toEqual([]);
    expect(fields({ purpose: 'referral', partnerId: 'UNHCR-GT' })).toEqual([]);
    expect(fields({ purpose: 'referral', partnerId: 'UNHCR-GT', partnerType: 'ngo_service_provider' })).toEqual(['partnerType']);
  });

  it('identity matching names no partner, takes effect when recorded and lasts until withdrawn', () => {
    expect(fields({ purpose: 'identity_matching' })).toEqual([]);
    expect(fields({ purpose: 'identity_matching', validFrom: new Date('2026-03-01T00:00:00Z') })).toEqual([]);
    expect(fields({ purpose: 'identity_matching', partnerId: 'MX-COMAR' })).toEqual(['partnerId']);
    expect(fields({ purpose: 'identity_matching', validFrom: new Date('2026-03-11T00:00:00Z') })).toEqual(['validFrom']);
    expect(fields({ purpose: 'identity_matching', validUntil: new Date('2026-09-10T00:00:00Z') })).toEqual(['validUntil']);
  });

  it('reception services, reintegration support and follow-up contact may narrow to one partner or type', () => {
    for (const purpose of ['reception_services', 'reintegration_support', 'follow_up_contact'] as const) {
      expect(fields({ purpose })).toEqual([]);
      expect(fields({ purpose, partnerType: 'return_reception_agency' })).toEqual([]);
      expect(fields({ purpose, partnerId: 'GT-IGM', partnerType: 'return_reception_agency' })).toEqual(['partnerType']);
    }
  });

  it('a cross-border transfer names its destination, and only it does', () => {
    expect(fields({ purpose: 'cross_border_transfer' })).toEqual(['destinationCountry']);
    expect(fields({ purpose: 'cross_border_transfer', destinationCountry: 'MX' })).toEqual([]);
    expect(fields({ purpose: 'referral', destinationCountry: 'MX' })).toEqual(['destinationCountry']);
  });

  it('a verbal consent has a witness; a guardian consent has exactly one guardian; a child consents through a guardian', () => {
    expect(fields({ method: 'verbal_with_witness' })).toEqual(['witnessedBy']);
    expect(fields({ method: 'verbal_with_witness', witnessedBy: 'GT-MRC-01/cw-0042' })).toEqual([]);
    expect(fields({ witnessedBy: 'GT-MRC-01/cw-0042' })).toEqual(['witnessedBy']);
    expect(fields({ method: 'guardian' })).toEqual(['guardianPersonId']);
    expect(fields({ method: 'guardian', guardianReference: 'PGN-GT-2026-0042' })).toEqual([]);
    expect(fields({ method: 'guardian', guardianReference: 'x', guardianPersonId: '0b4e6a8c-3f4a-4e1b-9c7d-2a1b3c4d5e6f' })).toEqual(['guardianPersonId']);
    expect(fields({}, { personIsMinor: true, now })).toEqual(['method']);
    expect(fields({ method: 'guardian', guardianReference: 'PGN-GT-2026-0042' }, { personIsMinor: true, now })).toEqual([]);
  });

  it('bounds the validity window', () => {
    expect(fields({ validFrom: new Date('2024-01-01T00:00:00Z') })).toEqual(['validFrom']);
    expect(fields({ validUntil: now })).toEqual(['validUntil']);
    expect(fields({ validUntil: new Date('2026-09-10T00:00:00Z') })).toEqual([]);
  });

  it('reports only known fields, and nothing for terms built to satisfy every rule (property)', () => {
    const known = new Set(['partnerId', 'partnerType', 'destinationCountry', 'witnessedBy', 'guardianPersonId', 'guardianReference', 'method', 'validFrom', 'validUntil']);
    fc.assert(
      fc.property(fc.constantFrom(...CONSENT_PURPOSES), fc.constantFrom(...CONSENT_METHODS), fc.boolean(), fc.boolean(), (purpose, method, minor, narrow) => {
        const arbitrary = consentTermErrors({ ...base, purpose, method, partnerId: narrow ? 'MX-COMAR' : null }, { personIsMinor: minor, now });
        for (const e of arbitrary) expect(known.has(e.field)).toBe(true);
        const m = minor ? 'guardian' : method;
        const good: ConsentTerms = {
          purpose,
          method: m,
          validFrom: now,
          partnerId: purpose === 'data_sharing' || (narrow && purpose !== 'screening' && purpose !== 'identity_matching') ? 'MX-COMAR' : null,
          destinationCountry: purpose === 'cross_border_transfer' ? 'MX' : null,
          witnessedBy: m === 'verbal_with_witness' ? 'GT-MRC-01/cw-0042' : null,
          guardianReference: m === 'guardian' ? 'PGN-GT-2026-0042' : null,
        };
        expect(consentTermErrors(good, { personIsMinor: minor, now })).toEqual([]);
      }),
    );
  });
});

describe('consent validity', () => {
  const consent = {
    purpose: 'data_sharing',
    partnerId: 'MX-COMAR',
    partnerType: null,
    destinationCountry: null,
    validFrom: new Date('2026-03-01T00:00:00Z'),
    validUntil: new Date('2026-09-01T00:00:00Z'),
    withdrawnAt: null as Date | null,
  };

  it('is pending, active, then expired; withdrawn wins', () => {
    expect(consentStateAt(consent, new Date('2026-02-28T23:59:59Z'))).toBe('pending');
    expect(consentStateAt(consent, new Date('2026-03-01T00:00:00Z'))).toBe('active');
    expect(consentStateAt(consent, new Date('2026-09-01T00:00:00Z'))).toBe('expired');
    expect(consentStateAt({ ...consent, withdrawnAt: new Date('2026-04-01T00:00:00Z') }, new Date('2026-05-01T00:00:00Z'))).toBe('withdrawn');
    expect(consentStateAt({ ...consent, withdrawnAt: new Date('2026-04-01T00:00:00Z') }, new Date('2026-03-15T00:00:00Z'))).toBe('active');
  });

  it('allows only the named partner, while active', () => {
    const at = new Date('2026-04-01T00:00:00Z');
    expect(consentAllows(consent, { purpose: 'data_sharing', partnerId: 'MX-COMAR' }, at)).toBe(true);
    expect(consentAllows(consent, { purpose: 'data_sharing', partnerId: 'US-USRAP' }, at)).toBe(false);
    expect(consentAllows(consent, { purpose: 'referral', partnerId: 'MX-COMAR' }, at)).toBe(false);
    expect(consentAllows(consent, { purpose: 'data_sharing', partnerId: 'MX-COMAR' }, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(consentAllows({ ...consent, partnerId: null }, { purpose: 'data_sharing', partnerId: 'US-USRAP' }, at)).toBe(true);
  });

  it('never allows anything once withdrawn (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2026-03-01T00:00:00Z'), max: new Date('2026-08-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 10_000_000 }), (withdrawnAt, after) => {
        const at = new Date(withdrawnAt.getTime() + after);
        expect(consentAllows({ ...consent, withdrawnAt }, { purpose: 'data_sharing', partnerId: 'MX-COMAR' }, at)).toBe(false);
      }),
    );
  });
});
