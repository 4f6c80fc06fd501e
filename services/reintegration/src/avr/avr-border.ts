// The border of an assisted voluntary return, as a pure rule: a package requested at the host
// goes to the origin node only under an agreement for kind `avr`, and never about a person the
// protection block covers toward that node (a fear of return, an asylum claim lodged or refugee
// status recognized at the host: the origin is their nationality's country).
import { type BorderAgreement, type BorderDecision, decideCrossing, protectionOf } from '@puente/federation';

/** What reintegration knows of the person at the host (intake's codes). */
export interface AvrPersonFacts {
  nationality: string | null;
  flags: readonly string[];
}

/**
 * May the package of a person with `facts` go to `agreement.node`? The reintegration_support
 * consent was checked before (the request needs it); protection overrides are intake's and do
 * not reach reintegration, so none lifts the block here.
 */
export function decideAvrCrossing(facts: AvrPersonFacts, agreement: BorderAgreement): BorderDecision {
  return decideCrossing('avr', { nationality: facts.nationality, ...protectionOf(facts.flags), consents: [{ purpose: 'reintegration_support' }], sentTo: [], overrides: [] }, agreement, []);
}
