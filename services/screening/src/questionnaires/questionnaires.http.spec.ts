import { DEFAULT_QUESTIONNAIRE_KEY } from './catalog';
import { lt, smallDefinition } from '../testing/fixtures';
import { expectProblem, problemFields, type ScreeningTestApp, startScreening } from '../testing/harness';

describe('questionnaire admin API (real HTTP and PostgreSQL)', () => {
  let t: ScreeningTestApp;
  let reader: string;
  let writer: string;

  beforeAll(async () => {
    t = await startScreening('questionnaires');
    reader = await t.token({ scopes: ['screening:read'] });
    writer = await t.token({ scopes: ['screening:read', 'screening:write'] });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('publishes the shipped questionnaire as version 1 on start, once', async () => {
    const res = await t.call('GET', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/current`, { token: reader });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: DEFAULT_QUESTIONNAIRE_KEY, version: 1, status: 'published', source: 'default' });
    expect(res.body.definition.locales).toEqual(['es', 'en', 'fr', 'pt']);
    // Loading again (a restart, another replica) adds nothing.
    const { QuestionnairesService } = await import('./questionnaires.service');
    await t.app.get(QuestionnairesService).onApplicationBootstrap();
    const list = await t.call('GET', `/v1/questionnaires?key=${DEFAULT_QUESTIONNAIRE_KEY}`, { token: reader });
    expect(list.body.items).toHaveLength(1);
  });

  it('reserves drafts, publishing and retiring to screening:admin', async () => {
    const create = await t.call('POST', '/v1/questionnaires', { token: writer, body: { definition: smallDefinition('scope-test') } });
    expectProblem(create, 403, 'insufficient-scope');
    const publish = await t.call('POST', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/versions/1/retire`, { token: writer });
    expectProblem(publish, 403, 'insufficient-scope');
    expect((await t.call('GET', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/versions/1`, { token: reader })).status).toBe(200);
  });

  it('runs a draft through edit (If-Match), validation, publication and retirement', async () => {
    const key = 'draft-lifecycle';
    const created = await t.call('POST', '/v1/questionnaires', { body: { definition: smallDefinition(key) } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key, version: 1, status: 'draft', source: 'admin', issues: [] });
    expect(created.headers.get('location')).toBe(`/v1/questionnaires/${key}/versions/1`);
    const etag1 = created.headers.get('etag')!;

    const second = await t.call('POST', '/v1/questionnaires', { body: { definition: smallDefinition(key) } });
    expectProblem(second, 409, 'questionnaire-draft-exists');

    const edited = { ...smallDefinition(key), title: lt('Edited title') };
    expectProblem(await t.call('PUT', `/v1/questionnaires/${key}/versions/1`, { body: { definition: edited } }), 428, 'precondition-required');
    const update = await t.call('PUT', `/v1/questionnaires/${key}/versions/1`, { body: { definition: edited }, headers: { 'if-match': etag1 } });
    expect(update.status).toBe(200);
    expect(update.body.definition.title.en).toBe('Edited title');
    const etag2 = update.headers.get('etag')!;
    expect(etag2).not.toBe(etag1);
    expectProblem(await t.call('PUT', `/v1/questionnaires/${key}/versions/1`, { body: { definition: edited }, headers: { 'if-match': etag1 } }), 412, 'precondition-failed');

    const published = await t.call('POST', `/v1/questionnaires/${key}/versions/1/publish`);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', publishedAt: expect.any(String) });

    const afterPublish = await t.call('PUT', `/v1/questionnaires/${key}/versions/1`, { body: { definition: edited }, headers: { 'if-match': published.headers.get('etag')! } });
    expect(expectProblem(afterPublish, 409, 'questionnaire-not-editable')).toMatchObject({ versionStatus: 'published' });
    expectProblem(await t.call('POST', `/v1/questionnaires/${key}/versions/1/publish`), 409, 'questionnaire-not-editable');

    // A second version gets number 2; the current version stays 1 until 2 is published.
    const v2 = await t.call('POST', '/v1/questionnaires', { body: { definition: smallDefinition(key) } });
    expect(v2.body.version).toBe(2);
    expect((await t.call('GET', `/v1/questionnaires/${key}/current`)).body.version).toBe(1);
    expect((await t.call('POST', `/v1/questionnaires/${key}/versions/2/publish`)).status).toBe(200);
    expect((await t.call('GET', `/v1/questionnaires/${key}/current`)).body.version).toBe(2);

    const retired = await t.call('POST', `/v1/questionnaires/${key}/versions/2/retire`);
    expect(retired.body).toMatchObject({ status: 'retired', retiredAt: expect.any(String) });
    expect((await t.call('GET', `/v1/questionnaires/${key}/current`)).body.version).toBe(1);
    expectProblem(await t.call('POST', `/v1/questionnaires/${key}/versions/2/retire`), 409, 'questionnaire-not-editable');
  });

  it('refuses to publish a definition with unknown questions, loops or duplicate ids, naming each path, and changes nothing', async () => {
    const key = 'broken-rules';
    const d = smallDefinition(key);
    d.rules.flags[0].when = { and: [{ var: 'q_fear' }, { var: 'q_fear_of_retrun' }] };
    (d.sections[0].questions[1] as { visibleWhen?: unknown }).visibleWhen = { '>': [{ count: { var: 'q_reasons' } }, 0] };
    d.sections[0].questions[5].id = 'q_age';
    const created = await t.call('POST', '/v1/questionnaires', { body: { definition: d } });
    expect(created.status).toBe(201);
    expect(created.body.issues.map((i: { field: string }) => i.field)).toEqual(
      expect.arrayContaining(['definition.rules.flags[0].when.and[1].var', 'definition.sections[0].questions[5].id']),
    );

    const report = await t.call('POST', `/v1/questionnaires/${key}/versions/1/validate`);
    expect(report.status).toBe(200);
    expect(report.body.valid).toBe(false);

    const publish = await t.call('POST', `/v1/questionnaires/${key}/versions/1/publish`);
    const problem = expectProblem(publish, 422, 'invalid-questionnaire');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'definition.rules.flags[0].when.and[1].var', code: 'unknown-question' }),
        expect.objectContaining({ field: 'definition.sections[0].questions[5].id', code: 'duplicate-id' }),
      ]),
    );
    expect((await t.call('GET', `/v1/questionnaires/${key}/versions/1`)).body.status).toBe('draft');

    // Fix the id and the rule: what remains is the loop q_fear → q_reasons → q_fear.
    d.sections[0].questions[5].id = 'q_note';
    d.rules.flags[0].when = { var: 'q_fear' };
    const draft = await t.call('GET', `/v1/questionnaires/${key}/versions/1`);
    await t.call('PUT', `/v1/questionnaires/${key}/versions/1`, { body: { definition: d }, headers: { 'if-match': draft.headers.get('etag')! } });
    const loop = expectProblem(await t.call('POST', `/v1/questionnaires/${key}/versions/1/publish`), 422, 'invalid-questionnaire');
    expect(loop.errors).toEqual([expect.objectContaining({ code: 'display-cycle', message: expect.stringMatching(/q_fear → q_reasons → q_fear|q_reasons → q_fear → q_reasons/) })]);
    expect(loop.errors[0].field).toMatch(/^definition\.sections\[0\]\.questions\[[12]\]\.visibleWhen$/);
  });

  it('discards drafts only', async () => {
    const key = 'discard-me';
    const created = await t.call('POST', '/v1/questionnaires', { body: { definition: smallDefinition(key) } });
    const discard = await t.call('DELETE', `/v1/questionnaires/${key}/versions/1`, { headers: { 'if-match': created.headers.get('etag')! } });
    expect(discard.status).toBe(204);
    expectProblem(await t.call('GET', `/v1/questionnaires/${key}/versions/1`), 404);
    const current = await t.call('GET', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/versions/1`);
    expectProblem(
      await t.call('DELETE', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/versions/1`, { headers: { 'if-match': current.headers.get('etag')! } }),
      409,
      'questionnaire-not-editable',
    );
  });

  it('answers bad input with 4xx problems naming the field', async () => {
    expect(problemFields(expectProblem(await t.call('POST', '/v1/questionnaires', { body: { definition: [] } }), 400, 'validation-error'))).toContain('definition');
    expect(problemFields(expectProblem(await t.call('POST', '/v1/questionnaires', { body: { definition: {}, extra: 1 } }), 400, 'validation-error'))).toContain('extra');
    expect(problemFields(expectProblem(await t.call('POST', '/v1/questionnaires', { body: { definition: { title: 'x' } } }), 422, 'invalid-questionnaire'))).toEqual([
      'definition.key',
    ]);
    expect(problemFields(expectProblem(await t.call('GET', '/v1/questionnaires/puente-protection-screening/versions/abc'), 400, 'validation-error'))).toContain('version');
    expect(problemFields(expectProblem(await t.call('GET', '/v1/questionnaires/Bad_Key/versions/1'), 400, 'validation-error'))).toContain('key');
    const mismatch = await t.call('POST', '/v1/questionnaires', { body: { definition: smallDefinition('key-mismatch') } });
    const put = await t.call('PUT', '/v1/questionnaires/key-mismatch/versions/1', {
      body: { definition: smallDefinition('another-key') },
      headers: { 'if-match': mismatch.headers.get('etag')! },
    });
    expect(problemFields(expectProblem(put, 422, 'invalid-questionnaire'))).toEqual(['definition.key']);
    expect(problemFields(expectProblem(await t.call('GET', '/v1/questionnaires?limit=0'), 400, 'validation-error'))).toContain('limit');
    // Text PostgreSQL cannot store is a 400 invalid-encoding at its path (the platform's check), not a 500.
    const nul = { ...smallDefinition('nul-text'), title: { ...lt('x'), en: 'Screening\u0000' } };
    expect(problemFields(expectProblem(await t.call('POST', '/v1/questionnaires', { body: { definition: nul } }), 400, 'invalid-encoding'))).toEqual(['definition.title.en']);
    const surrogate = `{"definition":${JSON.stringify(smallDefinition('lone-surrogate')).replace('"Age"', '"Age \\ud800"')}}`;
    expect(problemFields(expectProblem(await t.call('POST', '/v1/questionnaires', { raw: surrogate }), 400, 'invalid-encoding'))).toEqual([
      'definition.sections[0].questions[0].text.en',
    ]);
    const deep = `{"definition":{"key":"deep-definition","x":${'['.repeat(200)}1${']'.repeat(200)}}}`;
    expect(expectProblem(await t.call('POST', '/v1/questionnaires', { raw: deep }), 422, 'invalid-questionnaire').errors).toEqual([
      expect.objectContaining({ code: 'too-deep', field: `definition.x${'[0]'.repeat(63)}` }),
    ]);
  });

  it('pages through versions', async () => {
    const first = await t.call('GET', '/v1/questionnaires?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.call('GET', `/v1/questionnaires?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.items.map((i: { id: string }) => i.id)).not.toContain(first.body.items[1].id);
  });

  it('freezes published definitions in the database itself', async () => {
    await expect(
      t.ds.query(`UPDATE questionnaire_version SET definition = '{}'::jsonb WHERE questionnaire_key = $1 AND version = 1`, [DEFAULT_QUESTIONNAIRE_KEY]),
    ).rejects.toThrow(/frozen/);
    await expect(t.ds.query(`UPDATE questionnaire_version SET status = 'draft' WHERE questionnaire_key = $1 AND version = 1`, [DEFAULT_QUESTIONNAIRE_KEY])).rejects.toThrow(
      /cannot change/,
    );
    await expect(t.ds.query(`DELETE FROM questionnaire_version WHERE questionnaire_key = $1`, [DEFAULT_QUESTIONNAIRE_KEY])).rejects.toThrow(/only drafts/);
  });
});
