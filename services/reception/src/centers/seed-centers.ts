import type { Center } from './center.entity';

type SeedCenter = Pick<Center, 'code' | 'name' | 'country' | 'kind' | 'location' | 'dailyCapacity' | 'services' | 'operatingPartnerId'>;

const ALL_ARRIVAL_SERVICES: SeedCenter['services'] = [
  'interview',
  'medical_screening',
  'psychosocial_first_aid',
  'hygiene_kit',
  'meal',
  'transport_home',
  'protection_screening',
  'child_protection_handover',
];

/**
 * The reception centers of the northern Central American countries of return, loaded once by
 * a migration: each receives returns by air or by land. Operating partners are directory ids
 * (the government agency that runs the center).
 */
export const SEED_CENTERS: readonly SeedCenter[] = [
  {
    code: 'HN-CAMR-SAP',
    name: 'Centro de Atención al Migrante Retornado (CAMR) San Pedro Sula',
    country: 'HN',
    kind: 'airport',
    location: 'La Lima, Cortés (Aeropuerto Internacional Ramón Villeda Morales)',
    dailyCapacity: 400,
    services: [...ALL_ARRIVAL_SERVICES, 'cash_grant', 'document_replacement'],
    operatingPartnerId: 'HN-SRECI',
  },
  {
    code: 'HN-CAMR-OMOA',
    name: 'Centro de Atención al Migrante Retornado (CAMR) Omoa',
    country: 'HN',
    kind: 'land_border',
    location: 'Omoa, Cortés',
    dailyCapacity: 200,
    services: ALL_ARRIVAL_SERVICES,
    operatingPartnerId: 'HN-SRECI',
  },
  {
    code: 'HN-CANFM-BELEN',
    name: 'Centro de Atención para Niñez y Familias Migrantes (CANFM) Belén',
    country: 'HN',
    kind: 'shelter',
    location: 'San Pedro Sula, Cortés',
    dailyCapacity: 60,
    services: [...ALL_ARRIVAL_SERVICES, 'document_replacement'],
    operatingPartnerId: 'HN-DINAF',
  },
  {
    code: 'GT-CRM-01',
    name: 'Centro de Recepción de Retornados, Fuerza Aérea Guatemalteca (La Aurora)',
    country: 'GT',
    kind: 'airport',
    location: 'Ciudad de Guatemala (Aeropuerto Internacional La Aurora)',
    dailyCapacity: 300,
    services: [...ALL_ARRIVAL_SERVICES, 'document_replacement'],
    operatingPartnerId: 'GT-IGM',
  },
  {
    code: 'GT-CRM-TECUN',
    name: 'Centro de Recepción de Retornados Tecún Umán',
    country: 'GT',
    kind: 'land_border',
    location: 'Ciudad Tecún Umán, San Marcos',
    dailyCapacity: 150,
    services: ALL_ARRIVAL_SERVICES,
    operatingPartnerId: 'GT-IGM',
  },
  {
    code: 'SV-CAIM-CHACRA',
    name: 'Centro de Atención Integral al Migrante (La Chacra)',
    country: 'SV',
    kind: 'shelter',
    location: 'San Salvador (colonia La Chacra)',
    dailyCapacity: 250,
    services: [...ALL_ARRIVAL_SERVICES, 'cash_grant', 'document_replacement'],
    operatingPartnerId: 'SV-DGME',
  },
];

/** Child-protection authority per country (directory partner ids): hand-overs of unaccompanied children go there. */
export const CHILD_PROTECTION_AUTHORITIES: Readonly<Record<string, string>> = {
  HN: 'HN-DINAF',
  GT: 'GT-PGN',
  SV: 'SV-CONNA',
};
