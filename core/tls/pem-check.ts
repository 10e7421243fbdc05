/**
 * Reading and checking a certificate and key pair before the server uses them.
 *
 * A user-supplied pair fails in many ways (wrong file, swapped files, passphrase, expired, key
 * of another certificate). TLS would fail too, but with "error:0A000086:SSL routines::…" on
 * the first client's connection; here each problem becomes a CertificateError with a code and
 * one line the user can act on, before the server starts.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { CertificateError } from './certificate-error.js';
import { fingerprint256Der } from './fingerprint.js';
import { describeNonPem, parsePemBlocks, type PemBlock } from './pem.js';

/** Largest certificate or key file read (bytes); a longer chain than this is not a chain. */
const maxFileBytes = 1024 * 1024;

/** Minimum RSA modulus: current OpenSSL, Go and Java releases refuse shorter keys. */
const minRsaBits = 2048;

/** EC curves TLS clients accept for a server certificate (RFC 8446 and 8422). */
const tlsCurves = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** One certificate of a chain, described for the user. */
export interface ChainCertificate {
  /** Subject, RFC 4514 form (`CN=example, O=Org`). */
  subject: string;
  /** Issuer, RFC 4514 form. */
  issuer: string;
  /** Whether it is signed by its own key (a root, or our generated certificate). */
  selfSigned: boolean;
  /** Start of validity. */
  notBefore: Date;
  /** End of validity. */
  notAfter: Date;
  /** SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint256: string;
}

/** A certificate and key that passed every check. */
export interface CheckedCertificate {
  /** The certificate text as given (the server certificate first, then its chain). */
  cert: string;
  /** The key text as given. */
  key: string;
  /** SHA-256 fingerprint of the server certificate. */
  fingerprint256: string;
  /** Start of the server certificate's validity. */
  notBefore: Date;
  /** End of the server certificate's validity. */
  notAfter: Date;
  /** The server certificate's subject alternative names, as `DNS:name` and `IP:address`. */
  subjectAltNames: string[];
  /** Key type and size, e.g. `ec prime256v1` or `rsa 2048`. */
  keyType: string;
  /** Every certificate of the file, the server certificate first. */
  chain: ChainCertificate[];
  /** Problems that do not stop the server but are worth showing (chain order, old intermediates). */
  warnings: string[];
}

/** How the files are named in messages. */
interface Names {
  cert: string;
  key: string;
}

const defaultNames: Names = { cert: 'the certificate', key: 'the private key' };

/**
 * Checks that a PEM certificate (optionally followed by its chain) and a PEM private key can
 * serve TLS together.
 *
 * Verifies, in this order: the certificate text holds parseable certificates; the key text holds
 * an unencrypted private key of a type TLS can use; the key belongs to the first certificate;
 * that certificate is valid at `now`. Reports the chain (subject, issuer, self-signed) and
 * warnings for an out-of-order chain or an expired chain certificate.
 * @throws CertificateError with codes `not-pem`, `invalid-certificate`, `invalid-key`,
 *   `encrypted-key`, `unsupported-key`, `weak-key`, `key-mismatch`, `expired`, `not-yet-valid`
 */
export function checkCertificatePair(certPem: string, keyPem: string, now: Date = new Date()): CheckedCertificate {
  return checkPair(certPem, keyPem, now, defaultNames);
}

/**
 * Reads a certificate file and a key file (they may be the same file) and checks them with
 * {@link checkCertificatePair}; messages name the files.
 * @throws CertificateError `unreadable` when a file cannot be read, else as checkCertificatePair
 */
export async function loadCertificateFiles(certFile: string, keyFile: string, now: Date = new Date()): Promise<CheckedCertificate> {
  const [certText, keyText] = await Promise.all([readPemFile(certFile, 'certificate'), readPemFile(keyFile, 'key')]);
  return checkPair(certText, keyText, now, {
    cert: `the certificate file ${certFile}`,
    key: `the key file ${keyFile}`,
  });
}

/**
 * Reads a small text file with async I/O, turning failures into `unreadable` errors.
 * @param what `certificate` or `key`, for the message
 */
export async function readPemFile(file: string, what: 'certificate' | 'key'): Promise<string> {
  const fail = (reason: string, cause?: unknown): CertificateError =>
    new CertificateError('unreadable', `Cannot read the ${what} file ${file}: ${reason}.`, cause);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (error) {
    throw fail(describeFsError(error), error);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw fail('it is a folder, not a file');
    if (stat.size > maxFileBytes) throw fail(`it is too large (${stat.size} bytes) to be a ${what}`);
    const data = await handle.readFile();
    // A binary file read as UTF-8 would still be searched for PEM blocks and found to have
    // none; keep the bytes' first value visible to describeNonPem through latin1.
    return data.includes('-----BEGIN') ? data.toString('utf8') : data.toString('latin1');
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw fail(describeFsError(error), error);
  } finally {
    await handle.close();
  }
}

function checkPair(certPem: string, keyPem: string, now: Date, names: Names): CheckedCertificate {
  const certificates = parseCertificates(certPem, names);
  const privateKey = parsePrivateKey(keyPem, names);
  const keyType = checkKeyType(privateKey, names);
  const leaf = certificates[0]!;

  if (!leaf.node.checkPrivateKey(privateKey)) {
    const matching = certificates.findIndex((entry) => entry.node.checkPrivateKey(privateKey));
    throw new CertificateError(
      'key-mismatch',
      matching > 0
        ? `${capitalise(names.key)} belongs to certificate #${matching + 1} (${subjectOf(certificates[matching]!.node)}) of ${names.cert}, not the first one; put the server certificate first.`
        : `${capitalise(names.key)} does not belong to ${names.cert} (${subjectOf(leaf.node)}); use the key that was created with this certificate.`,
    );
  }

  const { notBefore, notAfter } = validityOf(leaf.node);
  const validity = `valid from ${formatDate(notBefore)} to ${formatDate(notAfter)}`;
  if (now.getTime() < notBefore.getTime()) {
    throw new CertificateError(
      'not-yet-valid',
      `${capitalise(names.cert)} is not valid yet (${validity}); check this computer's date and time.`,
    );
  }
  if (now.getTime() > notAfter.getTime()) {
    throw new CertificateError('expired', `${capitalise(names.cert)} has expired (${validity}); renew or regenerate it.`);
  }

  const chain = certificates.map(describe);
  return {
    cert: certPem,
    key: keyPem,
    fingerprint256: chain[0]!.fingerprint256,
    notBefore,
    notAfter,
    subjectAltNames: subjectAltNames(leaf.node),
    keyType,
    chain,
    warnings: chainWarnings(certificates, now),
  };
}

interface ParsedCertificate {
  node: X509Certificate;
  der: Buffer;
}

function parseCertificates(certPem: string, names: Names): ParsedCertificate[] {
  const blocks = parsePemBlocks(certPem);
  const certBlocks = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (certBlocks.length === 0) {
    const hint = blocks.some((block) => block.label.endsWith('PRIVATE KEY'))
      ? 'it holds a private key; were the certificate and key files swapped?'
      : describeNonPem(certPem, 'CERTIFICATE');
    throw new CertificateError('not-pem', `${capitalise(names.cert)} holds no PEM certificate: ${hint}.`);
  }
  return certBlocks.map((block, index) => {
    try {
      return { node: new X509Certificate(block.der), der: block.der };
    } catch (error) {
      const which = certBlocks.length > 1 ? `certificate #${index + 1} of ${names.cert}` : names.cert;
      throw new CertificateError('invalid-certificate', `${capitalise(which)} is damaged: it is not a valid X.509 certificate.`, error);
    }
  });
}

function parsePrivateKey(keyPem: string, names: Names): KeyObject {
  const blocks = parsePemBlocks(keyPem);
  const block = blocks.find((candidate) => candidate.label.endsWith('PRIVATE KEY'));
  if (!block) {
    const hint = blocks.some((candidate) => candidate.label === 'CERTIFICATE')
      ? 'it holds a certificate; were the certificate and key files swapped?'
      : describeNonPem(keyPem, 'PRIVATE KEY');
    throw new CertificateError('not-pem', `${capitalise(names.key)} holds no PEM private key: ${hint}.`);
  }
  if (isEncrypted(block)) throw encryptedKeyError(names);
  try {
    return createPrivateKey({ key: block.pem, format: 'pem' });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') throw encryptedKeyError(names, error);
    // OpenSSL's own message is kept as the cause, never shown: it is no help to a user.
    throw new CertificateError('invalid-key', `${capitalise(names.key)} is damaged: it is not a valid private key.`, error);
  }
}

function isEncrypted(block: PemBlock): boolean {
  // PKCS#8 "ENCRYPTED PRIVATE KEY", or the legacy OpenSSL form with a Proc-Type header.
  return block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '');
}

function encryptedKeyError(names: Names, cause?: unknown): CertificateError {
  return new CertificateError(
    'encrypted-key',
    `${capitalise(names.key)} is protected by a passphrase; the server cannot ask for it, so save an unprotected copy (openssl pkey -in key.pem -out plain-key.pem) and keep it private.`,
    cause,
  );
}

/** Refuses key types and sizes a TLS client would refuse; returns e.g. `ec prime256v1`. */
function checkKeyType(key: KeyObject, names: Names): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < minRsaBits) {
        throw new CertificateError('weak-key', `${capitalise(names.key)} is a ${bits}-bit RSA key; clients refuse keys under ${minRsaBits} bits, so use a new certificate.`);
      }
      return `${type} ${bits}`;
    }
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      if (!tlsCurves.has(curve)) {
        throw new CertificateError('unsupported-key', `${capitalise(names.key)} uses the EC curve ${curve}, which TLS clients do not accept; use P-256 or P-384.`);
      }
      return `ec ${curve}`;
    }
    case 'ed25519':
    case 'ed448':
      return type;
    default:
      throw new CertificateError('unsupported-key', `${capitalise(names.key)} is a ${type} key, which cannot sign for TLS; use an ECDSA (P-256) or RSA key.`);
  }
}

function describe(entry: ParsedCertificate): ChainCertificate {
  return {
    subject: distinguishedName(entry.node.subject),
    issuer: distinguishedName(entry.node.issuer),
    selfSigned: isSelfSigned(entry.node),
    ...validityOf(entry.node),
    fingerprint256: fingerprint256Der(entry.der),
  };
}

function isSelfSigned(certificate: X509Certificate): boolean {
  return isIssuedBy(certificate, certificate);
}

/**
 * Whether `issuer` signed `certificate`: names match and the signature verifies.
 * Not `X509Certificate.checkIssued`, which also demands keyCertSign in the issuer's keyUsage
 * and so calls a self-signed server certificate (digitalSignature only) not self-issued.
 */
function isIssuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.issuer === issuer.subject && certificate.verify(issuer.publicKey);
  } catch {
    return false; // a key type OpenSSL cannot verify with: not provably issued
  }
}

function chainWarnings(certificates: ParsedCertificate[], now: Date): string[] {
  const warnings: string[] = [];
  certificates.forEach((entry, index) => {
    if (index === 0) return;
    const previous = certificates[index - 1]!;
    if (!isIssuedBy(previous.node, entry.node)) {
      warnings.push(`Certificate #${index + 1} (${subjectOf(entry.node)}) did not issue certificate #${index} (${subjectOf(previous.node)}); clients expect the chain in order, server certificate first.`);
    }
    const { notBefore, notAfter } = validityOf(entry.node);
    if (now.getTime() > notAfter.getTime() || now.getTime() < notBefore.getTime()) {
      warnings.push(`Chain certificate #${index + 1} (${subjectOf(entry.node)}) is not valid now (valid from ${formatDate(notBefore)} to ${formatDate(notAfter)}).`);
    }
  });
  return warnings;
}

/*
 * The readers below use Node's own X509Certificate rather than @peculiar/x509, which is only
 * loaded to generate a certificate (see certificates.ts): a process that had merely loaded that
 * library ran a full garbage collection every ~60 ms while it received an upload (measured:
 * 33 mark-compacts per GiB against 1; the server's CPU per GB uploaded fell from ~3 s to ~1.8 s).
 */

/** `CN=a, O=b`: Node prints one attribute per line. */
function distinguishedName(text: string): string {
  return text.split('\n').join(', ');
}

function subjectOf(certificate: X509Certificate): string {
  return distinguishedName(certificate.subject);
}

function validityOf(certificate: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
}

/**
 * The subject alternative names as `DNS:name` / `IP:address` (IPv6 compressed, as typed).
 * Node lists them as `DNS:a, IP Address:1.2.3.4`, quoting a value that holds a comma as JSON.
 */
function subjectAltNames(certificate: X509Certificate): string[] {
  const names: string[] = [];
  for (const match of (certificate.subjectAltName ?? '').matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const type = match[1]!;
    const value = match[2]!.startsWith('"') ? (JSON.parse(match[2]!) as string) : match[2]!;
    if (type === 'IP Address') names.push(`IP:${value.includes(':') ? new URL(`http://[${value}]`).hostname.slice(1, -1) : value}`);
    else names.push(`${type}:${value}`);
  }
  return names;
}

function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return (error as NodeJS.ErrnoException).code ?? 'unknown error';
  }
}

/** `2026-01-31 12:00:00 UTC`: unambiguous for every locale, and what a log needs. */
export function formatDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
