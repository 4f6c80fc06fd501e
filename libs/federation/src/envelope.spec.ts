import fc from 'fast-check';
import { AGREEABLE_KINDS } from './exchange-kinds';
import { openEnvelope, REFUSAL_REASONS, sealEnvelope, type RefusalReason } from './envelope';
import { devKey, devRegistryConfig, loadNodeRegistry, NodeRegistry, publicKeyOf, RegistryConfigError } from './node-registry';
import { devPeer, registryOf } from './spec/registries';

const gt = registryOf('GT');
const mx = registryOf('MX');
const T0 = new Date('2026-03-01T12:00:00Z');

function flipChar(text: string, at: number): string {
  const c = text[at];
  return text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

async function refusalOf(value: Uint8Array, receiver = mx, now = T0): Promise<RefusalReason | 'opened'> {
  const r = await openEnvelope(receiver, value, { now });
  return r.ok ? 'opened' : r.reason;
}

describe('envelope seal/open', () => {
  it('round trip: MX reads exactly what GT sealed, with GT as issuer and MX as audience', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(...AGREEABLE_KINDS), fc.integer({ min: 61, max: 30 * 86400 }), async (payload, kind, ttl) => {
        const { value, claims } = await sealEnvelope(gt, { to: 'MX', kind, payload, now: T0, ttlSeconds: ttl });
        const opened = await openEnvelope(mx, value, { now: T0 });
        expect(opened.ok).toBe(true);
        if (!opened.ok) return;
        expect(Buffer.from(opened.envelope.payload)).toEqual(Buffer.from(payload));
        expect(opened.envelope).toMatchObject({ ...claims, iss: 'GT', aud: 'MX', kind, signedWith: devKey('GT', 'sig').kid });
      }),
      { numRuns: 40 },
    );
  });

  it('the value on the wire carries no payload byte in clear and names only the recipient key', async () => {
    const payload = new TextEncoder().encode('Pérez Gómez 1990-04-01');
    const { value } = await sealEnvelope(gt, { to: 'MX', kind: 'match-keys', payload, now: T0 });
    const wire = Buffer.from(value).toString();
    expect(wire).not.toContain('rez');
    const header = JSON.parse(Buffer.from(wire.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: devKey('MX', 'enc').kid, cty: 'puente-exchange+jws', epk: expect.any(Object) });
  });

  it('tampered ciphertext: any changed character of key, iv, ciphertext or tag is refused as tampered', async () => {
    const { value } = await sealEnvelope(gt, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), now: T0 });
    const parts = Buffer.from(value).toString().split('.');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.nat(), async (segment, pos) => {
        const copy = [...parts];
        copy[segment] = flipChar(copy[segment], pos % (copy[segment].length - 1));
        expect(await refusalOf(Buffer.from(copy.join('.')))).toBe('tampered');
      }),
      { numRuns: 60 },
    );
  });

  it('bad signature: a key that is not the one the kid names is refused as bad-signature', async () => {
    const impostor = registryOf('GT', (c) => {
      c.signingKeys = [{ kid: devKey('GT', 'sig').kid, jwk: { ...devKey('GT', 'sig', 99).jwk, kid: devKey('GT', 'sig').kid } }];
    });
    const { value } = await sealEnvelope(impostor, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([9]), now: T0 });
    expect(await refusalOf(value)).toBe('bad-signature');
  });

  it('unknown kid: a signing key MX does not list for GT is refused as unknown-kid', async () => {
    const rotatedAlone = registryOf('GT', (c) => {
      c.signingKeys = [devKey('GT', 'sig', 2)];
    });
    const { value } = await sealEnvelope(rotatedAlone, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([9]), now: T0 });
    expect(await refusalOf(value)).toBe('unknown-kid');
  });

  it('unknown recipient key and unknown sender are refused, each with its own reason', async () => {
    const { value } = await sealEnvelope(gt, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([9]), now: T0 });
    const mxRotated = registryOf('MX', (c) => {
      c.decryptionKeys = [devKey('MX', 'enc', 2)];
    });
    expect(await refusalOf(value, mxRotated)).toBe('unknown-recipient-key');
    const mxWithoutGt = registryOf('MX', (c) => {
      delete c.peers.GT;
    });
    expect(await refusalOf(value, mxWithoutGt)).toBe('unknown-sender');
  });

  it('wrong audience: an envelope for HN that reaches MX is refused as wrong-audience', async () => {
    // GT's registry is wrong about HN's encryption key: the envelope is readable by MX.
    const confused = registryOf('GT', (c) => {
      c.peers.HN = devPeer('HN', { encryptionKeys: [publicKeyOf(devKey('MX', 'enc'))] });
    });
    const { value } = await sealEnvelope(confused, { to: 'HN', kind: 'match-keys', payload: new Uint8Array([9]), now: T0 });
    expect(await refusalOf(value)).toBe('wrong-audience');
  });

  it('freshness: refused as expired after exp (beyond the clock skew), and as not-yet-valid when issued in the future', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 61, max: 86400 }), async (ttl, late) => {
        const { value } = await sealEnvelope(gt, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([1]), now: T0, ttlSeconds: ttl });
        expect(await refusalOf(value, mx, new Date(T0.getTime() + (ttl + late) * 1000))).toBe('expired');
        expect(await refusalOf(value, mx, new Date(T0.getTime() - late * 1000))).toBe('not-yet-valid');
      }),
      { numRuns: 20 },
    );
  });

  it('not agreed: a kind MX does not accept from GT is refused as not-agreed; GT cannot even seal a kind it may not send', async () => {
    const mxNoReferrals = registryOf('MX', (c) => {
      c.peers.GT.receive = ['match-keys'];
    });
    const { value } = await sealEnvelope(gt, { to: 'MX', kind: 'referral', payload: new Uint8Array([1]), now: T0 });
    expect(await refusalOf(value, mxNoReferrals)).toBe('not-agreed');
    const gtNoReferrals = registryOf('GT', (c) => {
      c.peers.MX.send = ['match-keys'];
    });
    await expect(sealEnvelope(gtNoReferrals, { to: 'MX', kind: 'referral', payload: new Uint8Array([1]) })).rejects.toThrow('no agreement to send referral to node MX');
  });

  it('malformed values are refused as malformed, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (junk) => {
        expect(REFUSAL_REASONS).toContain(await refusalOf(junk));
      }),
      { numRuns: 50 },
    );
    expect(await refusalOf(new TextEncoder().encode('not.a.jwe'))).toBe('malformed');
  });

  it('key rotation: during the overlap both keys verify, after it only the new one', async () => {
    const overlapEnds = new Date(T0.getTime() + 7 * 86400_000);
    const oldKey = devKey('GT', 'sig', 1);
    const newKey = devKey('GT', 'sig', 2);
    const signingWithOld = registryOf('GT', (c) => {
      c.signingKeys = [oldKey];
    });
    const signingWithNew = registryOf('GT', (c) => {
      c.signingKeys = [oldKey, newKey];
    });
    const mxDuringRotation = registryOf('MX', (c) => {
      c.peers.GT.signingKeys = [publicKeyOf(oldKey, { notAfter: overlapEnds.toISOString() }), publicKeyOf(newKey, { notBefore: T0.toISOString() })];
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 14 * 86400 }), async (offsetSeconds) => {
        const at = new Date(T0.getTime() + offsetSeconds * 1000);
        const oldSealed = await sealEnvelope(signingWithOld, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([1]), now: at });
        const newSealed = await sealEnvelope(signingWithNew, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([2]), now: at });
        expect(await refusalOf(newSealed.value, mxDuringRotation, at)).toBe('opened');
        expect(await refusalOf(oldSealed.value, mxDuringRotation, at)).toBe(at < overlapEnds ? 'opened' : 'key-retired');
      }),
      { numRuns: 30 },
    );
    const beforeNew = new Date(T0.getTime() - 3600_000);
    const early = await sealEnvelope(signingWithNew, { to: 'MX', kind: 'match-keys', payload: new Uint8Array([2]), now: beforeNew });
    expect(await refusalOf(early.value, mxDuringRotation, beforeNew)).toBe('key-not-yet-valid');
  });
});

describe('node registry', () => {
  it('development keys are deterministic per node and use, and differ between nodes', () => {
    expect(devKey('GT', 'sig')).toEqual(devKey('GT', 'sig'));
    const all = ['GT', 'MX', 'HN'].flatMap((n) => [devKey(n, 'sig').jwk.d, devKey(n, 'enc').jwk.d]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses development keys when NODE_ENV=production', () => {
    expect(() => devRegistryConfig('GT', { NODE_ENV: 'production' })).toThrow(RegistryConfigError);
    expect(() => loadNodeRegistry({ NODE_ENV: 'production', PUENTE_NODE: 'GT' })).toThrow('refused when NODE_ENV=production');
    expect(loadNodeRegistry({ NODE_ENV: 'development', PUENTE_NODE: 'MX' }).node).toBe('MX');
  });

  it('rejects a registry with private parts in peer keys, bad node codes or unknown kinds, naming each problem', () => {
    const config = devRegistryConfig('GT', {});
    const bad = structuredClone(config);
    bad.peers.MX.signingKeys = [devKey('MX', 'sig')];
    (bad.peers.HN.send as string[]) = ['gossip'];
    bad.peers.gt = bad.peers.SV;
    expect(() => new NodeRegistry(bad)).toThrow(/peers\.MX\.signingKeys.*no private part.*peers\.HN\.send.*peer "gt"/s);
  });
});
