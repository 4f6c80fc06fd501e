import { nameTokens } from './normalize';
import { NAME_PARTICLES, spanishSound } from './phonetic';

/**
 * A synthetic, labelled set of record pairs for measuring duplicate detection, generated
 * deterministically from a seed: people with Central American and Mexican names (one or two
 * given names, paternal and maternal surnames, accents, particles such as "del Carmen" or
 * "de la Cruz"), birth dates and nationalities (HN, GT, SV, MX), each paired either with the
 * same person written differently (a duplicate variant) or with a different person who looks
 * alike (a hard negative).
 *
 * Duplicate variants change one thing: accents removed, case changed, second surname dropped,
 * a one-letter typo (substitution, insertion, deletion or transposition of neighbours) in a
 * given name or a surname, given and family names entered in each other's fields, day and month
 * swapped, an estimated birth date (1 January of the year, flagged as estimated or not), or the
 * first given name only; and, to show where detection stops, two of these changes at once.
 *
 * Hard negatives: the same names born another year (same day and month half of the time);
 * siblings with both surnames and the birth date in common (twins, or a registration error on
 * a sibling's date) and other given names; namesakes with the same given names and birth date
 * but other surnames; and namesakes with the same given names and first surname born the
 * same year (another day, another second surname: José Hernández López and José Hernández
 * Mejía, both Honduran, born in 1990). The names that tell a hard negative apart are never spelling
 * variants of each other (at most one edit apart, or the same sound): Juan and Juana born the
 * same day to the same parents cannot be told from a typo by names alone, so a matcher that
 * finds typos must report them for a caseworker to review; those pairs are not in the set.
 * Likewise twins sharing a given name (José Luis and José Carlos) are left out: from keys alone
 * they look like a record with the first given name only.
 */

export const DUPLICATE_VARIANTS = [
  'accents_removed',
  'case_changed',
  'second_surname_dropped',
  'typo_given_name',
  'typo_surname',
  'fields_swapped',
  'day_month_swapped',
  'birth_date_estimated',
  'first_given_name_only',
  'two_changes',
] as const;
export const HARD_NEGATIVES = ['same_names_other_year', 'siblings_same_birth_date', 'same_given_names_and_birth_date', 'namesakes_same_year'] as const;
export type DuplicateVariant = (typeof DUPLICATE_VARIANTS)[number];
export type HardNegative = (typeof HARD_NEGATIVES)[number];

/** A record as a caseworker entered it (the shape of intake's registration). */
export interface PersonRecord {
  givenName: string;
  familyName: string;
  birthDate: string;
  birthDateEstimated: boolean;
  nationality: string;
}

export interface LabelledPair {
  kind: DuplicateVariant | HardNegative;
  /** True when both records are the same person. */
  samePerson: boolean;
  a: PersonRecord;
  b: PersonRecord;
}

const FEMALE = [
  'María', 'José', 'Ana', 'Lucía', 'Sofía', 'Fernanda', 'Guadalupe', 'Rosa', 'Carmen', 'Marta', 'Gabriela', 'Daniela',
  'Andrea', 'Karla', 'Wendy', 'Yesenia', 'Xiomara', 'Ximena', 'Jimena', 'Dulce', 'Leticia', 'Verónica', 'Patricia', 'Isabel',
  'Elena', 'Valeria', 'Camila', 'Brenda', 'Ingrid', 'Maritza', 'Lourdes', 'Concepción', 'Estefany', 'Yolanda', 'Hortensia',
  'Mónica', 'Reina', 'Zoila', 'Paola', 'Alejandra', 'Alba', 'Belén', 'Itzel', 'Nohemí', 'Araceli', 'Rocío', 'Graciela',
];
const MALE = [
  'José', 'Juan', 'Luis', 'Carlos', 'Jorge', 'Miguel', 'Ángel', 'Jesús', 'Francisco', 'Pedro', 'Mario', 'Óscar', 'Héctor',
  'Andrés', 'Martín', 'Javier', 'Kevin', 'Bryan', 'Wilmer', 'Édgar', 'Nelson', 'Rigoberto', 'Santos', 'Marvin', 'Elmer',
  'Alexander', 'Walter', 'Ramón', 'Víctor', 'Fernando', 'Cristian', 'Rubén', 'Gerardo', 'Julio', 'César', 'Alfredo',
  'Esteban', 'Iván', 'Rolando', 'Abelino', 'Noé', 'Baltazar', 'Ezequiel', 'Joaquín', 'Ulises', 'Hugo', 'Tomás', 'Gilberto',
];
const SURNAMES = [
  'Hernández', 'García', 'López', 'Martínez', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz', 'Flores',
  'Gómez', 'Morales', 'Vásquez', 'Reyes', 'Jiménez', 'Torres', 'Díaz', 'Gutiérrez', 'Ruiz', 'Mendoza', 'Aguilar', 'Ortiz',
  'Castillo', 'Chávez', 'Rivera', 'Juárez', 'Domínguez', 'Ramos', 'Herrera', 'Medina', 'Castro', 'Vargas', 'Guzmán',
  'Velásquez', 'Muñoz', 'Rojas', 'Contreras', 'Salazar', 'Orellana', 'Maldonado', 'Zelaya', 'Portillo', 'Argueta',
  'Quintanilla', 'Alvarado', 'Méndez', 'Escobar', 'Ayala', 'Cabrera', 'Villatoro', 'Xicará', 'Ajú', 'Tzul', 'Coc', 'Caal',
  'Pop', 'Bonilla', 'Funes', 'Ordóñez', 'Barrios', 'Palacios', 'Quiñónez', 'Bautista', 'Solís', 'Ávila', 'Núñez', 'Zúniga',
  'Guevara', 'Interiano', 'Lemus', 'Chicas', 'Mejía', 'Pineda', 'Hidalgo', 'Yanes', 'Estrada', 'Cifuentes', 'Osorio',
];
/** Surnames written with a particle, always as a whole. */
const PARTICLE_SURNAMES = ['de la Cruz', 'De León', 'del Cid', 'de Paz', 'de la O'];
const GIVEN_PARTICLE_NAMES = ['María del Carmen', 'María de los Ángeles', 'María de Jesús', 'José de la Paz'];
/** Northern Triangle nationals dominate registrations at Mexican and Guatemalan sites. */
const NATIONALITIES: [string, number][] = [
  ['HN', 0.35],
  ['GT', 0.3],
  ['SV', 0.2],
  ['MX', 0.15],
];
const LETTERS = 'abcdefghijklmnopqrstuvwxyzñ';

/** mulberry32: a small seeded generator, so the set is the same on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Draw {
  constructor(readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  /** Earlier entries are more frequent (a rough Zipf law, as surnames are). */
  skewed<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(items.length * this.random() ** 1.6))];
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  weighted<T>(items: readonly [T, number][]): T {
    let r = this.random();
    for (const [item, w] of items) {
      if ((r -= w) < 0) return item;
    }
    return items[items.length - 1][0];
  }
}

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{Mn}/gu, '').normalize('NFC');

function givenNames(draw: Draw, female: boolean): string {
  if (female && draw.chance(0.06)) return draw.pick(GIVEN_PARTICLE_NAMES);
  const list = female ? FEMALE : MALE;
  const first = draw.skewed(list);
  if (draw.chance(0.45)) return first;
  let second = draw.pick(list);
  while (second === first) second = draw.pick(list);
  return `${first} ${second}`;
}

function surname(draw: Draw): string {
  return draw.chance(0.04) ? draw.pick(PARTICLE_SURNAMES) : draw.skewed(SURNAMES);
}

function birthDate(draw: Draw, swappable = false): string {
  const y = draw.int(1955, 2022);
  const m = draw.int(1, 12);
  let d = draw.int(1, daysIn(y, m));
  // A day-and-month swap only shows when both are valid months and differ.
  if (swappable) while (d > 12 || d === m) d = draw.int(1, 12);
  return iso(y, m, d);
}

function person(draw: Draw, options: { swappableDate?: boolean; twoGivenNames?: boolean } = {}): PersonRecord {
  const female = draw.chance(0.5);
  let given = givenNames(draw, female);
  while (options.twoGivenNames && meaningfulNames(given).length < 2) given = givenNames(draw, female);
  return {
    givenName: given,
    familyName: `${surname(draw)} ${surname(draw)}`,
    birthDate: birthDate(draw, options.swappableDate),
    birthDateEstimated: false,
    nationality: draw.weighted(NATIONALITIES),
  };
}

/** The paternal surname as written, with its particle (de la Cruz). */
function firstSurname(family: string): string {
  return PARTICLE_SURNAMES.find((p) => family.startsWith(`${p} `)) ?? family.split(' ')[0];
}

/** Name tokens without particles, as written. */
export function meaningfulNames(name: string): string[] {
  return name.split(' ').filter((t) => !NAME_PARTICLES.has(t.toLowerCase()));
}

/** One keyboard slip in a token: a letter changed, added or dropped, or two neighbours swapped. */
function typo(draw: Draw, token: string): string {
  const letters = [...token];
  for (;;) {
    const out = [...letters];
    const at = draw.int(0, letters.length - 1);
    const kind = draw.int(0, 3);
    const letter = draw.pick([...LETTERS]);
    if (kind === 0) out[at] = at === 0 ? letter.toUpperCase() : letter;
    else if (kind === 1) out.splice(draw.int(0, letters.length), 0, letter);
    else if (kind === 2 && letters.length > 3) out.splice(at, 1);
    else if (kind === 3 && at < letters.length - 1) [out[at], out[at + 1]] = [out[at + 1], out[at]];
    const written = out.join('');
    // A slip that changes nothing once case and accents are folded is no typo.
    if (nameTokens(written).join('') !== nameTokens(token).join('')) return written;
  }
}

/** Replaces one meaningful token of a name (the first more often: it is typed first and most). */
function withTypo(draw: Draw, name: string): string {
  const tokens = name.split(' ');
  const candidates = tokens.map((t, i) => i).filter((i) => !NAME_PARTICLES.has(tokens[i].toLowerCase()));
  const at = draw.chance(0.6) ? candidates[0] : draw.pick(candidates);
  tokens[at] = typo(draw, tokens[at]);
  return tokens.join(' ');
}

/** Optimal string alignment distance (edits, with neighbour swaps as one edit). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/** Two names that are spellings of one another: at most one edit apart, or sounding alike. */
export function spellingVariants(a: string, b: string): boolean {
  const fa = nameTokens(a).join('');
  const fb = nameTokens(b).join('');
  return editDistance(fa, fb) <= 1 || spanishSound(a) === spanishSound(b);
}

type SingleChange = Exclude<DuplicateVariant, 'two_changes'>;
/** Changes that can come together, in the order they are applied (fields swapped last, as a caseworker would). */
const COMBINABLE: SingleChange[] = [
  'first_given_name_only',
  'second_surname_dropped',
  'typo_given_name',
  'typo_surname',
  'day_month_swapped',
  'birth_date_estimated',
  'fields_swapped',
];

function changed(draw: Draw, variant: SingleChange, a: PersonRecord): PersonRecord {
  const b = { ...a };
  switch (variant) {
    case 'accents_removed':
      b.givenName = stripAccents(a.givenName);
      b.familyName = stripAccents(a.familyName);
      break;
    case 'case_changed': {
      const recase = draw.chance(0.5) ? (s: string) => s.toUpperCase() : (s: string) => s.toLowerCase();
      b.givenName = recase(a.givenName);
      b.familyName = recase(a.familyName);
      break;
    }
    case 'second_surname_dropped':
      b.familyName = firstSurname(a.familyName);
      break;
    case 'typo_given_name':
      b.givenName = withTypo(draw, a.givenName);
      break;
    case 'typo_surname':
      b.familyName = withTypo(draw, a.familyName);
      break;
    case 'fields_swapped':
      [b.givenName, b.familyName] = [a.familyName, a.givenName];
      break;
    case 'day_month_swapped':
      b.birthDate = `${a.birthDate.slice(0, 4)}-${a.birthDate.slice(8, 10)}-${a.birthDate.slice(5, 7)}`;
      break;
    case 'birth_date_estimated':
      // Age known, date not: most sites record 1 January and flag it, some only write 1 January.
      b.birthDate = `${a.birthDate.slice(0, 4)}-01-01`;
      b.birthDateEstimated = draw.chance(0.7);
      break;
    case 'first_given_name_only':
      b.givenName = meaningfulNames(a.givenName)[0];
      break;
  }
  return b;
}

function duplicate(draw: Draw, variant: DuplicateVariant): LabelledPair {
  let changes: SingleChange[] = [];
  if (variant === 'two_changes') {
    // Two different changes; a swapped day and month is lost under an estimated date, so not both.
    while (changes.length !== 2 || (changes.includes('day_month_swapped') && changes.includes('birth_date_estimated'))) {
      changes = [...new Set([draw.pick(COMBINABLE), draw.pick(COMBINABLE)])].sort((x, y) => COMBINABLE.indexOf(x) - COMBINABLE.indexOf(y));
    }
  } else changes = [variant];
  let a = person(draw, { swappableDate: changes.includes('day_month_swapped'), twoGivenNames: changes.includes('first_given_name_only') });
  while (variant === 'accents_removed' && stripAccents(a.givenName + a.familyName) === a.givenName + a.familyName) a = person(draw);
  const b = changes.reduce((r, change) => changed(draw, change, r), a);
  return draw.chance(0.5) ? { kind: variant, samePerson: true, a, b } : { kind: variant, samePerson: true, a: b, b: a };
}

function hardNegative(draw: Draw, kind: HardNegative): LabelledPair {
  const a = person(draw);
  const b = { ...a };
  switch (kind) {
    case 'same_names_other_year': {
      const year = Number(a.birthDate.slice(0, 4));
      let other = year;
      while (other === year || other < 1940 || other > 2024) other = year + (draw.chance(0.5) ? 1 : -1) * draw.int(1, 40);
      const [m, d] = [Number(a.birthDate.slice(5, 7)), Number(a.birthDate.slice(8, 10))];
      if (draw.chance(0.5) && d <= daysIn(other, m)) b.birthDate = iso(other, m, d);
      else {
        const month = draw.int(1, 12);
        b.birthDate = iso(other, month, draw.int(1, daysIn(other, month)));
      }
      break;
    }
    case 'siblings_same_birth_date': {
      const female = draw.chance(0.5);
      const mine = meaningfulNames(a.givenName);
      for (;;) {
        const theirs = meaningfulNames((b.givenName = givenNames(draw, female)));
        if (!theirs.some((t) => mine.some((m) => spellingVariants(t, m)))) break;
      }
      break;
    }
    case 'same_given_names_and_birth_date': {
      const mine = meaningfulNames(a.familyName);
      for (;;) {
        const theirs = meaningfulNames((b.familyName = `${surname(draw)} ${surname(draw)}`));
        if (!theirs.some((t) => mine.some((m) => spellingVariants(t, m)))) break;
      }
      break;
    }
    case 'namesakes_same_year': {
      const first = firstSurname(a.familyName);
      const mine = meaningfulNames(a.familyName.slice(first.length).trim());
      for (;;) {
        const theirs = meaningfulNames((b.familyName = `${first} ${surname(draw)}`).slice(first.length).trim());
        if (!theirs.some((t) => mine.some((m) => spellingVariants(t, m)))) break;
      }
      // Another day that is not the same day and month swapped.
      const dayMonth = (date: string) => [date.slice(5, 7), date.slice(8, 10)].sort().join();
      do b.birthDate = birthDate(draw).replace(/^\d{4}/, a.birthDate.slice(0, 4));
      while (dayMonth(b.birthDate) === dayMonth(a.birthDate) || b.birthDate.slice(5) === '02-29');
      break;
    }
  }
  return { kind, samePerson: false, a, b };
}

/**
 * The labelled set: `perKind` pairs of every duplicate variant and every hard negative, the
 * same for the same seed.
 */
export function labelledPairs(options: { seed?: number; perKind?: number } = {}): LabelledPair[] {
  const draw = new Draw(generator(options.seed ?? 20_261_206));
  const perKind = options.perKind ?? 200;
  const pairs: LabelledPair[] = [];
  for (const variant of DUPLICATE_VARIANTS) for (let i = 0; i < perKind; i++) pairs.push(duplicate(draw, variant));
  for (const kind of HARD_NEGATIVES) for (let i = 0; i < perKind; i++) pairs.push(hardNegative(draw, kind));
  return pairs;
}
