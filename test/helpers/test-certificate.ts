/**
 * One self-signed certificate per test process, and the server's `tls` options built from it.
 */
import { generateCertificate, type GeneratedCertificate } from '../../core/tls/index.js';
import type { TlsOptions } from '../../core/ftp/options.js';

let certificate: Promise<GeneratedCertificate> | undefined;

/** A self-signed certificate for 127.0.0.1, ::1 and localhost, made once per test file (process). */
export function testCertificate(): Promise<GeneratedCertificate> {
  certificate ??= generateCertificate({ ipAddresses: ['127.0.0.1', '::1'], hostNames: ['localhost'] });
  return certificate;
}

/** The server's `tls` options for a mode, with the test certificate. */
export async function tlsOptions(mode: 'explicit' | 'implicit', extra: Partial<TlsOptions> = {}): Promise<TlsOptions> {
  const { cert, key } = await testCertificate();
  return { mode, cert, key, ...extra };
}
