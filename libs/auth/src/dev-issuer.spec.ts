import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { loadAuthConfig } from './config';
import { DEFAULT_SERVICE_AUDIENCES, DEV_ISSUER, DEV_KID_PREFIX, DevIssuer, DevTokenError } from './dev-issuer';
import { TokenRejectedError, TokenVerifier } from './verifier';

const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..');

function verifierFor(dir: string, env: NodeJS.ProcessEnv = {}, service = 'intake'): TokenVerifier {
  return new TokenVerifier(loadAuthConfig(service, { NODE_ENV: 'test', AUTH_DEV_DIR: dir, AUTH_JWKS_COOLDOWN_MS: '0', ...env }));
}

describe('DevIssuer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'puente-dev-issuer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates one key on first use (private file 0600, public JWKS), then reuses it', async () => {
    const issuer = new DevIssuer({ dir });
    const first = await issuer.ensureKey();
    expect(first.created).toBe(true);
    expect(first.kid.startsWith(DEV_KID_PREFIX)).toBe(true);
    expect(statSync(issuer.keysPath).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(readFileSync(issuer.jwksPath, 'utf8')) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: first.kid, alg: 'ES256', kty: 'EC', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const again = await new DevIssuer({ dir }).ensureKey();
    expect(again).toEqual({ ...first, created: false });
  });

  it('creates a single key when several processes start at once', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => new DevIssuer({ dir }).ensureKey()));
    expect(new Set(results.map((r) => r.kid)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('mints tokens with the documented claims and defaults, which the services verify', async () => {
    const issuer = new DevIssuer({ dir });
    const token = await issuer.mint({ partnerId: 'GT-MRC-01', node: 'GT', scopes: ['cases:write', 'cases:read'], ttlSeconds: 600 });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: DEV_ISSUER,
      sub: 'dev:GT-MRC-01',
      client_id: 'dev:GT-MRC-01',
      aud: [...DEFAULT_SERVICE_AUDIENCES],
      partner_id: 'GT-MRC-01',
      node: 'GT',
      jurisdictions: ['GT'],
      scope: 'cases:write cases:read',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(typeof claims.jti).toBe('string');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    for (const service of ['intake', 'screening', 'referral-routing', 'reception', 'reintegration']) {
      await expect(verifierFor(dir, {}, service).verify(token)).resolves.toMatchObject({ partnerId: 'GT-MRC-01' });
    }
  });

  it('supports EdDSA keys', async () => {
    const issuer = new DevIssuer({ dir, algorithm: 'EdDSA' });
    const token = await issuer.mint({ partnerId: 'MX-COMAR', node: 'MX', scopes: ['referrals:read'] });
    expect(decodeProtectedHeader(token).alg).toBe('EdDSA');
    await expect(verifierFor(dir).verify(token)).resolves.toMatchObject({ partnerId: 'MX-COMAR', node: 'MX' });
  });

  it('rotates: the new key signs, the previous one stays published, older ones are dropped', async () => {
    const issuer = new DevIssuer({ dir });
    const k1 = await issuer.ensureKey();
    const k2 = await issuer.rotate();
    const k3 = await issuer.rotate();
    const kids = (await issuer.jwks()).keys.map((k) => k.kid);
    expect(kids).toEqual([k2.kid, k3.kid]);
    expect(kids).not.toContain(k1.kid);
    const token = await issuer.mint({ partnerId: 'P', node: 'GT', scopes: [] });
    expect(decodeProtectedHeader(token).kid).toBe(k3.kid);
  });

  it.each([
    [{ partnerId: 'bad id', node: 'GT', scopes: [] }, /partner/],
    [{ partnerId: 'P', node: 'gt', scopes: [] }, /node/],
    [{ partnerId: 'P', node: 'GT', scopes: ['a b'] }, /scopes/],
    [{ partnerId: 'P', node: 'GT', scopes: [], jurisdictions: ['x'] }, /jurisdictions/],
    [{ partnerId: 'P', node: 'GT', scopes: [], ttlSeconds: 0 }, /ttl/],
    [{ partnerId: 'P', node: 'GT', scopes: [], ttlSeconds: 86_401 }, /ttl/],
  ])('refuses bad options %#', async (options, message) => {
    await expect(new DevIssuer({ dir }).mint(options)).rejects.toThrow(message);
  });

  it('is disabled in production, and services in production refuse dev-key tokens', async () => {
    expect(() => new DevIssuer({ dir, env: { NODE_ENV: 'production' } })).toThrow(DevTokenError);
    const token = await new DevIssuer({ dir }).mint({ partnerId: 'P', node: 'GT', scopes: [] });
    const production = new TokenVerifier(
      loadAuthConfig('intake', {
        NODE_ENV: 'production',
        AUTH_ISSUER: DEV_ISSUER.replace('/dev', '/gt'),
        AUTH_JWKS_FILE: join(dir, 'copied-jwks.json'),
      }),
    );
    await expect(production.verify(token)).rejects.toEqual(expect.objectContaining({ reason: 'dev-key-refused' }));
    await expect(production.verify(token)).rejects.toBeInstanceOf(TokenRejectedError);
  });
});

describe('tools/token.ts (the dev token command)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'puente-token-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, ['-r', '@swc-node/register', 'tools/token.ts', '--dir', dir, ...args], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'development', ...env },
    });

  it('prints only a token on stdout, verifiable against the JWKS it wrote', async () => {
    const { stdout, stderr } = await cli([
      '--partner', 'GT-MRC-01', '--node', 'GT', '--scopes', 'cases:write,cases:read',
      '--aud', 'puente:intake', '--jurisdictions', 'GT,GT-MRC-01', '--ttl', '120',
    ]);
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(stdout).toBe(`${token}\n`);
    expect(stderr).toContain('new dev signing key');
    expect(stderr).not.toContain(token);
    const principal = await verifierFor(dir).verify(token);
    expect(principal).toMatchObject({
      partnerId: 'GT-MRC-01',
      node: 'GT',
      jurisdictions: ['GT', 'GT-MRC-01'],
      scopes: ['cases:write', 'cases:read'],
    });
    const claims = decodeJwt(token);
    expect(claims.aud).toEqual(['puente:intake']);
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
  }, 30_000);

  it('exits 2 with usage on missing arguments, and refuses to run in production', async () => {
    await expect(cli(['--node', 'GT', '--scopes', 'cases:read'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--partner is required') });
    await expect(cli(['--partner', 'P', '--node', 'GT', '--scopes', 'cases:read'], { NODE_ENV: 'production' })).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('NODE_ENV=production'),
    });
  }, 30_000);
});
