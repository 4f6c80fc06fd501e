import { Injectable } from '@nestjs/common';
import { ServiceClient, ServiceNotAnsweringError } from '@puente/auth';
import { ReceptionConfig } from '../config/reception.config';

/** What reception sends intake for one pending row (personal data, in memory only during the call). */
export interface IntakeRow {
  rowKey: string;
  givenNames: string;
  familyNames: string | null;
  birthDate: string;
  nationality: string;
  sex: string;
  /** A corrected row: the person intake answered before, so it stays that person. */
  personId?: string;
}

export interface IntakeRowResult {
  rowKey: string | null;
  outcome: 'matched' | 'registered' | 'rejected';
  personId: string | null;
  caseId: string | null;
  /** The row corrected the identity of the person intake registered for it before. */
  identityCorrected?: boolean;
  errors: { field: string; code: string }[];
}

/** Intake did not answer with results (unreachable, overloaded, refusing the call): the rows wait and are sent again. */
export class IntakeNotAnsweringError extends ServiceNotAnsweringError {
  override readonly name = 'IntakeNotAnsweringError';
}

/** Rows per call (intake's limit). */
export const INTAKE_BATCH_ROWS = 500;

/**
 * Intake's register-or-match and consent APIs, called with reception's own service token (scopes
 * manifests:register, consents:write) through libs/auth's ServiceClient.
 */
@Injectable()
export class IntakeClient {
  private readonly client: ServiceClient;

  constructor(config: ReceptionConfig) {
    this.client = new ServiceClient({ baseUrl: config.INTAKE_URL, tokenFile: config.INTAKE_TOKEN_FILE });
  }

  async registerOrMatch(siteCode: string, rows: readonly IntakeRow[]): Promise<IntakeRowResult[]> {
    const body = (await this.post('/v1/manifest-registrations', { siteCode, rows }, 200)) as { rows?: IntakeRowResult[] };
    if (!Array.isArray(body.rows) || body.rows.length !== rows.length) throw new IntakeNotAnsweringError('malformed-answer');
    return body.rows;
  }

  /** Records a consent given at check-in through intake's consent API (intake holds consents). */
  async recordConsent(caseId: string, consent: { personId: string; purpose: string; method: string; witnessedBy?: string; guardianReference?: string }, idempotencyKey: string): Promise<string> {
    const body = (await this.post(`/v1/cases/${caseId}/consents`, consent, 201, idempotencyKey)) as { id?: string };
    if (typeof body.id !== 'string') throw new IntakeNotAnsweringError('malformed-answer');
    return body.id;
  }

  private async post(path: string, payload: unknown, expected: number, idempotencyKey?: string): Promise<unknown> {
    try {
      return ((await this.client.post(path, payload, { accept: [expected], idempotencyKey })).body ?? {}) as unknown;
    } catch (error) {
      if (error instanceof ServiceNotAnsweringError) throw new IntakeNotAnsweringError(error.reason, error.status);
      throw error;
    }
  }
}
