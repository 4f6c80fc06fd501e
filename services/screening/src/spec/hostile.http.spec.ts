import { describeHostileInput } from '@puente/testing';
import { openCase, type ScreeningTestApp, startScreening } from '../testing/harness';

describeHostileInput({
  service: 'screening',
  start: () => startScreening('hostile'),
  // Two consented cases known from intake's events, one with a screening under way, so
  // identifiers reach the screening and case routes.
  prepare: async (harness) => {
    const t = harness as ScreeningTestApp;
    const started = await openCase(t);
    const other = await openCase(t);
    const screening = await t.call('POST', '/v1/screenings', { body: { caseId: started.caseId } });
    if (screening.status !== 201) throw new Error(`preparing failed: screening ${screening.status}`);
    return [started, other, screening.body];
  },
});
