/**
 * Implicit FTPS: TLS from the first byte on the listener. curl (ftps://), basic-ftp
 * (secure: 'implicit') and openssl s_client; failed handshakes must not disturb other sessions.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { run } from '../helpers/processes.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectTlsData, type TlsDataConnection } from '../helpers/ftp-flows.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { digestOf, fileDigest, sha256 } from '../helpers/digests.js';
import { randomPayload } from '../helpers/payloads.js';
import { tlsOptions } from '../helpers/test-certificate.js';
import { assertModernTlsOnly, basicFtpRoundTrip, completedUploads } from './ftps-helpers.js';

const download = randomPayload(320 * 1024 + 5);
let fx: ServerFixture;
let local: string;

before(async () => {
  fx = await startServer({ username: 'u', password: 'p', tls: await tlsOptions('implicit'), files: { 'down.bin': download }, idleTimeoutMs: 1500 });
  local = await makeTempDir('ftp-share-ftps-client-');
});

after(async () => {
  await fx.close();
  await removeTempDir(local);
});

test('curl -k ftps:// uploads and downloads over implicit FTPS', { timeout: 30_000 }, async () => {
  const upload = randomPayload(270 * 1024 + 1);
  const src = path.join(local, 'curl-up.bin');
  await fs.writeFile(src, upload);
  const base = `ftps://127.0.0.1:${fx.port}`;
  const up = await run('curl', ['-sS', '-v', '-k', '--max-time', '20', '-u', 'u:p', '-T', src, `${base}/curl-up.bin`]);
  assert.equal(up.code, 0, up.stderr);
  const out = path.join(local, 'curl-down.bin');
  const down = await run('curl', ['-sS', '-v', '-k', '--max-time', '20', '-u', 'u:p', '-o', out, `${base}/down.bin`]);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await fileDigest(path.join(fx.root, 'curl-up.bin')), digestOf(upload));
  assert.deepEqual(await fileDigest(out), digestOf(download));
  assert.doesNotMatch(up.stderr, /AUTH TLS/); // implicit: no AUTH on the wire
  const tlsLines = [...down.stderr.matchAll(/SSL connection using (\S+) \/ (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
  console.log(`curl implicit TLS (control, data): ${tlsLines.join(' | ')}`);
  assert.deepEqual(completedUploads(fx.events).filter((u) => u.path === '/curl-up.bin'), [{ path: '/curl-up.bin', bytes: upload.length, secure: true }]);
});

/** RETR down.bin over a TLS data connection that resumes the control session; it must arrive whole. */
async function retrDownload(client: ControlClient): Promise<TlsDataConnection> {
  const port = await client.epsv();
  client.send('RETR down.bin');
  const data = await connectTlsData(port, client.sessions.at(-1));
  assert.equal((await client.reply()).code, 150);
  assert.equal(sha256(await data.received), sha256(download));
  assert.equal((await client.reply()).code, 226);
  return data;
}

test("basic-ftp with secure: 'implicit' uploads, downloads and lists", { timeout: 30_000 }, async () => {
  const upload = randomPayload(190 * 1024 + 3);
  const { list, control } = await basicFtpRoundTrip(fx, 'implicit', { upload, download, localDir: local });
  assert.ok(list.some((entry) => entry.name === 'basic-up.bin' && entry.size === upload.length));
  console.log(`basic-ftp implicit: control ${control}`);
});

test('implicit mode: PROT C is refused (536), data is protected without PBSZ/PROT, FEAT has no AUTH', { timeout: 15_000 }, async () => {
  const client = await ControlClient.connect(fx.port, { implicit: true });
  try {
    assert.equal((await client.reply()).code, 220);
    const feat = await client.command('FEAT');
    assert.ok(!feat.lines.includes(' AUTH TLS') && feat.lines.includes(' PROT'), feat.text);
    assert.equal((await client.command('AUTH TLS')).code, 502);
    await client.login('u', 'p');
    assert.equal((await client.command('PROT C')).code, 536);
    // Protected from the start: no PBSZ/PROT needed (implicit FTPS clients often skip them).
    await client.command('TYPE I');
    const data = await retrDownload(client);
    assert.equal(data.tickets.length, 0);
  } finally {
    client.close();
  }
});

test('TLS 1.2 and 1.3 are offered on the implicit port; TLS 1.0 and 1.1 are refused', { timeout: 30_000 }, async () => {
  const { tls13, tls12 } = await assertModernTlsOnly(fx.port, 'implicit');
  console.log(`openssl s_client implicit: ${tls13.protocol} ${tls13.cipher}; ${tls12.protocol} ${tls12.cipher}; TLSv1.1 and TLSv1 refused`);
});

test('plain-text clients, garbage and silent connections on the implicit port do not disturb a running session', { timeout: 30_000 }, async () => {
  const client = await ControlClient.connect(fx.port, { implicit: true });
  try {
    assert.equal((await client.reply()).code, 220);
    await client.login('u', 'p');
    await client.command('TYPE I');

    // A plain FTP client: it never gets a clear-text greeting, and its connection ends.
    const plain = net.connect({ port: fx.port, host: '127.0.0.1' });
    let plainText = '';
    plain.setEncoding('latin1');
    plain.on('data', (c: string) => (plainText += c));
    plain.on('error', () => undefined);
    const plainClosed = new Promise<void>((resolve) => plain.once('close', () => resolve()));
    plain.write('USER anonymous\r\n');

    // Garbage that looks like nothing at all.
    const garbage = net.connect({ port: fx.port, host: '127.0.0.1' });
    garbage.on('error', () => undefined);
    garbage.resume(); // read, so the server's alert and FIN are seen
    const garbageClosed = new Promise<void>((resolve) => garbage.once('close', () => resolve()));
    garbage.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x00, 0x13, 0x37, ...Buffer.from('not tls at all')]));

    // A connection that never says anything is closed by the idle timeout (1.5 s here).
    const silent = net.connect({ port: fx.port, host: '127.0.0.1' });
    silent.on('error', () => undefined);
    silent.resume();
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));

    await Promise.all([plainClosed, garbageClosed]);
    assert.doesNotMatch(plainText, /220|331|530/);

    // The real session carries on: a download in the middle of all that.
    await retrDownload(client);

    // Meanwhile the real session keeps talking (NOOPs), so only the silent one is idle.
    let silentDone = false;
    void silentClosed.then(() => (silentDone = true));
    const started = Date.now();
    while (!silentDone) {
      assert.ok(Date.now() - started < 8000, 'the silent connection was never closed');
      assert.equal((await client.command('NOOP')).code, 200);
      await sleep(300);
    }
    console.log(`silent implicit connection closed ${Date.now() - started} ms after the download`);
    await waitFor(() => fx.events.some((e) => e.type === 'session-closed' && e.reason === 'TLS error'), 'a TLS error session-closed event', 2000);
  } finally {
    client.close();
  }
});
