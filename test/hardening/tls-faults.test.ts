/**
 * Faults around TLS: a reset during the control handshake (explicit AUTH TLS and implicit), a
 * handshake that never finishes, garbage instead of a ClientHello, resets mid-transfer on TLS data
 * connections and during their handshake. Afterwards a fresh client is served and descriptors and
 * timers are back to their baseline.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectData, connectOnly, connectTlsData } from '../helpers/ftp-flows.js';
import { tlsOptions } from '../helpers/test-certificate.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { assertServedNormally, faultSuite, receivedAtLeast, reset, waitNoSessions } from './hardening-helpers.js';

const big = pseudoRandomBytes(16 * 1024 * 1024, 8);

/** A real ClientHello on `socket`, which is then reset before the handshake can finish. */
async function resetDuringHandshake(socket: net.Socket): Promise<void> {
  socket.on('error', () => undefined);
  const secure = tls.connect({ socket, rejectUnauthorized: false });
  secure.on('error', () => undefined);
  // The ClientHello is written on the next tick; the server's answer takes a round trip more.
  await new Promise((r) => setImmediate(r));
  reset(socket);
  secure.destroy();
}

/** An implicit-TLS client logs in, lists over a TLS data connection and quits. */
async function assertServedImplicit(f: ServerFixture): Promise<void> {
  const client = await ControlClient.connect(f.port, { implicit: true });
  try {
    assert.equal((await client.reply()).code, 220);
    await client.login('anonymous', 'guest');
    assert.equal((await client.command('PBSZ 0')).code, 200);
    assert.equal((await client.command('PROT P')).code, 200);
    assert.equal((await client.command('TYPE I')).code, 200);
    const port = await client.epsv();
    const data = await connectTlsData(port, client.sessions.at(-1));
    assert.equal((await client.command('RETR check.txt')).code, 150);
    assert.equal((await data.received).toString(), 'check\n');
    assert.equal((await client.reply()).code, 226);
    assert.equal((await client.command('QUIT')).code, 221);
  } finally {
    client.close();
  }
}

describe('TLS faults: explicit (AUTH TLS)', () => {
  let f: ServerFixture;
  const { settle } = faultSuite({
    start: async () => (f = await startServer({ tls: await tlsOptions('explicit'), files: { 'big.bin': big, 'check.txt': 'check\n' }, dataConnectionTimeoutMs: 1500 })),
    served: (server) => assertServedNormally(server),
  });

  test('AUTH TLS, then a reset: at once, after garbage, mid-ClientHello, after the handshake', async () => {
    for (const when of ['at once', 'garbage', 'mid-handshake', 'after handshake'] as const) {
      const raw = await connectOnly(f.port);
      assert.equal((await raw.command('AUTH TLS')).code, 234);
      if (when === 'at once') reset(raw.socket);
      else if (when === 'garbage') {
        raw.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc, 0x03, 0x03]));
        await sleep(20);
        reset(raw.socket);
      } else if (when === 'mid-handshake') await resetDuringHandshake(raw.socket);
      else {
        const secure = tls.connect({ socket: raw.socket, rejectUnauthorized: false });
        secure.on('error', () => undefined);
        await new Promise((r) => secure.once('secureConnect', r));
        reset(raw.socket);
      }
      await waitNoSessions(f);
    }
    await settle('explicit TLS handshake resets');
  });

  test('plain text after AUTH TLS instead of a ClientHello: the session closes', async () => {
    const raw = await connectOnly(f.port);
    assert.equal((await raw.command('AUTH TLS')).code, 234);
    raw.send('USER anonymous');
    await waitFor(() => raw.closed, 'the server to drop the connection', 3000);
    await settle('plain text after AUTH TLS');
  });

  test('resets on TLS data connections: during their handshake and mid-RETR', async () => {
    const client = await ControlClient.connect(f.port);
    assert.equal((await client.reply()).code, 220);
    await client.authTls();
    await client.login('anonymous', 'guest');
    await client.command('PBSZ 0');
    await client.command('PROT P');
    await client.command('TYPE I');

    // The data connection's handshake is reset: the transfer fails (425/522), the session lives.
    const port = await client.epsv();
    const rawData = await connectData(port);
    await resetDuringHandshake(rawData);
    assert.equal((await client.command('RETR check.txt')).code, 150);
    const refused = await client.reply(5000);
    assert.ok([425, 426, 522].includes(refused.code), refused.text);
    assert.equal((await client.command('NOOP')).code, 200);

    // Mid-RETR: the data connection is reset under TLS.
    const dataPort = await client.epsv();
    const plain = await connectData(dataPort);
    plain.on('error', () => undefined);
    const data = tls.connect({ socket: plain, rejectUnauthorized: false, session: client.sessions.at(-1) });
    data.on('error', () => undefined);
    await new Promise((r) => data.once('secureConnect', r));
    const arrived = receivedAtLeast(data as unknown as net.Socket, 128 * 1024);
    assert.equal((await client.command('RETR big.bin')).code, 150);
    await arrived;
    reset(plain);
    assert.equal((await client.reply(5000)).code, 426);
    assert.equal((await client.command('NOOP')).code, 200);

    // Mid-RETR again, the control connection reset this time.
    const dataPort2 = await client.epsv();
    const data2 = await connectTlsData(dataPort2, client.sessions.at(-1));
    data2.socket.on('error', () => undefined);
    const arrived2 = receivedAtLeast(data2.socket as unknown as net.Socket, 128 * 1024);
    assert.equal((await client.command('RETR big.bin')).code, 150);
    await arrived2;
    client.close();
    await waitFor(() => data2.socket.destroyed || data2.socket.readableEnded, 'the data connection to drop', 3000).catch(() => undefined);
    data2.socket.destroy();
    await settle('TLS data connection resets');
  });
});

describe('TLS faults: implicit', () => {
  let f: ServerFixture;
  const { settle } = faultSuite({
    start: async () => (f = await startServer({ tls: await tlsOptions('implicit'), files: { 'check.txt': 'check\n' }, idleTimeoutMs: 800 })),
    served: assertServedImplicit,
  });

  test('a reset at once, mid-ClientHello, after the handshake; plain FTP on the TLS port', async () => {
    for (const when of ['at once', 'mid-handshake', 'after handshake', 'plain text'] as const) {
      const socket = await connectData(f.port);
      socket.on('error', () => undefined);
      if (when === 'at once') reset(socket);
      else if (when === 'mid-handshake') await resetDuringHandshake(socket);
      else if (when === 'after handshake') {
        const secure = tls.connect({ socket, rejectUnauthorized: false });
        secure.on('error', () => undefined);
        await new Promise((r) => secure.once('secureConnect', r));
        reset(socket);
      } else {
        socket.write('USER anonymous\r\n');
        await waitFor(() => socket.destroyed || socket.readableEnded, 'the server to drop a plain client', 3000);
        socket.destroy();
      }
      await waitNoSessions(f);
    }
    await settle('implicit TLS resets');
  });

  test('a handshake that never finishes (one byte at a time) is closed by the idle timer', async () => {
    const raw = await ControlClient.connect(f.port);
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
    const started = Date.now();
    for (let i = 0; i < hello.length && !raw.closed; i++) {
      raw.socket.write(hello.subarray(i, i + 1));
      await sleep(150);
    }
    await waitFor(() => raw.closed, 'the idle timer to close the connection', 3000);
    assert.ok(Date.now() - started < 3500);
    await settle('slow implicit handshake');
  });
});
