import fc from 'fast-check';
import { isInternalAddress, WebhookAddressPolicy, WebhookAddressRefused } from './webhook-address-policy';

const production = { allowHttp: false, allowInternalAddresses: false, allowedHosts: [] };

async function refusal(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof WebhookAddressRefused) return error.reason;
    throw error;
  }
}

describe('webhook address policy (SSRF)', () => {
  it('knows the internal ranges, in IPv4, IPv6 and IPv4 inside IPv6', () => {
    for (const a of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
      '0:0:0:0:0:ffff:c0a8:0101',
      '64:ff9b::a9fe:a9fe',
      'not an address',
    ]) {
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '172.15.255.255', '200.12.34.56', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2800:3f0::1']) {
      expect([a, isInternalAddress(a)]).toEqual([a, false]);
    }
  });

  it('every address of 10/8, 127/8, 169.254/16 and 192.168/16 is internal, also written as IPv4-mapped IPv6', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.constantFrom('10', '127', '169.254', '192.168'), octet, octet, octet, (prefix, a, b, c) => {
        const parts = [...prefix.split('.'), String(a), String(b), String(c)].slice(0, 4).join('.');
        expect(isInternalAddress(parts)).toBe(true);
        expect(isInternalAddress(`::ffff:${parts}`)).toBe(true);
      }),
    );
  });

  it('refuses, in production, http, credentials, internal literals and localhost', async () => {
    const policy = new WebhookAddressPolicy(production, async () => [{ address: '93.184.216.34', family: 4 }]);
    expect(await refusal(() => policy.checkUrl('http://partner.example.org/hook'))).toBe('scheme_not_allowed');
    expect(await refusal(() => policy.checkUrl('ftp://partner.example.org/hook'))).toBe('scheme_not_allowed');
    expect(await refusal(() => policy.checkUrl('https://user:pw@partner.example.org/hook'))).toBe('credentials_in_url');
    expect(await refusal(() => policy.checkUrl('not a url'))).toBe('invalid_url');
    for (const url of ['https://127.0.0.1/h', 'https://[::1]/h', 'https://169.254.169.254/latest/meta-data', 'https://[::ffff:127.0.0.1]/h', 'https://10.0.0.5:8443/h', 'https://localhost/h', 'https://api.localhost/h']) {
      expect([url, await refusal(() => policy.checkUrl(url))]).toEqual([url, 'internal_address']);
    }
    expect(await refusal(() => policy.checkUrl('https://partner.example.org/hook'))).toBeUndefined();
  });

  it('checks what the host resolves to at delivery time: one internal address is enough to refuse', async () => {
    let answer = [{ address: '93.184.216.34', family: 4 }];
    const policy = new WebhookAddressPolicy(production, async () => answer);
    const url = policy.checkUrl('https://partner.example.org/hook');
    await expect(policy.resolve(url)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    answer = [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    expect(await refusal(() => policy.resolve(url))).toBe('internal_address');
    answer = [{ address: '::ffff:169.254.169.254', family: 6 }];
    expect(await refusal(() => policy.resolve(url))).toBe('internal_address');
    answer = [];
    expect(await refusal(() => policy.resolve(url))).toBe('unresolvable');
    const failing = new WebhookAddressPolicy(production, async () => Promise.reject(new Error('ENOTFOUND')));
    expect(await refusal(() => failing.resolve(url))).toBe('unresolvable');
  });

  it('keeps to the host allow-list when there is one', async () => {
    const policy = new WebhookAddressPolicy({ ...production, allowedHosts: ['hooks.comar.gob.mx', '.iom.int'] });
    expect(await refusal(() => policy.checkUrl('https://hooks.comar.gob.mx/x'))).toBeUndefined();
    expect(await refusal(() => policy.checkUrl('https://gt.referrals.iom.int/x'))).toBeUndefined();
    expect(await refusal(() => policy.checkUrl('https://iom.int.attacker.example/x'))).toBe('host_not_allowed');
    expect(await refusal(() => policy.checkUrl('https://evil.example.org/x'))).toBe('host_not_allowed');
  });

  it('lets development and tests call a local receiver only when told to', async () => {
    const local = new WebhookAddressPolicy({ allowHttp: true, allowInternalAddresses: true, allowedHosts: [] });
    const url = local.checkUrl('http://127.0.0.1:4000/hook');
    await expect(local.resolve(url)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    const httpOnly = new WebhookAddressPolicy({ allowHttp: true, allowInternalAddresses: false, allowedHosts: [] });
    expect(await refusal(() => httpOnly.checkUrl('http://127.0.0.1:4000/hook'))).toBe('internal_address');
  });
});
