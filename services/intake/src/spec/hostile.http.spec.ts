import { describeHostileInput } from '@puente/testing';
import { people, startIntake, uniqueSiteCode } from './testing/harness';

describeHostileInput({
  service: 'intake',
  start: () => startIntake('hostile'),
  // A site and a registered person (with her case), so identifiers reach person and case routes.
  prepare: async (intake) => {
    const code = uniqueSiteCode();
    const site = await intake.call('POST', '/v1/sites', { body: { code, name: 'CRM Tecún Umán', kind: 'fixed' } });
    const person = await intake.call('POST', '/v1/persons', { body: people.mariaJose(code) });
    if (site.status !== 201 || person.status !== 201) throw new Error(`preparing failed: site ${site.status}, person ${person.status}`);
    return [site.body, person.body];
  },
});
