/**
 * Self-signed server certificates for FTPS, made in-process in a few milliseconds.
 *
 * The app shares a folder on the LAN; nobody there has a CA-issued certificate for
 * "192.168.1.23", so the server makes its own and shows its SHA-256 fingerprint for the user
 * to compare with the one the client shows on first connection (trust on first use).
 */
import { isIP } from 'node:net';
import os from 'node:os';
import { domainToASCII } from 'node:url';
import { readNetworkInterfaces } from '../net/interfaces.js';
import { CertificateError } from './certificate-error.js';
import { fingerprint256Der } from './fingerprint.js';
import { toPem } from './pem.js';
import { randomBytes, type webcrypto } from 'node:crypto';

/** Key algorithms a generated certificate can use. */
export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048';

/**
 * The key algorithm of generated certificates: ECDSA on P-256 with SHA-256.
 *
 * Why not RSA-2048, the traditional "works everywhere" choice? Because our TLS policy
 * (tls-policy.ts) already requires TLS 1.2+ with ECDHE and AEAD ciphers, and every client
 * that passes that bar also handles ECDSA P-256 certificates:
 * - FileZilla and lftp (GnuTLS), WinSCP, curl, Python `ssl` (OpenSSL), rclone (Go crypto/tls),
 *   Java 8+ (SunEC) and Android 4.4+ (Conscrypt/BoringSSL, used by Android file managers
 *   through Apache Commons Net) all support ECDHE-ECDSA with AES-GCM and P-256.
 * - Old Windows is the one place where the choice cuts the other way: Schannel on Windows 7
 *   and 8.1 (before later updates) offers AES-GCM with ECDHE only for ECDSA certificates
 *   (ECDHE-RSA-AES-GCM came with Windows 10), so with our AEAD-only cipher list an RSA
 *   certificate would leave those machines with no common cipher. Windows XP speaks neither
 *   TLS 1.2 nor ECDSA and is out either way; Explorer and `ftp.exe` do not speak FTPS at all.
 * - Generation takes a few milliseconds instead of ~100 ms (or, unluckily, several hundred)
 *   for RSA, and handshakes are cheaper for the server.
 * A client stuck on RSA-only can still be served: `algorithm: 'rsa-2048'` remains available.
 */
export const defaultKeyAlgorithm: KeyAlgorithm = 'ecdsa-p256';

/** Default lifetime of a generated certificate (days). */
export const defaultValidityDays = 365;

/** Longest lifetime accepted (days): ten years is already far beyond any sensible renewal. */
const maxValidityDays = 3650;

/**
 * How far back notBefore is set (ms): a phone whose clock runs a few minutes behind the PC's
 * would otherwise reject a certificate made a moment ago as "not yet valid".
 */
const clockSkewMs = 60 * 60 * 1000;

/** RFC 5280's upper bound for a common name (ub-common-name). */
const maxCommonNameLength = 64;

/** What to put in a generated certificate. Every field is optional. */
export interface GenerateCertificateOptions {
  /** Subject common name; defaults to `os.hostname()`. */
  commonName?: string;
  /** Extra DNS names for the SAN list (the host name and `localhost` are always there). */
  hostNames?: string[];
  /** IP addresses for the SAN list; defaults to {@link localIpAddresses}. Replaces the default when given. */
  ipAddresses?: string[];
  /** Lifetime in days from now; defaults to 365. */
  validityDays?: number;
  /** Key algorithm; defaults to {@link defaultKeyAlgorithm}. */
  algorithm?: KeyAlgorithm;
  /** The clock, for tests that need a certificate from the past or the future. */
  now?: Date;
}

/** A freshly generated certificate and its key. */
export interface GeneratedCertificate {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PKCS#8 PEM (unencrypted). */
  key: string;
  /** SHA-256 fingerprint of the certificate, `AB:CD:…`. */
  fingerprint256: string;
  /** When the certificate expires. */
  notAfter: Date;
  /** The subject alternative names, as `DNS:name` and `IP:address`. */
  subjectAltNames: string[];
}

/**
 * The addresses a LAN client may use to reach this machine: every non-internal IPv4 and IPv6
 * address of every interface, plus 127.0.0.1 and ::1.
 *
 * IPv6 link-local addresses are included (a client may well connect through them); their
 * zone (`%eth0`) is not part of the address and cannot be in a certificate.
 */
export function localIpAddresses(): string[] {
  const found: string[] = [];
  // Where the OS refuses to list interfaces, a certificate for the loopback addresses still beats none.
  for (const addresses of Object.values(readNetworkInterfaces())) {
    for (const info of addresses ?? []) {
      if (!info.internal) found.push(info.address);
    }
  }
  return unique([...found, '127.0.0.1', '::1'].map(normaliseIp));
}

/**
 * Generates a self-signed server certificate and its private key.
 *
 * The certificate has a random positive 128-bit serial, keyUsage digitalSignature (plus
 * keyEncipherment for RSA), extKeyUsage serverAuth, basicConstraints CA:false, a subject key
 * identifier, and SANs: DNS for the host name (and `host.local` when the name has no dot, for
 * mDNS), `localhost` and `hostNames`; IP for every address. It is valid from an hour ago (clock
 * skew) for `validityDays`.
 * @throws CertificateError `invalid-option` for a bad IP address, host name or validity
 */
export async function generateCertificate(options: GenerateCertificateOptions = {}): Promise<GeneratedCertificate> {
  const now = options.now ?? new Date();
  const validityDays = options.validityDays ?? defaultValidityDays;
  if (!Number.isFinite(validityDays) || validityDays <= 0 || validityDays > maxValidityDays) {
    throw new CertificateError('invalid-option', `validityDays must be between 1 and ${maxValidityDays}, not ${validityDays}.`);
  }
  const algorithm = options.algorithm ?? defaultKeyAlgorithm;
  const params = algorithmParams(algorithm);

  const hostName = os.hostname();
  const commonName = (options.commonName ?? hostName).trim().slice(0, maxCommonNameLength) || 'localhost';
  const { dnsNames, ipAddresses } = subjectAltNameLists(hostName, options.hostNames ?? [], options.ipAddresses);
  const subjectAltNames = [...dnsNames.map((name) => `DNS:${name}`), ...ipAddresses.map((ip) => `IP:${ip}`)];

  // Loaded here, not at start-up: see pem-check.ts on what merely loading it costs a server.
  const { x509, webcrypto } = await import('./x509.js');
  const keys = (await webcrypto.subtle.generateKey(params.generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now.getTime() - clockSkewMs),
    notAfter: new Date(now.getTime() + validityDays * 24 * 3600 * 1000),
    signingAlgorithm: params.sign,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(params.keyUsage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      // Non-critical because the subject is not empty (RFC 5280, 4.2.1.6).
      new x509.SubjectAlternativeNameExtension(
        [
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
        ],
        false,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const der = new Uint8Array(certificate.rawData);
  return {
    cert: toPem('CERTIFICATE', der),
    key: toPem('PRIVATE KEY', new Uint8Array(pkcs8)),
    fingerprint256: fingerprint256Der(der),
    notAfter: certificate.notAfter,
    subjectAltNames,
  };
}

/** X.509 key usage bits, as @peculiar/x509's KeyUsageFlags numbers them (RFC 5280, 4.2.1.3). */
const KEY_USAGE_DIGITAL_SIGNATURE = 1;
const KEY_USAGE_KEY_ENCIPHERMENT = 4;

interface AlgorithmParams {
  generate: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
  sign: webcrypto.EcdsaParams | webcrypto.Algorithm;
  keyUsage: number;
}

function algorithmParams(algorithm: KeyAlgorithm): AlgorithmParams {
  switch (algorithm) {
    case 'ecdsa-p256':
      return {
        generate: { name: 'ECDSA', namedCurve: 'P-256' },
        sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
        keyUsage: KEY_USAGE_DIGITAL_SIGNATURE,
      };
    case 'rsa-2048':
      return {
        // PKCS#1 v1.5 signatures rather than PSS: every client verifies them.
        generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm,
        // keyEncipherment: TLS 1.2 RSA key exchange would need it; harmless with ECDHE.
        keyUsage: KEY_USAGE_DIGITAL_SIGNATURE | KEY_USAGE_KEY_ENCIPHERMENT,
      };
    default:
      throw new CertificateError('invalid-option', `Unknown key algorithm "${String(algorithm)}"; use ecdsa-p256 or rsa-2048.`);
  }
}

/**
 * A random positive serial of 16 bytes: CA/Browser rules ask for at least 64 random bits,
 * and a fresh serial keeps clients that cache certificates by issuer+serial (Firefox's NSS)
 * from confusing two generations of our certificate.
 */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01; // high bit clear: positive; non-zero: full length
  return bytes.toString('hex');
}

function subjectAltNameLists(
  hostName: string,
  extraHostNames: string[],
  ipOption: string[] | undefined,
): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const machineName = toDnsName(hostName);
  if (machineName) {
    dnsNames.push(machineName);
    // A bare name like "my-pc" is also reachable as "my-pc.local" through mDNS (macOS, avahi).
    if (!machineName.includes('.')) dnsNames.push(`${machineName}.local`);
  }
  dnsNames.push('localhost');
  for (const name of extraHostNames) {
    // An address given as a host name belongs in the IP list, where clients look for it.
    if (isIP(stripZone(name))) {
      ipAddresses.push(normaliseIp(name));
      continue;
    }
    const dns = toDnsName(name);
    if (!dns) throw new CertificateError('invalid-option', `"${name}" is not a valid host name.`);
    dnsNames.push(dns);
  }
  for (const address of ipOption ?? localIpAddresses()) {
    if (!isIP(stripZone(address))) throw new CertificateError('invalid-option', `"${address}" is not a valid IP address.`);
    ipAddresses.push(normaliseIp(address));
  }
  return { dnsNames: unique(dnsNames), ipAddresses: unique(ipAddresses) };
}

/**
 * A host name as it must appear in a dNSName (an IA5String): lowercase ASCII, international
 * names in punycode. Returns undefined for names that are not host names.
 */
function toDnsName(name: string): string | undefined {
  const trimmed = name.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253 || /[\s/\\:@]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed);
  return ascii === '' ? undefined : ascii.toLowerCase();
}

function stripZone(address: string): string {
  return address.trim().replace(/%.*$/, '');
}

function normaliseIp(address: string): string {
  return stripZone(address).toLowerCase();
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
