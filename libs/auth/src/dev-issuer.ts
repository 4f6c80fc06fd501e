// Dev token issuer. Imports only node built-ins, jose and ./principal so the `token` CLI can
// load it without Nest or the workspace's path aliases.
import { randomUUID } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { COUNTRY_CODE_PATTERN, isJurisdictionCode, PARTNER_ID_PATTERN, parseScopes } from './principal';

/** `iss` of dev tokens, and the services' default AUTH_ISSUER outside production. */
export const DEV_ISSUER = 'https://auth.puente.dev/dev';
export const DEV_JWKS_FILE_NAME = 'dev-jwks.json';
export const DEV_KEYS_FILE_NAME = 'dev-signing-keys.json';
/** Every dev key id starts with this; services refuse such keys when NODE_ENV=production. */
export const DEV_KID_PREFIX = 'puente-dev-';
/** The audiences of the five services: a dev token names them all so it works everywhere. */
export const DEFAULT_SERVICE_AUDIENCES = [
  'puente:intake',
  'puente:screening',
  'puente:referral-routing',
  'puente:reception',
  'puente:reintegration',
] as const;
export const DEFAULT_DEV_TTL_SECONDS = 3600;
export const MAX_DEV_TTL_SECONDS = 86_400;
/** Dev keys kept in the JWKS after a rotation (the newest signs, the older ones still verify). */
const KEPT_KEYS = 2;

export type DevAlgorithm = 'ES256' | 'EdDSA';

export interface DevIssuerOptions {
  /** Directory of the private key file and the JWKS (`.secrets/` by default in the CLI; a temp dir in tests). */
  dir: string;
  /** Algorithm of newly created keys (default ES256). */
  algorithm?: DevAlgorithm;
  /** `iss` of minted tokens (default DEV_ISSUER). */
  issuer?: string;
  /** Environment checked for NODE_ENV=production (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface DevTokenOptions {
  partnerId: string;
  /** ISO 3166-1 alpha-2 code of the node, e.g. GT. */
  node: string;
  scopes: readonly string[];
  /** Default: all five services' audiences. */
  audience?: string | readonly string[];
  /** Default: `[node]`. */
  jurisdictions?: readonly string[];
  /** Lifetime in seconds, 1..86400 (default 3600). */
  ttlSeconds?: number;
  /** Default `dev:<partnerId>`. */
  subject?: string;
  /** Default: the subject. */
  clientId?: string;
  /** Default: a random UUID. */
  tokenId?: string;
}

export interface DevKeyInfo {
  kid: string;
  algorithm: DevAlgorithm;
  /** True when this call created the key. */
  created: boolean;
}

interface KeysFile {
  keys: JWK[];
}

export class DevTokenError extends Error {
  override readonly name = 'DevTokenError';
}

function assertNotProduction(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production') {
    throw new DevTokenError('The dev issuer is disabled when NODE_ENV=production; use the node\'s authorization server.');
  }
}

function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, key_ops: _ops, ext: _ext, ...rest } = jwk;
  return rest;
}

/**
 * Creates (on first use) and uses a local signing key to mint access tokens shaped like
 * those of a node's authorization server. The private key lives in
 * `<dir>/dev-signing-keys.json` (mode 0600), the public JWKS in `<dir>/dev-jwks.json`,
 * which services read by default outside production.
 */
export class DevIssuer {
  readonly dir: string;
  readonly issuer: string;
  readonly algorithm: DevAlgorithm;
  readonly jwksPath: string;
  readonly keysPath: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: DevIssuerOptions) {
    this.env = options.env ?? process.env;
    assertNotProduction(this.env);
    this.dir = options.dir;
    this.issuer = options.issuer ?? DEV_ISSUER;
    this.algorithm = options.algorithm ?? 'ES256';
    this.jwksPath = join(this.dir, DEV_JWKS_FILE_NAME);
    this.keysPath = join(this.dir, DEV_KEYS_FILE_NAME);
  }

  /** Creates the signing key and JWKS when missing; rewrites the JWKS when it is out of date. */
  async ensureKey(): Promise<DevKeyInfo> {
    let created = false;
    let keys = this.readKeys();
    if (!keys) {
      const jwk = await this.generate();
      created = this.createKeysFile({ keys: [jwk] });
      keys = this.readKeys();
      if (!keys) throw new DevTokenError(`Cannot read the dev signing key at ${this.keysPath}.`);
    }
    this.writeJwks(keys);
    const current = keys.keys[keys.keys.length - 1] as JWK;
    return { kid: current.kid as string, algorithm: current.alg as DevAlgorithm, created };
  }

  /**
   * Adds a new signing key (which signs from now on) and publishes it in the JWKS next to
   * the previous one, so tokens signed before the rotation stay valid until they expire.
   */
  async rotate(): Promise<DevKeyInfo> {
    await this.ensureKey();
    const keys = this.readKeys() as KeysFile;
    const jwk = await this.generate();
    const next: KeysFile = { keys: [...keys.keys, jwk].slice(-KEPT_KEYS) };
    this.writeAtomically(this.keysPath, JSON.stringify(next, null, 2), 0o600);
    this.writeJwks(next);
    return { kid: jwk.kid as string, algorithm: jwk.alg as DevAlgorithm, created: true };
  }

  /** The public JWKS (what services trust). */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.ensureKey();
    return { keys: (this.readKeys() as KeysFile).keys.map(publicJwk) };
  }

  /** Mints an access token for a partner (see DevTokenOptions for defaults). */
  async mint(options: DevTokenOptions): Promise<string> {
    if (!PARTNER_ID_PATTERN.test(options.partnerId)) {
      throw new DevTokenError('partner must be 1-128 letters, digits, ".", "_", ":" or "-", e.g. GT-MRC-01');
    }
    if (!COUNTRY_CODE_PATTERN.test(options.node)) {
      throw new DevTokenError('node must be an ISO 3166-1 alpha-2 code such as GT');
    }
    const jurisdictions = [...(options.jurisdictions ?? [options.node])];
    const badCode = jurisdictions.find((j) => !isJurisdictionCode(j));
    if (badCode !== undefined) {
      throw new DevTokenError('jurisdictions must be ISO 3166-1 alpha-2 codes (GT) or site codes (GT-MRC-01)');
    }
    let scopes: string[];
    try {
      scopes = parseScopes([...options.scopes]);
    } catch {
      throw new DevTokenError('scopes must be scope names such as cases:read (no spaces or quotes)');
    }
    const ttl = options.ttlSeconds ?? DEFAULT_DEV_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_DEV_TTL_SECONDS) {
      throw new DevTokenError(`ttl must be an integer number of seconds between 1 and ${MAX_DEV_TTL_SECONDS}`);
    }
    const audience = options.audience ?? DEFAULT_SERVICE_AUDIENCES;
    const subject = options.subject ?? `dev:${options.partnerId}`;
    const now = Math.floor(Date.now() / 1000);
    return this.sign({
      iss: this.issuer,
      sub: subject,
      aud: typeof audience === 'string' ? audience : [...audience],
      iat: now,
      nbf: now,
      exp: now + ttl,
      jti: options.tokenId ?? randomUUID(),
      client_id: options.clientId ?? subject,
      partner_id: options.partnerId,
      node: options.node,
      jurisdictions,
      scope: scopes.join(' '),
    });
  }

  /**
   * Signs `payload` exactly as given (no defaults, no checks) with the current dev key:
   * for tests that need tokens with missing or odd claims.
   */
  async sign(payload: JWTPayload, header: { typ?: string } = {}): Promise<string> {
    assertNotProduction(this.env);
    await this.ensureKey();
    const keys = this.readKeys() as KeysFile;
    const jwk = keys.keys[keys.keys.length - 1] as JWK;
    const key = await importJWK(jwk, jwk.alg);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: jwk.alg as string, kid: jwk.kid as string, typ: header.typ ?? 'at+jwt' })
      .sign(key);
  }

  private async generate(): Promise<JWK> {
    const { privateKey } = await generateKeyPair(this.algorithm, { extractable: true, crv: this.algorithm === 'EdDSA' ? 'Ed25519' : undefined });
    const jwk = await exportJWK(privateKey);
    const thumbprint = await calculateJwkThumbprint(jwk);
    return { ...jwk, kid: `${DEV_KID_PREFIX}${thumbprint.slice(0, 16)}`, alg: this.algorithm, use: 'sig' };
  }

  private readKeys(): KeysFile | undefined {
    let text: string;
    try {
      text = readFileSync(this.keysPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = JSON.parse(text) as KeysFile;
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0 || parsed.keys.some((k) => typeof k.kid !== 'string' || !k.d)) {
      throw new DevTokenError(`${this.keysPath} is not a dev signing key file; delete it to create a new key.`);
    }
    return parsed;
  }

  /** Creates the key file only if absent (another process may be creating it concurrently). */
  private createKeysFile(keys: KeysFile): boolean {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.keysPath}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(tmp, JSON.stringify(keys, null, 2), { mode: 0o600 });
    try {
      linkSync(tmp, this.keysPath);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  private writeJwks(keys: KeysFile): void {
    const wanted = JSON.stringify({ keys: keys.keys.map(publicJwk) }, null, 2);
    try {
      if (readFileSync(this.jwksPath, 'utf8') === wanted) return;
    } catch {
      // missing or unreadable: write it below
    }
    this.writeAtomically(this.jwksPath, wanted, 0o644);
  }

  private writeAtomically(path: string, content: string, mode: number): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(tmp, content, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  }
}
