/**
 * Typed events (session, login, command without the password, transfers with bytes and at most
 * four progress events a second) and the server lifecycle (start/stop/start, 421 on stop within
 * 2 s, typed bind errors, kick).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { FtpServer, FtpServerError } from '../../core/ftp/server.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { startServer, type RecordedEvent } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectAndLogin, connectData, connectOnly, downloadOk, uploadOk } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';
import { freePortRange } from '../helpers/loopback.js';
import fs from 'node:fs/promises';

const MiB = 1024 * 1024;

describe('events', () => {
  test('a session reports opened, commands (never the password), login, logout and closed', async () => {
    const f = await startServer({ username: 'ann', password: 'hunter2' });
    try {
      const raw = await connectOnly(f.port);
      await raw.command('USER ann');
      assert.equal((await raw.command('PASS wrong-password')).code, 530);
      await raw.command('USER ann');
      assert.equal((await raw.command('PASS hunter2')).code, 230);
      await raw.command('CWD /');
      await raw.command('REIN');
      await raw.command('USER ann');
      await raw.command('PASS hunter2');
      await raw.command('QUIT');
      await waitFor(() => f.events.some((e) => e.type === 'session-closed'), 'session-closed', 3000);
      const mine = f.events.filter((e) => 'sessionId' in e && e.type !== 'reply');
      const summary = mine.map((e) => (e.type === 'command' ? `command:${e.command} ${e.argument}` : e.type));
      assert.deepEqual(summary, [
        'session-opened',
        'command:USER ann',
        'command:PASS ***',
        'login-failed',
        'command:USER ann',
        'command:PASS ***',
        'login',
        'session-changed',
        'command:CWD /',
        'session-changed',
        'command:REIN ',
        'logout',
        'session-changed',
        'command:USER ann',
        'command:PASS ***',
        'login',
        'session-changed',
        'command:QUIT ',
        'logout',
        'session-closed',
      ]);
      const json = JSON.stringify(f.events);
      assert.ok(!json.includes('hunter2') && !json.includes('wrong-password'), 'no password in any event');
      const opened = mine[0] as Extract<RecordedEvent, { type: 'session-opened' }>;
      assert.equal(opened.remoteAddress, '127.0.0.1');
      assert.equal(opened.secure, false);
      const failed = mine.find((e) => e.type === 'login-failed') as Extract<RecordedEvent, { type: 'login-failed' }>;
      assert.deepEqual({ user: failed.user, remoteAddress: failed.remoteAddress }, { user: 'ann', remoteAddress: '127.0.0.1' });
      const closed = mine.at(-1) as Extract<RecordedEvent, { type: 'session-closed' }>;
      assert.equal(closed.reason, 'quit');
    } finally {
      await f.close();
    }
  });

  test('transfers report started, progress (at most 4 a second) and completed, with bytes', async () => {
    const file = pseudoRandomBytes(MiB, 131);
    const f = await startServer({ bandwidth: { download: 400 * 1024 }, files: { 'file.bin': file } });
    try {
      const raw = await connectAndLogin(f.port);
      await raw.command('TYPE I');
      const started = Date.now();
      assert.equal(sha256(await downloadOk(raw, 'RETR file.bin')), sha256(file));
      const seconds = (Date.now() - started) / 1000;
      const transfer = f.events.filter((e) => e.type.startsWith('transfer-'));
      assert.equal(transfer[0]!.type, 'transfer-started');
      assert.equal(transfer.at(-1)!.type, 'transfer-completed');
      const progress = transfer.filter((e) => e.type === 'transfer-progress');
      assert.ok(progress.length >= 4, `${progress.length} progress events in ${seconds} s`);
      assert.ok(progress.length <= Math.ceil(seconds * 4) + 1, `${progress.length} progress events in ${seconds} s`);
      let last = 0;
      for (const event of progress) {
        assert.ok(event.type === 'transfer-progress' && event.bytes >= last && event.bytes <= MiB);
        last = event.bytes;
      }
      const done = transfer.at(-1)! as Extract<RecordedEvent, { type: 'transfer-completed' }>;
      assert.equal(done.bytes, MiB);
      assert.equal(done.size, MiB);
      assert.equal(done.direction, 'download');
      assert.equal(done.path, '/file.bin');
      assert.ok(done.durationMs > 1000 && done.bytesPerSecond > 0);
      assert.ok(new Set(transfer.map((e) => (e as { transferId: string }).transferId)).size === 1);

      // An upload, and a listing (which is not a file transfer and is not reported).
      const before = f.events.length;
      await uploadOk(raw, 'STOR up.bin', pseudoRandomBytes(200_000, 132));
      await downloadOk(raw, 'LIST');
      const upload = f.events.slice(before).filter((e) => e.type.startsWith('transfer-'));
      assert.deepEqual(upload.map((e) => e.type).filter((t) => t !== 'transfer-progress'), ['transfer-started', 'transfer-completed']);
      const completed = upload.at(-1) as Extract<RecordedEvent, { type: 'transfer-completed' }>;
      assert.deepEqual([completed.direction, completed.bytes, completed.path], ['upload', 200_000, '/up.bin']);
      raw.close();
    } finally {
      await f.close();
    }
  });

  test('a failed transfer reports transfer-failed with the bytes moved', async () => {
    const f = await startServer({ files: { 'x.bin': pseudoRandomBytes(100, 1) } });
    try {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      socket.on('error', () => undefined);
      assert.equal((await raw.command('STOR broken.bin')).code, 150);
      socket.write(Buffer.alloc(50_000));
      await waitFor(() => f.events.some((e) => e.type === 'transfer-started'), 'started', 3000);
      await sleep(50);
      socket.resetAndDestroy();
      assert.equal((await raw.reply()).code, 426);
      const failed = f.events.find((e) => e.type === 'transfer-failed') as Extract<RecordedEvent, { type: 'transfer-failed' }>;
      assert.ok(failed);
      assert.equal(failed.bytes, 50_000);
      assert.equal(failed.aborted, false);
      assert.equal(typeof failed.reason, 'string');
      raw.close();
    } finally {
      await f.close();
    }
  });

  test('a listener that throws does not break the session', async () => {
    const f = await startServer();
    try {
      f.server.on('command', () => {
        throw new Error('faulty observer');
      });
      const raw = await connectAndLogin(f.port);
      assert.equal((await raw.command('NOOP')).code, 200);
      raw.close();
    } finally {
      await f.close();
    }
  });
});

describe('lifecycle', () => {
  async function newServer(options: Partial<ConstructorParameters<typeof FtpServer>[0]> = {}) {
    const root = await makeTempDir();
    const server = new FtpServer({ authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root }) }), loginFailureDelayMs: 10, ...options });
    return { server, cleanup: () => removeTempDir(root) };
  }

  test('start() resolves with the port and addresses; start/stop/start works, also on the same port', async () => {
    const { server, cleanup } = await newServer({ host: '127.0.0.1', port: 0 });
    try {
      const first = await server.start();
      assert.ok(first.port > 0);
      assert.deepEqual(first.addresses, ['127.0.0.1']);
      assert.equal(server.running, true);
      await assert.rejects(server.start(), (err: unknown) => err instanceof FtpServerError && err.code === 'already-running');
      const client = await connectAndLogin(first.port);
      await server.stop();
      assert.equal(server.running, false);
      await waitFor(() => client.closed, 'client closed', 3000);
      const second = await server.start();
      const again = await connectAndLogin(second.port);
      assert.equal((await again.command('NOOP')).code, 200);
      await server.stop();
      await waitFor(() => again.closed, 'client closed', 3000);
      // A fixed port can be bound again right after stop().
      const fixed = await newServer({ host: '127.0.0.1', port: second.port });
      try {
        assert.equal((await fixed.server.start()).port, second.port);
        await fixed.server.stop();
      } finally {
        await fixed.cleanup();
      }
      await server.stop(); // idempotent
    } finally {
      await cleanup();
    }
  });

  test('start() on all interfaces lists every address, loopback included', async () => {
    const { server, cleanup } = await newServer({ port: 0 });
    try {
      const info = await server.start();
      assert.ok(info.addresses.includes('127.0.0.1'), info.addresses.join(', '));
      assert.ok(info.addresses.length >= 1);
      const client = await connectAndLogin(info.port);
      client.close();
      await server.stop();
    } finally {
      await cleanup();
    }
  });

  test('stop() closes every session with a final 421 within 2 s, also during a transfer', async () => {
    const f = await startServer({ files: {} });
    const huge = `${f.root}/huge.bin`;
    const fh = await fs.open(huge, 'w');
    await fh.truncate(512 * MiB);
    await fh.close();
    const idle = await connectAndLogin(f.port);
    const busy = await connectAndLogin(f.port);
    await busy.command('TYPE I');
    const { port } = await busy.pasv();
    const data = await connectData(port);
    data.pause(); // never reads: the transfer is stuck on backpressure
    data.on('error', () => undefined);
    assert.equal((await busy.command('RETR huge.bin')).code, 150);
    const notLoggedIn = await connectOnly(f.port);
    const started = Date.now();
    await f.close();
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `stop took ${elapsed} ms`);
    assert.deepEqual((await idle.reply()).lines, ['421 Server is shutting down, closing control connection']);
    assert.deepEqual((await notLoggedIn.reply()).lines, ['421 Server is shutting down, closing control connection']);
    // The busy session gets the transfer's 426, then the 421.
    const replies = [await busy.reply(), await busy.reply()];
    assert.deepEqual(replies.map((r) => r.code), [426, 421]);
    await waitFor(() => idle.closed && busy.closed && notLoggedIn.closed, 'every client closed', 3000);
    data.destroy();
    // Nobody can connect any more.
    await assert.rejects(ControlClient.connect(f.port));
  });

  test('bind errors are typed: port in use, invalid port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const { server, cleanup } = await newServer({ host: '127.0.0.1', port });
    try {
      await assert.rejects(server.start(), (err: unknown) => {
        assert.ok(err instanceof FtpServerError);
        assert.equal(err.code, 'port-in-use');
        assert.equal(err.message, `port ${port} is already in use`);
        return true;
      });
      assert.equal(server.running, false);
      blocker.close();
      await sleep(50);
      // Once the port is free the same server object starts.
      assert.equal((await server.start()).port, port);
      await server.stop();
      const bad = await newServer({ port: 70000 });
      await assert.rejects(bad.server.start(), (err: unknown) => err instanceof FtpServerError && err.code === 'invalid-options');
      await bad.cleanup();
      const range = await newServer({ passivePorts: { min: 5000, max: 4000 } });
      await assert.rejects(range.server.start(), (err: unknown) => err instanceof FtpServerError && err.code === 'invalid-options');
      await range.cleanup();
    } finally {
      blocker.close();
      await cleanup();
    }
  });

  test('kick closes one session with 421; getSessions shows who is connected', async () => {
    const f = await startServer({ username: 'kim', password: 'pw' });
    try {
      const a = await connectAndLogin(f.port, 'kim', 'pw');
      await a.command('CWD /');
      const b = await connectOnly(f.port);
      const sessions = f.server.getSessions();
      assert.equal(sessions.length, 2);
      const mine = sessions.find((s) => s.user === 'kim')!;
      assert.equal(mine.remoteAddress, '127.0.0.1');
      assert.equal(mine.cwd, '/');
      assert.deepEqual(mine.security, { control: false, data: false });
      assert.ok(f.server.kick(mine.sessionId));
      assert.deepEqual((await a.reply()).lines, ['421 Disconnected by the server']);
      await waitFor(() => a.closed, 'kicked client closed', 3000);
      assert.equal((await b.command('NOOP')).code, 200, 'the other session is untouched');
      assert.equal(f.server.kick('nope'), false);
      await waitFor(() => f.server.getSessions().length === 1, 'one session left', 3000);
      b.close();
    } finally {
      await f.close();
    }
  });

  test('a passive port range is honoured', async () => {
    const base = await freePortRange(3);
    const f = await startServer({ passivePorts: { min: base, max: base + 2 }, files: { 'a.txt': 'range' } });
    try {
      const raw = await connectAndLogin(f.port);
      for (let i = 0; i < 4; i++) {
        const { port } = await raw.pasv();
        assert.ok(port >= base && port <= base + 2, `port ${port} outside ${base}-${base + 2}`);
      }
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'range');
      raw.close();
    } finally {
      await f.close();
    }
  });
});
