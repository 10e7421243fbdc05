/**
 * Fault injection with real sockets: TCP resets at every stage (after connect, after PASV, mid-RETR,
 * mid-STOR, mid-listing), QUIT and ABOR in every state, kick and stop mid-transfer, 500 idle
 * connections, slowloris, stalled transfers and 1,000 random binary lines. After each fault a
 * fresh client is served normally, and the process's descriptors and ref'ed timers come back to
 * their baseline (the server runs in this process): nothing a client does leaks a resource.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { collectData, connectAndLogin, connectData, connectOnly, download, tempFilesIn, waitClosed } from '../helpers/ftp-flows.js';
import { prng, pseudoRandomBytes } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';
import { expectBackToBaseline, failOnCrashes, takeBaseline } from '../helpers/resource-baseline.js';
import { assertIntact, assertNoServerErrors, assertServedNormally, faultSuite, receivedAtLeast, reset, stalledRetr, waitNoSessions } from './hardening-helpers.js';

const MiB = 1024 * 1024;
const big = pseudoRandomBytes(24 * MiB, 5);
const precious = pseudoRandomBytes(300_000, 6);

describe('faults', () => {
  let f: ServerFixture;
  /** The end of every test: no session left, a fresh client served, nothing leaked, no error. */
  const { settle } = faultSuite({
    async start() {
      const files: Record<string, Buffer | string> = { 'big.bin': big, 'precious.bin': precious, 'check.txt': 'check\n' };
      for (let i = 0; i < 3000; i++) files[`many/entry-${String(i).padStart(5, '0')}-${'n'.repeat(40)}.txt`] = '';
      return (f = await startServer({ files, dataConnectionTimeoutMs: 3000 }));
    },
    served: (server) => assertServedNormally(server),
    checks: (server) => assertIntact(server.root, 'precious.bin', precious),
  });

  test('RST right after connect, before and after the greeting (20 times)', async () => {
    for (let i = 0; i < 20; i++) {
      const socket = await connectData(f.port);
      socket.on('error', () => undefined);
      if (i % 2 === 1) await new Promise((r) => socket.once('data', r));
      reset(socket);
    }
    await settle('RST after connect');
  });

  test('RST after PASV closes the passive listener; with the data connection open too', async () => {
    const raw = await connectAndLogin(f.port);
    const { port } = await raw.pasv();
    reset(raw.socket);
    await waitNoSessions(f);
    await assert.rejects(connectData(port), /ECONNREFUSED/, 'the passive port is closed');

    const second = await connectAndLogin(f.port);
    const data = await connectData((await second.pasv()).port);
    data.on('error', () => undefined);
    reset(second.socket);
    await waitFor(() => data.destroyed || data.readableEnded, 'the server to drop the data connection', 3000);
    data.destroy();
    await settle('RST after PASV');
  });

  test('RST mid-RETR on the control connection: the transfer stops, the file handle closes', async () => {
    // The reader stalls: the server is blocked on backpressure, mid-file.
    const { raw, data } = await stalledRetr(f.port, 'big.bin', 256 * 1024, { ignoreDataErrors: true });
    reset(raw.socket);
    await waitFor(() => data.destroyed || data.readableEnded || data.closed, 'the data connection to be dropped', 3000).catch(() => undefined);
    data.destroy();
    await settle('RST mid-RETR (control)');
    const failed = f.events.filter((e) => e.type === 'transfer-failed' && e.path === '/big.bin');
    assert.ok(failed.length >= 1, 'transfer-failed reported');
  });

  test('RST mid-RETR on the data connection: 426, and the session goes on', async () => {
    const { raw, data } = await stalledRetr(f.port, 'big.bin', 256 * 1024, { ignoreDataErrors: true });
    reset(data);
    assert.equal((await raw.reply(5000)).code, 426);
    assert.equal((await raw.command('NOOP')).code, 200);
    assert.equal(raw.closed, false);
    raw.close();
    await settle('RST mid-RETR (data)');
  });

  test('RST mid-STOR on either connection: the temp file goes, the original stays intact', async () => {
    for (const side of ['control', 'data'] as const) {
      const raw = await connectAndLogin(f.port);
      await raw.command('TYPE I');
      const data = await connectData((await raw.pasv()).port);
      data.on('error', () => undefined);
      assert.equal((await raw.command('STOR precious.bin')).code, 150);
      data.write(pseudoRandomBytes(512 * 1024, 9));
      await waitFor(async () => (await tempFilesIn(f.root)).length === 1, 'the upload to start', 3000);
      await waitFor(() => (f.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0) > 0, 'bytes to arrive', 3000);
      if (side === 'control') {
        // A crashed client: both connections reset. (A FIN on the data connection would be a
        // complete upload as far as FTP can tell: stream mode ends a file with the connection.)
        reset(raw.socket);
        reset(data);
      } else {
        reset(data);
        assert.equal((await raw.reply(5000)).code, 426);
        assert.equal((await raw.command('NOOP')).code, 200);
        raw.close();
      }
      await waitNoSessions(f);
      await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'the temp file to be removed', 3000);
    }
    await settle('RST mid-STOR');
  });

  test('RST mid-listing of a 3,000-entry folder: the directory handle is closed', async () => {
    for (let i = 0; i < 3; i++) {
      const raw = await connectAndLogin(f.port);
      const data = await connectData((await raw.pasv()).port);
      data.on('error', () => undefined);
      const arrived = receivedAtLeast(data, 1024);
      assert.equal((await raw.command('LIST many')).code, 150);
      await arrived;
      if (i === 0) reset(data);
      else if (i === 1) reset(raw.socket);
      else {
        // ABOR while the reader stalls.
        raw.send('ABOR');
        assert.equal((await raw.reply()).code, 426);
        assert.equal((await raw.reply()).code, 226);
      }
      if (i !== 1) raw.close();
      data.destroy();
      await waitNoSessions(f);
    }
    await settle('RST mid-listing');
  });

  test('QUIT during a download and an upload: the transfer finishes, then 221', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const { port } = await raw.pasv();
    const { done } = collectData(port);
    assert.equal((await raw.command('RETR big.bin')).code, 150);
    raw.send('QUIT');
    assert.equal(sha256(await done), sha256(big));
    assert.equal((await raw.reply(10_000)).code, 226);
    assert.equal((await raw.reply()).code, 221);
    await waitClosed(raw);

    const up = await connectAndLogin(f.port);
    await up.command('TYPE I');
    const data = await connectData((await up.pasv()).port);
    assert.equal((await up.command('STOR quit-upload.bin')).code, 150);
    const body = pseudoRandomBytes(2 * MiB, 12);
    data.write(body.subarray(0, MiB));
    up.send('QUIT');
    await sleep(50);
    await new Promise<void>((resolve) => data.end(body.subarray(MiB), () => resolve()));
    assert.equal((await up.reply(10_000)).code, 226);
    assert.equal((await up.reply()).code, 221);
    await waitClosed(up);
    data.destroy();
    assert.equal(sha256(await fs.readFile(path.join(f.root, 'quit-upload.bin'))), sha256(body));
    await fs.rm(path.join(f.root, 'quit-upload.bin'));
    await settle('QUIT during transfers');
  });

  test('ABOR in every state: before login, idle, after PASV, waiting for the data connection, mid-RETR, mid-STOR, after a transfer', async () => {
    const fresh = await connectOnly(f.port);
    assert.equal((await fresh.command('ABOR')).code, 530, 'before login');
    fresh.close();

    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    assert.equal((await raw.command('ABOR')).code, 225, 'idle');

    const { port: listening } = await raw.pasv();
    assert.equal((await raw.command('ABOR')).code, 225, 'after PASV');
    // The listener stays open for the next PASV, but unarmed: a connection to it is dropped at once.
    const stale = await connectData(listening);
    stale.on('error', () => undefined).resume();
    await waitFor(() => stale.readableEnded || stale.destroyed, 'ABOR to have disarmed the passive listener', 3000);
    stale.destroy();

    await raw.pasv();
    assert.equal((await raw.command('RETR big.bin')).code, 150, 'waiting for a data connection that never comes');
    const abortedWait = await raw.command('ABOR');
    assert.equal(abortedWait.code, 426);
    assert.equal((await raw.reply()).code, 226);

    const data = await connectData((await raw.pasv()).port);
    data.on('error', () => undefined);
    const arrived = receivedAtLeast(data, 128 * 1024);
    assert.equal((await raw.command('RETR big.bin')).code, 150);
    await arrived;
    // With the Telnet "interrupt process" and "data mark" sync in front, as RFC 959 clients send it.
    raw.socket.write(Buffer.from([0xff, 0xf4, 0xff, 0xf2]));
    raw.send('ABOR');
    assert.equal((await raw.reply()).code, 426, 'mid-RETR');
    assert.equal((await raw.reply()).code, 226);
    await waitFor(() => data.readableEnded || data.destroyed || data.closed, 'the data connection to close', 3000).catch(() => undefined);
    data.destroy();

    const upload = await connectData((await raw.pasv()).port);
    upload.on('error', () => undefined);
    assert.equal((await raw.command('STOR precious.bin')).code, 150);
    upload.write(pseudoRandomBytes(256 * 1024, 4));
    await waitFor(async () => (await tempFilesIn(f.root)).length === 1, 'the upload to start', 3000);
    assert.equal((await raw.command('ABOR')).code, 426, 'mid-STOR');
    assert.equal((await raw.reply()).code, 226);
    upload.destroy();
    await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'the temp file to be removed', 3000);

    const { final } = await download(raw, 'RETR check.txt');
    assert.equal(final.code, 226);
    assert.equal((await raw.command('ABOR')).code, 225, 'after a transfer');
    assert.equal((await raw.command('NOOP')).code, 200);
    raw.close();
    await settle('ABOR in every state');
  });

  test('kick mid-RETR and mid-STOR releases everything', async () => {
    for (const command of ['RETR big.bin', 'STOR kicked.bin']) {
      const raw = await connectAndLogin(f.port);
      await raw.command('TYPE I');
      const data = await connectData((await raw.pasv()).port);
      data.on('error', () => undefined);
      const arrived = command.startsWith('RETR') ? receivedAtLeast(data, 128 * 1024) : Promise.resolve(0);
      assert.equal((await raw.command(command)).code, 150);
      if (command.startsWith('STOR')) data.write(pseudoRandomBytes(128 * 1024, 2));
      await arrived;
      const [session] = f.server.getSessions();
      assert.ok(f.server.kick(session!.sessionId));
      await waitClosed(raw);
      data.destroy();
      await waitNoSessions(f);
    }
    assert.equal(await fs.stat(path.join(f.root, 'kicked.bin')).catch(() => undefined), undefined, 'a kicked upload leaves nothing');
    await settle('kick');
  });

  test('1,000 random binary lines: every reply is a well-formed code, the server lives on', async () => {
    const random = prng(20261122);
    let raw = await connectOnly(f.port);
    let loggedIn = false;
    const codes = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      if (raw.closed) {
        raw = await connectOnly(f.port);
        loggedIn = false;
      }
      // The second half runs logged in, where more commands reach the file system.
      if (i >= 500 && !loggedIn) {
        await raw.login();
        loggedIn = true;
      }
      const length = Math.floor(random() * 200);
      const line = Buffer.alloc(length);
      for (let j = 0; j < length; j++) line[j] = Math.floor(random() * 256);
      // A NOOP after each line marks where its replies end (a line with CR/LF inside is several).
      raw.socket.write(Buffer.concat([line, Buffer.from('\r\nNOOP\r\n')]));
      for (let n = 0; n < 10; n++) {
        let reply;
        try {
          reply = await raw.reply(3000);
        } catch {
          assert.ok(raw.closed, `line ${i}: no reply and not closed`);
          break;
        }
        assert.match(reply.lines[0]!, /^\d{3}[ -]/, `line ${i}: ${JSON.stringify(reply.lines[0])}`);
        assert.match(reply.lines[reply.lines.length - 1]!, /^\d{3} /);
        codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
        if (reply.code === 200 && reply.text.includes('NOOP')) break;
        if (reply.code === 221 || reply.code === 421) break;
      }
    }
    raw.close();
    assert.ok((codes.get(200) ?? 0) > 900, `most NOOPs answered: ${JSON.stringify([...codes])}`);
    await settle('random binary lines');
  });
});

describe('faults: many connections, slow clients, stalls', () => {
  failOnCrashes();

  test('500 idle connections all get 220; the 501st gets 421; all released when they go', async () => {
    const f = await startServer({ maxConnections: 500, maxConnectionsPerIp: 600, files: { 'check.txt': 'x' } });
    const clients: ControlClient[] = [];
    try {
      await assertServedNormally(f);
      const baseline = await takeBaseline();
      for (let i = 0; i < 500; i += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, () => ControlClient.connect(f.port)));
        clients.push(...batch);
        for (const c of batch) assert.equal((await c.reply()).code, 220);
      }
      assert.equal(f.server.getSessions().length, 500);
      const extra = await ControlClient.connect(f.port);
      assert.deepEqual((await extra.reply()).lines, ['421 Too many connections, try again later']);
      await waitClosed(extra);
      for (const c of clients) c.close();
      await waitNoSessions(f, 10_000);
      await assertServedNormally(f);
      await waitNoSessions(f);
      await expectBackToBaseline(baseline, '500 idle connections', 10_000);
      assertNoServerErrors(f);
    } finally {
      for (const c of clients) c.close();
      await f.close();
    }
  });

  test('slowloris: a line dribbled one byte at a time never resets the idle timer', async () => {
    const f = await startServer({ idleTimeoutMs: 600, files: { 'check.txt': 'x' } });
    try {
      await assertServedNormally(f);
      const baseline = await takeBaseline();
      const raw = await connectOnly(f.port);
      const started = Date.now();
      const text = 'USER ' + 'slow'.repeat(100);
      for (let i = 0; i < text.length && !raw.closed && Date.now() - started < 5000; i++) {
        raw.socket.write(text[i]!);
        await sleep(150);
      }
      assert.deepEqual((await raw.reply(1000)).lines, ['421 Idle timeout, closing control connection']);
      await waitClosed(raw);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 2500, `closed after ${elapsed} ms`);
      // Several at once, each sending a byte every 200 ms: all cut off, none served.
      const many = await Promise.all(Array.from({ length: 20 }, () => connectOnly(f.port)));
      const dribble = setInterval(() => {
        for (const c of many) if (!c.closed) c.socket.write('N');
      }, 200);
      try {
        await waitFor(() => many.every((c) => c.closed), 'every slowloris to be closed', 4000);
      } finally {
        clearInterval(dribble);
      }
      await waitNoSessions(f);
      await assertServedNormally(f);
      await waitNoSessions(f);
      await expectBackToBaseline(baseline, 'slowloris');
      assertNoServerErrors(f);
    } finally {
      await f.close();
    }
  });

  test('a download whose reader stalls gets 426 after the stall timeout; the session goes on', async () => {
    const f = await startServer({ dataStallTimeoutMs: 400, files: { 'big.bin': big } });
    try {
      const baseline = await takeBaseline();
      const { raw, data } = await stalledRetr(f.port, 'big.bin', 64 * 1024, { ignoreDataErrors: true });
      assert.deepEqual((await raw.reply(5000)).lines, ['426 Transfer stalled; aborted']);
      assert.equal((await raw.command('NOOP')).code, 200);
      data.destroy();
      raw.close();
      await waitNoSessions(f);
      await expectBackToBaseline(baseline, 'stalled download');
      const failed = f.events.find((e) => e.type === 'transfer-failed');
      assert.ok(failed && failed.type === 'transfer-failed' && failed.reason === 'stalled');
    } finally {
      await f.close();
    }
  });

  test('active mode to a port nobody listens on: 425, no leak', async () => {
    const f = await startServer({ dataConnectionTimeoutMs: 500, files: { 'check.txt': 'x' } });
    try {
      const baseline = await takeBaseline();
      const raw = await connectAndLogin(f.port);
      // A port that was free a moment ago: connection refused at once.
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
      const freePort = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      assert.equal((await raw.command(`PORT 127,0,0,1,${freePort >> 8},${freePort & 0xff}`)).code, 200);
      assert.equal((await raw.command('RETR check.txt')).code, 150);
      assert.equal((await raw.reply()).code, 425);
      assert.equal((await raw.command('NOOP')).code, 200);
      raw.close();
      await waitNoSessions(f);
      await expectBackToBaseline(baseline, 'active mode failures');
    } finally {
      await f.close();
    }
  });

  test('stop() mid-RETR, mid-STOR and with a PASV pending closes every socket and file', async () => {
    const before = await takeBaseline();
    const f = await startServer({ files: { 'big.bin': big } });
    const clients: ControlClient[] = [];
    const sockets: net.Socket[] = [];
    try {
      const { raw: retr, data: rd } = await stalledRetr(f.port, 'big.bin', 128 * 1024, { ignoreDataErrors: true });
      const stor = await connectAndLogin(f.port);
      const sd = await connectData((await stor.pasv()).port);
      sd.on('error', () => undefined);
      assert.equal((await stor.command('STOR stopped.bin')).code, 150);
      sd.write(pseudoRandomBytes(128 * 1024, 3));
      const pasv = await connectAndLogin(f.port);
      await pasv.pasv();
      clients.push(retr, stor, pasv);
      sockets.push(rd, sd);
      await f.server.stop();
      for (const c of clients) await waitClosed(c);
      assert.deepEqual(await tempFilesIn(f.root), []);
    } finally {
      for (const c of clients) c.close();
      for (const s of sockets) s.destroy();
      await f.close();
    }
    await expectBackToBaseline(before, 'stop()');
  });
});
