import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, SERVICE_PORTS } from '@puente/platform';
import { ALLOWED_ALGORITHMS, defaultAudience, devSecretsDir, loadAuthConfig } from './config';
import { DEFAULT_SERVICE_AUDIENCES, DEV_ISSUER } from './dev-issuer';

function issuesOf(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigValidationError) return Object.fromEntries(error.issues.map((i) => [i.variable, i.messages]));
    throw error;
  }
  return {};
}

describe('loadAuthConfig', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'puente-auth-config-'));
    writeFileSync(join(root, 'nx.json'), '{}');
    mkdirSync(join(root, 'services', 'intake'), { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('defaults outside production: dev issuer, puente:<service>, asymmetric algs, 30 s, dev JWKS file', () => {
    const config = loadAuthConfig('intake', { NODE_ENV: 'development' }, join(root, 'services', 'intake'));
    expect(config).toEqual({
      service: 'intake',
      production: false,
      issuer: DEV_ISSUER,
      audience: ['puente:intake'],
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      clockToleranceSec: 30,
      jwks: { kind: 'file', path: join(root, '.secrets', 'dev-jwks.json'), dev: true },
      cooldownMs: 5_000,
      cacheMaxAgeMs: 600_000,
    });
  });

  it('reads every AUTH_* variable', () => {
    const config = loadAuthConfig('screening', {
      AUTH_ISSUER: 'https://idp.gt.example/realms/puente',
      AUTH_AUDIENCE: 'puente:screening, api://screening',
      AUTH_JWKS_URL: 'https://idp.gt.example/realms/puente/certs',
      AUTH_ALGORITHMS: 'ES256,EdDSA',
      AUTH_CLOCK_TOLERANCE_SEC: '10',
      AUTH_JWKS_CACHE_MAX_AGE_MS: '60000',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      production: true,
      issuer: 'https://idp.gt.example/realms/puente',
      audience: ['puente:screening', 'api://screening'],
      algorithms: ['ES256', 'EdDSA'],
      clockToleranceSec: 10,
      jwks: { kind: 'url', url: 'https://idp.gt.example/realms/puente/certs' },
      cooldownMs: 30_000,
      cacheMaxAgeMs: 60_000,
    });
  });

  it('refuses the dev issuer and dev JWKS in production', () => {
    expect(issuesOf(() => loadAuthConfig('intake', { NODE_ENV: 'production' }))).toEqual({
      AUTH_ISSUER: ['AUTH_ISSUER is required when NODE_ENV=production'],
      AUTH_JWKS_URL: ['AUTH_JWKS_URL (or AUTH_JWKS_FILE) is required when NODE_ENV=production; the dev JWKS is refused'],
    });
    const issues = issuesOf(() =>
      loadAuthConfig('intake', { NODE_ENV: 'production', AUTH_ISSUER: DEV_ISSUER, AUTH_JWKS_FILE: '/x/.secrets/dev-jwks.json' }),
    );
    expect(Object.keys(issues).sort()).toEqual(['AUTH_ISSUER', 'AUTH_JWKS_FILE']);
  });

  it('requires https for a JWKS URL in production only', () => {
    const env = { AUTH_ISSUER: 'https://idp', AUTH_JWKS_URL: 'http://idp/certs' };
    expect(issuesOf(() => loadAuthConfig('intake', { ...env, NODE_ENV: 'production' }))).toHaveProperty('AUTH_JWKS_URL');
    expect(loadAuthConfig('intake', { ...env, NODE_ENV: 'test' }).jwks).toEqual({ kind: 'url', url: 'http://idp/certs' });
  });

  it.each([
    ['AUTH_ALGORITHMS', 'HS256'],
    ['AUTH_ALGORITHMS', 'ES256,none'],
    ['AUTH_CLOCK_TOLERANCE_SEC', '301'],
    ['AUTH_CLOCK_TOLERANCE_SEC', '1.5'],
    ['AUTH_JWKS_COOLDOWN_MS', '-1'],
    ['AUTH_JWKS_URL', 'ftp://idp/certs'],
  ])('rejects %s=%s', (variable, value) => {
    expect(issuesOf(() => loadAuthConfig('intake', { [variable]: value }))).toHaveProperty(variable);
  });

  it('rejects both AUTH_JWKS_URL and AUTH_JWKS_FILE', () => {
    const issues = issuesOf(() => loadAuthConfig('intake', { AUTH_JWKS_URL: 'https://idp/certs', AUTH_JWKS_FILE: '/etc/jwks.json' }));
    expect(issues.AUTH_JWKS_URL).toEqual(['Set either AUTH_JWKS_URL or AUTH_JWKS_FILE, not both']);
  });

  it('only ever allows asymmetric algorithms', () => {
    expect((ALLOWED_ALGORITHMS as readonly string[]).some((a) => a.startsWith('HS') || a === 'none')).toBe(false);
  });

  it('finds .secrets in the workspace root, or AUTH_DEV_DIR', () => {
    expect(devSecretsDir({}, join(root, 'services', 'intake'))).toBe(join(root, '.secrets'));
    expect(devSecretsDir({ AUTH_DEV_DIR: 'keys' }, root)).toBe(join(root, 'keys'));
  });

  it('the dev token audiences are those of the five services', () => {
    expect([...DEFAULT_SERVICE_AUDIENCES].sort()).toEqual(Object.keys(SERVICE_PORTS).map(defaultAudience).sort());
  });
});
