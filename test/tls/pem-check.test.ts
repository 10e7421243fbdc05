import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CertificateError,
  checkCertificatePair,
  generateCertificate,
  loadCertificateFiles,
  type CertificateErrorCode,
  type GeneratedCertificate,
} from '../../core/tls/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { openssl } from '../helpers/openssl.js';

let dir = '';
let pairA: GeneratedCertificate;
let pairB: GeneratedCertificate;

before(async () => {
  dir = await makeTempDir('ftp-share-tls-');
  pairA = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
  pairB = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
});

after(async () => {
  if (dir) await removeTempDir(dir);
});

/**
 * Asserts-friendly check that an error message is one clean line with none of a PEM key's body.
 * Returns the first problem found, or undefined.
 */
function messageProblem(message: string, keyPem: string): string | undefined {
  if (message.includes('\n')) return 'message spans several lines';
  if (/\n\s+at /.test(message) || /\bat .+:\d+:\d+/.test(message)) return 'message holds a stack trace';
  if (message.includes('-----BEGIN')) return 'message holds a PEM block';
  const bodyLines = keyPem
    .split(/\r?\n/)
    .filter((line) => line.length >= 16 && !line.startsWith('-----') && !line.includes(':'));
  for (const line of bodyLines) {
    if (message.includes(line.slice(0, 16))) return 'message holds key material';
  }
  return undefined;
}

/** Writes a file in the temp folder and returns its path. */
async function put(name: string, text: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Asserts that `promise` rejects with a CertificateError of `code` and a clean message; returns it. */
/** Takes a function rather than a promise: a rejection arriving while the caller still awaits the other arguments would go unhandled. */
async function expectCode(load: () => Promise<unknown>, code: CertificateErrorCode, keyPem: string): Promise<CertificateError> {
  let caught: unknown;
  try {
    await load();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CertificateError, `expected a CertificateError, got ${String(caught)}`);
  assert.equal(caught.code, code, `code of "${caught.message}"`);
  assert.equal(messageProblem(caught.message, keyPem), undefined, caught.message);
  return caught;
}

test('a generated pair passes, reported as one self-signed certificate', async () => {
  const certFile = await put('ok-cert.pem', pairA.cert);
  const keyFile = await put('ok-key.pem', pairA.key);
  const checked = await loadCertificateFiles(certFile, keyFile);
  assert.equal(checked.fingerprint256, pairA.fingerprint256);
  assert.equal(checked.keyType, 'ec prime256v1');
  assert.equal(checked.chain.length, 1);
  assert.equal(checked.chain[0]!.selfSigned, true);
  assert.equal(checked.chain[0]!.subject, checked.chain[0]!.issuer);
  assert.deepEqual(checked.warnings, []);
  assert.ok(checked.subjectAltNames.includes('DNS:localhost'));
  assert.ok(checked.subjectAltNames.includes('IP:127.0.0.1'));
  assert.equal(checked.notAfter.getTime(), pairA.notAfter.getTime());
  // One file holding both the certificate and the key works for both arguments.
  const combined = await put('combined.pem', pairA.cert + pairA.key);
  assert.equal((await loadCertificateFiles(combined, combined)).fingerprint256, pairA.fingerprint256);
});

test('crossed pairs give key-mismatch', async () => {
  const error = await expectCode(
    async () => loadCertificateFiles(await put('a-cert.pem', pairA.cert), await put('b-key.pem', pairB.key)),
    'key-mismatch',
    pairB.key,
  );
  assert.match(error.message, /does not belong to the certificate file .*a-cert\.pem/);
  await expectCode(async () => checkCertificatePair(pairB.cert, pairA.key), 'key-mismatch', pairA.key);
});

test('an expired and a not-yet-valid certificate are refused with their dates', async () => {
  const old = await generateCertificate({ now: new Date(Date.UTC(2020, 0, 1)), validityDays: 30, ipAddresses: ['127.0.0.1'] });
  const expired = await expectCode(
    async () => loadCertificateFiles(await put('old-cert.pem', old.cert), await put('old-key.pem', old.key)),
    'expired',
    old.key,
  );
  assert.match(expired.message, /valid from 2019-12-31 23:00:00 UTC to 2020-01-31 00:00:00 UTC/);

  const future = await generateCertificate({ now: new Date(Date.now() + 30 * 86_400_000), ipAddresses: ['127.0.0.1'] });
  const early = await expectCode(async () => checkCertificatePair(future.cert, future.key), 'not-yet-valid', future.key);
  assert.match(early.message, /valid from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC to/);
  assert.match(early.message, /date and time/);
  // The same pair is fine at a time inside its validity.
  assert.equal(checkCertificatePair(future.cert, future.key, new Date(Date.now() + 60 * 86_400_000)).fingerprint256, future.fingerprint256);
});

test('garbage, DER and swapped files give not-pem; damaged blocks give invalid-*', async () => {
  const keyFile = await put('good-key.pem', pairA.key);
  const certFile = await put('good-cert.pem', pairA.cert);
  await expectCode(async () => loadCertificateFiles(await put('garbage.pem', 'hello, I am not a certificate\n'), keyFile), 'not-pem', pairA.key);
  await expectCode(async () => loadCertificateFiles(certFile, await put('garbage-key.pem', 'nope')), 'not-pem', pairA.key);
  await expectCode(async () => loadCertificateFiles(await put('empty.pem', ''), keyFile), 'not-pem', pairA.key);

  const der = Buffer.from(pairA.cert.split('\n').filter((line) => !line.startsWith('-----')).join(''), 'base64');
  const derError = await expectCode(async () => loadCertificateFiles(await put('cert.der', der), keyFile), 'not-pem', pairA.key);
  assert.match(derError.message, /DER/);

  const swapped = await expectCode(async () => loadCertificateFiles(keyFile, certFile), 'not-pem', pairA.key);
  assert.match(swapped.message, /swapped/);

  const damagedCert = '-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n';
  await expectCode(async () => loadCertificateFiles(await put('damaged-cert.pem', damagedCert), keyFile), 'invalid-certificate', pairA.key);
  const damagedKey = '-----BEGIN PRIVATE KEY-----\nMIIBAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n';
  await expectCode(async () => loadCertificateFiles(certFile, await put('damaged-key.pem', damagedKey)), 'invalid-key', pairA.key);
});

test('missing files and folders give unreadable', async () => {
  const keyFile = await put('k.pem', pairA.key);
  const missing = await expectCode(async () => loadCertificateFiles(path.join(dir, 'nope.pem'), keyFile), 'unreadable', pairA.key);
  assert.match(missing.message, /nope\.pem: it does not exist/);
  const folder = path.join(dir, 'a-folder');
  await mkdir(folder);
  await expectCode(async () => loadCertificateFiles(folder, keyFile), 'unreadable', pairA.key);
});

test('encrypted keys (PKCS#8 and legacy OpenSSL) give encrypted-key', async () => {
  const keyFile = await put('plain-key.pem', pairA.key);
  const certFile = await put('plain-cert.pem', pairA.cert);
  const pkcs8 = path.join(dir, 'enc-pkcs8.pem');
  await openssl(['pkcs8', '-topk8', '-in', keyFile, '-out', pkcs8, '-v2', 'aes-256-cbc', '-passout', 'pass:secret']);
  const legacy = path.join(dir, 'enc-legacy.pem');
  await openssl(['pkey', '-in', keyFile, '-out', legacy, '-traditional', '-aes256', '-passout', 'pass:secret']);
  assert.match(await readFile(legacy, 'utf8'), /Proc-Type: 4,ENCRYPTED/);
  for (const file of [pkcs8, legacy]) {
    const error = await expectCode(async () => loadCertificateFiles(certFile, file), 'encrypted-key', await readFile(file, 'utf8'));
    assert.match(error.message, /protected by a passphrase/);
  }
});

test('unsupported and weak keys are refused', async () => {
  const certFile = await put('for-odd-keys.pem', pairA.cert);
  const x25519 = path.join(dir, 'x25519.pem');
  await openssl(['genpkey', '-algorithm', 'X25519', '-out', x25519]);
  await expectCode(async () => loadCertificateFiles(certFile, x25519), 'unsupported-key', await readFile(x25519, 'utf8'));
  const k1 = path.join(dir, 'secp256k1.pem');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-out', k1]);
  const k1Error = await expectCode(async () => loadCertificateFiles(certFile, k1), 'unsupported-key', await readFile(k1, 'utf8'));
  assert.match(k1Error.message, /secp256k1/);

  const weakKey = path.join(dir, 'rsa1024-key.pem');
  const weakCert = path.join(dir, 'rsa1024-cert.pem');
  await openssl(['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', weakKey, '-out', weakCert, '-days', '2', '-subj', '/CN=weak']);
  const weak = await expectCode(async () => loadCertificateFiles(weakCert, weakKey), 'weak-key', await readFile(weakKey, 'utf8'));
  assert.match(weak.message, /1024-bit RSA/);
});

test('a CA-issued chain of two is reported; the wrong order is caught', async () => {
  const chainDir = path.join(dir, 'chain');
  await mkdir(chainDir);
  const file = (name: string) => path.join(chainDir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', file('ca-key.pem'), '-out', file('ca.pem'), '-days', '30', '-subj', '/CN=Test CA']);
  await openssl(['req', ...ec, '-keyout', file('leaf-key.pem'), '-out', file('leaf.csr'), '-subj', '/CN=leaf.test']);
  await writeFile(file('ext.cnf'), 'subjectAltName=DNS:leaf.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await openssl([
    'x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'),
    '-set_serial', '2', '-days', '30', '-extfile', file('ext.cnf'), '-out', file('leaf.pem'),
  ]);
  const leaf = await readFile(file('leaf.pem'), 'utf8');
  const ca = await readFile(file('ca.pem'), 'utf8');
  const leafKey = await readFile(file('leaf-key.pem'), 'utf8');

  const checked = checkCertificatePair(leaf + ca, leafKey);
  assert.equal(checked.chain.length, 2);
  assert.deepEqual(
    checked.chain.map(({ subject, issuer, selfSigned }) => ({ subject, issuer, selfSigned })),
    [
      { subject: 'CN=leaf.test', issuer: 'CN=Test CA', selfSigned: false },
      { subject: 'CN=Test CA', issuer: 'CN=Test CA', selfSigned: true },
    ],
  );
  assert.deepEqual(checked.warnings, []);
  assert.deepEqual(checked.subjectAltNames, ['DNS:leaf.test', 'IP:127.0.0.1']);
  const opensslFingerprint = (await openssl(['x509', '-in', file('leaf.pem'), '-noout', '-fingerprint', '-sha256'])).trim().split('=')[1];
  assert.equal(checked.fingerprint256, opensslFingerprint);

  const reversed = await expectCode(async () => checkCertificatePair(ca + leaf, leafKey), 'key-mismatch', leafKey);
  assert.match(reversed.message, /certificate #2 .*put the server certificate first/);

  // Two unrelated certificates: accepted (the key matches the first) but flagged.
  const odd = checkCertificatePair(pairA.cert + ca, pairA.key);
  assert.equal(odd.warnings.length, 1);
  assert.match(odd.warnings[0]!, /did not issue/);
});

test('a key in the legacy SEC1 form with EC PARAMETERS first is accepted', async () => {
  const keyFile = path.join(dir, 'sec1-key.pem');
  const certFile = path.join(dir, 'sec1-cert.pem');
  await writeFile(keyFile, await openssl(['ecparam', '-name', 'prime256v1', '-genkey']));
  await openssl(['req', '-x509', '-key', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=sec1']);
  const checked = await loadCertificateFiles(certFile, keyFile);
  assert.equal(checked.keyType, 'ec prime256v1');
});
