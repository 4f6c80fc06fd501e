import { randomUUID } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { type ExchangeKind, isExchangeKind, NODE_CODE } from './exchange-kinds';
import { CONTENT_ENCRYPTION, KEY_AGREEMENT_ALGORITHM, type NodeRegistry, SIGNING_ALGORITHM } from './node-registry';

/** `typ` of the inner JWS and `cty` of the JWE around it. */
export const ENVELOPE_JWS_TYPE = 'puente-exchange+jws';
/** Default lifetime of an envelope: it may wait in the outbox or behind a stopped MirrorMaker. */
export const DEFAULT_ENVELOPE_TTL_SECONDS = 7 * 24 * 3600;
/** Tolerated clock difference between nodes. */
export const CLOCK_SKEW_SECONDS = 60;

/** The signed claims. They travel in the JWS protected header (the payload is protobuf bytes). */
export interface EnvelopeClaims {
  /** Sending node. */
  iss: string;
  /** Receiving node. */
  aud: string;
  /** Envelope id (also the CloudEvents id of the Kafka record). */
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  kind: ExchangeKind;
}

export interface OpenedEnvelope extends EnvelopeClaims {
  payload: Uint8Array;
  /** `kid` of the sender's signing key. */
  signedWith: string;
}

/**
 * Why an envelope is refused. Each is a distinct, stable code (audit records, metrics, refusals).
 * `replayed` is decided by the reader, which remembers envelope ids; `beyond-agreement` and
 * `protection-block` by the effect, which reads the payload.
 */
export const REFUSAL_REASONS = [
  'malformed',
  'unknown-recipient-key',
  'tampered',
  'unknown-sender',
  'unknown-kid',
  'key-not-yet-valid',
  'key-retired',
  'bad-signature',
  'wrong-audience',
  'expired',
  'not-yet-valid',
  'not-agreed',
  'replayed',
  // Decided by the kind's effect on the opened payload (see checkArrival in border-rules).
  'beyond-agreement',
  'protection-block',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type OpenResult = { ok: true; envelope: OpenedEnvelope } | { ok: false; reason: RefusalReason; claims?: Partial<EnvelopeClaims> };

export interface SealInput {
  to: string;
  kind: ExchangeKind;
  payload: Uint8Array;
  id?: string;
  now?: Date;
  ttlSeconds?: number;
}

/** Sealing refused: no agreement with that node for that kind (see the node registry). */
export class NotAgreedError extends Error {
  override readonly name = 'NotAgreedError';
  constructor(readonly to: string, readonly kind: string) {
    super(`no agreement to send ${kind} to node ${to}`);
  }
}

const JTI = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Signs `payload` as this node (JWS ES256, claims in the protected header), then encrypts the JWS
 * to the receiving node's newest encryption key (JWE ECDH-ES+A256KW / A256GCM). Returns the JWE
 * compact serialization as bytes (the Kafka record value) and the claims.
 */
export async function sealEnvelope(registry: NodeRegistry, input: SealInput): Promise<{ value: Uint8Array; claims: EnvelopeClaims }> {
  if (!registry.maySend(input.to, input.kind)) throw new NotAgreedError(input.to, input.kind);
  const now = input.now ?? new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const claims: EnvelopeClaims = {
    iss: registry.node,
    aud: input.to,
    jti: input.id ?? randomUUID(),
    iat,
    exp: iat + (input.ttlSeconds ?? DEFAULT_ENVELOPE_TTL_SECONDS),
    kind: input.kind,
  };
  const signer = await registry.signingKey();
  const jws = await new CompactSign(input.payload).setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: signer.kid, typ: ENVELOPE_JWS_TYPE, ...claims }).sign(signer.key);
  const recipient = await registry.encryptionKey(input.to, now);
  const jwe = await new CompactEncrypt(enc.encode(jws))
    .setProtectedHeader({ alg: KEY_AGREEMENT_ALGORITHM, enc: CONTENT_ENCRYPTION, kid: recipient.kid, cty: ENVELOPE_JWS_TYPE })
    .encrypt(recipient.key);
  return { value: enc.encode(jwe), claims };
}

function claimsOf(header: Record<string, unknown>): Partial<EnvelopeClaims> {
  const out: Partial<EnvelopeClaims> = {};
  if (typeof header.iss === 'string' && NODE_CODE.test(header.iss)) out.iss = header.iss;
  if (typeof header.aud === 'string' && NODE_CODE.test(header.aud)) out.aud = header.aud;
  if (typeof header.jti === 'string' && JTI.test(header.jti)) out.jti = header.jti;
  if (Number.isSafeInteger(header.iat)) out.iat = header.iat as number;
  if (Number.isSafeInteger(header.exp)) out.exp = header.exp as number;
  if (isExchangeKind(header.kind)) out.kind = header.kind;
  return out;
}

/**
 * Decrypts and verifies an envelope addressed to this node. Never throws for a bad envelope:
 * the result names the first check that failed, in this order: decryption key, decryption,
 * sender, signing key, signature, audience, freshness, agreement.
 */
export async function openEnvelope(registry: NodeRegistry, value: Uint8Array, options: { now?: Date } = {}): Promise<OpenResult> {
  const now = options.now ?? new Date();
  const jwe = dec.decode(value);
  let jweHeader;
  try {
    jweHeader = decodeProtectedHeader(jwe);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (jweHeader.alg !== KEY_AGREEMENT_ALGORITHM || jweHeader.enc !== CONTENT_ENCRYPTION) return { ok: false, reason: 'malformed' };
  const decryptionKey = await registry.decryptionKey(jweHeader.kid);
  if (!decryptionKey) return { ok: false, reason: 'unknown-recipient-key' };
  let jws: string;
  try {
    const { plaintext } = await compactDecrypt(jwe, decryptionKey, { keyManagementAlgorithms: [KEY_AGREEMENT_ALGORITHM], contentEncryptionAlgorithms: [CONTENT_ENCRYPTION] });
    jws = dec.decode(plaintext);
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const claims = claimsOf(header);
  if (header.alg !== SIGNING_ALGORITHM || header.typ !== ENVELOPE_JWS_TYPE || Object.keys(claims).length !== 6) {
    return { ok: false, reason: 'malformed', claims };
  }
  const c = claims as EnvelopeClaims;
  const signer = await registry.verificationKey(c.iss, header.kid as string | undefined, now);
  if ('problem' in signer) return { ok: false, reason: signer.problem, claims };
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, signer.key, { algorithms: [SIGNING_ALGORITHM] }));
  } catch {
    return { ok: false, reason: 'bad-signature', claims };
  }
  if (c.aud !== registry.node) return { ok: false, reason: 'wrong-audience', claims };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (c.exp <= nowSeconds - CLOCK_SKEW_SECONDS) return { ok: false, reason: 'expired', claims };
  if (c.iat > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'not-yet-valid', claims };
  if (!registry.mayReceive(c.iss, c.kind)) return { ok: false, reason: 'not-agreed', claims };
  return { ok: true, envelope: { ...c, payload, signedWith: header.kid as string } };
}
