import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CertificateError,
  certificateFileName,
  defaultCertificateDir,
  ensureCertificate,
  generateCertificate,
  keyFileName,
  regenerateCertificate,
} from '../../core/tls/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { openssl } from '../helpers/openssl.js';

const posix = process.platform !== 'win32';

test('ensureCertificate creates the folder and files with owner-only modes, then reuses them', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const certDir = path.join(dir, 'config', 'ftp-share', 'certificates');
    const first = await ensureCertificate(certDir, { ipAddresses: ['127.0.0.1'] });
    assert.equal(first.generated, true);
    assert.equal(first.reason, 'no certificate was saved yet');
    assert.equal(first.certPath, path.join(certDir, certificateFileName));
    assert.equal(first.keyPath, path.join(certDir, keyFileName));
    assert.equal(await readFile(first.certPath, 'utf8'), first.cert);
    assert.equal(await readFile(first.keyPath, 'utf8'), first.key);
    if (posix) {
      assert.equal((await stat(first.keyPath)).mode & 0o777, 0o600);
      assert.equal((await stat(certDir)).mode & 0o777, 0o700);
    }
    // No temp files are left behind.
    assert.deepEqual((await readdir(certDir)).sort(), [certificateFileName, keyFileName].sort());
    // The saved key is what openssl reads back, and it matches the certificate.
    const fromKey = await openssl(['pkey', '-in', first.keyPath, '-pubout']);
    const fromCert = await openssl(['x509', '-in', first.certPath, '-noout', '-pubkey']);
    assert.equal(fromKey, fromCert);

    const second = await ensureCertificate(certDir, { ipAddresses: ['127.0.0.1'] });
    assert.equal(second.generated, false);
    assert.equal(second.fingerprint256, first.fingerprint256);
    assert.equal(second.notAfter.getTime(), first.notAfter.getTime());

    const fresh = await regenerateCertificate(certDir, { ipAddresses: ['127.0.0.1'] });
    assert.equal(fresh.generated, true);
    assert.notEqual(fresh.fingerprint256, first.fingerprint256);
    if (posix) assert.equal((await stat(fresh.keyPath)).mode & 0o777, 0o600);
    const third = await ensureCertificate(certDir);
    assert.equal(third.generated, false);
    assert.equal(third.fingerprint256, fresh.fingerprint256);
  } finally {
    await removeTempDir(dir);
  }
});

test('ensureCertificate replaces expiring, expired, damaged and mismatched files', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const stored = await ensureCertificate(dir, { validityDays: 5, ipAddresses: ['127.0.0.1'] });
    const renewed = await ensureCertificate(dir, { ipAddresses: ['127.0.0.1'] });
    assert.equal(renewed.generated, true, 'a certificate expiring within 7 days is renewed');
    assert.equal(renewed.reason, 'the saved certificate expires soon');
    assert.notEqual(renewed.fingerprint256, stored.fingerprint256);

    const old = await generateCertificate({ now: new Date(Date.UTC(2020, 0, 1)), validityDays: 30 });
    await writeFile(renewed.certPath, old.cert);
    await writeFile(renewed.keyPath, old.key);
    const afterExpired = await ensureCertificate(dir);
    assert.equal(afterExpired.generated, true);
    assert.equal(afterExpired.reason, 'the saved certificate is unusable (expired)');

    // As if a crash came between the two renames: a new key with the old certificate.
    const other = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
    await writeFile(afterExpired.keyPath, other.key);
    const afterMismatch = await ensureCertificate(dir);
    assert.equal(afterMismatch.reason, 'the saved certificate is unusable (key-mismatch)');

    await writeFile(afterMismatch.certPath, 'garbage');
    const afterGarbage = await ensureCertificate(dir);
    assert.equal(afterGarbage.reason, 'the saved certificate is unusable (not-pem)');
    const settled = await ensureCertificate(dir);
    assert.equal(settled.generated, false);
    assert.equal(settled.fingerprint256, afterGarbage.fingerprint256);
  } finally {
    await removeTempDir(dir);
  }
});

test('concurrent calls for one folder agree on one certificate', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureCertificate(dir, { ipAddresses: ['127.0.0.1'] })));
    assert.equal(results.filter((result) => result.generated).length, 1);
    assert.equal(new Set(results.map((result) => result.fingerprint256)).size, 1);
  } finally {
    await removeTempDir(dir);
  }
});

test('a folder that cannot be created gives write-failed', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    await assert.rejects(
      ensureCertificate(path.join(blocker, 'certificates')),
      (error: unknown) => error instanceof CertificateError && error.code === 'write-failed' && !error.message.includes('\n'),
    );
  } finally {
    await removeTempDir(dir);
  }
});

test('defaultCertificateDir follows each platform\'s convention', () => {
  assert.equal(defaultCertificateDir({}, 'linux', '/home/ana'), '/home/ana/.config/ftp-share/certificates');
  assert.equal(defaultCertificateDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ana'), '/xdg/ftp-share/certificates');
  assert.equal(defaultCertificateDir({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/ana'), '/home/ana/.config/ftp-share/certificates');
  assert.equal(defaultCertificateDir({}, 'freebsd', '/home/ana'), '/home/ana/.config/ftp-share/certificates');
  assert.equal(defaultCertificateDir({}, 'darwin', '/Users/ana'), '/Users/ana/Library/Application Support/FTP Share/certificates');
  assert.equal(
    defaultCertificateDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana'),
    'C:\\Users\\ana\\AppData\\Roaming\\FTP Share\\certificates',
  );
  assert.equal(defaultCertificateDir({}, 'win32', 'C:\\Users\\ana'), 'C:\\Users\\ana\\AppData\\Roaming\\FTP Share\\certificates');
  assert.ok(path.isAbsolute(defaultCertificateDir()));
});
