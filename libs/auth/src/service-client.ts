import { readFile } from 'node:fs/promises';
import { IsOptional, IsUrl, MaxLength } from 'class-validator';

/**
 * Another service did not give an answer the caller can use (unreachable, timed out, refused
 * the token, overloaded, or a status the caller does not handle): the work waits and is tried
 * again. `reason` is a short code safe to log; it never carries the request or the answer.
 */
export class ServiceNotAnsweringError extends Error {
  override readonly name: string = 'ServiceNotAnsweringError';
  constructor(
    readonly reason: string,
    /** The HTTP status when there was an answer. */
    readonly status: number | null = null,
  ) {
    super(`the service did not answer: ${reason}`);
  }
}

export interface ServiceClientOptions {
  /** Base URL of the service called (e.g. this node's intake). */
  baseUrl: string;
  /**
   * File holding this service's access token for the one called, written and rotated by the
   * node's token agent; read again before each call so a rotation needs no restart.
   */
  tokenFile?: string;
  /** Deadline of one call (connect and the whole answer), in ms. */
  timeoutMs?: number;
}

export interface ServiceCallOptions {
  /** Statuses the caller handles; any other is a ServiceNotAnsweringError. */
  accept: readonly number[];
  idempotencyKey?: string;
  traceparent?: string;
}

export interface ServiceAnswer<T> {
  status: number;
  /** The parsed JSON answer (a problem document for a 4xx), undefined when empty. */
  body: T;
}

/**
 * The one way a Puente service calls another over REST: with its own service token from a token
 * file, a deadline, and every failure folded into ServiceNotAnsweringError (never the request's
 * content in an error or a log, since service calls carry personal data).
 */
export class ServiceClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Whether a token file is configured (without one every call fails with `no-token-configured`). */
  get configured(): boolean {
    return Boolean(this.options.tokenFile);
  }

  async post<T = unknown>(path: string, payload: unknown, options: ServiceCallOptions): Promise<ServiceAnswer<T>> {
    const token = await this.token();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
          ...(options.traceparent ? { traceparent: options.traceparent } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ServiceNotAnsweringError((error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
    if (!options.accept.includes(response.status)) {
      await response.body?.cancel();
      throw new ServiceNotAnsweringError(`http-${response.status}`, response.status);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new ServiceNotAnsweringError('answer-interrupted', response.status);
    }
    try {
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    } catch {
      throw new ServiceNotAnsweringError('malformed-answer', response.status);
    }
  }

  private async token(): Promise<string> {
    if (!this.options.tokenFile) throw new ServiceNotAnsweringError('no-token-configured');
    let token: string;
    try {
      token = (await readFile(this.options.tokenFile, 'utf8')).trim();
    } catch {
      throw new ServiceNotAnsweringError('token-unreadable');
    }
    if (!token) throw new ServiceNotAnsweringError('token-unreadable');
    return token;
  }
}

/**
 * Config decorators for a service another one calls: its base URL and the token file, validated
 * at start-up with the service's config (e.g. `@ServiceUrlSetting('INTAKE_URL') INTAKE_URL = ...`).
 */
export function ServiceUrlSetting(name: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: `${name} must be an http(s) URL` })(target, key);
    MaxLength(2048, { message: `${name} must be at most 2048 characters` })(target, key);
  };
}

export function ServiceTokenFileSetting(name: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    MaxLength(4096, { message: `${name} must be a path of at most 4096 characters` })(target, key);
  };
}
