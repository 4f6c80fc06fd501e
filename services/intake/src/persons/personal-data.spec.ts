import fc from 'fast-check';
import { fromPlainFields, type PersonalData, toPlainFields } from './personal-data';

const name = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const personalData: fc.Arbitrary<PersonalData> = fc.record({
  givenNames: name,
  familyNames: fc.option(name, { nil: null }),
  transliteration: fc.option(fc.record({ givenNames: name, familyNames: fc.option(name, { nil: null }) }), { nil: null }),
  birthDate: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  birthDateEstimated: fc.boolean(),
  otherCitizenships: fc.uniqueArray(fc.constantFrom('GT', 'MX', 'US', 'ES'), { maxLength: 3 }),
  languages: fc.array(fc.record({ code: fc.constantFrom('es', 'quc', 'mam', 'en'), primary: fc.boolean(), interpreterNeeded: fc.boolean() }), { maxLength: 3 }),
  contact: fc.option(fc.record({ phone: fc.option(fc.constant('+50255512345'), { nil: null }), whatsapp: fc.constant(null), email: fc.constant(null), address: fc.option(name, { nil: null }) }), { nil: null }),
  documents: fc.array(
    fc.record({
      type: fc.constantFrom('passport' as const, 'national_id' as const),
      number: fc.stringMatching(/^[A-Z0-9]{3,12}$/),
      issuingCountry: fc.constantFrom('HN', 'GT', 'SV'),
      expiresOn: fc.constant(null),
      verification: fc.constantFrom('unverified' as const, 'verified_original' as const),
    }),
    { maxLength: 2 },
  ),
});

describe('personal data ↔ encrypted fields', () => {
  it('round-trips any personal data through the strings that get encrypted (property)', () => {
    fc.assert(fc.property(personalData, (data) => expect(fromPlainFields(toPlainFields(data))).toEqual(data)));
  });

  it('encrypts nothing for absent optional data', () => {
    const plain = toPlainFields({
      givenNames: 'Tomás',
      familyNames: null,
      transliteration: null,
      birthDate: '2009-02-14',
      birthDateEstimated: true,
      otherCitizenships: [],
      languages: [],
      contact: null,
      documents: [],
    });
    expect(plain).toEqual({
      givenNames: 'Tomás',
      familyNames: null,
      transliteration: null,
      birthDate: '{"date":"2009-02-14","estimated":true}',
      otherCitizenships: null,
      languages: null,
      contact: null,
      documents: null,
    });
  });
});
