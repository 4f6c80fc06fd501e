import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEFAULT_SERVICE_AUDIENCES, DEV_ISSUER, DevIssuer } from './dev-issuer';
import { createTestKey, signWith } from './spec/jwks-server';
import { SPEC_AUDIENCE, startAuthSpecApp } from './spec/test-app';

describe('AuthModule with a JWKS file written by the DevIssuer (temp dir), rotation without restart', () => {
  let dir: string;
  let issuer: DevIssuer;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'puente-auth-file-'));
    issuer = new DevIssuer({ dir });
    await issuer.ensureKey();
    ({ app, base } = await startAuthSpecApp({
      AUTH_JWKS_FILE: issuer.jwksPath,
      AUTH_AUDIENCE: `${SPEC_AUDIENCE},puente:intake`,
      AUTH_JWKS_COOLDOWN_MS: '0',
    }));
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const me = (token: string) => fetch(`${base}/v1/things/me`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts a dev token (dev issuer, all five service audiences) and maps its claims', async () => {
    const token = await issuer.mint({
      partnerId: 'GT-MRC-01',
      node: 'GT',
      scopes: ['cases:read', 'cases:write'],
      audience: [...DEFAULT_SERVICE_AUDIENCES],
      jurisdictions: ['GT', 'GT-MRC-01'],
    });
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      subject: 'dev:GT-MRC-01',
      clientId: 'dev:GT-MRC-01',
      partnerId: 'GT-MRC-01',
      node: 'GT',
      jurisdictions: ['GT', 'GT-MRC-01'],
      scopes: ['cases:read', 'cases:write'],
    });
  });

  it('rejects a dev token whose audiences do not include this service', async () => {
    const token = await issuer.mint({ partnerId: 'GT-MRC-01', node: 'GT', scopes: ['cases:read'], audience: 'puente:reception' });
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'wrong-audience' });
  });

  it('re-reads the file on an unknown kid: a rotated key verifies at once, the previous key still verifies', async () => {
    const old = await issuer.mint({ partnerId: 'GT-MRC-01', node: 'GT', scopes: ['cases:read'] });
    expect((await me(old)).status).toBe(200);
    const rotated = await issuer.rotate();
    const fresh = await issuer.mint({ partnerId: 'GT-MRC-01', node: 'GT', scopes: ['cases:read'], tokenId: 'rotated' });
    const res = await me(fresh);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tokenId: 'rotated' });
    expect(JSON.parse(Buffer.from(fresh.split('.')[0] as string, 'base64url').toString()).kid).toBe(rotated.kid);
    expect((await me(old)).status).toBe(200);
  });

  it('rejects a kid that is not in the file (after re-reading it)', async () => {
    const stranger = await createTestKey('puente-dev-unknown', 'ES256');
    const token = await signWith(stranger, {
      iss: DEV_ISSUER,
      sub: 'x',
      aud: SPEC_AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 60,
      partner_id: 'GT-MRC-01',
      node: 'GT',
    });
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await res.json()).toMatchObject({ reason: 'unknown-key' });
  });

  it('keeps the last good keys when the file is replaced by garbage', async () => {
    const token = await issuer.mint({ partnerId: 'GT-MRC-01', node: 'GT', scopes: ['cases:read'] });
    const good = await issuer.jwks();
    writeFileSync(issuer.jwksPath, '{ not json');
    try {
      const stranger = await createTestKey('puente-dev-other', 'ES256');
      const probe = await signWith(stranger, { iss: DEV_ISSUER, sub: 'x', aud: SPEC_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 });
      expect((await me(probe)).status).toBe(401);
      expect((await me(token)).status).toBe(200);
    } finally {
      writeFileSync(issuer.jwksPath, JSON.stringify(good));
    }
  });
});

describe('AuthModule startup checks', () => {
  it('refuses to start when an explicit AUTH_JWKS_FILE does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puente-auth-missing-'));
    try {
      await expect(startAuthSpecApp({ AUTH_JWKS_FILE: join(dir, 'nope.json') })).rejects.toThrow(/AUTH_JWKS_FILE.*does not exist/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts without a dev JWKS yet (dev default), and trusts it once the dev issuer has written it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puente-auth-dev-'));
    const { app, base } = await startAuthSpecApp({ AUTH_DEV_DIR: dir, AUTH_JWKS_COOLDOWN_MS: '0' });
    try {
      const issuer = new DevIssuer({ dir });
      const token = await issuer.mint({ partnerId: 'GT-MRC-01', node: 'GT', scopes: ['cases:read'], audience: SPEC_AUDIENCE });
      const res = await fetch(`${base}/v1/things/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
