import fc from 'fast-check';
import { CEFR_LEVELS } from '../skills/cefr';
import { iscoGroups } from '../skills/isco';
import type { IndexedOpening } from './match-index';
import type { GeoPoint, LanguageAbility, MatchProfile } from './scorer';

// Test data generators for the matching property tests (a few ISCO families, so random pairs share groups often).

const UNITS = iscoGroups().filter((g) => g.level === 'unit').map((g) => g.code);
/** Unit groups from a few families (construction, hospitality, agriculture, ICT, care), plus any at random. */
const FAMILY = UNITS.filter((c) => /^(71|51|94|61|92|25|35|53|83)/.test(c));
export const iscoUnit = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FAMILY) }, { weight: 1, arbitrary: fc.constantFrom(...UNITS) });
export const language: fc.Arbitrary<LanguageAbility> = fc.record({ code: fc.constantFrom('es', 'en', 'fr', 'quc', 'pt'), level: fc.constantFrom(...CEFR_LEVELS) });
// Central America, around San Pedro Sula and Tegucigalpa, to a few hundred km.
export const place: fc.Arbitrary<GeoPoint | null> = fc.option(
  fc.record({ lat: fc.double({ min: 13, max: 16, noNaN: true }), lon: fc.double({ min: -89.5, max: -86, noNaN: true }) }),
  { freq: 4 },
);
export const uuid = fc.uuid().map((u) => u.toLowerCase());

export const profile: fc.Arbitrary<MatchProfile> = fc.record({
  personId: uuid,
  occupations: fc.uniqueArray(iscoUnit, { maxLength: 4 }),
  languages: fc.array(language, { maxLength: 3 }),
  location: place,
});

const day = fc.integer({ min: 0, max: 40 }).map((d) => new Date(Date.UTC(2026, 11, 1 + d)).toISOString().slice(0, 10));

export const opening: fc.Arbitrary<IndexedOpening> = fc
  .record({
    openingId: uuid,
    iscoCode: iscoUnit,
    requiredSkills: fc.uniqueArray(iscoUnit, { maxLength: 3 }),
    requiredLanguages: fc.uniqueArray(language, { maxLength: 2, selector: (l) => l.code }),
    location: place,
    opensOn: day,
    closesOn: fc.option(day, { freq: 3 }),
  })
  .filter((o) => o.closesOn === null || o.opensOn <= o.closesOn);

/** A scored profile inside a wider record carrying the protected attributes the scorer must ignore. */
export const personWithProtectedAttributes = fc.record({
  ...{ personId: uuid, occupations: fc.uniqueArray(iscoUnit, { maxLength: 4 }), languages: fc.array(language, { maxLength: 3 }), location: place },
  sex: fc.constantFrom('female', 'male', 'other', 'undisclosed'),
  ageBand: fc.constantFrom('aged_12_to_17', 'aged_18_to_59', 'aged_60_plus', 'unknown'),
  nationality: fc.constantFrom('HN', 'GT', 'SV', 'NI', 'XX'),
  ethnicity: fc.constantFrom('maya', 'garifuna', 'lenca', 'mestizo', 'undisclosed'),
  flags: fc.subarray(['unaccompanied_child', 'survivor_of_violence', 'lgbtiq', 'disability', 'pregnant']),
});
