import { randomUUID } from 'node:crypto';
import { ProgramChangedSchema, ProgramPathway, ProgramStatus, toTimestamp } from '@puente/contracts';
import { describeHostileInput } from '@puente/testing';
import { consumed, publish, returnee, startReintegration } from '../testing/harness';

// The production module composition: whatever routes the service has, each one is covered.
describeHostileInput({
  service: 'reintegration',
  start: () => startReintegration('hostile'),
  // A consented person with an active plan (a partner program, a task) and a return package, so identifiers reach plan, task, follow-up and package routes.
  prepare: async (harness) => {
    const t = harness as Awaited<ReturnType<typeof startReintegration>>;
    const p = await returnee(t);
    const programId = randomUUID();
    await consumed(
      t,
      await publish(t, 'referral-routing', 'IOM-GT', ProgramChangedSchema, {
        programId,
        partnerId: 'IOM-GT',
        label: 'Reintegration of returned Guatemalans',
        pathway: ProgramPathway.REINTEGRATION,
        status: ProgramStatus.ACTIVE,
        node: 'GT',
        version: 1,
        changedAt: toTimestamp(),
      }),
    );
    const plan = await t.call('POST', '/v1/plans', {
      body: { caseId: p.caseId, members: [{ personId: p.personId, role: 'principal', goals: ['employment'] }], programIds: [programId], referringCenterCode: 'GT-CRM-01' },
    });
    const active = await t.call('POST', `/v1/plans/${plan.body.id}/transitions`, { body: { action: 'activate' } });
    const task = await t.call('POST', `/v1/plans/${plan.body.id}/tasks`, { body: { kind: 'national_id', personId: p.personId, dueOn: '2027-01-15', owner: { kind: 'person' } } });
    const avr = await t.call('POST', '/v1/avr-packages', {
      body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'GT', stages: [{ kind: 'travel', amountMinor: 450000, currency: 'MXN', plannedOn: '2027-01-10' }] },
    });
    // A skills profile (with a certificate), an employer's opening and a placement, for the skills, matching and placement routes.
    const profile = await t.call('PUT', `/v1/persons/${p.personId}/skills-profile`, {
      body: { languages: [{ code: 'es', level: 'C2' }], occupations: [{ iscoCode: '7112' }], certificates: [{ title: 'OSHA 10', issuingCountry: 'US', iscoCode: '7112' }], workAbroad: [], educationLevel: 'isced_3' },
    });
    const employer = await t.token({ scopes: ['openings:write'], partnerId: 'HN-EMP-HOSTILE' });
    const opening = await t.call('POST', '/v1/job-openings', {
      token: employer,
      body: { title: 'Albañil', iscoCode: '7112', location: { name: 'San Pedro Sula', lat: 15.5, lon: -88.03 }, requiredSkills: [], requiredLanguages: [], slots: 2, opensOn: '2026-01-01' },
    });
    const placement = await t.call('POST', '/v1/placements', { body: { openingId: opening.body.id, personId: p.personId, caseId: p.caseId } });
    if (plan.status !== 201 || active.status !== 200 || task.status !== 201 || avr.status !== 201 || profile.status !== 201 || opening.status !== 201 || placement.status !== 201) {
      throw new Error(
        `preparing failed: plan ${plan.status}, activate ${active.status}, task ${task.status}, avr package ${avr.status}, skills profile ${profile.status}, opening ${opening.status}, placement ${placement.status}`,
      );
    }
    return [
      { planId: plan.body.id, caseId: p.caseId, personId: p.personId, programId },
      { taskId: task.body.id },
      { packageId: avr.body.id },
      { certificateId: profile.body.certificates[0].certificateId, openingId: opening.body.id, placementId: placement.body.id },
    ];
  },
});
