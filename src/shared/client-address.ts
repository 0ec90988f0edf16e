import ipaddr from 'ipaddr.js';

/** Names proxy-addr (Fastify's trustProxy) accepts for ranges of addresses. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `MODELGATE_TRUST_PROXY` → the list Fastify's `trustProxy` takes: addresses, CIDR ranges or range
 * names, comma-separated. Empty → [] (no proxy trusted: X-Forwarded-For is ignored). Throws naming
 * the first entry that is none of these, so a typo cannot silently trust nothing (or everything).
 *
 * Example: `"10.0.0.0/8, loopback"` → `["10.0.0.0/8", "loopback"]`.
 */
export function parseTrustedProxies(value: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!RANGE_NAMES.has(entry) && !ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry)) {
      throw new Error(`'${entry}' is not an address, a CIDR range or one of ${[...RANGE_NAMES].join(', ')}`);
    }
  }
  return entries;
}

/**
 * The key a client address is counted under: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4 form), an IPv6 address by its /64, the smallest block a single host is
 * usually given, so one host cannot rotate through its 2^64 addresses to escape a limit.
 *
 * Examples: `::ffff:203.0.113.7` → `203.0.113.7`; `2001:db8:1:2:a:b:c:d` → `2001:db8:1:2::/64`.
 */
export function clientKey(ip: string): string {
  let key = keys.get(ip);
  if (key === undefined) {
    key = computeClientKey(ip);
    // a full memo starts over: bounded however many addresses a client rotates through
    if (keys.size >= MEMO_SIZE) keys.clear();
    keys.set(ip, key);
  }
  return key;
}

/**
 * Keys of the addresses seen lately. Every authenticated request asks (failed-authentication
 * throttle, rate limit): parsing the address each time allocated ~550 bytes per request.
 */
const keys = new Map<string, string>();
const MEMO_SIZE = 4096;

function computeClientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}
