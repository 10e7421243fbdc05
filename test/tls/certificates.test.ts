import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CertificateError,
  defaultKeyAlgorithm,
  fingerprint256,
  generateCertificate,
  localIpAddresses,
} from '../../core/tls/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { openssl } from '../helpers/openssl.js';

test('a generated certificate parses with openssl and has the CN, SANs and extensions', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const made = await generateCertificate({
      commonName: 'FTP Share test',
      hostNames: ['nas.example', 'Bücher.example'],
      ipAddresses: ['192.168.1.23', 'fe80::1%eth0', '127.0.0.1', '::1'],
    });
    const certFile = path.join(dir, 'cert.pem');
    await writeFile(certFile, made.cert);
    const text = await openssl(['x509', '-in', certFile, '-noout', '-text']);

    assert.match(text, /Subject: CN\s?=\s?FTP Share test/);
    assert.match(text, /Issuer: CN\s?=\s?FTP Share test/); // self-signed
    assert.match(text, /Public Key Algorithm: id-ecPublicKey/);
    assert.match(text, /NIST CURVE: P-256/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\s/);
    assert.doesNotMatch(text, /Key Encipherment/);
    assert.match(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
    assert.match(text, /X509v3 Subject Key Identifier/);

    const sanLine = /X509v3 Subject Alternative Name:\s*\n\s*(.*)/.exec(text)?.[1] ?? '';
    for (const expected of [
      'DNS:localhost',
      'DNS:nas.example',
      'DNS:xn--bcher-kva.example',
      `DNS:${os.hostname().toLowerCase()}`,
      'IP Address:192.168.1.23',
      'IP Address:FE80:0:0:0:0:0:0:1',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
    ]) {
      assert.ok(sanLine.includes(expected), `SAN list "${sanLine}" lacks ${expected}`);
    }
    assert.ok(made.subjectAltNames.includes('IP:fe80::1'));
    assert.ok(made.subjectAltNames.includes('DNS:xn--bcher-kva.example'));

    // Serial: positive, 16 bytes of randomness (openssl prints big serials as hex bytes).
    const serial = (await openssl(['x509', '-in', certFile, '-noout', '-serial'])).trim().replace('serial=', '');
    assert.match(serial, /^[0-7][0-9A-F]{31}$/);

    // Validity: about a year, starting a little in the past for clock skew.
    const node = new X509Certificate(made.cert);
    assert.ok(new Date(node.validFrom).getTime() < Date.now());
    const days = (made.notAfter.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 364.9 && days <= 365, `validity ${days} days`);
    assert.equal(new Date(node.validTo).getTime(), made.notAfter.getTime());
    assert.ok(node.checkPrivateKey(createPrivateKey(made.key)));
    assert.match(made.key, /^-----BEGIN PRIVATE KEY-----\n/); // PKCS#8
  } finally {
    await removeTempDir(dir);
  }
});

test('the default SANs cover every non-internal address and the loopbacks', async () => {
  const made = await generateCertificate();
  const ips = made.subjectAltNames.filter((name) => name.startsWith('IP:')).map((name) => name.slice(3));
  for (const address of localIpAddresses()) assert.ok(ips.includes(address), `missing ${address}`);
  assert.ok(ips.includes('127.0.0.1'));
  assert.ok(ips.includes('::1'));
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const info of infos ?? []) {
      if (!info.internal) assert.ok(ips.includes(info.address.toLowerCase()), `missing ${info.address}`);
    }
  }
  assert.ok(made.subjectAltNames.includes('DNS:localhost'));
  assert.equal(new X509Certificate(made.cert).subject, `CN=${os.hostname()}`);
});

test('an RSA-2048 certificate has keyEncipherment and a 2048-bit key', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const made = await generateCertificate({ algorithm: 'rsa-2048', ipAddresses: ['127.0.0.1'] });
    const certFile = path.join(dir, 'rsa.pem');
    await writeFile(certFile, made.cert);
    const text = await openssl(['x509', '-in', certFile, '-noout', '-text']);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    const keyFile = path.join(dir, 'rsa-key.pem');
    await writeFile(keyFile, made.key);
    assert.match(await openssl(['pkey', '-in', keyFile, '-noout', '-text']), /Private-Key: \(2048 bit/);
  } finally {
    await removeTempDir(dir);
  }
});

test('our fingerprint equals openssl x509 -fingerprint -sha256, also for a chain file', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const first = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
    const second = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
    const certFile = path.join(dir, 'cert.pem');
    // CRLF line endings and a chain: the fingerprint is the first certificate's.
    await writeFile(certFile, (first.cert + second.cert).replace(/\n/g, '\r\n'));
    const output = await openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']);
    const expected = output.trim().split('=')[1];
    assert.match(first.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(first.fingerprint256, expected);
    assert.equal(fingerprint256(first.cert + second.cert), expected);
    assert.equal(fingerprint256(first.cert), new X509Certificate(first.cert).fingerprint256);
    assert.notEqual(first.fingerprint256, second.fingerprint256);
    assert.throws(() => fingerprint256('not a certificate'), (error: unknown) => error instanceof CertificateError && error.code === 'not-pem');
  } finally {
    await removeTempDir(dir);
  }
});

test('generation is fast (timing printed)', async () => {
  assert.equal(defaultKeyAlgorithm, 'ecdsa-p256');
  await generateCertificate({ ipAddresses: ['127.0.0.1'] }); // warm-up: module and provider init
  for (const algorithm of ['ecdsa-p256', 'rsa-2048'] as const) {
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      await generateCertificate({ algorithm });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`generateCertificate ${algorithm}: median ${times[2]!.toFixed(1)} ms, max ${times[4]!.toFixed(1)} ms (5 runs)`);
    assert.ok(times[4]! < 5000, `${algorithm} took ${times[4]} ms`);
  }
});

test('invalid options are refused with invalid-option', async () => {
  const invalid = (error: unknown) => error instanceof CertificateError && error.code === 'invalid-option';
  await assert.rejects(generateCertificate({ ipAddresses: ['300.1.1.1'] }), invalid);
  await assert.rejects(generateCertificate({ hostNames: ['bad name/with slash'] }), invalid);
  await assert.rejects(generateCertificate({ validityDays: 0 }), invalid);
  await assert.rejects(generateCertificate({ validityDays: Number.NaN }), invalid);
  await assert.rejects(generateCertificate({ algorithm: 'dsa' as never }), invalid);
  // An address given as a host name goes to the IP list.
  const made = await generateCertificate({ hostNames: ['10.0.0.7'], ipAddresses: [] });
  assert.ok(made.subjectAltNames.includes('IP:10.0.0.7'));
  assert.ok(!made.subjectAltNames.includes('DNS:10.0.0.7'));
});
