/**
 * The web host's access token: 32 random bytes, base64url, compared in constant time.
 *
 * The token is the only thing between any local process or web page and the share's controls,
 * so it is long, never logged by the host, and compared without leaking its prefix by timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Name of the cookie that carries the token after the first page load. */
export const TOKEN_COOKIE = 'ftp_share_token';

/** A fresh token: 32 random bytes as base64url (43 characters). */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `given` equals `expected`, in constant time (hashing first, so lengths don't leak). */
export function tokensEqual(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The value of one cookie in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
