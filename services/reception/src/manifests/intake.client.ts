import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { ReceptionConfig } from '../config/reception.config';

/** What reception sends intake for one pending row (personal data, in memory only during the call). */
export interface IntakeRow {
  rowKey: string;
  givenNames: string;
  familyNames: string | null;
  birthDate: string;
  nationality: string;
  sex: string;
}

export interface IntakeRowResult {
  rowKey: string | null;
  outcome: 'matched' | 'registered' | 'rejected';
  personId: string | null;
  caseId: string | null;
  errors: { field: string; code: string }[];
}

/** Intake did not answer with results (unreachable, overloaded, refusing the call): the rows wait and are sent again. */
export class IntakeNotAnsweringError extends Error {
  override readonly name = 'IntakeNotAnsweringError';
  constructor(readonly reason: string) {
    super(`intake did not register the rows: ${reason}`);
  }
}

/** Rows per call (intake's limit). */
export const INTAKE_BATCH_ROWS = 500;

/**
 * Intake's register-or-match API, called with reception's own service token (scope
 * manifests:register) read from INTAKE_TOKEN_FILE before each call, so a rotated token is used
 * at once.
 */
@Injectable()
export class IntakeClient {
  constructor(private readonly config: ReceptionConfig) {}

  async registerOrMatch(siteCode: string, rows: readonly IntakeRow[]): Promise<IntakeRowResult[]> {
    const body = (await this.post('/v1/manifest-registrations', { siteCode, rows }, 200)) as { rows?: IntakeRowResult[] };
    if (!Array.isArray(body.rows) || body.rows.length !== rows.length) throw new IntakeNotAnsweringError('malformed-answer');
    return body.rows;
  }

  /** Records a consent given at check-in through intake's consent API (intake holds consents). */
  async recordConsent(caseId: string, consent: { personId: string; purpose: string; method: string; witnessedBy?: string }, idempotencyKey: string): Promise<string> {
    const body = (await this.post(`/v1/cases/${caseId}/consents`, consent, 201, idempotencyKey)) as { id?: string };
    if (typeof body.id !== 'string') throw new IntakeNotAnsweringError('malformed-answer');
    return body.id;
  }

  private async post(path: string, payload: unknown, expected: number, idempotencyKey?: string): Promise<unknown> {
    const token = await this.token();
    let response: Response;
    try {
      response = await fetch(`${this.config.INTAKE_URL.replace(/\/$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new IntakeNotAnsweringError((error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
    if (response.status !== expected) {
      await response.body?.cancel();
      throw new IntakeNotAnsweringError(`http-${response.status}`);
    }
    return response.json();
  }

  private async token(): Promise<string> {
    if (!this.config.INTAKE_TOKEN_FILE) throw new IntakeNotAnsweringError('no-token-configured');
    try {
      return (await readFile(this.config.INTAKE_TOKEN_FILE, 'utf8')).trim();
    } catch {
      throw new IntakeNotAnsweringError('token-unreadable');
    }
  }
}
