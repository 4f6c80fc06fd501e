// Test helper (not production code): the real intake service in its own Node process (libs/testing
// startServiceProcess), trusting a dev issuer whose tokens the test mints: reception's service
// token and a GT caseworker's.
import { startServiceProcess } from '@puente/testing';

export interface IntakeProcess {
  base: string;
  /** A file holding reception's token for intake (scope manifests:register), as INTAKE_TOKEN_FILE. */
  tokenFile: string;
  /** A GT caseworker's token for intake (sites, persons, cases). */
  staffToken: string;
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startIntakeProcess(suite: string): Promise<IntakeProcess> {
  const intake = await startServiceProcess('intake', suite);
  const tokenFile = await intake.tokenFile({ scopes: ['manifests:register', 'consents:write'], clientId: 'reception', partnerId: 'GT-RECEPTION' });
  const staffToken = await intake.mint({ scopes: ['sites:admin', 'persons:write', 'persons:read', 'cases:read', 'cases:write'], clientId: 'gt-caseworker-app', partnerId: 'GT-MRC-01' });
  return {
    base: intake.base,
    tokenFile,
    staffToken,
    call: (method, path, body) => intake.call(method, path, staffToken, body),
    start: () => intake.start(),
    stop: () => intake.stop(),
  };
}
