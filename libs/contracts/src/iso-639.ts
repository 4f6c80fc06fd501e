// ISO 639 language codes: the spelling of a language in Puente's APIs (intake's person
// languages, reintegration's skills profiles). Kept here, next to the country list, so every
// service validates the same list.

/** ISO 639-1 two-letter language codes (all 183 current codes). */
const ISO_639_1 = `
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl
ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu`;

/**
 * ISO 639-3 codes of languages spoken by people on the move in the Americas that have no
 * ISO 639-1 code: Mayan languages of Guatemala and southern Mexico, Garifuna, Miskito,
 * Nahuatl and other Mesoamerican languages, and languages of extra-continental migrants
 * frequently met at the Mexico–Guatemala border. Extend this list when a site needs another.
 */
const ISO_639_3 = `
quc mam kek cak kjb ixl jac acr agu caa cac cbm chf ctu ttc tzj tzh tzo usp poh poc pob toj lac
mop yua itz ram cab miq mis sum ulw pay nah nhe nch ngu nhw nhi azz zai zap mix maz ote otm
mxt trs huv ncj ppl len jic
hat pcm kri srn ckb prs bal hak yue cmn nan wuu tir aii ful fuf snk mnk dyu bci ewe twi lin`;

/** Language codes: ISO 639-1 (`es`, `en`, `ht`) or an ISO 639-3 code from the list above (`quc`, `mam`, `cab`). */
export const LANGUAGE_CODES: ReadonlySet<string> = new Set([...ISO_639_1.trim().split(/\s+/), ...ISO_639_3.trim().split(/\s+/)]);

export function isLanguageCode(value: unknown): value is string {
  return typeof value === 'string' && LANGUAGE_CODES.has(value);
}
