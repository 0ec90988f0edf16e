import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from './errors.js';

/**
 * The one gate every user-supplied outbound URL goes through (JWKS now, webhooks later): a scheme
 * allow-list, no credentials in the URL, no private, loopback, link-local or otherwise special
 * addresses unless explicitly allowed, and no redirects. The address check runs again at connect
 * time on the addresses DNS actually returned, so a name that resolves to a public address when
 * checked and to 127.0.0.1 when fetched (DNS rebinding) is still refused.
 */
export interface OutboundPolicy {
  /** Lowercase schemes without the colon. Default: https only. */
  schemes?: readonly string[];
  /** Allows loopback, private (RFC 1918, ULA), link-local and other non-public ranges. */
  allowPrivateNetworks?: boolean;
}

const PUBLIC_RANGE = 'unicast';

export class OutboundUrlError extends AppError {
  constructor(detail: string) {
    super('OUTBOUND_URL_REFUSED', detail);
  }
}

/** Checks the URL's form (not its addresses); returns the parsed URL. */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy = {}): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('not an absolute URL');
  }
  const schemes = policy.schemes ?? ['https'];
  const scheme = url.protocol.slice(0, -1);
  if (!schemes.includes(scheme)) {
    throw new OutboundUrlError(`scheme '${scheme}' is not allowed (allowed: ${schemes.join(', ')})`);
  }
  if (url.username || url.password) throw new OutboundUrlError('credentials in URLs are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) checkAddress(host, policy);
  return url;
}

/** Throws unless the address is public (or private networks are allowed). */
export function checkAddress(address: string, policy: OutboundPolicy = {}): void {
  if (policy.allowPrivateNetworks) return;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range !== PUBLIC_RANGE) {
    throw new OutboundUrlError(
      `address ${address} is in a ${range} range; only public addresses are allowed`,
    );
  }
}

function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      try {
        for (const a of addresses) checkAddress(a.address, policy);
      } catch (refused) {
        return callback(refused as Error, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

export interface SafeFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Largest response body read, in bytes. Default 1 MiB. */
  maxBytes?: number;
}

/**
 * A fetch for user-supplied URLs: checks the URL and every resolved address, never follows a
 * redirect (a 3xx comes back as it is), caps the response size. Returns a WHATWG Response so it
 * can stand in for `fetch` (jose's customFetch).
 */
export async function safeFetch(
  raw: string,
  policy: OutboundPolicy,
  options: SafeFetchOptions = {},
): Promise<Response> {
  const url = checkOutboundUrl(raw, policy);
  const maxBytes = options.maxBytes ?? 1_048_576;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        lookup: guardedLookup(policy),
        signal: options.signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(new OutboundUrlError(`response from ${url.host} exceeds ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === 'string') headers.set(k, v);
            else if (Array.isArray(v)) for (const item of v) headers.append(k, item);
          }
          const status = res.statusCode ?? 502;
          const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers }));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Adapts safeFetch to the `fetch` signature (for jose's customFetch). */
export function fetchWithPolicy(
  policy: OutboundPolicy,
): (url: string, init: RequestInit) => Promise<Response> {
  return (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    return safeFetch(url, policy, {
      method: init.method ?? 'GET',
      headers,
      ...(init.signal ? { signal: init.signal } : {}),
    });
  };
}
