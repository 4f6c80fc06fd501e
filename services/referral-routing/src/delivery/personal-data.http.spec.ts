// Personal data in webhook deliveries, end to end: a real intake process (its own database, on the
// run's broker) and referral-routing on the same broker. Intake registers the person and her
// consent; routing learns the case from intake's events and the partner reaches intake through
// routing's PartnerChanged. At delivery the dispatcher asks intake for the agreement's identity
// fields, intake answers what the consents allow, and a real receiver verifies the Standard
// Webhooks signature. Routing's database, its delivery rows and its logs never hold the data.
import { randomBytes, randomUUID } from 'node:crypto';
import { LogCapture } from '@puente/platform';
import { eventually, type ServiceProcess, startServiceProcess } from '@puente/testing';
import { FAST_DELIVERY, newWebhookSecret, WebhookReceiver } from '../referrals/spec/fixtures';
import { expectProblem, type ReferralRoutingTestApp, startReferralRouting } from '../testing/harness';
import { WebhookDispatcher } from './webhook-dispatcher';

const SUITE = 'routing_pii';

/** Letters only, unique to this run: a name no other record can contain by chance. */
function marker(): string {
  return `Xio${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

/** Every text, json and array column of every table of routing's database that contains `needle`. */
async function columnsContaining(app: ReferralRoutingTestApp, needle: string): Promise<string[]> {
  const columns = (await app.ds.query(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')`,
  )) as { t: string; c: string }[];
  const found: string[] = [];
  for (const { t, c } of columns) {
    const [{ n }] = (await app.ds.query(`SELECT count(*)::int AS n FROM "${t}" WHERE strpos("${c}"::text, $1) > 0`, [needle])) as { n: number }[];
    if (n > 0) found.push(`${t}.${c}`);
  }
  return found;
}

describe('personal data fetched from intake at webhook delivery (real intake and routing processes)', () => {
  let intake: ServiceProcess;
  let routing: ReferralRoutingTestApp;
  let receiver: WebhookReceiver;
  let staff: string;
  let site: string;
  const logs = new LogCapture();
  const partnerId = `GT-PII-${randomUUID().slice(0, 6).toUpperCase()}`;
  const otherType = `GT-OIM-${randomUUID().slice(0, 6).toUpperCase()}`;
  const programs: Record<string, string> = {};
  const agreementFields = ['caseId', 'coveredPersonIds', 'ageBand', 'nationality', 'person.givenNames', 'person.familyNames', 'person.birthDate', 'person.documents'];

  beforeAll(async () => {
    intake = await startServiceProcess('intake', SUITE);
    const tokenFile = await intake.tokenFile({ scopes: ['persons:disclose'], clientId: 'referral-routing', partnerId: 'GT-IGM' });
    routing = await startReferralRouting(SUITE, {
      logs,
      env: {
        ...FAST_DELIVERY,
        // Attempts enough to outlast an intake restart; intake's answer and the receiver's share the deadline.
        WEBHOOK_MAX_ATTEMPTS: '50',
        WEBHOOK_MAX_BACKOFF_MS: '2000',
        WEBHOOK_TIMEOUT_MS: '5000',
        INTAKE_URL: intake.base,
        INTAKE_TOKEN_FILE: tokenFile,
        LOG_LEVEL: 'debug',
      },
    });
    receiver = await new WebhookReceiver(newWebhookSecret()).start();
    staff = await intake.mint({ scopes: ['sites:admin', 'persons:write', 'persons:read', 'cases:read', 'cases:write', 'consents:write'], clientId: 'gt-caseworker-app', partnerId: 'GT-MRC-01' });
    site = `GT-MRC-${(process.pid % 100_000).toString(36).toUpperCase()}P`;
    expect((await intake.call('POST', '/v1/sites', staff, { code: site, name: 'CRM Tecún Umán', kind: 'fixed' })).status).toBe(201);

    // The partners through routing's admin API: their PartnerChanged events are how intake knows them.
    const admin = await routing.token({ scopes: ['directory:read', 'partners:admin'] });
    for (const [id, kind, partnerType, hook] of [
      [partnerId, 'ngo', 'ngo_service_provider', true],
      [otherType, 'international_organization', 'international_organization', false],
    ] as const) {
      const partner = await routing.call('POST', '/v1/directory/partners', {
        token: admin,
        body: {
          id,
          name: `Clínica jurídica ${id}`,
          kind,
          partnerType,
          country: 'GT',
          node: 'GT',
          deliveryChannels: hook ? ['webhook'] : ['rest_pull'],
          ...(hook ? { webhookUrl: receiver.url, webhookSecret: receiver.secret } : {}),
        },
      });
      expect(partner.status).toBe(201);
      const program = await routing.call('POST', '/v1/directory/programs', {
        token: admin,
        body: { partnerId: id, name: 'Asesoría legal', description: 'Legal aid for people seeking protection', pathway: 'legal_aid', totalSlots: 50, slaAcknowledgeHours: 24, slaDecideHours: 72 },
      });
      expect(program.status).toBe(201);
      programs[id] = program.body.id;
      const agreement = await routing.call('POST', '/v1/directory/agreements', {
        token: admin,
        body: { partnerId: id, reference: `MOU ${id}`, purposes: ['referral'], fieldsByPurpose: { referral: agreementFields }, validFrom: '2025-01-01' },
      });
      expect(agreement.status).toBe(201);
    }
    await eventually('intake follows both partners', async () => {
      for (const id of [partnerId, otherType]) expect((await intake.call('GET', `/v1/partner-directory/${id}`, staff)).status).toBe(200);
      return true;
    }, 60_000);
  }, 240_000);

  afterAll(async () => {
    await routing?.close();
    await receiver?.stop();
    await intake?.stop();
  });

  /** A person registered at intake with a referral consent narrowed as given; once routing's read model has the consent. */
  async function registered(consent: Record<string, unknown>): Promise<{ personId: string; caseId: string; givenNames: string; familyNames: string; document: string }> {
    const givenNames = `María José ${marker()}`;
    const familyNames = `Pérez Gómez ${marker()}`;
    const document = `0801-1994-${Math.floor(10_000 + Math.random() * 89_999)}`;
    const res = await intake.call('POST', '/v1/persons', staff, {
      siteCode: site,
      givenNames,
      familyNames,
      sex: 'female',
      birthDate: '1994-08-21',
      nationality: 'HN',
      documents: [{ type: 'national_id', number: document, issuingCountry: 'HN', verification: 'verified_original' }],
      vulnerabilityFlags: ['fear_of_return'],
      case: { priority: 'high', household: false },
    });
    expect(res.status).toBe(201);
    const { personId, caseId } = res.body as { personId: string; caseId: string };
    const recorded = await intake.call('POST', `/v1/cases/${caseId}/consents`, staff, { personId, purpose: 'referral', method: 'written', ...consent });
    expect(recorded.status).toBe(201);
    await eventually('routing has the case and its consent', async () => {
      const rows = (await routing.ds.query(`SELECT 1 FROM routing_consent WHERE consent_id = $1 AND recorded_at IS NOT NULL`, [recorded.body.id])) as unknown[];
      const persons = (await routing.ds.query(`SELECT 1 FROM routing_case_person WHERE person_id = $1`, [personId])) as unknown[];
      return rows.length === 1 && persons.length === 1;
    }, 60_000);
    return { personId, caseId, givenNames, familyNames, document };
  }

  const refer = (caseId: string, personId: string, program: string) =>
    routing.call('POST', '/v1/referrals', { body: { caseId, programId: program, coveredPersonIds: [personId], reason: 'caseworker_referral' } });

  const deliveredTo = (referralId: string) => receiver.accepted.filter((a) => (a.data.referral as { id: string }).id === referralId);

  it('sends the agreement ∩ consent identity fields, signed, and keeps them out of routing’s database, audit and logs', async () => {
    const person = await registered({ partnerType: 'ngo_service_provider' });
    const created = await refer(person.caseId, person.personId, programs[partnerId]);
    expect(created.status).toBe(201);
    await eventually('the receiver has the referral', async () => deliveredTo(created.body.id).length === 1, 30_000);
    const [notice] = deliveredTo(created.body.id);
    expect(receiver.invalidSignatures).toBe(0);
    // documents are in the agreement but not in what a referral consent covers: withheld by intake.
    expect(notice.data.persons).toEqual([{ personId: person.personId, givenNames: person.givenNames, familyNames: person.familyNames, birthDate: '1994-08-21' }]);
    expect(JSON.stringify(notice)).not.toContain(person.document);
    expect(notice.data.case).toMatchObject({ caseId: person.caseId, coveredPersonIds: [person.personId], nationality: 'HN' });

    for (const secret of [person.givenNames, person.familyNames, person.document]) {
      expect(await columnsContaining(routing, secret)).toEqual([]);
      expect(logs.text).not.toContain(secret);
    }
    const audit = (await routing.ds.query(`SELECT action, object_type, object_id, purpose, actor_partner_id FROM audit_record WHERE object_id = $1`, [person.personId])) as Record<string, string>[];
    expect(audit).toEqual([{ action: 'person.deliver', object_type: 'person', object_id: person.personId, purpose: 'referral', actor_partner_id: partnerId }]);
    expect((await routing.call('GET', `/v1/referrals/${created.body.id}`)).body.status).toBe('sent');
  }, 120_000);

  it('while intake is down the delivery waits and is retried without the data; once intake is back it arrives once', async () => {
    const person = await registered({ partnerId });
    await intake.stop();
    try {
      const created = await refer(person.caseId, person.personId, programs[partnerId]);
      expect(created.status).toBe(201);
      await eventually('an attempt failed for want of the personal data', async () => {
        const [row] = (await routing.ds.query(`SELECT status, attempts, last_failure FROM referral_delivery WHERE referral_id = $1`, [created.body.id])) as { status: string; attempts: number; last_failure: string | null }[];
        return row?.status === 'pending' && row.attempts >= 2 && row.last_failure === 'personal_data_unavailable';
      }, 30_000);
      expect(deliveredTo(created.body.id)).toEqual([]);
      expect((await routing.call('GET', `/v1/referrals/${created.body.id}`)).body.status).toBe('requested');
      for (const secret of [person.givenNames, person.familyNames]) expect(await columnsContaining(routing, secret)).toEqual([]);

      await intake.start();
      await eventually('delivered with the data once intake answers', async () => deliveredTo(created.body.id).length === 1, 90_000);
      expect(deliveredTo(created.body.id)[0].data.persons).toEqual([{ personId: person.personId, givenNames: person.givenNames, familyNames: person.familyNames, birthDate: '1994-08-21' }]);
      await routing.app.get(WebhookDispatcher).tick();
      await routing.app.get(WebhookDispatcher).settled();
      expect(deliveredTo(created.body.id)).toHaveLength(1);
      for (const secret of [person.givenNames, person.familyNames]) {
        expect(await columnsContaining(routing, secret)).toEqual([]);
        expect(logs.text).not.toContain(secret);
      }
    } finally {
      await intake.start().catch(() => undefined);
    }
  }, 180_000);

  it('a consent narrowed to another partner type covers neither the referral (409) nor the disclosure (403)', async () => {
    const person = await registered({ partnerType: 'international_organization' });
    const refused = await refer(person.caseId, person.personId, programs[partnerId]);
    expect(expectProblem(refused, 409, 'referral-not-allowed').reason).toBe('no-referral-consent');
    expect(JSON.stringify(refused.body)).not.toContain(person.givenNames);
    // The partner of the type the consent names may be referred to.
    expect((await refer(person.caseId, person.personId, programs[otherType])).status).toBe(201);

    const routingToken = await intake.mint({ scopes: ['persons:disclose'], clientId: 'referral-routing', partnerId: 'GT-IGM' });
    const disclose = (to: string) => intake.call('POST', `/v1/persons/${person.personId}/disclosures`, routingToken, { partnerId: to, purpose: 'referral', fields: ['person.givenNames'] });
    const denied = await disclose(partnerId);
    expect(denied.status).toBe(403);
    expect(denied.body.type).toMatch(/\/consent-required$/);
    expect(JSON.stringify(denied.body)).not.toContain(person.givenNames);
    expect((await disclose(otherType)).body.person).toEqual({ givenNames: person.givenNames });
  }, 120_000);

  it('a REST-pull partner reads the covered persons’ allowed fields while the referral is open: from intake at that moment, audited, never stored', async () => {
    const person = await registered({ partnerType: 'international_organization' });
    const created = await refer(person.caseId, person.personId, programs[otherType]);
    expect(created.status).toBe(201);
    const pull = await routing.token({ scopes: ['referrals:read', 'referrals:write'], partnerId: otherType, clientId: 'oim-case-system' });
    const read = () => routing.call('GET', `/v1/partner/referrals/${created.body.id}/persons`, { token: pull });

    const answer = await read();
    expect(answer.status).toBe(200);
    // documents are in the agreement but not in what a referral consent covers: withheld by intake.
    expect(answer.body).toEqual({ referralId: created.body.id, persons: [{ personId: person.personId, givenNames: person.givenNames, familyNames: person.familyNames, birthDate: '1994-08-21' }] });
    for (const secret of [person.givenNames, person.familyNames]) {
      expect(await columnsContaining(routing, secret)).toEqual([]);
      expect(logs.text).not.toContain(secret);
    }
    const audit = (await routing.ds.query(`SELECT action, actor_partner_id FROM audit_record WHERE object_id = $1 ORDER BY seq`, [person.personId])) as Record<string, string>[];
    expect(audit).toEqual([{ action: 'person.deliver', actor_partner_id: otherType }]);

    // Another partner's referral does not exist for this caller.
    const other = await routing.token({ scopes: ['referrals:read'], partnerId, clientId: 'legal-clinic-app' });
    expectProblem(await routing.call('GET', `/v1/partner/referrals/${created.body.id}/persons`, { token: other }), 404);

    // Intake not answering: 503 with Retry-After, nothing disclosed or audited.
    await intake.stop();
    try {
      const down = await read();
      expectProblem(down, 503, 'intake-unavailable');
      expect(down.headers.get('retry-after')).toBe('5');
    } finally {
      await intake.start();
    }
    expect((await routing.ds.query(`SELECT count(*)::int AS n FROM audit_record WHERE object_id = $1`, [person.personId]))[0].n).toBe(1);

    // A closed referral gives nothing more.
    expect((await routing.call('POST', `/v1/referrals/${created.body.id}/cancel`, { body: { reason: 'referred_elsewhere' } })).status).toBe(200);
    expectProblem(await read(), 409, 'referral-closed');
  }, 180_000);

  it('a partner whose type changes in the directory is no longer covered by a consent for its old type: at delivery intake withholds the data', async () => {
    const person = await registered({ partnerType: 'ngo_service_provider' });
    const admin = await routing.token({ scopes: ['directory:read', 'partners:admin'] });
    // Held back: the receiver answers 500 until the type has changed, so the data is fetched after the change.
    receiver.mode = 'fail';
    try {
      const created = await refer(person.caseId, person.personId, programs[partnerId]);
      expect(created.status).toBe(201);
      const current = await routing.call('GET', `/v1/directory/partners/${partnerId}`, { token: admin });
      const changed = await routing.call('PATCH', `/v1/directory/partners/${partnerId}`, { token: admin, body: { partnerType: 'international_organization' }, headers: { 'if-match': current.headers.get('etag') as string } });
      expect(changed.status).toBe(200);
      await eventually('intake follows the new type', async () => (await intake.call('GET', `/v1/partner-directory/${partnerId}`, staff)).body?.partnerType === 'international_organization', 60_000);
      // An attempt in flight may have fetched the data before the change; attempts of one delivery
      // are sequential, so the second refused call from now on was built after it.
      const refusedBefore = receiver.calls;
      await eventually('two more attempts refused', async () => receiver.calls >= refusedBefore + 2, 60_000);
      receiver.mode = 'ok';
      await eventually('delivered', async () => deliveredTo(created.body.id).length === 1, 30_000);
      // The referral was made under the consent; its identity fields no longer go to this partner.
      expect(deliveredTo(created.body.id)[0].data.persons).toEqual([]);
      // And a new referral to it is refused by routing itself.
      expect(expectProblem(await refer(person.caseId, person.personId, programs[partnerId]), 409, 'referral-not-allowed').reason).toBe('no-referral-consent');
    } finally {
      receiver.mode = 'ok';
      const current = await routing.call('GET', `/v1/directory/partners/${partnerId}`, { token: admin });
      await routing.call('PATCH', `/v1/directory/partners/${partnerId}`, { token: admin, body: { partnerType: 'ngo_service_provider' }, headers: { 'if-match': current.headers.get('etag') as string } });
    }
  }, 150_000);
});
