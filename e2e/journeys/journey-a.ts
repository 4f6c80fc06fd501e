// Journey A, Guatemala → Mexico (issue 15), as one script over the nodes' REST APIs: what
// `npm run demo` narrates against running nodes and what e2e/journey-a.spec.ts runs against
// processes it starts, so the demo cannot drift from what the test checks. Plain fetch, no
// service code: only what an integrator's system could call.

/** Where one node's services answer. */
export interface NodeServices {
  intake: string;
  screening: string;
  routing: string;
  reception: string;
}

/** A caller of the journey: whose token, for what. */
export interface Caller {
  node: 'GT' | 'MX';
  partnerId: string;
  clientId: string;
  scopes: string[];
}

export interface JourneyOptions {
  nodes: { GT: NodeServices; MX: NodeServices };
  /** An access token the node trusts (dev issuer in `npm start`, the spec's issuer in tests). */
  token(caller: Caller): Promise<string>;
  /** One line of narration. */
  say(line: string): void;
  /** Makes names and references of this run its own (a demo may run many times on one node). */
  seed: number;
  /** How long to wait for what travels through Kafka and MirrorMaker (ms). */
  waitMs?: number;
}

/** What the journey did, by id, for the caller's own checks. */
export interface JourneyAResult {
  gtCaseId: string;
  gtPersonIds: string[];
  referralId: string;
  transferId: string;
  mxCaseId: string;
  mxPersonIds: string[];
  shelterCode: string;
  arrivalIds: string[];
  gtTimeline: string[];
  gtCaseStatus: string;
  referralStatus: string;
}

export const GT_SITE = 'GT-MRC-01';
export const SHELTER = { code: 'MX-ALB-BELEN', partnerId: 'MX-ALBERGUE-BELEN', name: 'Albergue Belén – Casa del Migrante (Tapachula)', location: 'Tapachula, Chiapas (Colonia San Antonio Cahoacán)' };
export const COMAR = 'MX-COMAR';

const GIVEN_MOTHER = ['Dilcia Marisol', 'Glenda Yamileth', 'Karla Patricia', 'Suyapa Elizabeth', 'Wendy Carolina', 'Yesenia Lorena'];
const GIVEN_GIRL = ['Ashley Nicol', 'Daniela Sofía', 'Genesis Abigail', 'Hillary Mariel'];
const GIVEN_BOY = ['Kevin Josué', 'Brayan Alexis', 'Anthony Daniel', 'Jefferson Said'];
const FAMILY = ['Banegas', 'Zelaya', 'Funes', 'Mejía', 'Castillo', 'Reyes', 'Orellana', 'Cálix', 'Matute', 'Espinal'];

/** The family of run `seed`: a Honduran mother and her two children (names and birth dates vary per run). */
export function familyOf(seed: number) {
  const pick = <T>(list: T[], k: number) => list[Math.abs(k) % list.length];
  const familyNames = `${pick(FAMILY, seed)} ${pick(FAMILY, Math.floor(seed / 10) + 3)}`;
  const day = String(1 + (seed % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(seed / 28) % 12)).padStart(2, '0');
  return {
    mother: { givenNames: pick(GIVEN_MOTHER, seed), familyNames, sex: 'female', birthDate: `${1988 + (seed % 7)}-${month}-${day}`, nationality: 'HN' },
    children: [
      { givenNames: pick(GIVEN_GIRL, seed), familyNames, sex: 'female', birthDate: `${2014 + (seed % 3)}-${month}-${day}`, nationality: 'HN' },
      { givenNames: pick(GIVEN_BOY, seed), familyNames, sex: 'male', birthDate: `${2018 + (seed % 3)}-${month}-${day}`, nationality: 'HN' },
    ],
  };
}

/** The mother's answers: threatened by a gang for her husband's political activity, in Guatemala now, heading to Mexico. */
export function screeningAnswers(arrivalDate: string) {
  return {
    q_age: 34,
    q_nationality: 'hn',
    q_current_location: 'other_country',
    q_arrival_date: arrivalDate,
    q_indigenous: false,
    q_travelling_with: 'alone_with_children',
    q_family_abroad: 'no',
    q_fear_of_return: true,
    q_harm_sources: ['criminal_group'],
    q_harm_reasons: ['political_opinion', 'family_membership'],
    q_last_threat: 'within_month',
    q_danger_now: false,
    q_safe_in_current_country: true,
    q_violence: ['none'],
    q_trafficking: ['none'],
    q_medical: 'none',
    q_pregnancy: 'no',
    q_disability: ['none'],
    q_distress: false,
    q_lgbtqi_risk: 'no',
    q_safe_place_tonight: true,
    q_intention: 'move_to_another_country',
    q_work_abroad_interest: false,
  };
}

export class JourneyStepError extends Error {
  override readonly name = 'JourneyStepError';
}

type Service = keyof NodeServices;
interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of the APIs called
  etag: string | null;
}

const SERVICE_NAMES: Record<Service, string> = { intake: 'intake', screening: 'screening', routing: 'referral-routing', reception: 'reception' };

/** Runs journey A; resolves with the ids it made, or rejects with the step that failed. */
export async function runJourneyA(options: JourneyOptions): Promise<JourneyAResult> {
  const { nodes, say } = options;
  const waitMs = options.waitMs ?? 90_000;
  const told = new Set<string>();
  let polling = false;
  const documents = new Map<string, Promise<any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (caller: Caller) => {
    const key = JSON.stringify(caller);
    const known = tokens.get(key);
    if (known) return known;
    const minted = options.token(caller);
    tokens.set(key, minted);
    return minted;
  };

  /** The Swagger UI link of an operation (from the service's own OpenAPI document, so a renamed route fails here). */
  async function swaggerLink(base: string, method: string, template: string): Promise<string> {
    if (!documents.has(base)) documents.set(base, fetch(`${base}/docs/openapi.json`).then((r) => r.json()));
    const operation = (await documents.get(base))?.paths?.[template]?.[method.toLowerCase()];
    if (!operation?.operationId) throw new JourneyStepError(`${base}/docs/openapi.json has no ${method} ${template}`);
    return `${base}/docs#/${encodeURIComponent(operation.tags?.[0] ?? 'default')}/${operation.operationId}`;
  }

  /** One API call, narrated with its Swagger link; `expect` lists the statuses this step accepts. */
  async function call(node: 'GT' | 'MX', service: Service, caller: Caller, method: string, template: string, params: Record<string, string>, body: unknown, expect: number[], headers: Record<string, string> = {}): Promise<Answer> {
    const base = nodes[node][service];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
    const query = params.query ? `?${params.query}` : '';
    const line = `     ${method} ${node} ${SERVICE_NAMES[service]} ${path}${query}   ${await swaggerLink(base, method, template)}`;
    // A poll's call is told once, not at every try.
    if (!told.has(line)) say(line);
    if (polling) told.add(line);
    const res = await fetch(`${base}${path}${query}`, {
      method,
      headers: { authorization: `Bearer ${await tokenOf(caller)}`, 'idempotency-key': crypto.randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const answer = { status: res.status, body: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag') };
    if (!expect.includes(answer.status)) {
      // Problem documents carry codes and field names, never personal data.
      throw new JourneyStepError(`${method} ${node} ${SERVICE_NAMES[service]} ${template} answered ${answer.status}: ${text.slice(0, 600)}`);
    }
    return answer;
  }

  /** Polls until `probe` answers something truthy; what travels between services is eventually there. */
  async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>): Promise<T> {
    const deadline = Date.now() + waitMs;
    let delay = 250;
    polling = true;
    try {
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new JourneyStepError(`waited ${Math.round(waitMs / 1000)} s for ${what}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2_000);
      }
    } finally {
      polling = false;
      told.clear();
    }
  }

  // Who acts, with what scopes.
  const gtCaseworker: Caller = { node: 'GT', partnerId: GT_SITE, clientId: 'gt-mrc-caseworker-app', scopes: ['sites:admin', 'persons:write', 'persons:read', 'cases:read', 'cases:write', 'consents:write', 'transfers:write'] };
  const gtOfficer: Caller = { node: 'GT', partnerId: GT_SITE, clientId: 'gt-mrc-protection-officer', scopes: ['screening:read', 'screening:write', 'cases:read', 'referrals:read', 'referrals:write', 'directory:read'] };
  const mxOfficer: Caller = { node: 'MX', partnerId: 'MX-INM-TAPACHULA', clientId: 'mx-case-officer-app', scopes: ['sites:admin', 'persons:read', 'cases:read', 'cases:write', 'transfers:write', 'centers:admin'] };
  const mxDesk: Caller = { node: 'MX', partnerId: SHELTER.partnerId, clientId: 'albergue-belen-desk', scopes: ['arrivals:read', 'arrivals:write'] };
  const comar: Caller = { node: 'MX', partnerId: COMAR, clientId: 'comar-case-system', scopes: ['referrals:read', 'referrals:write'] };

  const family = familyOf(options.seed);
  const started = Date.now();
  const step = (n: number, text: string) => say(`\n${String(n).padStart(2)}. ${text}   (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  step(1, 'GT-MRC-01 (Guatemala City) registers a Honduran mother and her two children as one household');
  await call('GT', 'intake', gtCaseworker, 'POST', '/v1/sites', {}, { code: GT_SITE, name: 'Centro de Recursos para Migrantes – Ciudad de Guatemala', kind: 'fixed' }, [201, 409]);
  const mother = await call('GT', 'intake', gtCaseworker, 'POST', '/v1/persons', {}, {
    siteCode: GT_SITE,
    ...family.mother,
    languages: [{ code: 'es', primary: true }],
    vulnerabilityFlags: ['fear_of_return', 'single_caregiver'],
    case: { priority: 'high', household: true },
    // Given with the registration: screening, identity matching, the transfer of the case to Mexico.
    consents: [
      { purpose: 'screening', method: 'written' },
      { purpose: 'identity_matching', method: 'written' },
      { purpose: 'cross_border_transfer', destinationCountry: 'MX', method: 'written' },
    ],
  }, [201]);
  const gtCaseId: string = mother.body.caseId;
  const gtPersonIds: string[] = [mother.body.personId];
  for (const child of family.children) {
    // The children fled with her: the same fear of return, and so the same protection toward Honduras.
    const res = await call('GT', 'intake', gtCaseworker, 'POST', '/v1/persons', {}, { siteCode: GT_SITE, ...child, caseId: gtCaseId, vulnerabilityFlags: ['fear_of_return'] }, [201]);
    gtPersonIds.push(res.body.personId);
  }
  say(`     case ${gtCaseId} (${mother.body.reference ?? 'household of 3'}), persons ${gtPersonIds.join(', ')}`);

  step(2, 'She consents to a referral to, and to sharing her data with, the Mexican asylum agency (COMAR)');
  for (const purpose of ['referral', 'data_sharing']) {
    await call('GT', 'intake', gtCaseworker, 'POST', '/v1/cases/{caseId}/consents', { caseId: gtCaseId }, { personId: gtPersonIds[0], purpose, partnerId: COMAR, method: 'written' }, [201]);
  }

  step(3, 'Screening records a fear of return on a convention ground (political opinion, membership of a family)');
  const screening = await until('screening to know the case and its screening consent', async () => {
    const res = await call('GT', 'screening', gtOfficer, 'POST', '/v1/screenings', {}, { caseId: gtCaseId, personId: gtPersonIds[0] }, [200, 201, 404, 409, 422]);
    return res.status < 300 ? res : undefined;
  });
  const answered = await call('GT', 'screening', gtOfficer, 'PATCH', '/v1/screenings/{id}/answers', { id: screening.body.id }, { answers: screeningAnswers(new Date(Date.now() - 9 * 86_400_000).toISOString().slice(0, 10)) }, [200], { 'if-match': screening.etag ?? '*' });
  await call('GT', 'screening', gtOfficer, 'POST', '/v1/screenings/{id}/complete', { id: screening.body.id }, undefined, [200], { 'if-match': answered.etag ?? '*' });
  const result = await call('GT', 'screening', gtOfficer, 'GET', '/v1/screenings/{id}/result', { id: screening.body.id }, undefined, [200]);
  const resultText = JSON.stringify(result.body);
  for (const expected of ['fear_of_return', 'political_opinion', 'national_asylum']) {
    if (!resultText.includes(expected)) throw new JourneyStepError(`the screening result does not say ${expected}`);
  }
  say('     result: fear_of_return on political_opinion; recommended pathway national_asylum');

  step(4, "Referral routing suggests COMAR's refugee status determination, a program hosted by node MX");
  const suggestion = await until('the asylum program in Mexico among the suggestions', async () => {
    const res = await call('GT', 'routing', gtOfficer, 'GET', '/v1/cases/{caseId}/suggestions', { caseId: gtCaseId }, undefined, [200, 404]);
    return res.status === 200 ? res.body.suggestions.find((s: { partnerId: string; pathway: string }) => s.partnerId === COMAR && s.pathway === 'asylum') : undefined;
  });
  if (suggestion.hostedHere !== false || suggestion.node !== 'MX') throw new JourneyStepError('the asylum program suggested is not hosted by node MX');
  say(`     rank ${suggestion.rank}: ${suggestion.programName} (${suggestion.partnerName}), node ${suggestion.node}`);

  step(5, 'The caseworker refers the family to it: a cross-border referral, sealed and sent to MX');
  const referral = await until('routing to know the case consents', async () => {
    const res = await call('GT', 'routing', gtOfficer, 'POST', '/v1/referrals', {}, { caseId: gtCaseId, programId: suggestion.programId, coveredPersonIds: gtPersonIds, reason: 'caseworker_referral', suggestionId: suggestion.suggestionId }, [201, 404, 409]);
    return res.status === 201 ? res : undefined;
  });
  const referralId: string = referral.body.id;
  say(`     referral ${referralId}: ${referral.body.status}`);

  step(6, 'GT sends the custody transfer of the case to MX');
  const transfer = await call('GT', 'intake', gtCaseworker, 'POST', '/v1/cases/{caseId}/transfers', { caseId: gtCaseId }, { destinationNode: 'MX', reason: 'onward_movement' }, [201]);
  const transferId: string = transfer.body.id;
  say(`     transfer ${transferId}: ${transfer.body.status}, fields ${(transfer.body.fields ?? []).join(', ')}`);

  step(7, 'MX sets up the Tapachula shelter (a reception center of kind shelter, and the site its intake registers at)');
  await call('MX', 'reception', mxOfficer, 'POST', '/v1/centers', {}, { code: SHELTER.code, name: SHELTER.name, kind: 'shelter', location: SHELTER.location, dailyCapacity: 120, services: ['interview', 'meal', 'hygiene_kit', 'psychosocial_first_aid', 'protection_screening'], operatingPartnerId: SHELTER.partnerId }, [201, 409]);
  await call('MX', 'intake', mxOfficer, 'POST', '/v1/sites', {}, { code: SHELTER.code, name: SHELTER.name, kind: 'fixed' }, [201, 409]);

  step(8, 'MX receives the transfer (pending), accepts it: its intake registers the three persons on a case linked to the GT case, with its duplicate check');
  await until('the transfer pending at MX', async () => {
    const res = await call('MX', 'intake', mxOfficer, 'GET', '/v1/transfers/{id}', { id: transferId }, undefined, [200, 404]);
    return res.status === 200 && res.body.status === 'pending' ? res.body : undefined;
  });
  const accepted = await call('MX', 'intake', mxOfficer, 'POST', '/v1/transfers/{id}/accept', { id: transferId }, { siteCode: SHELTER.code }, [200]);
  const mxCaseId: string = accepted.body.destinationCaseId;
  const persons: { originPersonId: string; destinationPersonId: string; linked: boolean }[] = accepted.body.persons ?? [];
  if (persons.length !== 3) throw new JourneyStepError(`MX registered ${persons.length} persons, not 3`);
  const mxPersonIds = gtPersonIds.map((id) => persons.find((p) => p.originPersonId === id)?.destinationPersonId ?? '');
  say(`     ${accepted.body.status}: case ${mxCaseId} (origin GT case ${accepted.body.originCaseId ?? gtCaseId}); ${persons.map((p) => (p.linked ? 'linked to a person MX knew' : 'registered')).join(', ')}`);

  step(9, 'The family checks in at the Tapachula shelter');
  const arrivalIds: string[] = [];
  for (const [k, person] of [family.mother, ...family.children].entries()) {
    const walkIn = await call('MX', 'reception', mxDesk, 'POST', '/v1/walk-ins', {}, { centerCode: SHELTER.code, person: { ...person, returningReference: `TRF-${transferId.slice(0, 8).toUpperCase()}-${k + 1}` } }, [201]);
    const arrival = await until('intake to match the walk-in', async () => {
      const res = await call('MX', 'reception', mxDesk, 'GET', '/v1/arrivals/{id}', { id: walkIn.body.id }, undefined, [200]);
      return res.body.status === 'expected' ? res.body : undefined;
    });
    if (arrival.personId !== mxPersonIds[k]) throw new JourneyStepError(`the walk-in was not matched to the person MX registered from the transfer`);
    const checkedIn = await call('MX', 'reception', mxDesk, 'POST', '/v1/arrivals/{id}/check-in', { id: arrival.id }, { outcome: 'arrived', desk: `${SHELTER.code}/desk-1`, ...(k === 0 ? { consents: ['reception_services'], consentMethod: 'written' } : {}) }, [200]);
    arrivalIds.push(checkedIn.body.id);
    say(`     ${k === 0 ? 'mother' : `child ${k}`}: ${arrival.match} to person ${arrival.personId}, ${checkedIn.body.status}`);
  }

  step(10, 'COMAR pulls the referral through the partner API at MX and accepts it');
  const pulled = await until('the referral in COMAR\'s queue at MX', async () => {
    const res = await call('MX', 'routing', comar, 'GET', '/v1/partner/referrals', {}, undefined, [200]);
    return res.body.items?.find((r: { id: string }) => r.id === referralId);
  });
  say(`     ${pulled.status}, from node ${pulled.referringNode} (${pulled.referringPartnerId})`);
  await call('MX', 'routing', comar, 'POST', '/v1/partner/referrals/{id}/{action}', { id: referralId, action: 'receive' }, { reason: 'acknowledged' }, [200]);
  const acceptedReferral = await call('MX', 'routing', comar, 'POST', '/v1/partner/referrals/{id}/{action}', { id: referralId, action: 'accept' }, { reason: 'meets_criteria' }, [200]);
  say(`     ${acceptedReferral.body.status}`);

  step(11, 'Back at GT: the referral shows the acceptance, the case is transferred, and the timeline shows each step');
  const gtReferral = await until('the acceptance back at GT', async () => {
    const res = await call('GT', 'routing', gtOfficer, 'GET', '/v1/referrals/{id}', { id: referralId }, undefined, [200]);
    return res.body.status === 'accepted' ? res.body : undefined;
  });
  const gtCase = await until('the GT case transferred', async () => {
    const res = await call('GT', 'intake', gtCaseworker, 'GET', '/v1/cases/{id}', { id: gtCaseId }, undefined, [200]);
    return res.body.status === 'transferred' || res.body.status === 'transferred_out' ? res.body : undefined;
  });
  const wanted = ['CaseOpened', 'ConsentRecorded', 'ScreeningCompleted', 'CrossBorderReferralSent', 'TransferRequested', 'TransferCompleted', 'CrossBorderUpdateReceived'];
  const gtTimeline = await until('every step on the GT timeline', async () => {
    const types: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Answer = await call('GT', 'intake', gtCaseworker, 'GET', '/v1/cases/{id}/timeline', { id: gtCaseId, query: `limit=100${cursor ? `&cursor=${cursor}` : ''}` }, undefined, [200]);
      types.push(...res.body.items.map((e: { type: string }) => e.type.split('.').pop()));
      cursor = res.body.nextCursor;
    } while (cursor);
    return wanted.every((w) => types.includes(w)) ? types : undefined;
  });
  say(`     referral ${gtReferral.status}; case ${gtCase.status}`);
  say(`     timeline: ${gtTimeline.join(' → ')}`);
  say(`\nJourney A done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);

  return { gtCaseId, gtPersonIds, referralId, transferId, mxCaseId, mxPersonIds, shelterCode: SHELTER.code, arrivalIds, gtTimeline, gtCaseStatus: gtCase.status, referralStatus: gtReferral.status };
}
