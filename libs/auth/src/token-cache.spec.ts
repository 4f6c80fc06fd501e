import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { JWK, JWTPayload } from 'jose';
import { type AuthConfig } from './config';
import type { Principal } from './principal';
import { createTestKey, signWith, type TestKey } from './spec/jwks-server';
import { VerifiedTokenCache } from './token-cache';
import { TokenRejectedError, TokenVerifier } from './verifier';

const ISSUER = 'https://idp.example.test/realms/gt';
const AUDIENCE = 'puente:intake';

const principal = (subject: string): Principal => ({
  subject,
  clientId: subject,
  partnerId: 'GT-MRC-01',
  node: 'GT',
  jurisdictions: ['GT'],
  scopes: ['cases:read'],
});

describe('VerifiedTokenCache', () => {
  let clock: number;
  const trusted = () => true;
  beforeEach(() => {
    clock = 1_700_000_000_000;
  });

  it('serves a token until its exp and not from that instant on', () => {
    const cache = new VerifiedTokenCache({ now: () => clock });
    const key = VerifiedTokenCache.keyOf('a.b.c');
    cache.set(key, principal('svc-a'), clock / 1000 + 60, 'k1');
    expect(cache.get(key, trusted)?.subject).toBe('svc-a');
    clock += 59_999;
    expect(cache.get(key, trusted)?.subject).toBe('svc-a');
    clock += 1;
    expect(cache.get(key, trusted)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store a token already expired or without a usable exp', () => {
    const cache = new VerifiedTokenCache({ now: () => clock });
    cache.set('k-past', principal('a'), clock / 1000 - 1, 'k1');
    cache.set('k-now', principal('a'), clock / 1000, 'k1');
    cache.set('k-nan', principal('a'), Number.NaN, 'k1');
    expect(cache.size).toBe(0);
  });

  it('stops serving a token once its signing key is no longer trusted', () => {
    const cache = new VerifiedTokenCache({ now: () => clock });
    cache.set('t', principal('a'), clock / 1000 + 600, 'retired-key');
    expect(cache.get('t', (kid) => kid !== 'retired-key')).toBeUndefined();
    // Dropped for good: trusting the key again needs a new verification.
    expect(cache.get('t', trusted)).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, now: () => clock });
    cache.set('one', principal('1'), clock / 1000 + 60, 'k');
    cache.set('two', principal('2'), clock / 1000 + 60, 'k');
    cache.set('three', principal('3'), clock / 1000 + 60, 'k');
    expect(cache.size).toBe(2);
    expect(cache.get('one', trusted)).toBeUndefined();
    expect(cache.get('three', trusted)?.subject).toBe('3');
  });

  it('hands out a frozen principal (shared by every request with that token)', () => {
    const cache = new VerifiedTokenCache({ now: () => clock });
    cache.set('t', principal('a'), clock / 1000 + 60, 'k');
    const got = cache.get('t', trusted)!;
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(got.scopes)).toBe(true);
  });

  it('keys differ for any two different tokens (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(a !== b);
        expect(VerifiedTokenCache.keyOf(a)).not.toBe(VerifiedTokenCache.keyOf(b));
      }),
    );
  });
});

describe('TokenVerifier with its verified-token cache (real ES256 keys, JWKS file)', () => {
  let dir: string;
  let path: string;
  let key: TestKey;
  let other: TestKey;
  let clock: number;
  const write = (keys: JWK[]) => writeFileSync(path, JSON.stringify({ keys }));

  beforeAll(async () => {
    key = await createTestKey('gt-2026-01');
    other = await createTestKey('gt-2026-02');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'puente-token-cache-'));
    path = join(dir, 'jwks.json');
    clock = Date.now();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (cacheMaxAgeMs = 600_000): AuthConfig => ({
    service: 'intake',
    production: true,
    issuer: ISSUER,
    audience: [AUDIENCE],
    algorithms: ['ES256'],
    clockToleranceSec: 0,
    jwks: { kind: 'file', path, dev: false },
    cooldownMs: 0,
    cacheMaxAgeMs,
  });

  function verifier(cacheMaxAgeMs?: number): { verifier: TokenVerifier; cache: VerifiedTokenCache } {
    const cache = new VerifiedTokenCache({ now: () => clock });
    return { verifier: new TokenVerifier(config(cacheMaxAgeMs), { cache, now: () => clock }), cache };
  }

  const claims = (overrides: JWTPayload = {}): JWTPayload => {
    const seconds = Math.floor(clock / 1000);
    return {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'svc-gt-mrc-01',
      iat: seconds,
      exp: seconds + 300,
      partner_id: 'GT-MRC-01',
      node: 'GT',
      jurisdictions: ['GT'],
      scope: 'cases:read',
      ...overrides,
    };
  };

  it('verifies a token once, then serves it from the cache', async () => {
    write([key.publicJwk]);
    const { verifier: v, cache } = verifier();
    const token = await signWith(key, claims());
    const first = await v.verify(token);
    expect(cache.size).toBe(1);
    const second = await v.verify(token);
    expect(second).toBe(first);
  });

  it('re-verifies once the token expired, and then rejects it', async () => {
    write([key.publicJwk]);
    const { verifier: v, cache } = verifier();
    const token = await signWith(key, claims());
    await v.verify(token);
    clock += 300_000;
    await expect(v.verify(token)).rejects.toMatchObject({ reason: 'token-expired' });
    expect(cache.size).toBe(0);
  });

  it('keeps different tokens apart: each gets its own principal', async () => {
    write([key.publicJwk]);
    const { verifier: v, cache } = verifier();
    const reader = await v.verify(await signWith(key, claims({ sub: 'reader', scope: 'cases:read' })));
    const writer = await v.verify(await signWith(key, claims({ sub: 'writer', scope: 'cases:write' })));
    expect(cache.size).toBe(2);
    expect([reader.subject, reader.scopes]).toEqual(['reader', ['cases:read']]);
    expect([writer.subject, writer.scopes]).toEqual(['writer', ['cases:write']]);
  });

  it('never serves a tampered token from the cache: changed payload or signature is rejected', async () => {
    write([key.publicJwk]);
    const { verifier: v, cache } = verifier();
    const token = await signWith(key, claims({ scope: 'cases:read' }));
    await v.verify(token);
    const [header, , signature] = token.split('.');
    const elevated = Buffer.from(JSON.stringify(claims({ scope: 'cases:read sites:admin' }))).toString('base64url');
    await expect(v.verify(`${header}.${elevated}.${signature}`)).rejects.toMatchObject({ reason: 'invalid-signature' });
    const flipped = signature.slice(0, -2) + (signature.endsWith('A') ? 'B' : 'A') + signature.slice(-1);
    await expect(v.verify(`${header}.${token.split('.')[1]}.${flipped}`)).rejects.toBeInstanceOf(TokenRejectedError);
    expect(cache.size).toBe(1);
  });

  it('never caches a failed verification: the same bad token is rejected every time', async () => {
    write([key.publicJwk]);
    const { verifier: v, cache } = verifier();
    const foreign = await signWith(other, claims(), { kid: key.kid });
    for (let i = 0; i < 3; i++) await expect(v.verify(foreign)).rejects.toMatchObject({ reason: 'invalid-signature' });
    const wrongAudience = await signWith(key, claims({ aud: 'puente:screening' }));
    for (let i = 0; i < 2; i++) await expect(v.verify(wrongAudience)).rejects.toMatchObject({ reason: 'wrong-audience' });
    expect(cache.size).toBe(0);
  });

  it('follows key rotation: once the JWKS is re-read without the key, its cached tokens are refused', async () => {
    write([key.publicJwk, other.publicJwk]);
    const { verifier: v } = verifier(60_000);
    await v.preload();
    const token = await signWith(key, claims());
    await v.verify(token);
    write([other.publicJwk]);
    // Within the key set's max age the key is still trusted, exactly as without the cache.
    clock += 30_000;
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'svc-gt-mrc-01' });
    // The set is stale now: the cached token is not served, the file is re-read and the key is gone.
    clock += 30_000;
    await expect(v.verify(token)).rejects.toMatchObject({ reason: 'unknown-key' });
    await expect(v.verify(await signWith(other, claims()))).resolves.toMatchObject({ subject: 'svc-gt-mrc-01' });
  });
});
