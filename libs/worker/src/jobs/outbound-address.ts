import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Where the built-in `http` job may connect: public unicast addresses only,
 * unless HTTP_JOB_ALLOW names the host, the address or a CIDR around it.
 * Everything else a worker can reach but the internet cannot — loopback
 * (its own metrics), private and CGNAT networks, link-local (cloud metadata
 * at 169.254.169.254), unique-local, multicast, documentation and reserved
 * ranges — is refused, IPv4-mapped and NAT64/6to4-embedded IPv4 included.
 */

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
type Bytes = Uint8Array;

interface Range {
  readonly bytes: Bytes;
  readonly prefix: number;
}

interface Special extends Range {
  readonly why: string;
}

/** Why `address` is not public, or `undefined` when it is. */
export type Verdict = string | undefined;

const v4 = (cidr: string, why: string): Special => ({ ...parseCidr(cidr), why });
const v6 = v4;

/** IANA's IPv4 special-purpose registry, minus nothing: none of these is a public web server. */
const IPV4_SPECIAL: readonly Special[] = [
  v4('0.0.0.0/8', 'a "this network" address (0.0.0.0 reaches the local host)'),
  v4('10.0.0.0/8', 'a private address (RFC 1918)'),
  v4('100.64.0.0/10', 'a carrier-grade NAT address (RFC 6598)'),
  v4('127.0.0.0/8', 'a loopback address'),
  v4('169.254.0.0/16', 'a link-local address (cloud metadata lives at 169.254.169.254)'),
  v4('172.16.0.0/12', 'a private address (RFC 1918)'),
  v4('192.0.0.0/24', 'an IETF protocol assignment'),
  v4('192.0.2.0/24', 'a documentation address'),
  v4('192.88.99.0/24', 'a 6to4 relay address'),
  v4('192.168.0.0/16', 'a private address (RFC 1918)'),
  v4('198.18.0.0/15', 'a benchmarking address'),
  v4('198.51.100.0/24', 'a documentation address'),
  v4('203.0.113.0/24', 'a documentation address'),
  v4('224.0.0.0/4', 'a multicast address'),
  v4('240.0.0.0/4', 'a reserved address'),
];

/** IPv6 ranges inside the global unicast block 2000::/3 that are still not public. */
const IPV6_SPECIAL: readonly Special[] = [
  v6('2001::/23', 'an IETF protocol assignment (Teredo, benchmarking, ORCHID)'),
  v6('2001:db8::/32', 'a documentation address'),
  v6('3fff::/20', 'a documentation address'),
];
const IPV6_GLOBAL = parseCidr('2000::/3');
const IPV6_OUTSIDE_GLOBAL: readonly Special[] = [
  v6('::/128', 'the unspecified address (reaches the local host)'),
  v6('::1/128', 'a loopback address'),
  v6('fc00::/7', 'a unique-local address'),
  v6('fe80::/10', 'a link-local address'),
  v6('fec0::/10', 'a site-local address'),
  v6('ff00::/8', 'a multicast address'),
  v6('64:ff9b:1::/48', 'a local-use NAT64 address'),
  v6('100::/64', 'a discard-only address'),
];

/** Why a (canonical) IP address is not public; `undefined` for a public one. */
export function nonPublic(address: string): Verdict {
  const bytes = parseIp(address);
  if (bytes === undefined) return 'not an IP address';
  return classify(bytes);
}

function classify(bytes: Bytes): Verdict {
  if (bytes.length === 4) return IPV4_SPECIAL.find((r) => contains(r, bytes))?.why;
  const embedded = embeddedIpv4(bytes);
  if (embedded !== undefined) {
    const why = classify(embedded.address);
    return why === undefined
      ? undefined
      : `${embedded.how} of ${formatIpv4(embedded.address)}, ${why}`;
  }
  const outside = IPV6_OUTSIDE_GLOBAL.find((r) => contains(r, bytes));
  if (outside !== undefined) return outside.why;
  if (!contains(IPV6_GLOBAL, bytes)) return 'not a global unicast address';
  return IPV6_SPECIAL.find((r) => contains(r, bytes))?.why;
}

/** The IPv4 address an IPv6 one stands for: IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4 (2002::/16). */
function embeddedIpv4(bytes: Bytes): { address: Bytes; how: string } | undefined {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff)
    return { address: bytes.slice(12), how: 'the IPv4-mapped form' };
  // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 themselves are classified as IPv6.
  if (zeros(0, 12) && !zeros(12, 15))
    return { address: bytes.slice(12), how: 'the IPv4-compatible form' };
  if (contains(NAT64, bytes)) return { address: bytes.slice(12), how: 'the NAT64 form' };
  if (bytes[0] === 0x20 && bytes[1] === 0x02)
    return { address: bytes.slice(2, 6), how: 'the 6to4 form' };
  return undefined;
}
const NAT64 = parseCidr('64:ff9b::/96');

/**
 * HTTP_JOB_ALLOW, parsed: host names (exact, or `*.example.com` for its
 * subdomains) and addresses or CIDRs. An allowed host name is trusted
 * whatever it resolves to; an allowed address or CIDR admits the addresses
 * it covers whichever name led there.
 */
export class OutboundPolicy {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges: Range[] = [];

  constructor(allow: readonly string[] = []) {
    for (const raw of allow) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const cidr = tryParseCidr(entry);
      if (cidr !== undefined) this.ranges.push(cidr);
      else if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
      else this.names.add(entry.replace(/\.$/, ''));
    }
  }

  /** Whether the URL's host name is allowed by name (not for IP literals: those are addresses). */
  allowsName(hostname: string): boolean {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    return this.names.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Why connecting to `address` is refused, or `undefined` when it may be used. */
  refusal(address: string): Verdict {
    const bytes = parseIp(address);
    if (bytes === undefined) return `'${address}' is not an IP address`;
    const why = classify(bytes);
    if (why === undefined) return undefined;
    const v4 = bytes.length === 16 ? embeddedIpv4(bytes)?.address : undefined;
    if (this.ranges.some((r) => contains(r, bytes) || (v4 !== undefined && contains(r, v4))))
      return undefined;
    return why;
  }

  /**
   * A `lookup` for net/tls.connect that resolves `hostname` once, refuses it
   * when any of its addresses is refused (so a name cannot mix a public and
   * a private answer) and hands the connection exactly the addresses it
   * checked: no second resolution for DNS rebinding to exploit.
   */
  lookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
    return (hostname, options, callback) => {
      resolve(
        hostname,
        { all: true, family: options.family, hints: options.hints, verbatim: true },
        (error, found) => {
          if (error !== null) return callback(error, '', 0);
          const addresses = found as unknown as LookupAddress[];
          if (!this.allowsName(hostname)) {
            for (const { address } of addresses) {
              const why = this.refusal(address);
              if (why !== undefined)
                return callback(new RefusedTarget(hostname, address, why), '', 0);
            }
          }
          if (addresses.length === 0)
            return callback(
              Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
              '',
              0,
            );
          if (options.all === true)
            return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
          return callback(null, addresses[0].address, addresses[0].family);
        },
      );
    };
  }
}

/** The target's address is not one the `http` job may call. */
export class RefusedTarget extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly why: string,
  ) {
    super(
      `${host}${host === address ? '' : ` resolves to ${address}, which`} is ${why}; ` +
        `the http job only calls public addresses unless HTTP_JOB_ALLOW names the host or a CIDR around the address`,
    );
    this.name = 'RefusedTarget';
  }
}

/** A URL's `hostname` as an IP literal (IPv6 brackets removed), or `undefined` for a host name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? undefined : bare;
}

function contains(range: Range, bytes: Bytes): boolean {
  if (range.bytes.length !== bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[i] & mask) !== (bytes[i] & mask)) return false;
  }
  return true;
}

function parseCidr(cidr: string): Range {
  const range = tryParseCidr(cidr);
  if (range === undefined) throw new Error(`not a CIDR: ${cidr}`);
  return range;
}

function tryParseCidr(cidr: string): Range | undefined {
  const [address, prefix, ...rest] = cidr.split('/');
  const bytes = parseIp(address);
  if (bytes === undefined || rest.length > 0) return undefined;
  if (prefix === undefined) return { bytes, prefix: bytes.length * 8 };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bytes.length * 8) return undefined;
  return { bytes, prefix: Number(prefix) };
}

/** An IPv4 or IPv6 address (zone id dropped) as bytes; `undefined` if it is neither. */
export function parseIp(text: string): Bytes | undefined {
  const address = text.split('%')[0];
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return undefined;
  let groups = address.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (tail !== null) {
    const [a, b, c, d] = tail[1].split('.').map(Number);
    groups = `${groups.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = groups.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const all = [...left, ...fill, ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const n = parseInt(group, 16);
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  return bytes;
}

function formatIpv4(bytes: Bytes): string {
  return [...bytes].join('.');
}
