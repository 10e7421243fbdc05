/**
 * FTPS policies: requireTls (no login in clear), requireEncryptedData (no clear data),
 * requireSessionReuse (vsftpd's require_ssl_reuse) and mutual TLS with a client CA.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { run, runPython } from '../helpers/processes.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectTlsData } from '../helpers/ftp-flows.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { digestOf, fileDigest } from '../helpers/digests.js';
import { randomPayload } from '../helpers/payloads.js';
import { tlsOptions } from '../helpers/test-certificate.js';

let local: string;

before(async () => {
  local = await makeTempDir('ftp-share-ftps-client-');
});

after(async () => {
  await removeTempDir(local);
});

/** Starts a server for one test and closes it afterwards. */
async function withServer(options: Parameters<typeof startServer>[0], body: (fx: ServerFixture) => Promise<void>): Promise<void> {
  const fx = await startServer(options);
  try {
    await body(fx);
  } finally {
    await fx.close();
  }
}

test('requireTls: USER and PASS before AUTH TLS are refused with 530, in clear text; after AUTH TLS login works', { timeout: 15_000 }, async () => {
  await withServer({ username: 'u', password: 'p', tls: await tlsOptions('explicit', { requireTls: true }) }, async (fx) => {
    const raw = await ControlClient.connect(fx.port);
    try {
      assert.equal((await raw.reply()).code, 220);
      const user = await raw.command('USER u');
      assert.equal(user.code, 530);
      assert.match(user.text, /TLS/);
      assert.equal((await raw.command('PASS p')).code, 530);
      assert.ok(!fx.events.some((e) => e.type === 'login'));
    } finally {
      raw.close();
    }
    const secure = await ControlClient.connect(fx.port);
    try {
      await secure.reply();
      await secure.authTls();
      await secure.login('u', 'p');
      assert.equal((await secure.command('PWD')).code, 257);
    } finally {
      secure.close();
    }
    // curl without TLS fails to log in; with --ssl-reqd it works.
    const plainCurl = await run('curl', ['-sS', '--max-time', '10', '-u', 'u:p', `ftp://127.0.0.1:${fx.port}/`]);
    assert.notEqual(plainCurl.code, 0);
    const tlsCurl = await run('curl', ['-sS', '--max-time', '10', '--ssl-reqd', '-k', '-u', 'u:p', `ftp://127.0.0.1:${fx.port}/`]);
    assert.equal(tlsCurl.code, 0, tlsCurl.stderr);
  });
});

test('requireEncryptedData: PROT C is refused with 536, LIST/RETR/STOR before PROT P with 521', { timeout: 15_000 }, async () => {
  await withServer({ username: 'u', password: 'p', tls: await tlsOptions('explicit', { requireEncryptedData: true }), files: { 'a.txt': 'a' } }, async (fx) => {
    const client = await ControlClient.connect(fx.port);
    try {
      await client.reply();
      await client.authTls();
      await client.login('u', 'p');
      assert.equal((await client.command('PBSZ 0')).code, 200);
      assert.equal((await client.command('PROT C')).code, 536);
      await client.epsv();
      assert.equal((await client.command('LIST')).code, 521);
      await client.epsv();
      assert.equal((await client.command('RETR a.txt')).code, 521);
      await client.epsv();
      assert.equal((await client.command('STOR b.txt')).code, 521);
      assert.equal(await fileDigest(path.join(fx.root, 'b.txt')), undefined);
      assert.equal((await client.command('PROT P')).code, 200);
    } finally {
      client.close();
    }
    // curl without --ssl-reqd but with AUTH (--ssl) and the default PROT P works.
    const curl = await run('curl', ['-sS', '--max-time', '10', '--ssl-reqd', '-k', '-u', 'u:p', `ftp://127.0.0.1:${fx.port}/a.txt`]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.equal(curl.stdout, 'a');
  });
});

const ftplibListScript = String.raw`
import ftplib, ssl, os, json
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ftp = ftplib.FTP_TLS(context=ctx, timeout=10)
ftp.connect('127.0.0.1', int(os.environ['PORT']))
ftp.login('u', 'p')
ftp.prot_p()
try:
    lines = []
    ftp.retrlines('LIST', lines.append)
    print(json.dumps({'ok': True, 'lines': lines}))
except Exception as e:
    print(json.dumps({'ok': False, 'error': type(e).__name__ + ': ' + str(e)}))
`;

test('requireSessionReuse: a data connection that does not resume the control session is refused (ftplib), one that does is served (curl)', { timeout: 30_000 }, async () => {
  const data = randomPayload(100 * 1024 + 1);
  await withServer({ username: 'u', password: 'p', tls: await tlsOptions('explicit', { requireSessionReuse: true }), files: { 'd.bin': data } }, async (fx) => {
    const py = await runPython(ftplibListScript, fx.port);
    assert.equal(py.code, 0, py.stderr);
    const outcome = JSON.parse(py.stdout) as { ok: boolean; error?: string };
    assert.equal(outcome.ok, false, py.stdout);
    // ftplib sees its data socket torn down after the handshake (an SSL error) or the 522.
    assert.match(outcome.error ?? '', /522|SSL|EOF|reset|closed/i);
    assert.ok(fx.events.some((e) => e.type === 'reply' && e.code === 522), 'the server answered 522');

    const upload = randomPayload(90 * 1024 + 7);
    const src = path.join(local, 'reuse-up.bin');
    await fs.writeFile(src, upload);
    const up = await run('curl', ['-sS', '-v', '--ssl-reqd', '-k', '--max-time', '15', '-u', 'u:p', '-T', src, `ftp://127.0.0.1:${fx.port}/reuse-up.bin`]);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(await fileDigest(path.join(fx.root, 'reuse-up.bin')), digestOf(upload));
    const out = path.join(local, 'reuse-down.bin');
    const down = await run('curl', ['-sS', '--ssl-reqd', '-k', '--max-time', '15', '-u', 'u:p', '-o', out, `ftp://127.0.0.1:${fx.port}/d.bin`]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await fileDigest(out), digestOf(data));
  });
});

test('mutual TLS: with clientCa, curl with a certificate from that CA is served; without one, or with another CA\'s, it is refused', { timeout: 30_000 }, async () => {
  const dir = local;
  const ossl = async (args: string[]) => {
    const result = await run('openssl', args, { cwd: dir, timeoutMs: 15_000 });
    assert.equal(result.code, 0, `openssl ${args.join(' ')}: ${result.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await ossl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=FTP Share test client CA', '-days', '2']);
  await ossl(['req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=test client']);
  await ossl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
  // A certificate from another CA must not do.
  await ossl(['req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.pem', '-subj', '/CN=stranger', '-days', '2']);
  const clientCa = await fs.readFile(path.join(dir, 'ca.pem'), 'utf8');
  const data = randomPayload(120 * 1024 + 3);
  await withServer({ username: 'u', password: 'p', tls: await tlsOptions('explicit', { clientCa }), files: { 'm.bin': data } }, async (fx) => {
    const url = `ftp://127.0.0.1:${fx.port}`;
    const upload = randomPayload(80 * 1024 + 1);
    const src = path.join(dir, 'mtls-up.bin');
    await fs.writeFile(src, upload);
    const withCert = ['-sS', '-v', '--ssl-reqd', '-k', '--max-time', '15', '-u', 'u:p', '--cert', path.join(dir, 'client.pem'), '--key', path.join(dir, 'client.key')];
    const up = await run('curl', [...withCert, '-T', src, `${url}/mtls-up.bin`]);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(await fileDigest(path.join(fx.root, 'mtls-up.bin')), digestOf(upload));
    const out = path.join(dir, 'mtls-down.bin');
    const down = await run('curl', [...withCert, '-o', out, `${url}/m.bin`]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await fileDigest(out), digestOf(data));

    const without = await run('curl', ['-sS', '--ssl-reqd', '-k', '--max-time', '10', '-u', 'u:p', `${url}/m.bin`]);
    assert.notEqual(without.code, 0);
    const stranger = await run('curl', ['-sS', '--ssl-reqd', '-k', '--max-time', '10', '-u', 'u:p', '--cert', path.join(dir, 'other.pem'), '--key', path.join(dir, 'other.key'), `${url}/m.bin`]);
    assert.notEqual(stranger.code, 0);
    assert.ok(
      fx.events.some((e) => e.type === 'session-closed' && /client certificate not accepted/.test(e.reason)),
      'the stranger was turned away after its certificate was checked',
    );
    assert.equal(fx.events.filter((e) => e.type === 'login').length, 2, 'only the two curl runs with the right certificate logged in');

    // The data connection is checked too: the right certificate on the control connection
    // does not let a stranger's certificate through on a fresh data handshake.
    const [goodCert, goodKey, otherCert, otherKey] = await Promise.all(
      ['client.pem', 'client.key', 'other.pem', 'other.key'].map((f) => fs.readFile(path.join(dir, f), 'utf8')),
    );
    const client = await ControlClient.connect(fx.port);
    try {
      await client.reply();
      await client.authTls('TLS', { cert: goodCert, key: goodKey });
      await client.login('u', 'p');
      await client.command('PBSZ 0');
      await client.command('PROT P');
      const port = await client.epsv();
      client.send('RETR m.bin');
      const strangerData = await connectTlsData(port, undefined, { cert: otherCert, key: otherKey }).catch((err: Error) => err);
      assert.equal((await client.reply()).code, 150);
      const refused = await client.reply();
      assert.equal(refused.code, 522, refused.text);
      assert.match(refused.text, /certificate/);
      if (!(strangerData instanceof Error)) strangerData.socket.destroy();
    } finally {
      client.close();
    }
  });
});
