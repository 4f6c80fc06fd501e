// The directory a new node starts with: the partners, programs and places the Collaborative
// Migration Management Strategy (2021) names for Guatemala, Honduras, El Salvador, Mexico,
// Costa Rica, the United States and Canada. Capacities and SLA hours are planning defaults
// for a fresh node, to be verified with each partner (lastVerifiedOn stays empty until then).
import { createHash } from 'node:crypto';
import type { Accessibility, OpeningHours, RequiredDocument, ServiceArea } from '../directory.entities';
import type { AgreementPurpose, DeliveryChannel, OrganizationKind, PartnerType, Pathway } from '../vocabulary';

/** A stable UUID for a seeded object (the same on every node and every start). */
export function seedId(name: string): string {
  const h = createHash('sha256').update(`puente/directory-seed/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export interface SeedPartner {
  id: string;
  name: string;
  alternateName?: string;
  kind: OrganizationKind;
  partnerType: PartnerType;
  country: string;
  node: string;
  website?: string;
  description: string;
  channels: DeliveryChannel[];
}

export interface SeedLocation {
  key: string;
  partnerId: string;
  name: string;
  siteCode?: string;
  country: string;
  subdivision?: string;
  city: string;
  address?: string;
  latitude?: number;
  longitude?: number;
  accessibility?: Accessibility[];
  openingHours?: OpeningHours[];
}

export interface SeedProgram {
  key: string;
  partnerId: string;
  name: string;
  alternateName?: string;
  description: string;
  pathway: Pathway;
  taxonomyCode?: string;
  languages: string[];
  serviceAreas: ServiceArea[];
  requiredDocuments?: RequiredDocument[];
  fees?: { free: boolean; description?: string };
  applicationProcess?: string;
  eligibilityDescription: string;
  eligibilityRule: unknown;
  totalSlots: number;
  slaAcknowledgeHours: number;
  slaDecideHours: number;
  autoReferOnProtectionAlert?: boolean;
  locations: string[];
}

const WEEKDAYS: OpeningHours[] = [{ byDay: ['MO', 'TU', 'WE', 'TH', 'FR'], opensAt: '08:00', closesAt: '16:00' }];
const ALWAYS: OpeningHours[] = [{ byDay: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], opensAt: '00:00', closesAt: '23:59', description: 'Open day and night' }];
const NORTHERN_TRIANGLE = ['SV', 'GT', 'HN'];
const area = (...countries: string[]): ServiceArea[] => countries.map((country) => ({ country }));
const ID_DOCUMENT: RequiredDocument = { document: 'Any identity document the person has (none is not a reason to refuse)' };

export const SEED_PARTNERS: SeedPartner[] = [
  { id: 'MX-COMAR', name: 'Comisión Mexicana de Ayuda a Refugiados', alternateName: 'COMAR', kind: 'government_agency', partnerType: 'government_asylum_agency', country: 'MX', node: 'MX', website: 'https://www.gob.mx/comar', description: "Mexico's refugee status determination authority.", channels: ['rest_pull'] },
  { id: 'UNHCR-MX', name: 'ACNUR México', alternateName: 'UNHCR Mexico', kind: 'international_organization', partnerType: 'international_organization', country: 'MX', node: 'MX', website: 'https://www.acnur.org/mx', description: 'UNHCR in Mexico: legal orientation, and relocation of refugees from southern Mexico to industrial municipalities with jobs.', channels: ['rest_pull', 'kafka'] },
  { id: 'IOM-MX', name: 'OIM México', alternateName: 'IOM Mexico', kind: 'international_organization', partnerType: 'international_organization', country: 'MX', node: 'MX', website: 'https://mexico.iom.int', description: 'IOM in Mexico: assisted voluntary return from the southern border.', channels: ['rest_pull', 'kafka'] },
  { id: 'MX-ALBERGUE-BELEN', name: 'Albergue Belén – Casa del Migrante', kind: 'ngo', partnerType: 'ngo_service_provider', country: 'MX', node: 'MX', description: 'Shelter for migrants in Tapachula run by the Scalabrinian missionaries.', channels: ['rest_pull'] },
  { id: 'MX-BUEN-PASTOR', name: 'Albergue Jesús el Buen Pastor del Pobre y el Migrante', kind: 'ngo', partnerType: 'ngo_service_provider', country: 'MX', node: 'MX', description: 'Shelter in Tapachula for families, people with disabilities and people recovering from injuries.', channels: ['rest_pull'] },
  { id: 'UNHCR-CR', name: 'ACNUR Costa Rica', alternateName: 'UNHCR Costa Rica', kind: 'international_organization', partnerType: 'international_organization', country: 'CR', node: 'CR', website: 'https://www.acnur.org/cr', description: 'UNHCR in Costa Rica: the Protection Transfer Arrangement for people at heightened risk in El Salvador, Guatemala and Honduras.', channels: ['rest_pull', 'kafka'] },
  { id: 'CR-DGME', name: 'Dirección General de Migración y Extranjería – Unidad de Refugio', kind: 'government_agency', partnerType: 'government_asylum_agency', country: 'CR', node: 'CR', website: 'https://www.migracion.go.cr', description: "Costa Rica's refugee status determination unit.", channels: ['rest_pull'] },
  { id: 'UNHCR-GT', name: 'ACNUR Guatemala', alternateName: 'UNHCR Guatemala', kind: 'international_organization', partnerType: 'resettlement_program', country: 'GT', node: 'GT', website: 'https://www.acnur.org/gt', description: 'UNHCR in Guatemala: identification and referral for resettlement (USRAP, Canada).', channels: ['rest_pull', 'kafka'] },
  { id: 'IOM-GT', name: 'OIM Guatemala', alternateName: 'IOM Guatemala', kind: 'international_organization', partnerType: 'international_organization', country: 'GT', node: 'GT', website: 'https://guatemala.iom.int', description: 'IOM in Guatemala: Migration Resource Centers, psychosocial care, assisted voluntary return and reintegration of returnees.', channels: ['rest_pull', 'kafka'] },
  { id: 'GT-MINTRAB', name: 'Ministerio de Trabajo y Previsión Social', alternateName: 'MINTRAB', kind: 'government_agency', partnerType: 'labor_ministry', country: 'GT', node: 'GT', website: 'https://www.mintrabajo.gob.gt', description: "Guatemala's labor ministry: registry and pre-selection of workers for US H-2A/H-2B and Canadian temporary work.", channels: ['rest_pull'] },
  { id: 'GT-PGN', name: 'Procuraduría General de la Nación – Procuraduría de la Niñez y la Adolescencia', alternateName: 'PGN', kind: 'government_agency', partnerType: 'return_reception_agency', country: 'GT', node: 'GT', description: 'Child protection authority: unaccompanied and separated children, best interests procedures.', channels: ['rest_pull'] },
  { id: 'GT-PMH', name: 'Pastoral de Movilidad Humana', kind: 'ngo', partnerType: 'ngo_service_provider', country: 'GT', node: 'GT', description: 'Legal aid and Casa del Migrante shelters in Guatemala City and Tecún Umán.', channels: ['rest_pull'] },
  { id: 'IOM-HN', name: 'OIM Honduras', alternateName: 'IOM Honduras', kind: 'international_organization', partnerType: 'return_reception_agency', country: 'HN', node: 'HN', website: 'https://honduras.iom.int', description: 'IOM in Honduras: reception and reintegration of returnees (CAMR San Pedro Sula).', channels: ['rest_pull', 'kafka'] },
  { id: 'HN-STSS', name: 'Secretaría de Trabajo y Seguridad Social', alternateName: 'STSS', kind: 'government_agency', partnerType: 'labor_ministry', country: 'HN', node: 'HN', description: "Honduras's labor ministry: labor mobility program for US H-2A/H-2B.", channels: ['rest_pull'] },
  { id: 'IOM-SV', name: 'OIM El Salvador', alternateName: 'IOM El Salvador', kind: 'international_organization', partnerType: 'return_reception_agency', country: 'SV', node: 'SV', website: 'https://elsalvador.iom.int', description: 'IOM in El Salvador: reintegration of returnees.', channels: ['rest_pull', 'kafka'] },
  { id: 'SV-MTPS', name: 'Ministerio de Trabajo y Previsión Social', alternateName: 'MTPS', kind: 'government_agency', partnerType: 'labor_ministry', country: 'SV', node: 'SV', description: "El Salvador's labor ministry: temporary work abroad (US H-2A/H-2B, Canada).", channels: ['rest_pull'] },
  { id: 'US-PRM', name: 'U.S. Department of State – Bureau of Population, Refugees, and Migration', alternateName: 'PRM', kind: 'government_agency', partnerType: 'resettlement_program', country: 'US', node: 'US', website: 'https://www.state.gov/bureaus-offices/under-secretary-for-civilian-security-democracy-and-human-rights/bureau-of-population-refugees-and-migration/', description: 'U.S. Refugee Admissions Program, including the Central American Minors program.', channels: ['rest_pull'] },
  { id: 'CA-IRCC', name: 'Immigration, Refugees and Citizenship Canada', alternateName: 'IRCC', kind: 'government_agency', partnerType: 'resettlement_program', country: 'CA', node: 'CA', website: 'https://www.canada.ca/en/immigration-refugees-citizenship.html', description: 'Government-assisted refugee resettlement to Canada (on UNHCR referral).', channels: ['rest_pull'] },
  { id: 'CA-ESDC', name: 'Employment and Social Development Canada', alternateName: 'ESDC', kind: 'government_agency', partnerType: 'labor_ministry', country: 'CA', node: 'CA', website: 'https://www.canada.ca/en/employment-social-development.html', description: 'Temporary Foreign Worker Program, agricultural stream.', channels: ['rest_pull'] },
];

export const SEED_LOCATIONS: SeedLocation[] = [
  { key: 'comar-tapachula', partnerId: 'MX-COMAR', name: 'COMAR Tapachula', country: 'MX', subdivision: 'MX-CHP', city: 'Tapachula', address: '1a Calle Poniente 17, Centro', latitude: 14.9067, longitude: -92.2637, openingHours: WEEKDAYS },
  { key: 'comar-cdmx', partnerId: 'MX-COMAR', name: 'COMAR Ciudad de México', country: 'MX', subdivision: 'MX-CMX', city: 'Ciudad de México', address: 'Versalles 49, Juárez', latitude: 19.4305, longitude: -99.1543, openingHours: WEEKDAYS },
  { key: 'unhcr-tapachula', partnerId: 'UNHCR-MX', name: 'ACNUR Tapachula', country: 'MX', subdivision: 'MX-CHP', city: 'Tapachula', latitude: 14.9039, longitude: -92.2575, openingHours: WEEKDAYS },
  { key: 'iom-tapachula', partnerId: 'IOM-MX', name: 'OIM Tapachula', country: 'MX', subdivision: 'MX-CHP', city: 'Tapachula', openingHours: WEEKDAYS },
  { key: 'belen', partnerId: 'MX-ALBERGUE-BELEN', name: 'Albergue Belén', country: 'MX', subdivision: 'MX-CHP', city: 'Tapachula', address: 'Colonia San Antonio Cahoacán', latitude: 14.9358, longitude: -92.2462, openingHours: ALWAYS },
  { key: 'buen-pastor', partnerId: 'MX-BUEN-PASTOR', name: 'Albergue Jesús el Buen Pastor', country: 'MX', subdivision: 'MX-CHP', city: 'Tapachula', address: 'Carretera Antiguo Aeropuerto km 1.5', openingHours: ALWAYS, accessibility: [{ description: 'Wheelchair accessible; rooms for people recovering from injuries' }] },
  { key: 'unhcr-san-jose', partnerId: 'UNHCR-CR', name: 'ACNUR San José', country: 'CR', subdivision: 'CR-SJ', city: 'San José', openingHours: WEEKDAYS },
  { key: 'dgme-refugio', partnerId: 'CR-DGME', name: 'Unidad de Refugio, La Uruca', country: 'CR', subdivision: 'CR-SJ', city: 'San José', openingHours: WEEKDAYS },
  { key: 'mrc-guatemala', partnerId: 'IOM-GT', name: 'Centro de Recursos para Migrantes – Ciudad de Guatemala', siteCode: 'GT-MRC-01', country: 'GT', subdivision: 'GT-GU', city: 'Guatemala', latitude: 14.6349, longitude: -90.5069, openingHours: WEEKDAYS, accessibility: [{ description: 'Ground floor; interpreters for K’iche’, Mam and Q’eqchi’ on request' }] },
  { key: 'mrc-tecun-uman', partnerId: 'IOM-GT', name: 'Centro de Recursos para Migrantes – Tecún Umán', siteCode: 'GT-MRC-02', country: 'GT', subdivision: 'GT-SM', city: 'Ayutla (Tecún Umán)', latitude: 14.6707, longitude: -92.1406, openingHours: WEEKDAYS },
  { key: 'mrc-quetzaltenango', partnerId: 'IOM-GT', name: 'Centro de Recursos para Migrantes – Quetzaltenango', siteCode: 'GT-MRC-03', country: 'GT', subdivision: 'GT-QZ', city: 'Quetzaltenango', latitude: 14.8347, longitude: -91.5181, openingHours: WEEKDAYS },
  { key: 'gt-returnee-center', partnerId: 'IOM-GT', name: 'Centro de Recepción de Retornados (Fuerza Aérea)', country: 'GT', subdivision: 'GT-GU', city: 'Guatemala', openingHours: ALWAYS },
  { key: 'unhcr-guatemala', partnerId: 'UNHCR-GT', name: 'ACNUR Guatemala', country: 'GT', subdivision: 'GT-GU', city: 'Guatemala', openingHours: WEEKDAYS },
  { key: 'mintrab-guatemala', partnerId: 'GT-MINTRAB', name: 'MINTRAB – Departamento de Movilidad Laboral', country: 'GT', subdivision: 'GT-GU', city: 'Guatemala', address: '7a Avenida 3-33, Zona 9', openingHours: WEEKDAYS },
  { key: 'pgn-guatemala', partnerId: 'GT-PGN', name: 'Procuraduría de la Niñez y la Adolescencia', country: 'GT', subdivision: 'GT-GU', city: 'Guatemala', openingHours: ALWAYS },
  { key: 'casa-migrante-tecun', partnerId: 'GT-PMH', name: 'Casa del Migrante Tecún Umán', country: 'GT', subdivision: 'GT-SM', city: 'Ayutla (Tecún Umán)', openingHours: ALWAYS },
  { key: 'camr-sps', partnerId: 'IOM-HN', name: 'Centro de Atención al Migrante Retornado (CAMR) San Pedro Sula', country: 'HN', subdivision: 'HN-CR', city: 'San Pedro Sula', openingHours: ALWAYS },
  { key: 'stss-tegucigalpa', partnerId: 'HN-STSS', name: 'STSS – Programa de Movilidad Laboral', country: 'HN', subdivision: 'HN-FM', city: 'Tegucigalpa', openingHours: WEEKDAYS },
  { key: 'iom-san-salvador', partnerId: 'IOM-SV', name: 'OIM San Salvador', country: 'SV', subdivision: 'SV-SS', city: 'San Salvador', openingHours: WEEKDAYS },
  { key: 'mtps-san-salvador', partnerId: 'SV-MTPS', name: 'MTPS – Trabajo Temporal en el Exterior', country: 'SV', subdivision: 'SV-SS', city: 'San Salvador', openingHours: WEEKDAYS },
];

// Labor programs: adults with a work-abroad recommendation, never people who fear return or show
// trafficking indicators (screening does not recommend them then; the rule says so again).
const labor = (pathway: Pathway) => ({
  and: [{ recommended: pathway }, { in: [{ var: 'age_band' }, ['18-59']] }, { not: { flag: 'fear_of_return' } }, { not: { flag: 'trafficking_indicators' } }],
});
const CHILD_BANDS = ['0-4', '5-11', '12-17'];

export const SEED_PROGRAMS: SeedProgram[] = [
  {
    key: 'comar-asylum', partnerId: 'MX-COMAR', name: 'Refugee status determination', alternateName: 'Solicitud de la condición de refugiado', pathway: 'asylum', taxonomyCode: 'FT-1800.3000',
    description: 'Application for refugee status in Mexico. The application must be lodged within 30 working days of entering Mexico; COMAR decides within 45 working days.',
    languages: ['es', 'en', 'fr', 'ht'], serviceAreas: area('MX'), requiredDocuments: [ID_DOCUMENT], applicationProcess: 'In person at a COMAR office; a referral books the first appointment.',
    eligibilityDescription: 'People in Mexico, or at a Guatemalan MRC on their way to Mexico (the referral books the first appointment; the claim is lodged in person in Mexico), not Mexican, who fear return to their country.',
    eligibilityRule: { and: [{ flag: 'fear_of_return' }, { in: [{ var: 'country' }, ['MX', 'GT']] }, { '!=': [{ var: 'nationality' }, 'MX'] }] },
    totalSlots: 400, slaAcknowledgeHours: 72, slaDecideHours: 1080, locations: ['comar-tapachula', 'comar-cdmx'],
  },
  {
    key: 'unhcr-mx-integration', partnerId: 'UNHCR-MX', name: 'Local integration: relocation to industrial municipalities', alternateName: 'Programa de Integración Local', pathway: 'asylum',
    description: 'Relocation of asylum seekers and refugees from southern Mexico to industrial municipalities with labor needs (Saltillo, Monterrey, Guadalajara, Aguascalientes…), with job placement, school enrollment and first months of rent.',
    languages: ['es', 'en', 'fr'], serviceAreas: [{ country: 'MX', subdivisions: ['MX-CHP', 'MX-TAB'] }], eligibilityDescription: 'Asylum seekers or refugees in Mexico able to work or with an adult who can.',
    eligibilityRule: { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'country' }, 'MX'] }, { not: { flag: 'unaccompanied_child' } }] },
    totalSlots: 150, slaAcknowledgeHours: 72, slaDecideHours: 336, locations: ['unhcr-tapachula'],
  },
  {
    key: 'unhcr-mx-legal', partnerId: 'UNHCR-MX', name: 'Legal orientation for asylum seekers', pathway: 'legal_aid', taxonomyCode: 'FT-1800.3000',
    description: 'Legal orientation and accompaniment through the asylum procedure with partner legal clinics in Tapachula.',
    languages: ['es', 'en', 'fr', 'ht'], serviceAreas: area('MX'), eligibilityDescription: 'Anyone in Mexico who may need international protection.', eligibilityRule: { '==': [{ var: 'country' }, 'MX'] },
    totalSlots: 300, slaAcknowledgeHours: 48, slaDecideHours: 120, locations: ['unhcr-tapachula'],
  },
  {
    key: 'iom-mx-avr', partnerId: 'IOM-MX', name: 'Assisted voluntary return from Mexico', alternateName: 'Retorno voluntario asistido', pathway: 'assisted_voluntary_return',
    description: 'Travel, documents and reception on arrival for people stranded in Mexico who choose to go home.',
    languages: ['es', 'en'], serviceAreas: area('MX'), requiredDocuments: [ID_DOCUMENT], eligibilityDescription: 'People in Mexico who want to return and do not fear return.',
    eligibilityRule: { and: [{ '==': [{ var: 'country' }, 'MX'] }, { not: { flag: 'fear_of_return' } }] },
    totalSlots: 200, slaAcknowledgeHours: 48, slaDecideHours: 240, locations: ['iom-tapachula'],
  },
  {
    key: 'belen-shelter', partnerId: 'MX-ALBERGUE-BELEN', name: 'Shelter, food and first aid', pathway: 'shelter',
    description: 'Temporary shelter (up to 30 nights), meals, showers and first aid in Tapachula.',
    languages: ['es'], serviceAreas: [{ country: 'MX', subdivisions: ['MX-CHP'] }], eligibilityDescription: 'Adults and families; unaccompanied children go to DIF.',
    eligibilityRule: { and: [{ '==': [{ var: 'country' }, 'MX'] }, { not: { flag: 'unaccompanied_child' } }] },
    totalSlots: 120, slaAcknowledgeHours: 4, slaDecideHours: 12, autoReferOnProtectionAlert: true, locations: ['belen'],
  },
  {
    key: 'buen-pastor-shelter', partnerId: 'MX-BUEN-PASTOR', name: 'Shelter for families and people with disabilities', pathway: 'shelter',
    description: 'Shelter for families with children, people with disabilities and people recovering from injuries.',
    languages: ['es'], serviceAreas: [{ country: 'MX', subdivisions: ['MX-CHP'] }], eligibilityDescription: 'Families, people with disabilities or serious medical conditions.',
    eligibilityRule: { and: [{ '==': [{ var: 'country' }, 'MX'] }, { or: [{ var: 'household' }, { flag: 'disability' }, { flag: 'serious_medical_condition' }] }] },
    totalSlots: 60, slaAcknowledgeHours: 4, slaDecideHours: 12, locations: ['buen-pastor'],
  },
  {
    key: 'unhcr-cr-pta', partnerId: 'UNHCR-CR', name: 'Protection Transfer Arrangement', alternateName: 'PTA', pathway: 'pta',
    description: 'Evacuation to Costa Rica of people at heightened risk in El Salvador, Guatemala and Honduras, while their resettlement to a third country is processed.',
    languages: ['es', 'en'], serviceAreas: area(...NORTHERN_TRIANGLE), requiredDocuments: [ID_DOCUMENT], eligibilityDescription: 'Nationals of El Salvador, Guatemala or Honduras in their country, with a fear of return and at high risk.',
    eligibilityRule: { and: [{ in: [{ var: 'nationality' }, NORTHERN_TRIANGLE] }, { in: [{ var: 'country' }, NORTHERN_TRIANGLE] }, { flag: 'fear_of_return' }, { risk_at_least: 'high' }] },
    totalSlots: 40, slaAcknowledgeHours: 24, slaDecideHours: 336, autoReferOnProtectionAlert: true, locations: ['unhcr-san-jose'],
  },
  {
    key: 'cr-asylum', partnerId: 'CR-DGME', name: 'Refugee status determination in Costa Rica', pathway: 'asylum',
    description: 'Application for refugee status before the Unidad de Refugio.', languages: ['es'], serviceAreas: area('CR'),
    eligibilityDescription: 'People in Costa Rica who fear return.', eligibilityRule: { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'country' }, 'CR'] }] },
    totalSlots: 300, slaAcknowledgeHours: 72, slaDecideHours: 2160, locations: ['dgme-refugio'],
  },
  {
    key: 'unhcr-gt-resettlement', partnerId: 'UNHCR-GT', name: 'Resettlement identification and referral', pathway: 'resettlement',
    description: 'Resettlement needs assessment and submission to the United States (USRAP) or Canada for refugees in Guatemala.',
    languages: ['es', 'en'], serviceAreas: area('GT'), eligibilityDescription: 'Refugees and asylum seekers in Guatemala, not Guatemalan, with a fear of return.',
    eligibilityRule: { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'country' }, 'GT'] }, { '!=': [{ var: 'nationality' }, 'GT'] }] },
    totalSlots: 80, slaAcknowledgeHours: 48, slaDecideHours: 720, locations: ['unhcr-guatemala'],
  },
  {
    key: 'iom-gt-psychosocial', partnerId: 'IOM-GT', name: 'Psychosocial first aid and counseling at MRCs', pathway: 'psychosocial',
    description: 'Psychological first aid and up to eight counseling sessions at Migration Resource Centers, in Spanish and Mayan languages.',
    languages: ['es', 'quc', 'mam', 'kek'], serviceAreas: area('GT'), eligibilityDescription: 'Anyone at a Guatemalan MRC.', eligibilityRule: { '==': [{ var: 'country' }, 'GT'] },
    totalSlots: 250, slaAcknowledgeHours: 24, slaDecideHours: 72, autoReferOnProtectionAlert: true, locations: ['mrc-guatemala', 'mrc-tecun-uman', 'mrc-quetzaltenango'],
  },
  {
    key: 'iom-gt-avr', partnerId: 'IOM-GT', name: 'Assisted voluntary return from Guatemala', pathway: 'assisted_voluntary_return',
    description: 'Return to Honduras, El Salvador or further for people in transit in Guatemala who choose to go home.',
    languages: ['es', 'en'], serviceAreas: area('GT'), requiredDocuments: [ID_DOCUMENT], eligibilityDescription: 'Non-Guatemalans in Guatemala without a fear of return.',
    eligibilityRule: { and: [{ '==': [{ var: 'country' }, 'GT'] }, { '!=': [{ var: 'nationality' }, 'GT'] }, { not: { flag: 'fear_of_return' } }] },
    totalSlots: 150, slaAcknowledgeHours: 48, slaDecideHours: 240, locations: ['mrc-tecun-uman'],
  },
  {
    key: 'iom-gt-reintegration', partnerId: 'IOM-GT', name: 'Reintegration of returned Guatemalans', pathway: 'reintegration',
    description: 'Reception at the returnee center, skills certification, job matching and small-business grants for returned Guatemalans.',
    languages: ['es', 'quc', 'mam'], serviceAreas: area('GT'), eligibilityDescription: 'Guatemalans returned to Guatemala.',
    eligibilityRule: { and: [{ '==': [{ var: 'nationality' }, 'GT'] }, { '==': [{ var: 'country' }, 'GT'] }] },
    totalSlots: 500, slaAcknowledgeHours: 48, slaDecideHours: 240, locations: ['gt-returnee-center', 'mrc-guatemala'],
  },
  {
    key: 'mintrab-h2a', partnerId: 'GT-MINTRAB', name: 'US H-2A seasonal agricultural work (worker registry)', pathway: 'labor_h2a',
    description: 'Registration, pre-selection and ethical-recruitment accompaniment for US H-2A agricultural jobs; no recruitment fees.',
    languages: ['es'], serviceAreas: area('GT'), requiredDocuments: [{ document: 'Passport (or proof of application)' }, { document: 'DPI (national identity document)' }],
    fees: { free: true, description: 'No fees: employers pay visa and travel under H-2A rules' }, eligibilityDescription: 'Guatemalan adults recommended for H-2A.',
    eligibilityRule: { and: [...labor('labor_h2a').and, { '==': [{ var: 'nationality' }, 'GT'] }] },
    totalSlots: 1000, slaAcknowledgeHours: 72, slaDecideHours: 720, locations: ['mintrab-guatemala'],
  },
  {
    key: 'mintrab-h2b', partnerId: 'GT-MINTRAB', name: 'US H-2B temporary non-agricultural work (worker registry)', pathway: 'labor_h2b',
    description: 'Registration and pre-selection for US H-2B jobs (construction, hospitality, landscaping, seafood processing).',
    languages: ['es'], serviceAreas: area('GT'), requiredDocuments: [{ document: 'Passport (or proof of application)' }],
    eligibilityDescription: 'Guatemalan adults recommended for H-2B.', eligibilityRule: { and: [...labor('labor_h2b').and, { '==': [{ var: 'nationality' }, 'GT'] }] },
    totalSlots: 400, slaAcknowledgeHours: 72, slaDecideHours: 720, locations: ['mintrab-guatemala'],
  },
  {
    key: 'mintrab-canada', partnerId: 'GT-MINTRAB', name: 'Temporary agricultural work in Canada', pathway: 'third_country_labor',
    description: 'Pre-selection for Canadian employers under the Temporary Foreign Worker Program (agricultural stream).',
    languages: ['es'], serviceAreas: area('GT'), eligibilityDescription: 'Guatemalan adults recommended for third-country labor.',
    eligibilityRule: { and: [...labor('third_country_labor').and, { '==': [{ var: 'nationality' }, 'GT'] }] },
    totalSlots: 300, slaAcknowledgeHours: 72, slaDecideHours: 720, locations: ['mintrab-guatemala'],
  },
  {
    key: 'pgn-child-protection', partnerId: 'GT-PGN', name: 'Protection of unaccompanied and separated children', pathway: 'child_protection',
    description: 'Best interests determination, family tracing and protective care for children alone or separated in Guatemala.',
    languages: ['es', 'quc', 'mam'], serviceAreas: area('GT'), eligibilityDescription: 'Children alone or separated from their parents in Guatemala.',
    eligibilityRule: { and: [{ in: [{ var: 'age_band' }, CHILD_BANDS] }, { '==': [{ var: 'country' }, 'GT'] }, { or: [{ flag: 'unaccompanied_child' }, { flag: 'separated_child' }] }] },
    totalSlots: 60, slaAcknowledgeHours: 2, slaDecideHours: 24, autoReferOnProtectionAlert: true, locations: ['pgn-guatemala'],
  },
  {
    key: 'pmh-legal', partnerId: 'GT-PMH', name: 'Legal aid for migrants and asylum seekers', pathway: 'legal_aid',
    description: 'Free legal advice and representation: asylum in Guatemala, regularization, family reunification.',
    languages: ['es'], serviceAreas: area('GT'), eligibilityDescription: 'Anyone in Guatemala.', eligibilityRule: { '==': [{ var: 'country' }, 'GT'] },
    totalSlots: 120, slaAcknowledgeHours: 48, slaDecideHours: 168, locations: ['casa-migrante-tecun'],
  },
  {
    key: 'pmh-shelter', partnerId: 'GT-PMH', name: 'Casa del Migrante shelter', pathway: 'shelter',
    description: 'Up to three nights of shelter, meals and first aid at the border.', languages: ['es'], serviceAreas: area('GT'),
    eligibilityDescription: 'Adults and families in transit.', eligibilityRule: { and: [{ '==': [{ var: 'country' }, 'GT'] }, { not: { flag: 'unaccompanied_child' } }] },
    totalSlots: 80, slaAcknowledgeHours: 4, slaDecideHours: 12, autoReferOnProtectionAlert: true, locations: ['casa-migrante-tecun'],
  },
  {
    key: 'iom-hn-reintegration', partnerId: 'IOM-HN', name: 'Reception and reintegration of returned Hondurans', pathway: 'reintegration',
    description: 'Reception at CAMR San Pedro Sula, psychosocial care, job placement and school re-enrollment for returned Hondurans.',
    languages: ['es'], serviceAreas: area('HN'), eligibilityDescription: 'Hondurans returned to Honduras.',
    eligibilityRule: { and: [{ '==': [{ var: 'nationality' }, 'HN'] }, { '==': [{ var: 'country' }, 'HN'] }] },
    totalSlots: 500, slaAcknowledgeHours: 48, slaDecideHours: 240, locations: ['camr-sps'],
  },
  {
    key: 'stss-h2', partnerId: 'HN-STSS', name: 'Labor mobility: US H-2A and H-2B', pathway: 'labor_h2a',
    description: 'Worker registry and pre-selection for US H-2A (and H-2B on request) jobs.', languages: ['es'], serviceAreas: area('HN'),
    eligibilityDescription: 'Honduran adults recommended for H-2A.', eligibilityRule: { and: [...labor('labor_h2a').and, { '==': [{ var: 'nationality' }, 'HN'] }] },
    totalSlots: 600, slaAcknowledgeHours: 72, slaDecideHours: 720, locations: ['stss-tegucigalpa'],
  },
  {
    key: 'iom-sv-reintegration', partnerId: 'IOM-SV', name: 'Reintegration of returned Salvadorans', pathway: 'reintegration',
    description: 'Reception, psychosocial care and livelihoods for returned Salvadorans.', languages: ['es'], serviceAreas: area('SV'),
    eligibilityDescription: 'Salvadorans returned to El Salvador.', eligibilityRule: { and: [{ '==': [{ var: 'nationality' }, 'SV'] }, { '==': [{ var: 'country' }, 'SV'] }] },
    totalSlots: 300, slaAcknowledgeHours: 48, slaDecideHours: 240, locations: ['iom-san-salvador'],
  },
  {
    key: 'mtps-h2b', partnerId: 'SV-MTPS', name: 'Temporary work abroad: US H-2B', pathway: 'labor_h2b',
    description: 'Registry and pre-selection for US H-2B jobs; 6,000 supplemental visas were set aside for Northern Triangle nationals in FY 2021.',
    languages: ['es'], serviceAreas: area('SV'), eligibilityDescription: 'Salvadoran adults recommended for H-2B.',
    eligibilityRule: { and: [...labor('labor_h2b').and, { '==': [{ var: 'nationality' }, 'SV'] }] },
    totalSlots: 400, slaAcknowledgeHours: 72, slaDecideHours: 720, locations: ['mtps-san-salvador'],
  },
  {
    key: 'us-cam', partnerId: 'US-PRM', name: 'Central American Minors (CAM) program', alternateName: 'CAM', pathway: 'cam',
    description: 'Refugee processing (or parole) in the United States for children under 21 in El Salvador, Guatemala or Honduras with a parent or legal guardian lawfully present in the US.',
    languages: ['es', 'en'], serviceAreas: area(...NORTHERN_TRIANGLE), requiredDocuments: [{ document: 'Birth certificate of the child' }, { document: "Form DS-7699 filed by the US-based parent" }],
    applicationProcess: 'The US-based parent files Form DS-7699 through a designated resettlement agency; the Resettlement Support Center Latin America interviews the child.',
    eligibilityDescription: 'Unmarried children under 21, nationals of and living in El Salvador, Guatemala or Honduras, with a qualifying parent in the US.',
    eligibilityRule: { and: [{ in: [{ var: 'nationality' }, NORTHERN_TRIANGLE] }, { in: [{ var: 'country' }, NORTHERN_TRIANGLE] }, { recommended: 'cam' }] },
    totalSlots: 250, slaAcknowledgeHours: 72, slaDecideHours: 4320, locations: [],
  },
  {
    key: 'ca-resettlement', partnerId: 'CA-IRCC', name: 'Government-assisted refugee resettlement to Canada', pathway: 'resettlement',
    description: 'Resettlement to Canada of refugees referred by UNHCR, including from the Northern Triangle.', languages: ['es', 'en', 'fr'],
    serviceAreas: area('GT', 'HN', 'SV', 'MX', 'CR'), eligibilityDescription: 'Refugees outside their country with a fear of return, referred by UNHCR.',
    eligibilityRule: { and: [{ flag: 'fear_of_return' }, { recommended: 'resettlement' }] },
    totalSlots: 100, slaAcknowledgeHours: 168, slaDecideHours: 4320, locations: [],
  },
  {
    key: 'ca-tfwp', partnerId: 'CA-ESDC', name: 'Temporary Foreign Worker Program – agricultural stream', pathway: 'third_country_labor',
    description: 'Seasonal agricultural work in Canada through employer offers with a Labour Market Impact Assessment.', languages: ['en', 'fr', 'es'],
    serviceAreas: area('GT', 'HN', 'SV', 'MX'), eligibilityDescription: 'Adults recommended for third-country labor.', eligibilityRule: labor('third_country_labor'),
    totalSlots: 500, slaAcknowledgeHours: 168, slaDecideHours: 1440, locations: [],
  },
];

/**
 * The starting data-sharing agreement between this node and a seeded partner: referrals, plus
 * cross-border transfers when the partner is on another node, with the fields it may receive
 * (consent narrows further). Labor ministries never receive protection data (flags, risk level).
 */
export function seedAgreement(p: SeedPartner, thisNode: string): { purposes: AgreementPurpose[]; fieldsByPurpose: Partial<Record<AgreementPurpose, string[]>> } {
  const base = ['caseId', 'coveredPersonIds', 'ageBand', 'sex', 'nationality', 'country', 'site', 'householdSize'];
  const referral = p.partnerType === 'labor_ministry' ? base : [...base, 'flags', 'riskLevel'];
  return p.node === thisNode
    ? { purposes: ['referral'], fieldsByPurpose: { referral } }
    : { purposes: ['referral', 'cross_border_transfer'], fieldsByPurpose: { referral, cross_border_transfer: referral } };
}

/** First day of the seeded agreements (the Strategy's publication month). */
export const SEED_AGREEMENTS_FROM = '2021-07-01';

/** Bumped when the seed changes; a node seeded with an older version is not re-seeded (admins own it then). */
export const SEED_VERSION = 'directory-seed-2026-12';
