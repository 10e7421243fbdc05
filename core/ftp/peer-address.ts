import net from 'node:net';

/** Address helpers for the control and data channels. */

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

/** Parses PORT's `h1,h2,h3,h4,p1,p2`; undefined when malformed. */
export function parsePortArgument(argument: string): { host: string; port: number } | undefined {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p.trim()))) return undefined;
  const numbers = parts.map((p) => Number(p.trim()));
  if (numbers.some((n) => n > 255)) return undefined;
  const port = numbers[4]! * 256 + numbers[5]!;
  if (port === 0) return undefined;
  return { host: numbers.slice(0, 4).join('.'), port };
}

/** Result of parsing EPRT's `|proto|address|port|`. */
export type EprtResult =
  | { ok: true; host: string; port: number; family: 4 | 6 }
  | { ok: false; reason: 'syntax' | 'protocol' };

/** Parses EPRT (RFC 2428): the first character is the delimiter. */
export function parseEprtArgument(argument: string): EprtResult {
  const text = argument.trim();
  const delimiter = text[0];
  if (!delimiter || delimiter.charCodeAt(0) < 33 || delimiter.charCodeAt(0) > 126) return { ok: false, reason: 'syntax' };
  const parts = text.split(delimiter);
  // ['', proto, address, port, '']
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return { ok: false, reason: 'syntax' };
  const [, proto, host, portText] = parts as [string, string, string, string];
  if (proto !== '1' && proto !== '2') return /^\d+$/.test(proto) ? { ok: false, reason: 'protocol' } : { ok: false, reason: 'syntax' };
  if (!/^\d{1,5}$/.test(portText)) return { ok: false, reason: 'syntax' };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, reason: 'syntax' };
  const family = proto === '1' ? 4 : 6;
  if (family === 4 ? !net.isIPv4(host) : !net.isIPv6(host)) return { ok: false, reason: 'syntax' };
  return { ok: true, host, port, family };
}

/** Parses EPSV's optional argument: '' (any), '1', '2', or 'ALL'. */
export function parseEpsvArgument(argument: string): { kind: 'all' } | { kind: 'open'; family?: 4 | 6 } | { kind: 'protocol' } | { kind: 'syntax' } {
  const text = argument.trim().toUpperCase();
  if (text === '') return { kind: 'open' };
  if (text === 'ALL') return { kind: 'all' };
  if (text === '1') return { kind: 'open', family: 4 };
  if (text === '2') return { kind: 'open', family: 6 };
  return /^\d+$/.test(text) ? { kind: 'protocol' } : { kind: 'syntax' };
}
