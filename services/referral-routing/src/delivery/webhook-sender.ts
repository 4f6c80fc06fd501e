import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { type WebhookAddressPolicy, WebhookAddressRefused } from './webhook-address-policy';

/** One webhook message as Standard Webhooks signs it. */
export interface WebhookMessage {
  /** `webhook-id`: the delivery id, the same on every attempt (receivers deduplicate on it). */
  id: string;
  /** The JSON body, exactly as signed. */
  body: string;
}

/** Why an attempt failed; `personal_data_unavailable`: intake did not disclose in time, so nothing was sent. */
export type FailureKind = 'timeout' | 'http_status' | 'connection' | 'address_refused' | 'personal_data_unavailable';

export type AttemptResult = { ok: true; httpStatus: number } | { ok: false; kind: FailureKind; httpStatus: number | null };

/** Most of a receiver's answer read (then the socket is dropped): an answer is a status, not a document. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A lookup that answers with the address the policy already checked (no second resolution). */
function pinnedLookup(address: LookupAddress): LookupFunction {
  return (_host, options, callback) => {
    if (typeof options === 'object' && options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
}

/**
 * Sends one signed webhook attempt (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) and says how it went. The whole attempt (DNS, connect, answer) has one
 * deadline; redirects are not followed (a 3xx is a failure), so a receiver cannot bounce the call
 * to an internal address.
 */
export class WebhookSender {
  constructor(
    private readonly policy: WebhookAddressPolicy,
    private readonly timeoutMs: number,
  ) {}

  async send(rawUrl: string, secret: string, message: WebhookMessage, at: Date = new Date()): Promise<AttemptResult> {
    let url: URL;
    let address: LookupAddress;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      url = this.policy.checkUrl(rawUrl);
      address = await Promise.race([
        this.policy.resolve(url),
        new Promise<never>((_resolve, reject) => deadline.addEventListener('abort', () => reject(new Error('timeout')), { once: true })),
      ]);
    } catch (error) {
      if (error instanceof WebhookAddressRefused) return { ok: false, kind: error.reason === 'unresolvable' ? 'connection' : 'address_refused', httpStatus: null };
      return { ok: false, kind: 'timeout', httpStatus: null };
    }
    const signature = new Webhook(secret).sign(message.id, at, message.body);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(message.body)),
      'user-agent': 'Puente-Webhooks/1',
      'webhook-id': message.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: 'POST', headers, lookup: pinnedLookup(address), signal: deadline, agent: false }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const done = () => finish(status >= 200 && status < 300 ? { ok: true, httpStatus: status } : { ok: false, kind: 'http_status', httpStatus: status });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
      req.on('error', () => finish({ ok: false, kind: deadline.aborted ? 'timeout' : 'connection', httpStatus: null }));
      req.end(message.body);
    });
  }
}
