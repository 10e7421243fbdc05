import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { buildSecureContextOptions, generateCertificate, tlsPolicy, type GeneratedCertificate } from '../../core/tls/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { sClient } from '../helpers/openssl.js';

let dir = '';
let made: GeneratedCertificate;
let certFile = '';

before(async () => {
  dir = await makeTempDir('ftp-share-tls-');
  made = await generateCertificate({ ipAddresses: ['127.0.0.1', '::1'] });
  certFile = path.join(dir, 'cert.pem');
  await writeFile(certFile, made.cert);
});

after(async () => {
  if (dir) await removeTempDir(dir);
});

/** Starts a TLS echo-less server with our policy on 127.0.0.1, port 0; collects client errors. */
/** Connections still open, destroyed by `close` (the server never ends them itself). */
const sockets = new Set<tls.TLSSocket>();

async function startServer(cert: GeneratedCertificate): Promise<{ server: tls.Server; port: number; clientErrors: Error[] }> {
  const settings = buildSecureContextOptions({ cert: cert.cert, key: cert.key });
  const clientErrors: Error[] = [];
  const server = tls.createServer(
    { ...settings.contextOptions, requestCert: settings.requestCert, rejectUnauthorized: settings.rejectUnauthorized },
    // Written, not ended: the client closes (s_client at the end of its stdin). When the server's
    // close raced the client's, OpenSSL sometimes took it for an unexpected EOF and exited with 1.
    (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.write('220 hello\r\n');
    },
  );
  server.on('tlsClientError', (error) => clientErrors.push(error));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, clientErrors };
}

function close(server: tls.Server): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

test('the policy is TLS 1.2-1.3 with ECDHE and AEAD ciphers only', () => {
  assert.equal(tlsPolicy.minVersion, 'TLSv1.2');
  assert.equal(tlsPolicy.maxVersion, 'TLSv1.3');
  assert.equal(tlsPolicy.honorCipherOrder, true);
  for (const cipher of tlsPolicy.ciphers.split(':')) {
    assert.match(cipher, /^(TLS_(AES_\d+_GCM|CHACHA20_POLY1305)_SHA\d+|ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305))$/);
  }
  const plain = buildSecureContextOptions({ cert: made.cert, key: made.key });
  assert.equal(plain.requestCert, false);
  assert.equal(plain.rejectUnauthorized, false);
  assert.equal(plain.contextOptions.ca, undefined);
  const mutual = buildSecureContextOptions({ cert: made.cert, key: made.key, clientCa: made.cert });
  assert.equal(mutual.requestCert, true);
  assert.equal(mutual.rejectUnauthorized, true);
  assert.equal(mutual.contextOptions.ca, made.cert);
  // Node accepts every option.
  assert.ok(tls.createSecureContext(mutual.contextOptions));
});

test('openssl s_client completes TLS 1.3 and TLS 1.2 handshakes and verifies the certificate for 127.0.0.1', async () => {
  const { server, port } = await startServer(made);
  try {
    const verify = ['-CAfile', certFile, '-verify_return_error', '-verify_ip', '127.0.0.1', '-brief'];
    const v13 = await sClient(port, ['-tls1_3', ...verify]);
    assert.equal(v13.code, 0, v13.output);
    assert.match(v13.output, /Protocol version: TLSv1\.3/);
    assert.match(v13.output, /Verification: OK/);

    const v12 = await sClient(port, ['-tls1_2', ...verify]);
    assert.equal(v12.code, 0, v12.output);
    assert.match(v12.output, /Protocol version: TLSv1\.2/);
    assert.match(v12.output, /Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256/);

    // A CBC suite is not on offer, even when it is all the client wants.
    const cbc = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA256', '-brief']);
    assert.notEqual(cbc.code, 0, cbc.output);
  } finally {
    await close(server);
  }
});

test('the RSA variant handshakes too', async () => {
  const rsa = await generateCertificate({ algorithm: 'rsa-2048', ipAddresses: ['127.0.0.1'] });
  const rsaFile = path.join(dir, 'rsa.pem');
  await writeFile(rsaFile, rsa.cert);
  const { server, port } = await startServer(rsa);
  try {
    const result = await sClient(port, ['-tls1_2', '-CAfile', rsaFile, '-verify_return_error', '-verify_ip', '127.0.0.1', '-brief']);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256/);
  } finally {
    await close(server);
  }
});

test('TLS 1.1 is refused by the server', async () => {
  const { server, port, clientErrors } = await startServer(made);
  try {
    // SECLEVEL=0 lets this OpenSSL client really offer TLS 1.1, so the refusal is the server's.
    const result = await sClient(port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0', '-brief']);
    assert.notEqual(result.code, 0, result.output);
    assert.doesNotMatch(result.output, /Protocol version: TLSv1\.1/);
    assert.ok(clientErrors.length >= 1, `the server saw no handshake; client said: ${result.output}`);
    assert.match(String(clientErrors[0]!.message), /unsupported protocol|version/i);
  } finally {
    await close(server);
  }
});

test('a Node client verifies the certificate by IP address and by localhost', async () => {
  const { server, port } = await startServer(made);
  try {
    for (const host of ['127.0.0.1', 'localhost']) {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: host === 'localhost' ? host : undefined, ca: made.cert, checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert) });
        let data = '';
        socket.on('data', (chunk: Buffer) => {
          data += chunk.toString('utf8');
          if (!data.endsWith('\r\n')) return;
          socket.end();
          resolve(data);
        });
        socket.on('error', reject);
      });
      assert.equal(greeting, '220 hello\r\n');
    }
  } finally {
    await close(server);
  }
});
