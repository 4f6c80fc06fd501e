import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Which webhook URLs Puente will call (SSRF protection). A partner's URL is checked when it is
 * registered and again on every delivery, against what its host resolves to at that moment, and
 * the connection goes to the address that was checked (no second resolution to rebind).
 */
export interface WebhookAddressPolicyOptions {
  /** Allow `http:` (development and tests only; production requires https). */
  allowHttp: boolean;
  /** Allow loopback, private, link-local and other internal ranges (development and tests only). */
  allowInternalAddresses: boolean;
  /** When non-empty, only these hosts (or their subdomains, written `.example.org`) may be called. */
  allowedHosts: readonly string[];
}

export type AddressRefusal = 'invalid_url' | 'scheme_not_allowed' | 'credentials_in_url' | 'host_not_allowed' | 'internal_address' | 'unresolvable';

export class WebhookAddressRefused extends Error {
  constructor(
    readonly reason: AddressRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookAddressRefused';
  }
}

// Ranges never reachable from the public internet, or that reach the node itself: loopback,
// RFC 1918 private, link-local (cloud metadata at 169.254.169.254), CGNAT, "this network",
// benchmarking, documentation, multicast and reserved, and their IPv6 counterparts.
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part becomes two groups). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0];
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The IPv4 address an IPv4-mapped (`::ffff:7f00:1`) or IPv4-compatible (`::7f00:1`) IPv6 address stands for. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g || g.slice(0, 5).some((x) => x !== 0) || (g[5] !== 0 && g[5] !== 0xffff)) return undefined;
  if (g[5] === 0 && g[6] === 0) return undefined; // :: and ::1 are IPv6 ranges of their own
  return `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
}

/** True for an address in an internal range (IPv4, IPv6, or IPv4 inside IPv6). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return INTERNAL.check(v4, 'ipv4');
    return INTERNAL.check(address, 'ipv6');
  }
  return true;
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((a) => {
    const entry = a.toLowerCase();
    return entry.startsWith('.') ? host.endsWith(entry) && host.length > entry.length : host === entry;
  });
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

export class WebhookAddressPolicy {
  constructor(
    readonly options: WebhookAddressPolicyOptions,
    private readonly resolver: Resolver = systemResolver,
  ) {}

  /** Checks the URL itself (scheme, credentials, host allow-list, literal addresses); returns it parsed. */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookAddressRefused('invalid_url', 'The webhook URL is not a valid absolute URL.');
    }
    const httpsOnly = !this.options.allowHttp;
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !httpsOnly)) {
      throw new WebhookAddressRefused('scheme_not_allowed', httpsOnly ? 'Webhook URLs must use https.' : 'Webhook URLs must use https or http.');
    }
    if (url.username !== '' || url.password !== '') throw new WebhookAddressRefused('credentials_in_url', 'Webhook URLs must not carry credentials; the signature authenticates the call.');
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!hostAllowed(host, this.options.allowedHosts)) throw new WebhookAddressRefused('host_not_allowed', 'The webhook host is not on the allow-list of this node.');
    if (isIP(host) !== 0 && !this.options.allowInternalAddresses && isInternalAddress(host)) {
      throw new WebhookAddressRefused('internal_address', 'The webhook URL points to an internal address.');
    }
    if (!this.options.allowInternalAddresses && (host === 'localhost' || host.endsWith('.localhost'))) {
      throw new WebhookAddressRefused('internal_address', 'The webhook URL points to an internal address.');
    }
    return url;
  }

  /**
   * Resolves the host now and checks every address it resolves to (all must be external: an
   * attacker's DNS could answer with one good and one internal address). Returns the first.
   */
  async resolve(url: URL): Promise<LookupAddress> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    let addresses: LookupAddress[];
    if (family !== 0) addresses = [{ address: host, family }];
    else {
      try {
        addresses = await this.resolver(host);
      } catch {
        throw new WebhookAddressRefused('unresolvable', 'The webhook host does not resolve.');
      }
    }
    if (addresses.length === 0) throw new WebhookAddressRefused('unresolvable', 'The webhook host does not resolve.');
    if (!this.options.allowInternalAddresses && addresses.some((a) => isInternalAddress(a.address))) {
      throw new WebhookAddressRefused('internal_address', 'The webhook host resolves to an internal address.');
    }
    return addresses[0];
  }
}

/** The webhook address settings of the service's configuration (delivery's WEBHOOK_* variables). */
export interface WebhookAddressSettings {
  WEBHOOK_ALLOW_HTTP?: boolean;
  WEBHOOK_ALLOW_INTERNAL_ADDRESSES?: boolean;
  WEBHOOK_ALLOWED_HOSTS?: string;
}

/**
 * The node's webhook address policy, from its configuration: the one the directory checks a
 * partner's URL with and delivery checks every call with. Settings left out are the strict
 * defaults (https only, external hosts).
 */
export function webhookAddressPolicyOf(config: WebhookAddressSettings): WebhookAddressPolicy {
  return new WebhookAddressPolicy({
    allowHttp: config.WEBHOOK_ALLOW_HTTP ?? false,
    allowInternalAddresses: config.WEBHOOK_ALLOW_INTERNAL_ADDRESSES ?? false,
    allowedHosts: config.WEBHOOK_ALLOWED_HOSTS ? config.WEBHOOK_ALLOWED_HOSTS.split(',') : [],
  });
}
