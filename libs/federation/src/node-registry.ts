import { createECDH, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import type { ArrivalAgreement, BorderAgreement } from './border-rules';
import { AGREEABLE_KINDS, DEV_NODES, EXCHANGE_KINDS, type ExchangeKind, type ExchangeKindSpec, isExchangeKind, NODE_CODE } from './exchange-kinds';

export const SIGNING_ALGORITHM = 'ES256';
export const KEY_AGREEMENT_ALGORITHM = 'ECDH-ES+A256KW';
export const CONTENT_ENCRYPTION = 'A256GCM';
/** Every development key id starts with this; production refuses such keys. */
export const DEV_FEDERATION_KID_PREFIX = 'puente-dev-fed-';

/** A private key of this node (signing or decryption), as a JWK with `d`. */
export interface OwnKey {
  kid: string;
  jwk: JWK;
}

/** A peer's public key, valid from `notBefore` until `notAfter` (ISO 8601) when given. */
export interface PeerKey {
  kid: string;
  jwk: JWK;
  notBefore?: string;
  notAfter?: string;
}

export interface PeerConfig {
  /** The peer's signing keys (ES256), several during a rotation. */
  signingKeys: PeerKey[];
  /** The peer's encryption keys (ECDH-ES on P-256); the newest valid one is used. */
  encryptionKeys: PeerKey[];
  /** Kinds this node may send to the peer. */
  send: ExchangeKind[];
  /** Kinds this node accepts from the peer. */
  receive: ExchangeKind[];
  /** Fields the agreement allows per kind sent (absent: every field of the kind). */
  fields?: Partial<Record<ExchangeKind, string[]>>;
  /** Fields the agreement allows per kind received (absent: every field); more is refused as `beyond-agreement`. */
  receiveFields?: Partial<Record<ExchangeKind, string[]>>;
  /** Protection flags that block sending about the peer's own nationals (see border-rules). */
  protectionFlags?: string[];
}

export interface RegistryConfig {
  /** This node's ISO 3166-1 alpha-2 code. */
  node: string;
  /** Own signing keys; the last one signs, the others are kept while peers rotate. */
  signingKeys: OwnKey[];
  /** Own decryption keys, looked up by the `kid` a JWE names. */
  decryptionKeys: OwnKey[];
  peers: Record<string, PeerConfig>;
}

export class RegistryConfigError extends Error {
  override readonly name = 'RegistryConfigError';
}

/** Why a peer's signing key cannot be used (each a distinct refusal reason). */
export type PeerKeyProblem = 'unknown-sender' | 'unknown-kid' | 'key-not-yet-valid' | 'key-retired';

type CryptoKeyLike = Awaited<ReturnType<typeof importJWK>>;

function isRetraction(kind: ExchangeKind): boolean {
  const spec: ExchangeKindSpec = EXCHANGE_KINDS[kind];
  return spec.retracts === true;
}

function keyValidAt(k: PeerKey, at: Date): 'ok' | 'key-not-yet-valid' | 'key-retired' {
  if (k.notBefore && at.getTime() < Date.parse(k.notBefore)) return 'key-not-yet-valid';
  if (k.notAfter && at.getTime() >= Date.parse(k.notAfter)) return 'key-retired';
  return 'ok';
}

/**
 * A node's view of the federation: its own keys, each peer's public keys by `kid` and the
 * exchange kinds agreed with each peer in each direction. Keys are imported once, on first use.
 */
export class NodeRegistry {
  readonly node: string;
  private readonly imported = new Map<string, Promise<CryptoKeyLike>>();

  constructor(readonly config: RegistryConfig) {
    validateRegistry(config);
    this.node = config.node;
  }

  get peers(): string[] {
    return Object.keys(this.config.peers).sort();
  }

  /** The key that signs what this node sends (the newest). */
  async signingKey(): Promise<{ kid: string; key: CryptoKeyLike }> {
    const own = this.config.signingKeys[this.config.signingKeys.length - 1];
    return { kid: own.kid, key: await this.import(`own-sig:${own.kid}`, own.jwk, SIGNING_ALGORITHM) };
  }

  async decryptionKey(kid: string | undefined): Promise<CryptoKeyLike | undefined> {
    const own = this.config.decryptionKeys.find((k) => k.kid === kid);
    return own ? this.import(`own-enc:${own.kid}`, own.jwk, KEY_AGREEMENT_ALGORITHM) : undefined;
  }

  /** The newest of the peer's encryption keys valid at `at`. */
  async encryptionKey(peer: string, at: Date): Promise<{ kid: string; key: CryptoKeyLike }> {
    const keys = (this.config.peers[peer]?.encryptionKeys ?? []).filter((k) => keyValidAt(k, at) === 'ok');
    const chosen = keys[keys.length - 1];
    if (!chosen) throw new RegistryConfigError(`no valid encryption key for node ${peer}`);
    return { kid: chosen.kid, key: await this.import(`peer-enc:${peer}:${chosen.kid}`, chosen.jwk, KEY_AGREEMENT_ALGORITHM) };
  }

  /** The peer's signing key `kid`, if the registry lists it and it is valid at `at`. */
  async verificationKey(peer: string, kid: string | undefined, at: Date): Promise<{ key: CryptoKeyLike } | { problem: PeerKeyProblem }> {
    const config = this.config.peers[peer];
    if (!config) return { problem: 'unknown-sender' };
    const entry = config.signingKeys.find((k) => k.kid === kid);
    if (!entry) return { problem: 'unknown-kid' };
    const validity = keyValidAt(entry, at);
    if (validity !== 'ok') return { problem: validity };
    return { key: await this.import(`peer-sig:${peer}:${entry.kid}`, entry.jwk, SIGNING_ALGORITHM) };
  }

  /** Receipts, and retractions of what was sent, need no agreement: any known peer. */
  maySend(peer: string, kind: ExchangeKind): boolean {
    if (kind === 'receipt' || isRetraction(kind)) return peer in this.config.peers;
    return this.config.peers[peer]?.send.includes(kind) ?? false;
  }

  mayReceive(peer: string, kind: ExchangeKind): boolean {
    if (kind === 'receipt' || isRetraction(kind)) return peer in this.config.peers;
    return this.config.peers[peer]?.receive.includes(kind) ?? false;
  }

  /** The sending side of the agreement with `peer`, for the border rules. */
  agreementWith(peer: string): BorderAgreement {
    const p = this.config.peers[peer];
    return { node: peer, kinds: p?.send ?? [], fields: p?.fields, protectionFlags: p?.protectionFlags };
  }

  /** The receiving side of the agreement with `peer`, for checkArrival. */
  arrivalAgreementWith(peer: string): ArrivalAgreement {
    const p = this.config.peers[peer];
    return { node: this.node, fields: p?.receiveFields, protectionFlags: p?.protectionFlags };
  }

  /** Peers this node may send `kind` to. */
  recipientsOf(kind: ExchangeKind): string[] {
    return this.peers.filter((p) => this.maySend(p, kind));
  }

  private import(cacheKey: string, jwk: JWK, alg: string): Promise<CryptoKeyLike> {
    let key = this.imported.get(cacheKey);
    if (!key) {
      const { key_ops: _ops, use: _use, ...plain } = jwk;
      key = importJWK(plain, alg);
      this.imported.set(cacheKey, key);
    }
    return key;
  }
}

function validateRegistry(c: RegistryConfig): void {
  const problems: string[] = [];
  if (!NODE_CODE.test(c.node ?? '')) problems.push('node must be an ISO 3166-1 alpha-2 code such as GT');
  const privateKeys = (list: OwnKey[] | undefined, what: string) => {
    if (!Array.isArray(list) || list.length === 0) problems.push(`${what} must list at least one key`);
    else if (list.some((k) => typeof k.kid !== 'string' || !k.kid || k.jwk?.kty !== 'EC' || k.jwk.crv !== 'P-256' || !k.jwk.d)) {
      problems.push(`${what}: every key needs a kid and a private P-256 JWK`);
    }
  };
  privateKeys(c.signingKeys, 'signingKeys');
  privateKeys(c.decryptionKeys, 'decryptionKeys');
  for (const [peer, p] of Object.entries(c.peers ?? {})) {
    if (!NODE_CODE.test(peer) || peer === c.node) problems.push(`peer ${JSON.stringify(peer)} must be another node's code`);
    for (const [what, list] of [['signingKeys', p.signingKeys], ['encryptionKeys', p.encryptionKeys]] as const) {
      if (!Array.isArray(list) || list.length === 0) problems.push(`peers.${peer}.${what} must list at least one key`);
      else if (list.some((k) => !k.kid || k.jwk?.kty !== 'EC' || k.jwk.crv !== 'P-256' || k.jwk.d !== undefined)) {
        problems.push(`peers.${peer}.${what}: every key needs a kid and a public P-256 JWK (no private part)`);
      } else if (list.some((k) => (k.notBefore && Number.isNaN(Date.parse(k.notBefore))) || (k.notAfter && Number.isNaN(Date.parse(k.notAfter))))) {
        problems.push(`peers.${peer}.${what}: notBefore/notAfter must be ISO 8601 times`);
      }
    }
    for (const dir of ['send', 'receive'] as const) {
      const kinds = p[dir];
      if (!Array.isArray(kinds) || kinds.some((k) => !isExchangeKind(k) || k === 'receipt')) {
        problems.push(`peers.${peer}.${dir} must list exchange kinds among ${AGREEABLE_KINDS.join(', ')}`);
      }
    }
  }
  if (problems.length) throw new RegistryConfigError(`invalid federation registry: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// Development keys: derived from the node code, so every process on a developer machine (both
// nodes of `npm start -- --nodes GT,MX`, every test) agrees on them without sharing files.

const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The deterministic development key of `node` for `use` (refused in production). */
export function devKey(node: string, use: 'sig' | 'enc', generation = 1): OwnKey {
  for (let counter = 0; ; counter++) {
    const d = createHmac('sha256', 'puente-dev-federation-keys').update(`${node}:${use}:${generation}:${counter}`).digest();
    const scalar = BigInt(`0x${d.toString('hex')}`);
    if (scalar === 0n || scalar >= P256_ORDER) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    const kid = `${DEV_FEDERATION_KID_PREFIX}${node.toLowerCase()}-${use}-${generation}`;
    const alg = use === 'sig' ? SIGNING_ALGORITHM : KEY_AGREEMENT_ALGORITHM;
    return {
      kid,
      jwk: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url'), d: d.toString('base64url'), kid, alg, use },
    };
  }
}

export function publicKeyOf(own: OwnKey, validity: { notBefore?: string; notAfter?: string } = {}): PeerKey {
  const { d: _d, ...jwk } = own.jwk;
  return { kid: own.kid, jwk, ...validity };
}

function assertNotProduction(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production') {
    throw new RegistryConfigError('development federation keys are refused when NODE_ENV=production; set FEDERATION_REGISTRY_FILE to the node registry');
  }
}

/**
 * The development registry of `node`: development keys for every dev node, and every kind
 * agreed both ways with every other dev node. Refused in production.
 */
export function devRegistryConfig(node: string, env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  assertNotProduction(env);
  const peers: Record<string, PeerConfig> = {};
  for (const peer of DEV_NODES) {
    if (peer === node) continue;
    peers[peer] = {
      signingKeys: [publicKeyOf(devKey(peer, 'sig'))],
      encryptionKeys: [publicKeyOf(devKey(peer, 'enc'))],
      send: [...AGREEABLE_KINDS],
      receive: [...AGREEABLE_KINDS],
    };
  }
  return { node, signingKeys: [devKey(node, 'sig')], decryptionKeys: [devKey(node, 'enc')], peers };
}

function usesDevKeys(c: RegistryConfig): boolean {
  const kids = [
    ...c.signingKeys.map((k) => k.kid),
    ...c.decryptionKeys.map((k) => k.kid),
    ...Object.values(c.peers).flatMap((p) => [...p.signingKeys, ...p.encryptionKeys].map((k) => k.kid)),
  ];
  return kids.some((kid) => kid.startsWith(DEV_FEDERATION_KID_PREFIX));
}

/**
 * Federation is on with a node registry (FEDERATION_REGISTRY_FILE), or outside production with
 * the development registry; a production node without a registry exchanges nothing.
 */
export function federationEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.FEDERATION_REGISTRY_FILE || env.NODE_ENV !== 'production';
}

/**
 * The registry of this node: the JSON file named by FEDERATION_REGISTRY_FILE (its `node` must be
 * PUENTE_NODE), else the development registry. Production refuses development keys either way.
 */
export function loadNodeRegistry(env: NodeJS.ProcessEnv = process.env): NodeRegistry {
  const node = env.PUENTE_NODE ?? 'GT';
  const file = env.FEDERATION_REGISTRY_FILE;
  if (!file) return new NodeRegistry(devRegistryConfig(node, env));
  let config: RegistryConfig;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as RegistryConfig;
  } catch (error) {
    throw new RegistryConfigError(`cannot read the federation registry ${file}: ${(error as Error).message}`);
  }
  if (config.node !== node) throw new RegistryConfigError(`the federation registry ${file} is node ${config.node}'s, not PUENTE_NODE=${node}'s`);
  if (env.NODE_ENV === 'production' && usesDevKeys(config)) assertNotProduction(env);
  return new NodeRegistry(config);
}
