import net from 'node:net';

/**
 * The peer's address as sessions compare it: the control connection's, a data connection's, an
 * active-mode target's (core/net/ is about this machine's own addresses).
 */

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged (lower-cased). */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower;
}

/** True when two socket addresses name the same host (IPv4-mapped forms compare equal). */
export function sameHost(a: string | undefined, b: string | undefined): boolean {
  return normalizeAddress(a) === normalizeAddress(b) && normalizeAddress(a) !== '';
}
