/**
 * The TLS settings of the FTPS server, in one place.
 *
 * Modern but not exotic: TLS 1.2 and 1.3, forward secrecy and AEAD only (close to Mozilla's
 * "intermediate" profile without the DHE suites). Every FTPS client we care about (FileZilla,
 * WinSCP, curl, lftp, rclone, Python, Java 8+, Android 5+) meets it; TLS 1.0/1.1 and CBC
 * suites are left out because the clients that need them are a decade out of support.
 */
import type { SecureContextOptions } from 'node:tls';

/**
 * TLS 1.2 suites, best first: ECDHE only (forward secrecy), AES-GCM and ChaCha20-Poly1305 only
 * (no CBC padding oracles). AES-128 before AES-256 (as good, cheaper); ChaCha20 for phones
 * without AES instructions. ECDSA and RSA variants so a user's own RSA certificate works too.
 */
const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/**
 * TLS 1.3 suites (all three are AEAD). Node reads TLS 1.3 suites from the same `ciphers`
 * string (names starting with `TLS_`); listing them keeps TLS 1.3 on, whatever a Node
 * version does with a list that names none.
 */
const tls13Ciphers = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** The secure-context settings every FTPS listener uses (certificate aside). */
export const tlsPolicy = {
  /** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: [...tls13Ciphers, ...tls12Ciphers].join(':'),
  /** Our order, not the client's: old clients sometimes list weaker suites first. */
  honorCipherOrder: true,
  /**
   * Key-exchange groups: OpenSSL's default list (X25519 first, then P-256, P-384…), which
   * also picks up hybrid post-quantum groups when Node ships an OpenSSL that has them.
   */
  ecdhCurve: 'auto',
} as const satisfies SecureContextOptions;

/** What {@link buildSecureContextOptions} needs. */
export interface SecureContextInput {
  /** Server certificate, PEM (its chain may follow). */
  cert: string;
  /** Private key, PEM, unencrypted. */
  key: string;
  /** CA certificates (PEM) that client certificates must chain to; enables mutual TLS. */
  clientCa?: string;
}

/** The options for `tls.createServer`/`tls.createSecureContext`, and the client-certificate settings. */
export interface SecureContextSettings {
  /** Certificate, key and policy, for `tls.createSecureContext` or `tls.createServer`. */
  contextOptions: SecureContextOptions;
  /** Ask the client for a certificate (true only with `clientCa`). */
  requestCert: boolean;
  /** Refuse clients without a certificate from `clientCa` (true only with `clientCa`). */
  rejectUnauthorized: boolean;
}

/**
 * Builds the secure-context options for the FTPS server from a certificate and key.
 *
 * `requestCert`/`rejectUnauthorized` are returned apart because they belong to the server or
 * socket (`tls.createServer`, `new TLSSocket`), not to a secure context; with `clientCa` the
 * server asks for and requires a client certificate issued by it.
 */
export function buildSecureContextOptions(input: SecureContextInput): SecureContextSettings {
  const mutual = input.clientCa !== undefined && input.clientCa.trim() !== '';
  const contextOptions: SecureContextOptions = { ...tlsPolicy, cert: input.cert, key: input.key };
  if (mutual) contextOptions.ca = input.clientCa;
  return { contextOptions, requestCert: mutual, rejectUnauthorized: mutual };
}
