/**
 * The app's own certificate: kept in the user's config folder, reused across runs, renewed
 * when it nears expiry.
 *
 * Reuse matters more than it seems: clients remember the fingerprint they accepted (FileZilla's
 * trusted certificates, WinSCP's host keys), so a new certificate on every start would make
 * users click through a warning every time, and train them to click through it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CertificateError, isCertificateError } from './certificate-error.js';
import { generateCertificate, type GenerateCertificateOptions } from './certificates.js';
import { loadCertificateFiles } from './pem-check.js';
import { defaultConfigDir } from '../config-dir.js';

/** File name of the stored certificate. */
export const certificateFileName = 'ftp-share-cert.pem';

/** File name of the stored private key. */
export const keyFileName = 'ftp-share-key.pem';

/** A stored certificate is replaced once it has fewer days than this left. */
export const defaultRenewWithinDays = 7;

/** Options of {@link ensureCertificate}: generation options, plus when to renew. */
export interface EnsureCertificateOptions extends GenerateCertificateOptions {
  /** Replace the stored certificate when it expires within this many days (default 7). */
  renewWithinDays?: number;
}

/** The certificate the server should use, and where it lives. */
export interface StoredCertificate {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PEM. */
  key: string;
  /** SHA-256 fingerprint of the certificate, `AB:CD:…`, to show the user. */
  fingerprint256: string;
  /** When the certificate expires. */
  notAfter: Date;
  /** Whether it was made now (false: loaded from disk). */
  generated: boolean;
  /** Why a new one was made, e.g. "the saved certificate has expired", for the log. */
  reason?: string;
  /** Absolute path of the certificate file. */
  certPath: string;
  /** Absolute path of the key file. */
  keyPath: string;
}

/**
 * The folder for the app's certificate: `<config dir>/certificates`.
 *
 * The config dir is `$XDG_CONFIG_HOME/ftp-share` (or `~/.config/ftp-share`) on Linux and other
 * Unixes, `~/Library/Application Support/FTP Share` on macOS, `%APPDATA%\FTP Share` on Windows.
 * The arguments exist for tests; callers normally pass none.
 */
export function defaultCertificateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const pathImpl = platform === 'win32' ? path.win32 : path.posix;
  return pathImpl.join(defaultConfigDir(platform, env, home), 'certificates');
}

/**
 * Returns the stored certificate of `dir` when it is usable, else makes and stores a new one.
 *
 * Usable means: both files exist, parse, match, are valid now and for `renewWithinDays` more.
 * Anything else (missing, damaged, mismatched after an interrupted save, expiring) leads to a
 * fresh certificate, with the reason in `reason`. Calls for the same folder run one at a time.
 * @throws CertificateError `write-failed` when the folder or files cannot be written
 */
export function ensureCertificate(dir: string, options: EnsureCertificateOptions = {}): Promise<StoredCertificate> {
  return serialised(dir, async () => {
    const { certPath, keyPath } = certificatePaths(dir);
    const now = options.now ?? new Date();
    const renewMs = (options.renewWithinDays ?? defaultRenewWithinDays) * 24 * 3600 * 1000;
    let reason: string;
    try {
      const loaded = await loadCertificateFiles(certPath, keyPath, now);
      if (loaded.notAfter.getTime() - now.getTime() > renewMs) {
        return { cert: loaded.cert, key: loaded.key, fingerprint256: loaded.fingerprint256, notAfter: loaded.notAfter, generated: false, certPath, keyPath };
      }
      reason = 'the saved certificate expires soon';
    } catch (error) {
      if (!isCertificateError(error)) throw error;
      reason = isMissing(error) ? 'no certificate was saved yet' : `the saved certificate is unusable (${error.code})`;
    }
    return generateAndSave(dir, options, reason);
  });
}

/**
 * Makes a new certificate for `dir`, replacing the stored one (the user asked, e.g. after a
 * key may have leaked, or to pick up new addresses).
 * @throws CertificateError `write-failed` when the folder or files cannot be written
 */
export function regenerateCertificate(dir: string, options: GenerateCertificateOptions = {}): Promise<StoredCertificate> {
  return serialised(dir, () => generateAndSave(dir, options, 'a new certificate was requested'));
}

/** Absolute paths of the certificate and key files in `dir`. */
export function certificatePaths(dir: string): { certPath: string; keyPath: string } {
  const absolute = path.resolve(dir);
  return { certPath: path.join(absolute, certificateFileName), keyPath: path.join(absolute, keyFileName) };
}

async function generateAndSave(dir: string, options: GenerateCertificateOptions, reason: string): Promise<StoredCertificate> {
  const { certPath, keyPath } = certificatePaths(dir);
  const made = await generateCertificate(options);
  const temps: string[] = [];
  try {
    // 0o700: the folder holds a private key; nobody else needs to list it. recursive mkdir
    // leaves an existing folder (and its mode, which is the user's business) alone.
    await fsp.mkdir(path.dirname(certPath), { recursive: true, mode: 0o700 });
    // Both temp files are complete before either rename: a crash between the renames leaves a
    // mismatched pair, which the next ensureCertificate detects and replaces.
    temps.push(await writeTemp(keyPath, made.key, 0o600));
    temps.push(await writeTemp(certPath, made.cert, 0o644));
    await fsp.rename(temps[0]!, keyPath);
    await fsp.rename(temps[1]!, certPath);
  } catch (error) {
    await Promise.all(temps.map((temp) => fsp.rm(temp, { force: true }).catch(() => undefined)));
    throw new CertificateError('write-failed', `Cannot save the certificate in ${path.dirname(certPath)}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}.`, error);
  }
  return { cert: made.cert, key: made.key, fingerprint256: made.fingerprint256, notAfter: made.notAfter, generated: true, reason, certPath, keyPath };
}

/**
 * Writes `text` to a new temp file next to `target`, created with `mode` from the start (the
 * key must never exist world-readable, even for a moment), flushed to disk; returns its path.
 * On Windows the mode is ignored and the file inherits the ACL of the per-user %APPDATA%.
 */
async function writeTemp(target: string, text: string, mode: number): Promise<string> {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fsp.open(temp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

function isMissing(error: CertificateError): boolean {
  return error.code === 'unreadable' && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** One operation per folder at a time, so two callers never interleave their renames. */
const queues = new Map<string, Promise<unknown>>();

function serialised<T>(dir: string, operation: () => Promise<T>): Promise<T> {
  const key = path.resolve(dir);
  const previous = queues.get(key) ?? Promise.resolve();
  const result = previous.then(operation, operation);
  const tail = result.catch(() => undefined);
  queues.set(key, tail);
  // Forget the folder once its queue is empty, so the map does not grow.
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return result;
}
