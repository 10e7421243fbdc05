/**
 * Limits: connections in total and per IP (421), failed logins, idle timeout (never during a
 * transfer), over-long command lines, data connection and stall timeouts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server-fixture.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectAndLogin, connectData, connectOnly, download } from '../helpers/ftp-flows.js';
import { loopbackAliases } from '../helpers/loopback.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';

async function waitClosed(raw: ControlClient, timeoutMs = 3000): Promise<void> {
  await waitFor(() => raw.closed, 'the server to close the connection', timeoutMs);
}

describe('limits', () => {
  test('max connections in total: the next one gets 421 and is closed; a freed slot is reusable', async () => {
    const f = await startServer({ maxConnections: 2 });
    try {
      const a = await connectOnly(f.port);
      const b = await connectOnly(f.port);
      const c = await ControlClient.connect(f.port);
      assert.deepEqual((await c.reply()).lines, ['421 Too many connections, try again later']);
      await waitClosed(c);
      a.close();
      await waitFor(() => f.server.getSessions().length === 1, 'the session to end', 3000);
      const d = await connectOnly(f.port);
      assert.equal((await d.command('NOOP')).code, 200);
      b.close();
      d.close();
    } finally {
      await f.close();
    }
  });

  test('max connections per IP: 421 from the same address, another address still gets in', { skip: loopbackAliases }, async () => {
    const f = await startServer({ maxConnectionsPerIp: 1 });
    try {
      const a = await connectOnly(f.port);
      const b = await ControlClient.connect(f.port);
      assert.deepEqual((await b.reply()).lines, ['421 Too many connections from your address, try again later']);
      await waitClosed(b);
      const other = await ControlClient.connect(f.port, { localAddress: '127.0.0.2' });
      assert.equal((await other.reply()).code, 220);
      a.close();
      other.close();
    } finally {
      await f.close();
    }
  });

  test('three failed logins close the connection', async () => {
    const f = await startServer({ username: 'u', password: 'right' });
    try {
      const raw = await connectOnly(f.port);
      for (let i = 0; i < 2; i++) {
        assert.equal((await raw.command('USER u')).code, 331);
        assert.deepEqual((await raw.command('PASS wrong')).lines, ['530 Login incorrect']);
      }
      assert.equal((await raw.command('USER u')).code, 331);
      assert.deepEqual((await raw.command('PASS wrong')).lines, ['421 Too many failed logins, closing control connection']);
      await waitClosed(raw);
      assert.equal(f.events.filter((e) => e.type === 'login-failed').length, 3);
      // A fresh connection may try again.
      const again = await connectOnly(f.port);
      await again.login('u', 'right');
      again.close();
    } finally {
      await f.close();
    }
  });

  test('idle timeout: 421 and close, but never while a transfer runs', async () => {
    const f = await startServer({
      idleTimeoutMs: 400,
      bandwidth: { download: 200 * 1024 },
      files: { 'slow.bin': pseudoRandomBytes(300 * 1024, 71) },
    });
    try {
      // A transfer that takes ~1.5 s, well over the idle timeout.
      const busy = await connectAndLogin(f.port);
      await busy.command('TYPE I');
      const { data, final } = await download(busy, 'RETR slow.bin');
      assert.equal(final.code, 226);
      assert.equal(sha256(data), sha256(pseudoRandomBytes(300 * 1024, 71)));
      assert.equal((await busy.command('NOOP')).code, 200, 'the session survived the long transfer');

      const idle = await connectAndLogin(f.port);
      await sleep(150);
      assert.equal((await idle.command('NOOP')).code, 200, 'a command restarts the idle timer');
      const timedOut = await idle.reply(3000);
      assert.deepEqual(timedOut.lines, ['421 Idle timeout, closing control connection']);
      await waitClosed(idle);
      busy.close();
      assert.ok(f.events.some((e) => e.type === 'session-closed' && e.reason === 'idle timeout'));
    } finally {
      await f.close();
    }
  });

  test('a command line over 4 KiB gets 500 and the connection closes; 4 KiB exactly is fine', async () => {
    const f = await startServer();
    try {
      const raw = await connectOnly(f.port);
      const exact = 'NOOP ' + 'x'.repeat(4096 - 5);
      assert.equal(Buffer.byteLength(exact), 4096);
      assert.equal((await raw.command(exact)).code, 200);
      // Sent in pieces without a line end: the server must not wait for CRLF to refuse it.
      raw.socket.write('NOOP ' + 'y'.repeat(3000));
      await sleep(20);
      raw.socket.write('y'.repeat(2000));
      assert.deepEqual((await raw.reply()).lines, ['500 Command line too long']);
      await waitClosed(raw);
    } finally {
      await f.close();
    }
  });

  test('a passive data connection that never comes: 425 after the timeout', async () => {
    const f = await startServer({ dataConnectionTimeoutMs: 300, files: { 'a.txt': 'a' } });
    try {
      const raw = await connectAndLogin(f.port);
      await raw.pasv();
      assert.equal((await raw.command('RETR a.txt')).code, 150);
      assert.equal((await raw.reply()).code, 425);
      assert.equal((await raw.command('NOOP')).code, 200);
      raw.close();
    } finally {
      await f.close();
    }
  });

  test('a stalled upload is aborted with 426 and leaves nothing behind', async () => {
    const f = await startServer({ dataStallTimeoutMs: 300 });
    try {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      socket.on('error', () => undefined);
      assert.equal((await raw.command('STOR stalled.bin')).code, 150);
      socket.write('a few bytes, then silence');
      assert.deepEqual((await raw.reply(3000)).lines, ['426 Transfer stalled; aborted']);
      socket.destroy();
      assert.equal((await raw.command('SIZE stalled.bin')).code, 550);
      raw.close();
    } finally {
      await f.close();
    }
  });
});
