/**
 * Active mode (PORT, EPRT): the server connects back to the client. Driven by ControlClient (exact
 * replies), Python ftplib with set_pasv(False) and curl --ftp-port; the anti-bounce rules
 * (own address only, port ≥ 1024) are checked in security.test.ts as well.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { run, runPython } from '../helpers/processes.js';
import { connectAndLogin } from '../helpers/ftp-flows.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { sleep } from '../helpers/wait.js';

/** A listener the server connects to; `next()` resolves with everything the server sent on one connection. */
async function activeListener(host = '127.0.0.1'): Promise<{ port: number; next(send?: Buffer): Promise<Buffer>; close(): void }> {
  const server = net.createServer();
  const queue: net.Socket[] = [];
  const waiting: Array<(s: net.Socket) => void> = [];
  server.on('connection', (socket) => {
    const waiter = waiting.shift();
    if (waiter) waiter(socket);
    else queue.push(socket);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async next(send?: Buffer) {
      const socket = queue.shift() ?? (await new Promise<net.Socket>((resolve) => waiting.push(resolve)));
      const chunks: Buffer[] = [];
      if (send) socket.end(send);
      return new Promise<Buffer>((resolve, reject) => {
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks)));
        socket.on('error', reject);
      });
    },
    close: () => server.close(),
  };
}

const portArgument = (host: string, port: number) => `${host.split('.').join(',')},${port >> 8},${port & 0xff}`;

describe('active mode', () => {
  let f: ServerFixture;
  const payload = pseudoRandomBytes(1024 * 1024 + 17, 61);

  before(async () => {
    f = await startServer({ files: { 'payload.bin': payload, 'note.txt': 'hello active\n' } });
  });
  after(() => f.close());

  test('PORT: RETR, STOR and LIST over a connection the server opens', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const listener = await activeListener();
    try {
      assert.deepEqual((await raw.command(`PORT ${portArgument('127.0.0.1', listener.port)}`)).lines, ['200 PORT command successful']);
      const received = listener.next();
      assert.equal((await raw.command('RETR payload.bin')).code, 150);
      assert.equal(sha256(await received), sha256(payload));
      assert.equal((await raw.reply()).code, 226);

      const upload = pseudoRandomBytes(300_000, 62);
      await raw.command(`PORT ${portArgument('127.0.0.1', listener.port)}`);
      const sent = listener.next(upload);
      assert.equal((await raw.command('STOR active-up.bin')).code, 150);
      await sent;
      assert.equal((await raw.reply()).code, 226);
      assert.equal(await fileSha256(path.join(f.root, 'active-up.bin')), sha256(upload));

      await raw.command(`PORT ${portArgument('127.0.0.1', listener.port)}`);
      const listing = listener.next();
      assert.equal((await raw.command('NLST')).code, 150);
      assert.ok((await listing).toString().split('\r\n').includes('active-up.bin'));
      assert.equal((await raw.reply()).code, 226);
    } finally {
      listener.close();
      raw.close();
    }
  });

  test('EPRT |1|: RETR', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const listener = await activeListener();
    try {
      assert.deepEqual((await raw.command(`EPRT |1|127.0.0.1|${listener.port}|`)).lines, ['200 EPRT command successful']);
      const received = listener.next();
      assert.equal((await raw.command('RETR payload.bin')).code, 150);
      assert.equal(sha256(await received), sha256(payload));
      assert.equal((await raw.reply()).code, 226);
      // Any printable delimiter works (RFC 2428).
      assert.equal((await raw.command(`EPRT !1!127.0.0.1!${listener.port}!`)).code, 200);
      const again = listener.next();
      assert.equal((await raw.command('RETR note.txt')).code, 150);
      assert.equal((await again).toString(), 'hello active\n');
      assert.equal((await raw.reply()).code, 226);
    } finally {
      listener.close();
      raw.close();
    }
  });

  test('PORT to a port where nobody listens: 425, and the session goes on', async () => {
    const raw = await connectAndLogin(f.port);
    const listener = await activeListener();
    const deadPort = listener.port;
    listener.close();
    await sleep(50);
    assert.equal((await raw.command(`PORT ${portArgument('127.0.0.1', deadPort)}`)).code, 200);
    assert.equal((await raw.command('RETR note.txt')).code, 150);
    const failed = await raw.reply();
    assert.equal(failed.code, 425, failed.text);
    assert.equal((await raw.command('NOOP')).code, 200);
    raw.close();
  });

  test('Python ftplib in active mode (set_pasv(False)): retrbinary, storbinary, nlst', async () => {
    const script = `
import ftplib, hashlib, io, os
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['PORT']), timeout=20)
ftp.login('anonymous', 'guest')
ftp.set_pasv(False)
buf = io.BytesIO()
ftp.retrbinary('RETR payload.bin', buf.write)
print('retr', hashlib.sha256(buf.getvalue()).hexdigest())
data = bytes((i * 7) % 256 for i in range(200000))
ftp.storbinary('STOR py-active.bin', io.BytesIO(data))
print('stor', hashlib.sha256(data).hexdigest())
print('nlst', 'py-active.bin' in ftp.nlst())
ftp.quit()
`;
    const result = await runPython(script, f.port);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], `retr ${sha256(payload)}`);
    const stored = await fileSha256(path.join(f.root, 'py-active.bin'));
    assert.equal(lines[1], `stor ${stored}`);
    assert.equal(lines[2], 'nlst True');
    // ftplib used PORT (not a passive command).
    const commands = f.events.filter((e) => e.type === 'command').map((e) => (e.type === 'command' ? e.command : ''));
    assert.ok(commands.includes('PORT') || commands.includes('EPRT'));
  });

  test('curl --ftp-port 127.0.0.1 and -P - (EPRT/PORT): download and upload', async () => {
    const dir = await fs.mkdtemp(path.join(f.root, '..', 'curl-active-'));
    try {
      for (const portFlag of [['--ftp-port', '127.0.0.1'], ['-P', '-']]) {
        const out = path.join(dir, 'down.bin');
        const down = await run('curl', ['-sS', ...portFlag, '-o', out, `ftp://127.0.0.1:${f.port}/payload.bin`]);
        assert.equal(down.code, 0, down.stderr);
        assert.equal(await fileSha256(out), sha256(payload));
        const src = path.join(dir, 'up.bin');
        await fs.writeFile(src, pseudoRandomBytes(123_456, 63));
        const up = await run('curl', ['-sS', ...portFlag, '-T', src, `ftp://127.0.0.1:${f.port}/curl-active-up.bin`]);
        assert.equal(up.code, 0, up.stderr);
        assert.equal(await fileSha256(path.join(f.root, 'curl-active-up.bin')), await fileSha256(src));
        // Without --disable-eprt curl tries EPRT first.
        const eprt = f.events.filter((e) => e.type === 'command' && e.command === 'EPRT');
        assert.ok(eprt.length > 0);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
