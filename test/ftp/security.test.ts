/**
 * Security: path traversal payloads on every path-taking command (nothing outside the root is read
 * or written), symlinks out of the root, the `/share` vs `/share_secret` sibling, FTP bounce
 * (PORT/EPRT to a foreign address or a privileged port), passive port stealing from another
 * address, and reply injection through file names.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { collectData, connectAndLogin, connectData, downloadOk, listingLines, type Reply } from '../helpers/ftp-flows.js';
import { loopbackAliases } from '../helpers/loopback.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const MARKER = 'TOP-SECRET-MARKER';

describe('path traversal', () => {
  let parent: string;
  let share: string;
  let f: ServerFixture;
  let outsideBefore: Record<string, string>;

  before(async () => {
    parent = await makeTempDir('ftp-share-traversal-');
    share = path.join(parent, 'share');
    const secret = path.join(parent, 'share_secret');
    await fs.mkdir(share);
    await fs.mkdir(secret);
    await fs.writeFile(path.join(secret, 'secret-marker-file.txt'), `${MARKER} sibling\n`);
    await fs.writeFile(path.join(parent, 'outside-marker-file.txt'), `${MARKER} parent\n`);
    await fs.writeFile(path.join(share, 'inside.txt'), 'inside the share\n');
    await fs.mkdir(path.join(share, 'subdir'));
    await fs.symlink('../share_secret', path.join(share, 'escape-dir'));
    await fs.symlink(path.join(secret, 'secret-marker-file.txt'), path.join(share, 'escape-file'));
    await fs.symlink('/etc', path.join(share, 'etc-link'));
    await fs.symlink(parent, path.join(share, 'parent-link'));
    await fs.symlink('inside.txt', path.join(share, 'good-link'));
    f = await startServer({ authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root: share }) }) });
    outsideBefore = await outsideSnapshot();
  });
  after(async () => {
    await f.close();
    await removeTempDir(parent);
  });

  /** Everything in the parent folder except the share itself. */
  async function outsideSnapshot(): Promise<Record<string, string>> {
    const all = await snapshotTree(parent);
    return Object.fromEntries(Object.entries(all).filter(([name]) => name !== 'share' && !name.startsWith('share/')));
  }

  const payloads = (): string[] => [
    '../',
    '..',
    '..\\',
    '/..',
    '....//',
    '....//....//share_secret',
    '../../etc/passwd',
    '../../../../../../../../etc/passwd',
    '..\\..\\..\\etc\\passwd',
    '/../share_secret/secret-marker-file.txt',
    '../share_secret/secret-marker-file.txt',
    '..\\share_secret\\secret-marker-file.txt',
    'subdir/../../share_secret/secret-marker-file.txt',
    '%2e%2e/share_secret/secret-marker-file.txt',
    '..%2fshare_secret',
    parent,
    `${parent}/share_secret/secret-marker-file.txt`,
    `${parent}/outside-marker-file.txt`,
    '/etc/passwd',
    'escape-dir',
    'escape-dir/secret-marker-file.txt',
    'escape-dir/new-file.txt',
    'escape-file',
    'etc-link/passwd',
    'parent-link/outside-marker-file.txt',
    'parent-link/share_secret',
    'a\u0000b',
    '../\u0000/etc/passwd',
    'x'.repeat(4000),
    `${'a/'.repeat(1500)}../../etc`,
  ];

  /** Fails when a reply or data carries something from outside the share. */
  function assertNoLeak(what: string, text: string): void {
    assert.ok(!text.includes(MARKER), `${what} leaked a secret: ${text.slice(0, 200)}`);
    assert.ok(!text.includes('secret-marker-file'), `${what} listed the sibling folder`);
    assert.ok(!text.includes('outside-marker-file'), `${what} listed the parent folder`);
    assert.ok(!/root:.*:0:0:/.test(text), `${what} read /etc/passwd`);
  }

  async function dataCommand(raw: ControlClient, command: string): Promise<{ reply: Reply; data: string; final?: Reply }> {
    const { port } = await raw.pasv();
    const collected = collectData(port);
    // The server may reset a connection it no longer wants: that is a refusal, not a failure.
    collected.done.catch(() => undefined);
    const reply = await raw.command(command);
    if (reply.code !== 150) {
      collected.socket.destroy();
      return { reply, data: '' };
    }
    const data = (await collected.done).toString('utf8');
    return { reply, data, final: await raw.reply() };
  }

  test('positive control: a symlink inside the share is followed', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    assert.equal((await downloadOk(raw, 'RETR good-link')).toString(), 'inside the share\n');
    raw.close();
  });

  test('CWD, RETR, LIST, NLST, MLSD, SIZE, MDTM, MLST, STAT, HASH: nothing outside the root is read', async () => {
    const raw = await connectAndLogin(f.port);
    for (const payload of payloads()) {
      const label = JSON.stringify(payload.length > 60 ? payload.slice(0, 60) + '…' : payload);
      const cwd = await raw.command(`CWD ${payload}`);
      assertNoLeak(`CWD ${label}`, cwd.text);
      if (cwd.code === 250) {
        // Wherever CWD landed, it is inside the share.
        const here = await dataCommand(raw, 'NLST');
        assertNoLeak(`NLST after CWD ${label}`, here.data);
        assert.match((await raw.command('PWD')).lines[0]!, /^257 "\//);
      } else {
        assert.ok([550, 553].includes(cwd.code), `CWD ${label}: ${cwd.text}`);
      }
      assert.equal((await raw.command('CWD /')).code, 250);
      for (const command of ['RETR', 'LIST', 'NLST', 'MLSD']) {
        const result = await dataCommand(raw, `${command} ${payload}`);
        assertNoLeak(`${command} ${label}`, result.reply.text + result.data);
        if (command === 'RETR') assert.notEqual(result.final?.code, 226, `RETR ${label} succeeded`);
      }
      for (const command of ['SIZE', 'MDTM', 'MLST', 'STAT', 'HASH']) {
        const reply = await raw.command(`${command} ${payload}`);
        assertNoLeak(`${command} ${label}`, reply.text);
      }
      const size = await raw.command(`SIZE ${payload}`);
      assert.ok([550, 553].includes(size.code), `SIZE ${label}: ${size.text}`);
    }
    raw.close();
    assert.deepEqual(await outsideSnapshot(), outsideBefore);
  });

  test('MKD, DELE, RMD, RNFR/RNTO, STOR, APPE, MFMT, SITE CHMOD: nothing outside the root is written', async () => {
    const raw = await connectAndLogin(f.port);
    for (const payload of payloads()) {
      const label = JSON.stringify(payload.length > 60 ? payload.slice(0, 60) + '…' : payload);
      for (const command of ['MKD', 'DELE', 'RMD', 'MFMT 20000101000000', 'SITE CHMOD 777']) {
        const reply = await raw.command(`${command} ${payload}`);
        assertNoLeak(`${command} ${label}`, reply.text);
      }
      await fs.writeFile(path.join(share, 'movable.txt'), 'movable');
      assert.equal((await raw.command('RNFR movable.txt')).code, 350);
      assertNoLeak(`RNTO ${label}`, (await raw.command(`RNTO ${payload}`)).text);
      for (const command of ['STOR', 'APPE']) {
        const { port } = await raw.pasv();
        const socket = await connectData(port);
        socket.on('error', () => undefined);
        const reply = await raw.command(`${command} ${payload}`);
        if (reply.code === 150) {
          socket.end(`${command} through ${payload}`);
          await raw.reply();
        } else socket.destroy();
      }
      assert.deepEqual(await outsideSnapshot(), outsideBefore, `after the writes with ${label}`);
      // Undo whatever landed inside the share, so the next payload starts from the same tree.
      for (const entry of await fs.readdir(share)) {
        if (!['inside.txt', 'subdir', 'escape-dir', 'escape-file', 'etc-link', 'parent-link', 'good-link'].includes(entry)) {
          await fs.rm(path.join(share, entry), { recursive: true, force: true });
        }
      }
      for (const entry of await fs.readdir(path.join(share, 'subdir'))) await fs.rm(path.join(share, 'subdir', entry), { recursive: true, force: true });
    }
    // The symlinks themselves are still there and still point where they did.
    assert.equal(await fs.readlink(path.join(share, 'escape-dir')), '../share_secret');
    assert.equal(await fs.readlink(path.join(share, 'etc-link')), '/etc');
    raw.close();
    assert.deepEqual(await outsideSnapshot(), outsideBefore);
  });

  test('a 10,000-character path is refused (500, the line is over 4 KiB) without touching anything', async () => {
    const raw = await connectAndLogin(f.port);
    const reply = await raw.command(`RETR ${'../'.repeat(3300)}etc/passwd`);
    assert.deepEqual(reply.lines, ['500 Command line too long']);
    raw.close();
    assert.deepEqual(await outsideSnapshot(), outsideBefore);
  });

  test('a file name with CR/LF can not inject reply lines', async () => {
    await fs.writeFile(path.join(share, 'evil\r\n226 injected'), 'x');
    try {
      const raw = await connectAndLogin(f.port);
      const stat = await raw.command('STAT /');
      assert.equal(stat.code, 213);
      assert.ok(stat.lines.every((line, i) => i === stat.lines.length - 1 || !/^\d{3} /.test(line)), stat.text);
      assert.equal((await raw.command('NOOP')).code, 200, 'the reply stream is still in step');
      const lines = listingLines(await downloadOk(raw, 'NLST'));
      assert.ok(lines.includes('evil??226 injected'), lines.join(' | '));
      raw.close();
    } finally {
      await fs.rm(path.join(share, 'evil\r\n226 injected'));
    }
  });
});

describe('FTP bounce and port stealing', () => {
  let f: ServerFixture;

  before(async () => {
    f = await startServer({ files: { 'data.txt': 'the real data\n' } });
  });
  after(() => f.close());

  test('PORT/EPRT to a foreign address or a port below 1024 is refused with 501', async () => {
    const raw = await connectAndLogin(f.port);
    const refused = [
      'PORT 10,0,0,1,40,0',
      'PORT 192,168,1,1,40,0',
      'PORT 127,0,0,2,40,0',
      'PORT 0,0,0,0,40,0',
      'PORT 127,0,0,1,0,21',
      'PORT 127,0,0,1,0,80',
      'PORT 127,0,0,1,3,255',
      'EPRT |1|10.0.0.1|10240|',
      'EPRT |1|127.0.0.2|10240|',
      'EPRT |2|::1|10240|',
      'EPRT |1|127.0.0.1|25|',
      'EPRT |1|127.0.0.1|1023|',
    ];
    for (const command of refused) {
      const reply = await raw.command(command);
      assert.equal(reply.code, 501, `${command}: ${reply.text}`);
      // Nothing was prepared: a data command has no connection to use.
      assert.equal((await raw.command('NLST')).code, 425, `after ${command}`);
    }
    assert.equal((await raw.command('PORT 127,0,0,1,4,0')).code, 200, 'port 1024 on the own address is fine');
    raw.close();
  });

  test('a passive data connection from another address is dropped; the client still gets its data', { skip: loopbackAliases }, async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    // The stranger connects first.
    let { port } = await raw.pasv();
    const stranger = collectData(port, '127.0.0.1', '127.0.0.2');
    const strangerData = await stranger.done.catch(() => Buffer.alloc(0));
    assert.equal(strangerData.length, 0);
    const real = collectData(port);
    assert.equal((await raw.command('RETR data.txt')).code, 150);
    assert.equal((await real.done).toString(), 'the real data\n');
    assert.equal((await raw.reply()).code, 226);
    // The stranger connects while the server waits for the client.
    ({ port } = await raw.pasv());
    assert.equal((await raw.command('RETR data.txt')).code, 150);
    const stranger2 = collectData(port, '127.0.0.1', '127.0.0.2');
    assert.equal((await stranger2.done.catch(() => Buffer.alloc(0))).length, 0);
    const real2 = collectData(port);
    assert.equal((await real2.done).toString(), 'the real data\n');
    assert.equal((await raw.reply()).code, 226);
    raw.close();
  });
});
