import { minimize, type Minimized } from './minimize';

/**
 * What each consent purpose allows to be used or shared: the input of minimization (a partner
 * receives the intersection of its agreement's fields and the fields of the purposes the person
 * consented to). Paths are dotted paths into a case package: `person.*` (intake's person record,
 * as in the REST `Person`), `case.*` (the case) and `screening.*` (a completed screening's
 * result, codes only), plus `matchKeys` (keyed HMACs, never the identity itself).
 *
 * docs/consent-purposes.md renders this table; a test keeps the two identical.
 */
export const CONSENT_PURPOSE_FIELDS = {
  screening: {
    summary: 'Protection screening at the registering node',
    fields: ['case.reference', 'case.siteCode', 'person.ageBand', 'person.languages', 'person.nationality', 'person.sex', 'person.vulnerabilityFlags'],
  },
  referral: {
    summary: 'Referral to a partner program (any partner unless narrowed to one partner or type)',
    fields: [
      'case.reference',
      'person.birthDate',
      'person.contact.phone',
      'person.familyNames',
      'person.givenNames',
      'person.languages',
      'person.nationality',
      'person.sex',
      'person.vulnerabilityFlags',
      'screening.flags',
      'screening.recommendations',
      'screening.riskLevel',
    ],
  },
  cross_border_transfer: {
    summary: 'Moving the case to the destination country node (transfer package)',
    fields: [
      'case.reference',
      'person.birthDate',
      'person.birthDateEstimated',
      'person.documents',
      'person.familyNames',
      'person.givenNames',
      'person.languages',
      'person.nationality',
      'person.otherCitizenships',
      'person.sex',
      'person.transliteration',
      'person.vulnerabilityFlags',
      'screening.fearGrounds',
      'screening.flags',
      'screening.recommendations',
      'screening.riskLevel',
    ],
  },
  data_sharing: {
    summary: 'Sharing identity and case data with one named partner or partner type',
    fields: [
      'case.reference',
      'person.ageBand',
      'person.birthDate',
      'person.documents',
      'person.familyNames',
      'person.givenNames',
      'person.nationality',
      'person.sex',
    ],
  },
  identity_matching: {
    summary: 'Publishing keyed match keys to partner nodes for cross-border duplicate detection',
    fields: ['matchKeys'],
  },
  reception_services: {
    summary: 'Services at a reception center on arrival or return',
    fields: [
      'case.reference',
      'person.birthDate',
      'person.contact.phone',
      'person.documents.type',
      'person.familyNames',
      'person.givenNames',
      'person.languages',
      'person.nationality',
      'person.sex',
      'person.vulnerabilityFlags',
      'screening.flags',
    ],
  },
  reintegration_support: {
    summary: 'Reintegration support after return (plan, jobs, documents, schooling)',
    fields: [
      'case.reference',
      'person.ageBand',
      'person.contact',
      'person.documents',
      'person.familyNames',
      'person.givenNames',
      'person.languages',
      'person.sex',
      'screening.recommendations',
    ],
  },
  follow_up_contact: {
    summary: 'Being contacted later to follow up',
    fields: ['case.reference', 'person.contact', 'person.givenNames', 'person.languages'],
  },
} as const satisfies Record<string, { summary: string; fields: readonly string[] }>;

export type ConsentPurposeName = keyof typeof CONSENT_PURPOSE_FIELDS;

export const CONSENT_PURPOSE_NAMES = Object.keys(CONSENT_PURPOSE_FIELDS) as ConsentPurposeName[];

export function isConsentPurpose(value: unknown): value is ConsentPurposeName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONSENT_PURPOSE_FIELDS, value);
}

/** The fields the purposes allow together (their union), sorted; unknown purposes allow nothing. */
export function fieldsOfPurposes(purposes: Iterable<string>): string[] {
  const fields = new Set<string>();
  for (const purpose of purposes) if (isConsentPurpose(purpose)) for (const f of CONSENT_PURPOSE_FIELDS[purpose].fields) fields.add(f);
  return [...fields].sort();
}

/**
 * Minimization by consent purposes: what of `record` may go to a partner whose agreement lists
 * `agreementFields`, given the purposes the person's consents in force allow.
 */
export function minimizeForPurposes<T extends object>(record: T, agreementFields: readonly string[], purposes: Iterable<string>): Minimized<T> {
  return minimize(record, agreementFields, fieldsOfPurposes(purposes));
}

/** The table as Markdown rows (`| purpose | what it allows | fields |`), the rendering docs/consent-purposes.md holds. */
export function consentPurposeTable(): string {
  const rows = CONSENT_PURPOSE_NAMES.map((p) => `| \`${p}\` | ${CONSENT_PURPOSE_FIELDS[p].summary} | ${CONSENT_PURPOSE_FIELDS[p].fields.map((f) => `\`${f}\``).join(', ')} |`);
  return ['| purpose | what it allows | fields it allows |', '|---|---|---|', ...rows].join('\n');
}
