/**
 * Certificate fingerprints in the form users compare by eye.
 */
import { createHash } from 'node:crypto';
import { CertificateError } from './certificate-error.js';
import { describeNonPem, parsePemBlocks } from './pem.js';

/**
 * Formats a digest as uppercase hex pairs joined by colons (`AB:CD:…`).
 *
 * This is the form OpenSSL, FileZilla, WinSCP and Node's `X509Certificate.fingerprint256`
 * print, so a user can compare what the app shows with what the client shows.
 */
export function formatFingerprint(digest: Uint8Array): string {
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** SHA-256 fingerprint of one DER-encoded certificate, as `AB:CD:…`. */
export function fingerprint256Der(der: Uint8Array): string {
  return formatFingerprint(createHash('sha256').update(der).digest());
}

/**
 * SHA-256 fingerprint of a PEM certificate, as `AB:CD:…` (64 hex digits).
 *
 * Hashes the DER of the first CERTIFICATE block, so for a chain it is the server (leaf)
 * certificate's fingerprint; this equals `openssl x509 -noout -fingerprint -sha256`.
 * @throws CertificateError `not-pem` when the text holds no certificate block
 */
export function fingerprint256(certPem: string): string {
  const first = parsePemBlocks(certPem).find((block) => block.label === 'CERTIFICATE');
  if (!first) throw new CertificateError('not-pem', `No PEM certificate found: ${describeNonPem(certPem, 'CERTIFICATE')}.`);
  return fingerprint256Der(first.der);
}
