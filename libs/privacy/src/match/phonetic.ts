import { nameTokens } from './normalize';

const VOWEL = new Set(['a', 'e', 'i', 'o', 'u']);
const FRONT = new Set(['e', 'i', 'y']);

/** One left-to-right pass of the Spanish sound rules over a folded token. */
function soundPass(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const next = s[i + 1] ?? '';
    switch (c) {
      case 'h':
        // Silent in Spanish (Hernández = Ernández); kept only as part of "ch".
        if (out.endsWith('c')) out += 'h';
        break;
      case 'c':
        if (next === 'h') out += 'c';
        else out += FRONT.has(next) ? 's' : 'k';
        break;
      case 'q':
      case 'k':
        out += 'k';
        // "que"/"qui" = "ke"/"ki": the u is not pronounced.
        if (c === 'q' && next === 'u' && FRONT.has(s[i + 2] ?? '')) i++;
        break;
      case 'g':
        // "ge"/"gi" sound like "je"/"ji" (Gimena = Jimena); "gue"/"gui" keep a hard g.
        out += FRONT.has(next) && next !== 'y' ? 'j' : 'g';
        break;
      case 'x':
        // In Mexican and Central American names x is mostly the jota (Ximena, Xicará).
        out += 'j';
        break;
      case 'z':
        out += 's';
        break;
      case 'v':
        out += 'b';
        break;
      case 'w':
        out += 'u';
        break;
      case 'p':
        if (next === 'h') {
          out += 'f';
          i++;
        } else out += 'p';
        break;
      case 'n':
        // "nv" is pronounced (and often written) "mb".
        out += next === 'v' || next === 'b' ? 'm' : 'n';
        break;
      case 'l':
        if (next === 'l') {
          out += 'y';
          i++;
        } else out += 'l';
        break;
      case 'y':
        // Consonant before a vowel (Yolanda), vowel otherwise (Reyna = Reina, Ruy).
        out += VOWEL.has(next) ? 'y' : 'i';
        break;
      default:
        out += c;
    }
  }
  // Doubled letters sound single (Garrido = Garido, Isaac = Isac).
  return out.replace(/(.)\1+/gu, '$1');
}

/**
 * A Spanish sound code for one name token: case and accents folded (ñ = n, ü = u), h silent,
 * b = v, c/s/z before e/i alike, hard c/k/qu alike, ge/gi = je/ji = x, ll = y, y before a
 * consonant = i, nv = mb, ph = f, doubled letters single. So Vásquez, Vazquez and Basques share a
 * code, as do Hernández and Ernandes, Ximena and Jimena, Yllescas and Iyescas. Letters of other
 * scripts pass through. Pure, total and idempotent; '' for a token without letters.
 */
export function spanishSound(token: string): string {
  let current = nameTokens(token).join('');
  for (let i = 0; i < 8; i++) {
    const next = soundPass(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Words that join name parts (María del Carmen, De la Cruz) and are often left out when written. */
export const NAME_PARTICLES: ReadonlySet<string> = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'e', 'da', 'das', 'do', 'dos', 'van', 'von']);

/** The sound codes of a name field's meaningful tokens in the order written. */
export function soundTokens(name: string): string[] {
  return meaningfulTokens(name).map(spanishSound).filter((t) => t.length > 0);
}

/** The folded tokens of a name field in the order written, particles left out unless that leaves nothing. */
export function meaningfulTokens(name: string): string[] {
  const tokens = nameTokens(name);
  const meaningful = tokens.filter((t) => !NAME_PARTICLES.has(t));
  return meaningful.length > 0 ? meaningful : tokens;
}

/**
 * The token and every form of it with one letter left out, without repeats. Two tokens one
 * edit apart (a letter changed, added, dropped, or two neighbours swapped) always share one of
 * these forms, so keyed hashes of them find typos without comparing the names themselves.
 * Tokens longer than `maxLength` are cut first, so the count is bounded.
 */
export function oneDeletionForms(token: string, maxLength: number): string[] {
  const letters = [...token].slice(0, maxLength);
  const forms = new Set<string>([letters.join('')]);
  for (let i = 0; i < letters.length; i++) forms.add([...letters.slice(0, i), ...letters.slice(i + 1)].join(''));
  return [...forms];
}
