/**
 * A fresh Idempotency-Key header value for one action: an RFC 8941 sf-string holding a random
 * UUID, as the API expects (`Idempotency-Key: "8e03978e-…"`). crypto.randomUUID exists only in
 * secure contexts (HTTPS, localhost); getRandomValues exists everywhere, so the UUID is built
 * from it (version 4, RFC 9562 §5.4).
 */
export function newIdempotencyKey(random: (bytes: Uint8Array) => Uint8Array): string {
  const b = random(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `"${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}"`;
}
