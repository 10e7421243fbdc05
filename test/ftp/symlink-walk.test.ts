/**
 * Confinement at every component of a path, over FTP: a path that leaves the share through one
 * symlink and comes back in through another (share/out-dir → outside, outside/back-dir →
 * share/sub) ends inside the share, yet serving it would reveal the link outside. Every command
 * refuses it as it refuses any other escape (550), and links that stay inside keep working.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { collectData, connectAndLogin, connectData, downloadOk, listingLines, type Reply, uploadOk } from '../helpers/ftp-flows.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const NOT_FOUND = ['550 No such file or directory'];

/*
 * base/
 *   share/                      ← the root
 *     a.txt  sub/inner.txt  sub/nested/deep.txt
 *     out-dir → ../outside       (leaves the share)
 *     in-dir  → sub              (stays inside)
 *     sub/up  → ..               (the root itself)
 *   outside/
 *     back-dir → ../share/sub    (leads back in)
 */
describe('a path that leaves the share at any component', () => {
  let base: string;
  let share: string;
  let outside: string;
  let f: ServerFixture;
  let raw: ControlClient;

  before(async () => {
    base = await makeTempDir('ftp-share-walk-');
    share = path.join(base, 'share');
    outside = path.join(base, 'outside');
    await fs.mkdir(path.join(share, 'sub', 'nested'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(share, 'a.txt'), 'A');
    await fs.writeFile(path.join(share, 'sub', 'inner.txt'), 'inner');
    await fs.writeFile(path.join(share, 'sub', 'nested', 'deep.txt'), 'deep');
    await fs.symlink(path.join('..', 'outside'), path.join(share, 'out-dir'), 'dir');
    await fs.symlink('sub', path.join(share, 'in-dir'), 'dir');
    await fs.symlink('..', path.join(share, 'sub', 'up'), 'dir');
    await fs.symlink(path.join('..', 'share', 'sub'), path.join(outside, 'back-dir'), 'dir');
    f = await startServer({ authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root: share }) }) });
    raw = await connectAndLogin(f.port);
    assert.equal((await raw.command('TYPE I')).code, 200);
  });

  after(async () => {
    raw.close();
    await f.close();
    await removeTempDir(base);
  });

  /** PASV, connect, send `command`: its last reply, and what came over the data connection. */
  async function dataCommand(command: string): Promise<{ reply: Reply; data: string }> {
    const { port } = await raw.pasv();
    const collected = collectData(port);
    // A refusal after 150 may reset the data connection: that is no data.
    const done = collected.done.catch(() => Buffer.alloc(0));
    const reply = await raw.command(command);
    if (reply.code !== 150) {
      collected.socket.destroy();
      return { reply, data: '' };
    }
    const data = (await done).toString();
    return { reply: await raw.reply(), data };
  }

  test('RETR, SIZE, MDTM, LIST, NLST, MLSD, MLST and CWD refuse it with 550', async () => {
    for (const file of ['/out-dir/back-dir/inner.txt', 'out-dir/back-dir/nested/deep.txt', '/out-dir/back-dir/up/a.txt']) {
      assert.deepEqual((await dataCommand(`RETR ${file}`)).reply.lines, NOT_FOUND, `RETR ${file}`);
      assert.deepEqual((await raw.command(`SIZE ${file}`)).lines, NOT_FOUND, `SIZE ${file}`);
      assert.deepEqual((await raw.command(`MDTM ${file}`)).lines, NOT_FOUND, `MDTM ${file}`);
    }
    for (const dir of ['/out-dir/back-dir/nested', '/out-dir/back-dir/up', '/out-dir/back-dir/up/in-dir']) {
      for (const command of ['LIST', 'NLST', 'MLSD']) {
        assert.deepEqual((await dataCommand(`${command} ${dir}`)).reply.lines, NOT_FOUND, `${command} ${dir}`);
      }
      assert.deepEqual((await raw.command(`MLST ${dir}`)).lines, NOT_FOUND, `MLST ${dir}`);
      assert.deepEqual((await raw.command(`CWD ${dir}`)).lines, NOT_FOUND, `CWD ${dir}`);
      assert.match((await raw.command('PWD')).lines[0]!, /^257 "\/"/);
    }
    // A glob lists the parent, which is just as far out (refused after the 150: listings are lazy).
    assert.deepEqual(await dataCommand('LIST /out-dir/back-dir/*.txt'), { reply: { code: 550, lines: NOT_FOUND, text: NOT_FOUND[0] }, data: '' });
    // One step at a time ends at the same place: the first step is already refused.
    assert.deepEqual((await raw.command('CWD /out-dir')).lines, NOT_FOUND);
  });

  test('STOR, APPE, MKD, DELE and RNTO through it are refused and create nothing', async () => {
    const shareBefore = await snapshotTree(share);
    const outsideBefore = await snapshotTree(outside);
    for (const command of ['STOR', 'APPE']) {
      for (const file of ['/out-dir/back-dir/new.txt', '/out-dir/back-dir/inner.txt', '/out-dir/back-dir/up/new.txt']) {
        const { port } = await raw.pasv();
        const socket = await connectData(port);
        socket.on('error', () => undefined);
        const reply = await raw.command(`${command} ${file}`);
        if (reply.code === 150) {
          // Refused too late: send the bytes anyway, so a wrong 226 shows up below.
          socket.end('written through the link outside');
          await raw.reply();
        } else socket.destroy();
        assert.deepEqual(reply.lines, NOT_FOUND, `${command} ${file}`);
      }
    }
    assert.deepEqual((await raw.command('MKD /out-dir/back-dir/made')).lines, NOT_FOUND);
    assert.deepEqual((await raw.command('DELE /out-dir/back-dir/inner.txt')).lines, NOT_FOUND);
    assert.deepEqual((await raw.command('RMD /out-dir/back-dir/nested')).lines, NOT_FOUND);
    assert.equal((await raw.command('RNFR /a.txt')).code, 350);
    assert.deepEqual((await raw.command('RNTO /out-dir/back-dir/moved.txt')).lines, NOT_FOUND);
    assert.deepEqual((await raw.command('RNFR /out-dir/back-dir/inner.txt')).lines, NOT_FOUND);
    assert.deepEqual(await snapshotTree(share), shareBefore);
    assert.deepEqual(await snapshotTree(outside), outsideBefore);
  });

  test('positive control: links that stay inside are followed at every component', async () => {
    assert.equal((await downloadOk(raw, 'RETR /in-dir/inner.txt')).toString(), 'inner');
    assert.equal((await downloadOk(raw, 'RETR /in-dir/up/in-dir/nested/deep.txt')).toString(), 'deep');
    assert.deepEqual((await raw.command('SIZE /sub/up/in-dir/inner.txt')).lines, ['213 5']);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST /in-dir/up/in-dir/nested')), ['deep.txt']);
    const listed = listingLines(await downloadOk(raw, 'LIST /in-dir/nested'));
    assert.equal(listed.length, 1);
    assert.match(listed[0]!, / deep\.txt$/);
    assert.deepEqual((await raw.command('CWD /in-dir/up/sub/nested')).lines, ['250 Directory successfully changed to "/in-dir/up/sub/nested"']);
    assert.equal((await downloadOk(raw, 'RETR deep.txt')).toString(), 'deep');
    assert.equal((await raw.command('CWD /')).code, 250);
    await uploadOk(raw, 'STOR /in-dir/up/in-dir/new.txt', 'through links inside');
    assert.equal(await fs.readFile(path.join(share, 'sub', 'new.txt'), 'utf8'), 'through links inside');
    await fs.rm(path.join(share, 'sub', 'new.txt'));
  });
});
