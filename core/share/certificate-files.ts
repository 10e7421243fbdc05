/**
 * The FTPS certificate as the FTPS panel sees it: the app's stored certificate (generated, or
 * imported by the user and copied next to it so it survives the user moving their files).
 *
 * Imported files are copied over the stored pair, so {@link ensureCertificate} keeps using them
 * at start; a small `imported.json` remembers where they came from and their fingerprint, so the
 * panel can tell "imported from ~/certs/…" from "generated", and forgets it as soon as the stored
 * pair is something else (regenerated, or renewed because it was about to expire).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CertificateInfo } from './contract.js';
import {
  CertificateError,
  certificatePaths,
  isCertificateError,
  loadCertificateFiles,
  type CheckedCertificate,
} from '../tls/index.js';

/** Name of the marker file of an imported certificate, inside the certificate folder. */
export const IMPORT_MARKER_FILE = 'imported.json';

interface ImportMarker {
  certPath: string;
  keyPath: string;
  fingerprint256: string;
}

async function readMarker(dir: string): Promise<ImportMarker | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, IMPORT_MARKER_FILE), 'utf8')) as Partial<ImportMarker>;
    if (typeof parsed.certPath === 'string' && typeof parsed.keyPath === 'string' && typeof parsed.fingerprint256 === 'string') {
      return { certPath: parsed.certPath, keyPath: parsed.keyPath, fingerprint256: parsed.fingerprint256 };
    }
  } catch {
    // No marker, or a damaged one: the certificate counts as generated.
  }
  return undefined;
}

/** Forgets that the stored certificate was imported (after a regeneration). */
export async function clearImportMarker(dir: string): Promise<void> {
  await rm(path.join(dir, IMPORT_MARKER_FILE), { force: true });
}

/** Describes a checked stored pair for the panel. */
export async function describeCertificate(dir: string, checked: Pick<CheckedCertificate, 'fingerprint256' | 'notAfter' | 'subjectAltNames'>): Promise<CertificateInfo> {
  const stored = certificatePaths(dir);
  const marker = await readMarker(dir);
  const imported = marker !== undefined && marker.fingerprint256 === checked.fingerprint256;
  return {
    fingerprint256: checked.fingerprint256,
    notAfter: checked.notAfter.toISOString(),
    subjectAltNames: checked.subjectAltNames,
    certPath: imported ? marker.certPath : stored.certPath,
    keyPath: imported ? marker.keyPath : stored.keyPath,
    generated: !imported,
  };
}

/**
 * The stored certificate of `dir`, or null when there is none yet.
 * @throws CertificateError when the stored files exist but are unusable
 */
export async function readStoredCertificate(dir: string): Promise<CertificateInfo | null> {
  const { certPath, keyPath } = certificatePaths(dir);
  let checked: CheckedCertificate;
  try {
    checked = await loadCertificateFiles(certPath, keyPath);
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
    if (isCertificateError(err, 'unreadable') && cause?.code === 'ENOENT') return null;
    throw err;
  }
  return describeCertificate(dir, checked);
}

/**
 * Checks the user's certificate and key files and copies them over the stored pair of `dir`.
 * @throws CertificateError from the checks (each with a message naming the file), or
 *   `write-failed` when the copies can't be written
 */
export async function importCertificateFiles(dir: string, certFile: string, keyFile: string): Promise<CertificateInfo> {
  const certSource = path.resolve(certFile);
  const keySource = path.resolve(keyFile);
  const checked = await loadCertificateFiles(certSource, keySource);
  const { certPath, keyPath } = certificatePaths(dir);
  const temps: string[] = [];
  try {
    await mkdir(path.dirname(certPath), { recursive: true, mode: 0o700 });
    temps.push(await writeTemp(keyPath, checked.key, 0o600));
    temps.push(await writeTemp(certPath, checked.cert, 0o644));
    const marker: ImportMarker = { certPath: certSource, keyPath: keySource, fingerprint256: checked.fingerprint256 };
    temps.push(await writeTemp(path.join(path.dirname(certPath), IMPORT_MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`, 0o644));
    // Key first: a crash between renames leaves a mismatched pair, which ensureCertificate replaces.
    await rename(temps[0]!, keyPath);
    await rename(temps[1]!, certPath);
    await rename(temps[2]!, path.join(path.dirname(certPath), IMPORT_MARKER_FILE));
  } catch (err) {
    await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
    throw new CertificateError(
      'write-failed',
      `Cannot save the imported certificate in ${path.dirname(certPath)}: ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}.`,
      err,
    );
  }
  return describeCertificate(dir, checked);
}

async function writeTemp(target: string, text: string, mode: number): Promise<string> {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return temp;
}
