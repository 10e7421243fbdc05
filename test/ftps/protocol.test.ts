/**
 * Explicit FTPS at the protocol level (RFC 4217): AUTH/PBSZ/PROT/CCC replies, the session reset
 * after AUTH TLS, TLS versions on offer, what the server sends on data connections (no session
 * tickets), and the security flags in events.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { collectData, connectTlsData } from '../helpers/ftp-flows.js';
import { randomPayload } from '../helpers/payloads.js';
import { ftpsHandshake } from '../helpers/openssl.js';
import { sha256 } from '../helpers/digests.js';
import { tlsOptions } from '../helpers/test-certificate.js';
import { assertModernTlsOnly, completedUploads } from './ftps-helpers.js';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

const download = randomPayload(200 * 1024 + 7);
let fx: ServerFixture;

before(async () => {
  fx = await startServer({ username: 'u', password: 'p', tls: await tlsOptions('explicit'), files: { 'down.bin': download } });
});

after(async () => {
  await fx.close();
});

/** Connects, AUTH TLS, PBSZ 0, PROT P, login. */
async function secureClient(): Promise<ControlClient> {
  const client = await ControlClient.connect(fx.port);
  assert.equal((await client.reply()).code, 220);
  assert.equal((await client.authTls()).code, 234);
  await client.login('u', 'p');
  assert.equal((await client.command('PBSZ 0')).code, 200);
  assert.equal((await client.command('PROT P')).code, 200);
  assert.equal((await client.command('TYPE I')).code, 200);
  return client;
}

test('FEAT lists AUTH TLS, PBSZ and PROT; PBSZ/PROT need TLS first; CCC is refused with 534', { timeout: 15_000 }, async () => {
  const client = await ControlClient.connect(fx.port);
  try {
    await client.reply();
    const feat = await client.command('FEAT');
    assert.equal(feat.code, 211);
    for (const line of [' AUTH TLS', ' PBSZ', ' PROT']) assert.ok(feat.lines.includes(line), feat.text);
    assert.equal((await client.command('PBSZ 0')).code, 503);
    assert.equal((await client.command('PROT P')).code, 503);
    assert.equal((await client.command('AUTH KERBEROS')).code, 504);
    assert.equal((await client.authTls()).code, 234);
    assert.equal((await client.command('AUTH TLS')).code, 503); // already secured
    assert.equal((await client.command('PROT P')).code, 503); // PBSZ first
    assert.equal((await client.command('PBSZ 0')).code, 200);
    assert.equal((await client.command('PROT E')).code, 536);
    assert.equal((await client.command('PROT P')).code, 200);
    await client.login('u', 'p');
    assert.equal((await client.command('CCC')).code, 534);
    assert.equal((await client.command('NOOP')).code, 200); // still talking TLS after CCC
  } finally {
    client.close();
  }
});

test('AUTH TLS after login resets the session: the client must log in again', { timeout: 15_000 }, async () => {
  const client = await ControlClient.connect(fx.port);
  try {
    await client.reply();
    await client.login('u', 'p');
    assert.equal((await client.command('CWD /')).code, 250);
    assert.equal((await client.authTls()).code, 234);
    assert.equal((await client.command('PWD')).code, 530);
    await client.login('u', 'p');
    assert.equal((await client.command('PWD')).code, 257);
  } finally {
    client.close();
  }
});

test('AUTH SSL is accepted and implies protected data', { timeout: 15_000 }, async () => {
  const client = await ControlClient.connect(fx.port);
  try {
    await client.reply();
    assert.equal((await client.authTls('SSL')).code, 234);
    await client.login('u', 'p');
    assert.equal((await client.command('TYPE I')).code, 200);
    const port = await client.epsv();
    client.send('RETR down.bin');
    const data = await connectTlsData(port);
    assert.equal((await client.reply()).code, 150);
    assert.equal(sha256(await data.received), sha256(download));
    assert.equal((await client.reply()).code, 226);
  } finally {
    client.close();
  }
});

test('lines pipelined in clear text after AUTH TLS are discarded, not run inside TLS', { timeout: 15_000 }, async () => {
  const raw = await ControlClient.connect(fx.port);
  try {
    await raw.reply();
    // An attacker on the path appends a command to the client's AUTH TLS (STARTTLS injection).
    raw.socket.write('AUTH TLS\r\nUSER u\r\n');
    assert.equal((await raw.reply()).code, 234);
    const tlsModule = await import('node:tls');
    const secure = tlsModule.connect({ socket: raw.socket, rejectUnauthorized: false });
    let text = '';
    secure.setEncoding('utf8');
    secure.on('data', (c: string) => (text += c));
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    secure.write('PASS p\r\n');
    await waitFor(() => text.includes('\r\n'), 'reply to PASS', 5000);
    assert.match(text, /^503 /); // no USER was seen: the injected line was dropped
    secure.destroy();
  } finally {
    raw.close();
  }
});

test('TLS 1.2 and 1.3 are offered; TLS 1.0 and 1.1 are refused (openssl s_client -starttls ftp)', { timeout: 30_000 }, async () => {
  const { tls13, tls12 } = await assertModernTlsOnly(fx.port, 'explicit');
  assert.match(tls12.cipher ?? '', /^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  // A TLS 1.2 client offering only CBC suites finds nothing in common.
  const cbc = await ftpsHandshake(fx.port, 'explicit', ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA']);
  assert.equal(cbc.protocol, undefined, cbc.output);
  console.log(`openssl s_client explicit: ${tls13.protocol} ${tls13.cipher}; ${tls12.protocol} ${tls12.cipher}; TLSv1.1 refused; TLSv1 refused; CBC-only refused`);
});

test('data connections carry no TLS session tickets (fresh or resumed), so a client that never reads them cannot be reset mid-upload', { timeout: 20_000 }, async () => {
  const client = await secureClient();
  try {
    // The control connection gets its tickets (TLS 1.3 sends them after the handshake).
    await waitFor(() => client.sessions.length > 0, 'a ticket on the control connection', 5000);
    const controlTickets = client.sessions.length;
    const session = client.sessions.at(-1)!;

    // Download, resuming the control session (curl, FileZilla, basic-ftp).
    let port = await client.epsv();
    client.send('RETR down.bin');
    const resumed = await connectTlsData(port, session);
    assert.equal((await client.reply()).code, 150);
    assert.equal(sha256(await resumed.received), sha256(download));
    assert.equal((await client.reply()).code, 226);
    assert.equal(resumed.reused, true, 'the data connection resumes the control session');
    assert.equal(resumed.tickets.length, 0, 'no ticket on a resumed data connection');

    // Download with a fresh handshake (Python ftplib, rclone without a session cache).
    port = await client.epsv();
    client.send('RETR down.bin');
    const fresh = await connectTlsData(port);
    assert.equal((await client.reply()).code, 150);
    assert.equal(sha256(await fresh.received), sha256(download));
    assert.equal((await client.reply()).code, 226);
    assert.equal(fresh.reused, false);
    assert.equal(fresh.tickets.length, 0, 'no ticket on a fresh data connection');

    // Upload on a fresh handshake: the client reads nothing, ends, and every byte must land.
    const upload = randomPayload(512 * 1024 + 3);
    port = await client.epsv();
    client.send('STOR ticket-up.bin');
    const up = await connectTlsData(port);
    assert.equal((await client.reply()).code, 150);
    up.socket.end(upload);
    assert.equal((await client.reply(10_000)).code, 226);
    const stored = await fs.readFile(path.join(fx.root, 'ticket-up.bin'));
    assert.equal(stored.length, upload.length);
    assert.equal(sha256(stored), sha256(upload));
    assert.equal(up.tickets.length, 0);
    console.log(
      `tickets: control ${controlTickets} (${client.tlsSocket.getProtocol()} ${client.tlsSocket.getCipher().standardName}); ` +
        `data resumed ${resumed.tickets.length} (${resumed.protocol}), data fresh ${fresh.tickets.length} (${fresh.protocol} ${fresh.cipher})`,
    );
  } finally {
    client.close();
  }
});

test('TLS 1.2 clients: data connections resume the control session or shake hands afresh, and transfer intact', { timeout: 20_000 }, async () => {
  const client = await ControlClient.connect(fx.port);
  try {
    await client.reply();
    assert.equal((await client.authTls('TLS', { maxVersion: 'TLSv1.2' })).code, 234);
    assert.equal(client.tlsSocket.getProtocol(), 'TLSv1.2');
    await client.login('u', 'p');
    await client.command('PBSZ 0');
    await client.command('PROT P');
    await client.command('TYPE I');
    await waitFor(() => client.sessions.length > 0, 'a TLS 1.2 session', 5000);
    const results: string[] = [];
    for (const resume of [true, false]) {
      const port = await client.epsv();
      client.send('RETR down.bin');
      const data = await connectTlsData(port, resume ? client.sessions.at(-1) : undefined, { maxVersion: 'TLSv1.2' });
      assert.equal((await client.reply()).code, 150);
      assert.equal(sha256(await data.received), sha256(download));
      assert.equal((await client.reply()).code, 226);
      assert.equal(data.reused, resume);
      assert.equal(data.protocol, 'TLSv1.2');
      results.push(`${data.protocol} ${data.cipher}${data.reused ? ' resumed' : ' fresh'}`);
    }
    console.log(`TLS 1.2 client: control ${client.tlsSocket.getCipher().standardName}; data ${results.join(' | ')}`);
  } finally {
    client.close();
  }
});

test('a data connection whose early TLS handshake failed is refused at once (522), not after the data timeout', { timeout: 20_000 }, async () => {
  const client = await secureClient();
  try {
    const port = await client.epsv();
    // Like curl, the client starts TLS as soon as it connects, but its handshake goes wrong.
    const bad = net.connect({ port, host: '127.0.0.1' });
    bad.on('error', () => undefined);
    bad.resume();
    await new Promise<void>((resolve) => bad.once('connect', () => resolve()));
    bad.write('this is not a TLS ClientHello\r\n');
    await new Promise<void>((resolve) => bad.once('close', () => resolve()));
    const started = Date.now();
    client.send('RETR down.bin');
    assert.equal((await client.reply()).code, 150);
    const refused = await client.reply(5000);
    assert.equal(refused.code, 522, refused.text);
    assert.ok(Date.now() - started < 5000);
    assert.equal((await client.command('NOOP')).code, 200);
  } finally {
    client.close();
  }
});

test('events say whether control and data connections are encrypted', { timeout: 15_000 }, async () => {
  const mark = fx.events.length;
  const client = await ControlClient.connect(fx.port);
  try {
    await client.reply();
    assert.equal((await client.authTls()).code, 234);
    await client.login('u', 'p');
    await client.command('PBSZ 0');
    await client.command('PROT P');
    await client.command('TYPE I');
    const upload = randomPayload(64 * 1024);
    const port = await client.epsv();
    client.send('STOR events-up.bin');
    const up = await connectTlsData(port, client.sessions.at(-1));
    assert.equal((await client.reply()).code, 150);
    up.socket.end(upload);
    assert.equal((await client.reply()).code, 226);
    const events = fx.events.slice(mark);
    const changes = events.filter((e) => e.type === 'session-changed') as Array<{ security: { control: boolean; data: boolean } }>;
    assert.ok(changes.some((c) => c.security.control && !c.security.data), 'control secured before PROT P');
    assert.ok(changes.some((c) => c.security.control && c.security.data), 'data protected after PROT P');
    const started = events.find((e) => e.type === 'transfer-started') as { secure: boolean } | undefined;
    assert.equal(started?.secure, true);
    assert.deepEqual(completedUploads(events), [{ path: '/events-up.bin', bytes: upload.length, secure: true }]);
    // PROT C: the same session transfers in clear, and says so.
    assert.equal((await client.command('PROT C')).code, 200);
    const port2 = await client.epsv();
    client.send('RETR events-up.bin');
    const plain = collectData(port2);
    assert.equal((await client.reply()).code, 150);
    assert.equal(sha256(await plain.done), sha256(upload));
    assert.equal((await client.reply()).code, 226);
    const last = fx.events.filter((e) => e.type === 'transfer-completed').at(-1) as { secure: boolean };
    assert.equal(last.secure, false);
  } finally {
    client.close();
  }
});
