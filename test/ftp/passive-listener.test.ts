/**
 * A session's passive listener is kept across PASV/EPSV: the same port answers again without a new
 * bind, each PASV lets exactly one connection through (an unarmed, duplicate or stranger connection
 * is dropped and never becomes a transfer's socket), it closes when unused for a while and when the
 * session ends, and a small range is shared by more sessions than it has ports.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DataChannel } from '../../core/ftp/data-channel.js';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { collectData, connectAndLogin, connectData, downloadOk, epsvPort } from '../helpers/ftp-flows.js';
import { freePortRange, loopbackAliases } from '../helpers/loopback.js';
import { onceEvent, sleep, waitFor } from '../helpers/wait.js';

/** Connects to `port` and resolves with what arrived once the server closed the connection (bounded). */
async function droppedConnection(port: number, localAddress?: string): Promise<Buffer> {
  const { socket, done } = collectData(port, '127.0.0.1', localAddress);
  const received = done.catch(() => Buffer.alloc(0)); // a drop may come as a reset
  await waitFor(() => socket.destroyed || socket.readableEnded, 'the server to drop the connection');
  socket.destroy();
  return received;
}

/** True once a listener may bind `port` on 127.0.0.1 (then closed again at once). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function withServer(options: Parameters<typeof startServer>[0], run: (f: ServerFixture) => Promise<void>): Promise<void> {
  const f = await startServer({ files: { 'a.txt': 'first file', 'b.txt': 'second file' }, ...options });
  try {
    await run(f);
  } finally {
    await f.close();
  }
}

describe('passive listener reuse', () => {
  test('PASV and EPSV in a row, and across transfers, answer the same port', () =>
    withServer({}, async (f) => {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      assert.equal((await raw.pasv()).port, port);
      assert.equal(epsvPort(await raw.command('EPSV')), port);
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'first file');
      assert.equal((await downloadOk(raw, 'RETR b.txt')).toString(), 'second file');
      assert.equal((await raw.pasv()).port, port);
      // ABOR and PORT drop the preparation; the listener stays for the next PASV.
      assert.equal((await raw.command('ABOR')).code, 225);
      assert.equal((await raw.command('NLST')).code, 425, 'ABOR disarmed it');
      assert.equal((await raw.command('PORT 127,0,0,1,4,0')).code, 200);
      assert.equal((await raw.pasv()).port, port);
      raw.close();
    }));

  test('a connection made while no PASV is armed is dropped and never becomes a transfer socket', () =>
    withServer({}, async (f) => {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'first file');
      // After the transfer, and after ABOR, the open port lets nobody through.
      assert.equal((await droppedConnection(port)).length, 0);
      await raw.pasv();
      assert.equal((await raw.command('ABOR')).code, 225);
      assert.equal((await droppedConnection(port)).length, 0);
      // A second connection for one PASV (a duplicate) is dropped; the first one carries the data.
      assert.equal((await raw.pasv()).port, port);
      const real = collectData(port);
      await onceEvent(real.socket, 'connect');
      const duplicate = await droppedConnection(port);
      assert.equal((await raw.command('RETR b.txt')).code, 150);
      assert.equal((await real.done).toString(), 'second file');
      assert.equal(duplicate.length, 0);
      assert.equal((await raw.reply()).code, 226);
      // The next transfer still gets its own connection.
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'first file');
      raw.close();
    }));

  test('a connection from another address is dropped and does not use up the PASV', { skip: loopbackAliases }, () =>
    withServer({}, async (f) => {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      assert.equal((await droppedConnection(port, '127.0.0.2')).length, 0);
      const real = collectData(port);
      assert.equal((await raw.command('RETR a.txt')).code, 150);
      assert.equal((await real.done).toString(), 'first file');
      assert.equal((await raw.reply()).code, 226);
      // Unarmed, the reused port turns strangers away as well.
      assert.equal((await droppedConnection(port, '127.0.0.2')).length, 0);
      raw.close();
    }));

  test("the session's end closes its listener: the port is free again", () =>
    withServer({}, async (f) => {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'first file');
      assert.equal(await bindable(port), false, 'the listener stays open between transfers');
      raw.close();
      await waitFor(() => bindable(port), `port ${port} to be free after the session ended`);
    }));

  test("a free port of the range is taken before another session's unused listener", async () => {
    const base = await freePortRange(2);
    await withServer({ passivePorts: { min: base, max: base + 1 } }, async (f) => {
      const first = await connectAndLogin(f.port);
      const { port } = await first.pasv();
      assert.equal((await downloadOk(first, 'RETR a.txt')).toString(), 'first file');
      const second = await connectAndLogin(f.port);
      assert.equal((await second.pasv()).port, port === base ? base + 1 : base);
      assert.equal((await first.pasv()).port, port, 'the first listener was left alone');
      assert.equal((await downloadOk(first, 'RETR a.txt')).toString(), 'first file');
      first.close();
      second.close();
    });
  });

  test('a small range serves more sessions than it has ports, one after another', async () => {
    const port = await freePortRange(1);
    await withServer({ passivePorts: { min: port, max: port } }, async (f) => {
      const sessions = [await connectAndLogin(f.port), await connectAndLogin(f.port), await connectAndLogin(f.port)];
      for (let round = 0; round < 2; round++) {
        for (const raw of sessions) {
          assert.equal((await raw.pasv()).port, port);
          const data = collectData(port);
          assert.equal((await raw.command('RETR a.txt')).code, 150);
          assert.equal((await data.done).toString(), 'first file');
          assert.equal((await raw.reply()).code, 226);
        }
      }
      for (const raw of sessions) raw.close();
    });
  });
});

describe('passive listener idle close', () => {
  const channel = (listenerIdleMs: number): DataChannel =>
    new DataChannel({ peerAddress: '127.0.0.1', sameAddressOnly: true, timeoutMs: 5000, listenerIdleMs, protection: () => undefined });

  test('a listener unused for the idle time closes; the next PASV binds again', async () => {
    const data = channel(100);
    try {
      const port = await data.listenPassive('127.0.0.1');
      const client = await connectData(port);
      const socket = await data.open();
      data.release(socket);
      socket.destroy();
      client.destroy();
      // Armed ones stay whatever the time: an armed listener waits for its client.
      assert.equal(await data.listenPassive('127.0.0.1'), port);
      await sleep(250);
      assert.equal(await bindable(port), false, 'an armed listener is not closed as idle');
      data.reset();
      await waitFor(() => bindable(port), `port ${port} to be free after the idle time`, 2000);
      const again = await data.listenPassive('127.0.0.1');
      const second = await connectData(again);
      const opened = await data.open();
      second.end('hello');
      await onceEvent(opened, 'data');
      opened.destroy();
      second.destroy();
    } finally {
      data.dispose();
    }
  });

  test('dispose closes the listener at once', async () => {
    const data = channel(60_000);
    const port = await data.listenPassive('127.0.0.1');
    data.dispose();
    assert.equal(await bindable(port), true);
    await assert.rejects(data.listenPassive('127.0.0.1'), { code: 'closed' });
  });
});
