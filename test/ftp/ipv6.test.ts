/**
 * IPv6 on ::1 (skipped when the machine has no IPv6 loopback): EPSV and EPRT with ControlClient, curl
 * and ftplib over `[::1]`, and a dual-stack server on `::` that serves IPv4 and IPv6 clients.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { run, runPython } from '../helpers/processes.js';
import { ControlClient } from '../helpers/control-client.js';
import { collectData, epsvPort, listingLines } from '../helpers/ftp-flows.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { hasIpv6Loopback } from '../helpers/loopback.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';

const ipv6 = await hasIpv6Loopback();

describe('IPv6', { skip: !ipv6 && 'no IPv6 loopback on this machine' }, () => {
  let f: ServerFixture;
  const payload = pseudoRandomBytes(1_000_003, 121);

  before(async () => {
    f = await startServer({ host: '::1', files: { 'payload.bin': payload, 'dir/a.txt': 'a' } });
  });
  after(() => f.close());

  test('EPSV carries listings and files; PASV and EPSV 1 are refused on IPv6', async () => {
    const raw = await ControlClient.connect(f.port, { host: '::1' });
    assert.equal((await raw.reply()).code, 220);
    await raw.login();
    await raw.command('TYPE I');
    assert.deepEqual((await raw.command('EPSV 1')).lines, ['522 Network protocol not supported, use (2)']);
    assert.equal((await raw.command('PASV')).code, 425);
    let port = epsvPort(await raw.command('EPSV 2'));
    let data = collectData(port, '::1');
    assert.equal((await raw.command('NLST')).code, 150);
    assert.deepEqual(listingLines(await data.done).sort(), ['dir', 'payload.bin']);
    assert.equal((await raw.reply()).code, 226);
    port = epsvPort(await raw.command('EPSV'));
    data = collectData(port, '::1');
    assert.equal((await raw.command('RETR payload.bin')).code, 150);
    assert.equal(sha256(await data.done), sha256(payload));
    assert.equal((await raw.reply()).code, 226);
    raw.close();
  });

  test('EPRT |2|::1|port| (active mode over IPv6); an IPv4 target is refused', async () => {
    const raw = await ControlClient.connect(f.port, { host: '::1' });
    await raw.reply();
    await raw.login();
    await raw.command('TYPE I');
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen({ port: 0, host: '::1' }, resolve));
    const port = (listener.address() as net.AddressInfo).port;
    try {
      assert.equal((await raw.command(`EPRT |1|127.0.0.1|${port}|`)).code, 501);
      assert.equal((await raw.command(`EPRT |2|::1|${port}|`)).code, 200);
      const received = new Promise<Buffer>((resolve) =>
        listener.once('connection', (socket) => {
          const chunks: Buffer[] = [];
          socket.on('data', (c: Buffer) => chunks.push(c));
          socket.on('end', () => resolve(Buffer.concat(chunks)));
        }),
      );
      assert.equal((await raw.command('RETR payload.bin')).code, 150);
      assert.equal(sha256(await received), sha256(payload));
      assert.equal((await raw.reply()).code, 226);
    } finally {
      listener.close();
      raw.close();
    }
  });

  test('curl ftp://[::1]:port/ lists, downloads and uploads', async () => {
    const local = await makeTempDir('ftp-share-ipv6-');
    try {
      const url = `ftp://[::1]:${f.port}`;
      const list = await run('curl', ['-sS', '--max-time', '20', `${url}/`]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, / payload\.bin\r?$/m);
      const out = path.join(local, 'p.bin');
      const down = await run('curl', ['-sS', '--max-time', '20', '-o', out, `${url}/payload.bin`]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(await fileSha256(out), sha256(payload));
      const up = await run('curl', ['-sS', '--max-time', '20', '-T', out, `${url}/up6.bin`]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(await fileSha256(path.join(f.root, 'up6.bin')), sha256(payload));
      // Active mode over IPv6 too.
      const active = await run('curl', ['-sS', '--max-time', '20', '-P', '-', '-o', out, `${url}/dir/a.txt`]);
      assert.equal(active.code, 0, active.stderr);
      assert.equal(await fs.readFile(out, 'utf8'), 'a');
    } finally {
      await removeTempDir(local);
    }
  });

  test('ftplib over IPv6 (EPSV, then EPRT in active mode)', async () => {
    const script = `
import ftplib, hashlib, io, os
ftp = ftplib.FTP()
ftp.connect('::1', int(os.environ['PORT']), timeout=20)
ftp.login()
for passive in (True, False):
    ftp.set_pasv(passive)
    buf = io.BytesIO()
    ftp.retrbinary('RETR payload.bin', buf.write)
    print(hashlib.sha256(buf.getvalue()).hexdigest())
ftp.quit()
`;
    const result = await runPython(script, f.port);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [sha256(payload), sha256(payload)]);
  });

  test('a dual-stack server on :: serves IPv4 and IPv6 clients', async () => {
    const dual = await startServer({ host: '::', files: { 'x.txt': 'dual' } });
    try {
      for (const host of ['127.0.0.1', '::1']) {
        const result = await run('curl', ['-sS', '--max-time', '20', `ftp://${host.includes(':') ? `[${host}]` : host}:${dual.port}/x.txt`]);
        assert.equal(result.code, 0, `${host}: ${result.stderr}`);
        assert.equal(result.stdout, 'dual');
      }
      // The IPv4 client is seen with its plain IPv4 address (not ::ffff:…).
      assert.ok(dual.events.some((e) => e.type === 'session-opened' && e.remoteAddress === '127.0.0.1'));
      assert.ok(dual.events.some((e) => e.type === 'session-opened' && e.remoteAddress === '::1'));
    } finally {
      await dual.close();
    }
  });
});
