import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, type FlattenedJWSInput, type JWK, type JWSHeaderParameters } from 'jose';
import { FileKeyResolver, KeySourceUnavailableError, parseJwks } from './jwks';
import { createTestKey, signWith, type TestKey } from './spec/jwks-server';

async function input(key: TestKey): Promise<[JWSHeaderParameters, FlattenedJWSInput]> {
  const token = await signWith(key, { sub: 'x' });
  const [protectedHeader, payload, signature] = token.split('.') as [string, string, string];
  return [decodeProtectedHeader(token) as JWSHeaderParameters, { protected: protectedHeader, payload, signature }];
}

describe('FileKeyResolver', () => {
  let dir: string;
  let path: string;
  let clock: number;
  let a: TestKey;
  let b: TestKey;
  const write = (keys: JWK[]) => writeFileSync(path, JSON.stringify({ keys }));

  beforeAll(async () => {
    a = await createTestKey('key-a');
    b = await createTestKey('key-b', 'RS256');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'puente-jwks-'));
    path = join(dir, 'jwks.json');
    clock = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const resolver = (cooldownMs = 5_000, cacheMaxAgeMs = 600_000) =>
    new FileKeyResolver({ path, cooldownMs, cacheMaxAgeMs, now: () => clock });

  it('re-reads on an unknown kid at most once per cooldown', async () => {
    write([a.publicJwk]);
    const keys = resolver();
    await keys.load();
    expect(keys.reads).toBe(1);
    await expect(keys.resolve(...(await input(a)))).resolves.toBeDefined();
    expect(keys.reads).toBe(1);

    write([a.publicJwk, b.publicJwk]);
    clock += 1_000;
    await expect(keys.resolve(...(await input(b)))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(keys.resolve(...(await input(b)))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(keys.reads).toBe(1);

    clock += 5_000;
    await expect(keys.resolve(...(await input(b)))).resolves.toBeDefined();
    expect(keys.reads).toBe(2);
    expect(keys.keyIds.sort()).toEqual(['key-a', 'key-b']);
  });

  it('reloads a stale set so that a removed key stops verifying', async () => {
    write([a.publicJwk, b.publicJwk]);
    const keys = resolver(5_000, 60_000);
    await keys.load();
    write([b.publicJwk]);
    clock += 30_000;
    await expect(keys.resolve(...(await input(a)))).resolves.toBeDefined();
    clock += 31_000;
    await expect(keys.resolve(...(await input(a)))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('keeps the last good keys when a reload fails, and reports the failure', async () => {
    write([a.publicJwk]);
    const errors: Error[] = [];
    const keys = new FileKeyResolver({ path, cooldownMs: 0, cacheMaxAgeMs: 600_000, now: () => clock, onLoadError: (e) => errors.push(e) });
    await keys.load();
    writeFileSync(path, 'garbage');
    await expect(keys.resolve(...(await input(b)))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(keys.resolve(...(await input(a)))).resolves.toBeDefined();
    expect(errors[0]).toBeInstanceOf(KeySourceUnavailableError);
  });

  it('reports a missing file as unavailable and has no keys', async () => {
    const keys = resolver();
    await expect(keys.load()).rejects.toThrow(/does not exist/);
    await expect(keys.resolve(...(await input(a)))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('parseJwks', () => {
  it('refuses private or symmetric key material', async () => {
    const key = await createTestKey('k');
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...key.publicJwk, d: 'secret' }] }), 'file')).toThrow(/private or symmetric/);
    expect(() => parseJwks(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] }), 'file')).toThrow(/private or symmetric/);
  });

  it.each([['not json', '{'], ['no keys', '{}'], ['keys not objects', '{"keys":[1]}']])('refuses %s', (_l, text) => {
    expect(() => parseJwks(text, 'file')).toThrow(KeySourceUnavailableError);
  });
});
