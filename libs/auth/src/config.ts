import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigValidationError, type ConfigIssue } from '@puente/platform';
import { DEV_ISSUER, DEV_JWKS_FILE_NAME } from './dev-issuer';

/**
 * Signature algorithms a token may use. Asymmetric only: HMAC (HS*) would let anyone who
 * holds the public JWKS forge tokens (algorithm confusion), and `none` is no signature.
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
export const MAX_CLOCK_TOLERANCE_SEC = 300;
/** Minimum time between two fetches of a JWKS URL triggered by an unknown `kid` (jose's default). */
export const DEFAULT_URL_COOLDOWN_MS = 30_000;
/** Minimum time between two re-reads of a JWKS file triggered by an unknown `kid`. */
export const DEFAULT_FILE_COOLDOWN_MS = 5_000;
/** A JWKS (URL or file) is reloaded at the latest after this long, so removed keys stop working. */
export const DEFAULT_CACHE_MAX_AGE_MS = 600_000;

export type JwksSourceConfig =
  | { kind: 'url'; url: string }
  | {
      kind: 'file';
      path: string;
      /** True for the default dev JWKS (`.secrets/dev-jwks.json`): a missing file is then not fatal. */
      dev: boolean;
    };

export interface AuthConfig {
  service: string;
  production: boolean;
  issuer: string;
  /** Accepted audiences: a token must name at least one of them in `aud`. */
  audience: string[];
  algorithms: AllowedAlgorithm[];
  clockToleranceSec: number;
  jwks: JwksSourceConfig;
  cooldownMs: number;
  cacheMaxAgeMs: number;
}

/** `intake` → `puente:intake`. */
export function defaultAudience(service: string): string {
  return `puente:${service}`;
}

/**
 * Directory of the dev signing key and dev JWKS: AUTH_DEV_DIR, else `.secrets/` in the
 * workspace root (the nearest ancestor of the working directory holding nx.json), else in
 * the working directory.
 */
export function devSecretsDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.AUTH_DEV_DIR) return resolve(cwd, env.AUTH_DEV_DIR);
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return join(dir, '.secrets');
    const parent = dirname(dir);
    if (parent === dir) return join(resolve(cwd), '.secrets');
    dir = parent;
  }
}

function list(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  issues: ConfigIssue[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    issues.push({ variable: name, messages: [`${name} must be an integer between ${min} and ${max}`] });
    return fallback;
  }
  return value;
}

function isHttpUrl(raw: string, httpsOnly: boolean): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:');
  } catch {
    return false;
  }
}

/**
 * Reads and validates the AUTH_* variables of `service`. Throws the platform's
 * ConfigValidationError listing every bad variable, so a service refuses to start with one
 * clear message. In production the dev issuer and dev JWKS are refused and both AUTH_ISSUER
 * and a JWKS source are required.
 */
export function loadAuthConfig(service: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AuthConfig {
  const issues: ConfigIssue[] = [];
  const production = env.NODE_ENV === 'production';

  let issuer = env.AUTH_ISSUER ?? '';
  if (issuer === '') {
    if (production) issues.push({ variable: 'AUTH_ISSUER', messages: ['AUTH_ISSUER is required when NODE_ENV=production'] });
    issuer = DEV_ISSUER;
  } else if (production && issuer === DEV_ISSUER) {
    issues.push({ variable: 'AUTH_ISSUER', messages: [`AUTH_ISSUER must not be the dev issuer (${DEV_ISSUER}) in production`] });
  } else if (issuer.length > 2048) {
    issues.push({ variable: 'AUTH_ISSUER', messages: ['AUTH_ISSUER must be at most 2048 characters'] });
  }

  const audience = env.AUTH_AUDIENCE ? list(env.AUTH_AUDIENCE) : [defaultAudience(service)];
  if (audience.length === 0 || audience.some((a) => a.length > 255)) {
    issues.push({ variable: 'AUTH_AUDIENCE', messages: ['AUTH_AUDIENCE must list one or more audiences of at most 255 characters'] });
  }

  let algorithms: AllowedAlgorithm[] = [...ALLOWED_ALGORITHMS];
  if (env.AUTH_ALGORITHMS) {
    const requested = list(env.AUTH_ALGORITHMS);
    const bad = requested.filter((a) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(a));
    if (bad.length > 0 || requested.length === 0) {
      issues.push({
        variable: 'AUTH_ALGORITHMS',
        messages: [`AUTH_ALGORITHMS may only list asymmetric algorithms: ${ALLOWED_ALGORITHMS.join(', ')}`],
      });
    } else {
      algorithms = requested as AllowedAlgorithm[];
    }
  }

  const clockToleranceSec = integer(env, 'AUTH_CLOCK_TOLERANCE_SEC', DEFAULT_CLOCK_TOLERANCE_SEC, 0, MAX_CLOCK_TOLERANCE_SEC, issues);

  let jwks: JwksSourceConfig;
  const url = env.AUTH_JWKS_URL ?? '';
  const file = env.AUTH_JWKS_FILE ?? '';
  if (url !== '' && file !== '') {
    issues.push({ variable: 'AUTH_JWKS_URL', messages: ['Set either AUTH_JWKS_URL or AUTH_JWKS_FILE, not both'] });
  }
  if (url !== '') {
    if (!isHttpUrl(url, production)) {
      issues.push({
        variable: 'AUTH_JWKS_URL',
        messages: [production ? 'AUTH_JWKS_URL must be an https:// URL in production' : 'AUTH_JWKS_URL must be an http(s):// URL'],
      });
    }
    jwks = { kind: 'url', url };
  } else if (file !== '') {
    const path = resolve(cwd, file);
    if (production && basename(path) === DEV_JWKS_FILE_NAME) {
      issues.push({ variable: 'AUTH_JWKS_FILE', messages: ['AUTH_JWKS_FILE must not be the dev JWKS in production'] });
    }
    jwks = { kind: 'file', path, dev: false };
  } else {
    if (production) {
      issues.push({
        variable: 'AUTH_JWKS_URL',
        messages: ['AUTH_JWKS_URL (or AUTH_JWKS_FILE) is required when NODE_ENV=production; the dev JWKS is refused'],
      });
    }
    jwks = { kind: 'file', path: join(devSecretsDir(env, cwd), DEV_JWKS_FILE_NAME), dev: true };
  }

  const cooldownMs = integer(
    env,
    'AUTH_JWKS_COOLDOWN_MS',
    jwks.kind === 'url' ? DEFAULT_URL_COOLDOWN_MS : DEFAULT_FILE_COOLDOWN_MS,
    0,
    3_600_000,
    issues,
  );
  const cacheMaxAgeMs = integer(env, 'AUTH_JWKS_CACHE_MAX_AGE_MS', DEFAULT_CACHE_MAX_AGE_MS, 1_000, 86_400_000, issues);

  if (issues.length > 0) throw new ConfigValidationError(service, issues);
  return { service, production, issuer, audience, algorithms, clockToleranceSec, jwks, cooldownMs, cacheMaxAgeMs };
}

