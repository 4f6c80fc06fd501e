/**
 * The scopes Puente services check, with what each grants. docs/security.md lists the same
 * table (a test keeps them in step). A new scope is added here first.
 */
export const SCOPES = {
  'cases:read': 'Read cases, their status, timeline and minimized attributes',
  'cases:write': 'Open cases, register households, update case status',
  'persons:read': 'Read the identity (personal data) of persons held by intake',
  'persons:write': 'Register and correct persons',
  'persons:erase': 'Erase a person (crypto-shredding of the personal data key)',
  'persons:disclose': "Fetch the identity fields a person consented to disclose to a named partner (the referral-routing service, at delivery)",
  'consents:write': 'Record and withdraw consents',
  'retractions:answer': "Answer a retraction notice addressed to the caller's partner (it stopped processing and deleted the person's data)",
  'protection:override': "Lift the protection block for one person toward one node, for a stated purpose and a limited time (an authorized protection officer)",
  'screening:read': 'Read screenings, vulnerability flags and recommendations',
  'screening:write': 'Run and complete screenings',
  'screening:admin': 'Publish and retire questionnaire versions',
  'referrals:read': 'Read referrals the partner sends or receives',
  'referrals:write': 'Create referrals and move them through their lifecycle',
  'transfers:write': 'Initiate, accept, reject or withdraw custody transfers of cases between country nodes',
  'arrivals:read': 'Read expected arrivals and check-ins',
  'arrivals:write': 'Register expected arrivals, check-ins and services delivered',
  'centers:admin': 'Register and correct reception centers (kind, capacity, services offered, operating partner)',
  'manifests:write': "Post a returning country's arrival manifest (movement and persons) to a reception center",
  'manifests:register': 'Register or match the persons of an arrival manifest at intake in bulk (the reception service)',
  'medical:read': 'Read the medical notes of arriving persons (special category data)',
  'reintegration:read': 'Read reintegration plans (members, goals, partner programs, coded specific needs), their tasks, follow-ups and sustainability scores',
  'reintegration:write': 'Open reintegration plans and move them through their status, add and complete tasks, record follow-ups and close plans with their outcome',
  'openings:write': 'Post job openings as an employer partner and confirm the placements into them',
  'partners:admin': 'Manage partners, programs, agreements and routing rules',
  'directory:read': 'Read the program directory (partners, programs, locations, agreements) and its HSDS export',
  'sites:admin': 'Register and correct intake registration sites (Migration Resource Centers and other points)',
  'audit:read': 'Export and verify the audit log',
  'reports:read': 'Read aggregate reports for planning (counts with small cells suppressed; no personal data) as JSON, CSV or chart data',
  'reports:share': 'Share an aggregate report with a peer node through federation (small cells suppressed before it leaves; codes and counts only)',
} as const;

export type KnownScope = keyof typeof SCOPES;

/** Shape of a scope name a route may require: `resource:action`, lower case. */
export const SCOPE_NAME_PATTERN = /^[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)+$/;
