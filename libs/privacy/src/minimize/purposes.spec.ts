import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CONSENT_PURPOSE_FIELDS, CONSENT_PURPOSE_NAMES, consentPurposeTable, fieldsOfPurposes, minimizeForPurposes } from './purposes';

const pkg = {
  case: { reference: 'GT-2026-000123', siteCode: 'GT-MRC-01' },
  person: {
    givenNames: 'María José',
    familyNames: 'Pérez Gómez',
    birthDate: '1994-08-21',
    sex: 'female',
    ageBand: 'aged_18_to_59',
    nationality: 'HN',
    languages: [{ code: 'es', primary: true }],
    contact: { phone: '+50433312345', email: 'mj@example.org', address: 'Albergue Belén' },
    documents: [{ type: 'national_id', number: '0801-1994-12345', issuingCountry: 'HN' }],
    vulnerabilityFlags: ['fear_of_return'],
  },
  screening: { flags: ['fear_of_return'], riskLevel: 'high', recommendations: ['national_asylum'], fearGrounds: ['political_opinion'] },
  matchKeys: [{ rule: 'FULLNAME_DOB', kid: 'k1', value: 'abc' }],
};

describe('consent purposes: the fields each allows', () => {
  it('covers the purposes the coming services need, each with a non-empty, sorted, duplicate-free field set', () => {
    expect(CONSENT_PURPOSE_NAMES).toEqual(
      expect.arrayContaining(['screening', 'referral', 'cross_border_transfer', 'data_sharing', 'identity_matching', 'reception_services', 'reintegration_support', 'follow_up_contact']),
    );
    for (const p of CONSENT_PURPOSE_NAMES) {
      const fields: readonly string[] = CONSENT_PURPOSE_FIELDS[p].fields;
      expect(fields.length).toBeGreaterThan(0);
      expect([...fields].sort()).toEqual(fields);
      expect(new Set(fields).size).toBe(fields.length);
    }
  });

  it('identity matching allows match keys only, never the identity they are computed from', () => {
    expect(minimizeForPurposes(pkg, ['person', 'case', 'screening', 'matchKeys'], ['identity_matching'])).toEqual({ matchKeys: pkg.matchKeys });
  });

  it('a follow-up contact consent gives a reception agency the contact details, not documents or screening results', () => {
    const out = minimizeForPurposes(pkg, ['person', 'case.reference', 'screening'], ['follow_up_contact']);
    expect(out).toEqual({ case: { reference: 'GT-2026-000123' }, person: { givenNames: 'María José', languages: pkg.person.languages, contact: pkg.person.contact } });
  });

  it('reception services allow the document type but not its number', () => {
    const out = minimizeForPurposes(pkg, ['person.documents'], ['reception_services']);
    expect(out).toEqual({ person: { documents: [{ type: 'national_id' }] } });
  });

  it('unknown purposes allow nothing', () => {
    expect(fieldsOfPurposes(['marketing', '__proto__'])).toEqual([]);
    expect(minimizeForPurposes(pkg, ['person'], ['marketing'])).toEqual({});
  });

  it('more purposes never allow less (monotone), and nothing outside the agreement ever passes', () => {
    const purpose = fc.constantFrom(...CONSENT_PURPOSE_NAMES);
    const agreementPath = fc.constantFrom('person', 'person.contact', 'person.givenNames', 'person.documents.type', 'case', 'screening', 'screening.flags', 'matchKeys');
    fc.assert(
      fc.property(fc.array(purpose), fc.array(purpose), fc.array(agreementPath), (a, b, agreement) => {
        const fewer = fieldsOfPurposes(a);
        const more = fieldsOfPurposes([...a, ...b]);
        expect(more).toEqual(expect.arrayContaining(fewer));
        const out = minimizeForPurposes(pkg, agreement, [...a, ...b]) as Record<string, unknown>;
        for (const top of Object.keys(out)) expect(agreement.some((p) => p === top || p.startsWith(`${top}.`))).toBe(true);
      }),
    );
  });

  it('docs/consent-purposes.md holds exactly this table', () => {
    const doc = readFileSync(join(__dirname, '../../../../docs/consent-purposes.md'), 'utf8');
    const between = /<!-- consent-purposes:begin -->\n([\s\S]*?)\n<!-- consent-purposes:end -->/.exec(doc);
    expect(between?.[1]).toBe(consentPurposeTable());
  });
});
