import { readFile } from 'node:fs/promises';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from 'jose';
import type { AuthConfig } from './config';

/** Resolves the verification key of a token from its protected header (jose's getKey contract). */
export interface KeyResolver {
  (protectedHeader: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** Where the keys come from, for logs (never secret). */
  readonly description: string;
  /**
   * True while `kid` is in the loaded key set and no reload is due: a token verified earlier by
   * that key may be accepted again without its signature being checked (VerifiedTokenCache).
   */
  trusts(kid: string): boolean;
}

/** The key source could not be read or fetched: not the caller's fault (503, not 401). */
export class KeySourceUnavailableError extends Error {
  override readonly name = 'KeySourceUnavailableError';
}

/** No trusted key has the token's `kid` (after any allowed reload). */
export class NoMatchingKeyError extends Error {
  override readonly name = 'NoMatchingKeyError';
  readonly code = 'ERR_JWKS_NO_MATCHING_KEY';
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/** Parses and checks a JWKS document: public asymmetric keys only. */
export function parseJwks(text: string, origin: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeySourceUnavailableError(`${origin} is not valid JSON`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null || Array.isArray(k))) {
    throw new KeySourceUnavailableError(`${origin} is not a JSON Web Key Set ({"keys": [...]})`);
  }
  for (const key of keys as JWK[]) {
    if (PRIVATE_MEMBERS.some((m) => m in key)) {
      throw new KeySourceUnavailableError(`${origin} contains private or symmetric key material; publish public keys only`);
    }
  }
  return { keys: keys as JWK[] };
}

export interface FileKeyResolverOptions {
  path: string;
  /** Minimum time between re-reads triggered by an unknown kid. */
  cooldownMs: number;
  /** Re-read at the latest after this long (so removed keys stop verifying). */
  cacheMaxAgeMs: number;
  /** Clock (tests). */
  now?: () => number;
  /** Called when a (re)load fails; the previous keys stay in use. */
  onLoadError?: (error: Error) => void;
}

/**
 * Keys from a JWKS file. Rotation without restart: when a token names a `kid` the cached
 * set lacks, the file is re-read (at most once per cooldown); the set is also re-read once
 * it is older than cacheMaxAgeMs. A failed read keeps the last good keys.
 */
export class FileKeyResolver {
  private keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  private kids = new Set<string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  /** Number of completed reads of the file (observability and tests). */
  reads = 0;
  private readonly now: () => number;

  constructor(private readonly options: FileKeyResolverOptions) {
    this.now = options.now ?? Date.now;
  }

  get description(): string {
    return `JWKS file ${this.options.path}`;
  }

  /** Key ids currently trusted. */
  get keyIds(): string[] {
    return [...this.kids];
  }

  /** True while `kid` is loaded and the set is not stale (a stale set is re-read on the next resolve). */
  trusts(kid: string): boolean {
    return this.keySet !== undefined && this.now() - this.loadedAt < this.options.cacheMaxAgeMs && this.kids.has(kid);
  }

  /** Reads the file now; throws KeySourceUnavailableError when it is missing or invalid. */
  async load(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.read().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async read(): Promise<void> {
    this.attemptedAt = this.now();
    let text: string;
    try {
      text = await readFile(this.options.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new KeySourceUnavailableError(
        code === 'ENOENT' ? `${this.description} does not exist` : `${this.description} cannot be read (${code ?? 'error'})`,
      );
    }
    const jwks = parseJwks(text, this.description);
    let keySet: ReturnType<typeof createLocalJWKSet>;
    try {
      keySet = createLocalJWKSet(jwks);
    } catch {
      throw new KeySourceUnavailableError(`${this.description} is not a valid JSON Web Key Set`);
    }
    this.keySet = keySet;
    this.kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
    this.loadedAt = this.now();
    this.reads += 1;
  }

  private async tryLoad(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      this.options.onLoadError?.(error as Error);
    }
  }

  readonly resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const now = this.now();
    const stale = now - this.loadedAt >= this.options.cacheMaxAgeMs;
    const unknownKid = typeof header.kid === 'string' && !this.kids.has(header.kid);
    const coolingDown = now - this.attemptedAt < this.options.cooldownMs;
    if ((stale || unknownKid || !this.keySet) && !coolingDown) await this.tryLoad();
    if (!this.keySet) throw new NoMatchingKeyError('no keys are loaded');
    return this.keySet(header, token);
  };
}

/** Builds the key resolver for the configured JWKS source. */
export function createKeyResolver(
  config: Pick<AuthConfig, 'jwks' | 'cooldownMs' | 'cacheMaxAgeMs'>,
  hooks: { onLoadError?: (error: Error) => void; now?: () => number } = {},
): { resolver: KeyResolver; file?: FileKeyResolver } {
  if (config.jwks.kind === 'url') {
    const url = new URL(config.jwks.url);
    const remote = createRemoteJWKSet(url, {
      cooldownDuration: config.cooldownMs,
      cacheMaxAge: config.cacheMaxAgeMs,
      timeoutDuration: 5_000,
      headers: { 'user-agent': 'puente-auth' },
    });
    const description = `JWKS URL ${url.origin}${url.pathname}`;
    const resolver = Object.assign((header: JWSHeaderParameters, token: FlattenedJWSInput) => remote(header, token), {
      description,
      trusts: (kid: string) => remote.fresh && (remote.jwks()?.keys ?? []).some((key) => key.kid === kid),
    });
    return { resolver };
  }
  const file = new FileKeyResolver({
    path: config.jwks.path,
    cooldownMs: config.cooldownMs,
    cacheMaxAgeMs: config.cacheMaxAgeMs,
    onLoadError: hooks.onLoadError,
    now: hooks.now,
  });
  const resolver = Object.assign((header: JWSHeaderParameters, token: FlattenedJWSInput) => file.resolve(header, token), {
    description: file.description,
    trusts: (kid: string) => file.trusts(kid),
  });
  return { resolver, file };
}
