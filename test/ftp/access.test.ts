/**
 * Access control and backends: the four SimpleAuthorizer configurations, MultiAccountAuthorizer
 * with per-account folders and read-only, read-only shares (every write refused, nothing on disk
 * changes, not even transiently), and the virtual backend (several folders, read-only root).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectAndLogin, connectData, connectOnly, downloadOk, listingLines, uploadOk } from '../helpers/ftp-flows.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { sleep } from '../helpers/wait.js';
import { MultiAccountAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';

async function tryLogin(port: number, user: string, password: string): Promise<{ user: number; pass: number }> {
  const raw = await connectOnly(port);
  const userReply = await raw.command(`USER ${user}`);
  const passReply = await raw.command(`PASS ${password}`);
  raw.close();
  return { user: userReply.code, pass: passReply.code };
}

describe('SimpleAuthorizer configurations', () => {
  test('anonymous: any user name and password', async () => {
    const f = await startServer();
    try {
      assert.deepEqual(await tryLogin(f.port, 'anonymous', 'me@example.com'), { user: 331, pass: 230 });
      assert.deepEqual(await tryLogin(f.port, 'whoever', ''), { user: 331, pass: 230 });
      assert.ok(f.events.some((e) => e.type === 'login' && e.user === 'whoever'));
    } finally {
      await f.close();
    }
  });

  test('user + password: USER is always 331, only the right pair logs in', async () => {
    const f = await startServer({ username: 'alice', password: 's3cret' });
    try {
      assert.deepEqual(await tryLogin(f.port, 'alice', 's3cret'), { user: 331, pass: 230 });
      assert.deepEqual(await tryLogin(f.port, 'alice', 'wrong'), { user: 331, pass: 530 });
      assert.deepEqual(await tryLogin(f.port, 'mallory', 's3cret'), { user: 331, pass: 530 });
      assert.deepEqual(await tryLogin(f.port, 'anonymous', 'guest'), { user: 331, pass: 530 });
      // A password containing spaces is taken whole.
      const spaced = await startServer({ username: 'bob', password: 'two words ' });
      try {
        assert.deepEqual(await tryLogin(spaced.port, 'bob', 'two words '), { user: 331, pass: 230 });
        assert.deepEqual(await tryLogin(spaced.port, 'bob', 'two words'), { user: 331, pass: 530 });
      } finally {
        await spaced.close();
      }
    } finally {
      await f.close();
    }
  });

  test('user only: any password for that user', async () => {
    const f = await startServer({ username: 'carol' });
    try {
      assert.deepEqual(await tryLogin(f.port, 'carol', 'anything'), { user: 331, pass: 230 });
      assert.deepEqual(await tryLogin(f.port, 'dave', 'anything'), { user: 331, pass: 530 });
    } finally {
      await f.close();
    }
  });

  test('password only: any user name with the password', async () => {
    const f = await startServer({ password: 'pw' });
    try {
      assert.deepEqual(await tryLogin(f.port, 'x', 'pw'), { user: 331, pass: 230 });
      assert.deepEqual(await tryLogin(f.port, 'y', 'pw'), { user: 331, pass: 230 });
      assert.deepEqual(await tryLogin(f.port, 'x', 'nope'), { user: 331, pass: 530 });
    } finally {
      await f.close();
    }
  });
});

describe('MultiAccountAuthorizer', () => {
  let f: ServerFixture;
  let aliceRoot: string;
  let bobRoot: string;

  before(async () => {
    aliceRoot = await makeTempDir('ftp-share-alice-');
    bobRoot = await makeTempDir('ftp-share-bob-');
    await fs.writeFile(path.join(aliceRoot, 'alice.txt'), 'alice data');
    await fs.writeFile(path.join(bobRoot, 'bob.txt'), 'bob data');
    f = await startServer({
      authorizer: new MultiAccountAuthorizer([
        { username: 'alice', password: 'a-pass', fs: new PhysicalFileSystem({ root: aliceRoot }) },
        { username: 'bob', password: 'b-pass', fs: new PhysicalFileSystem({ root: bobRoot, readOnly: true }) },
      ]),
    });
  });
  after(async () => {
    await f.close();
    await removeTempDir(aliceRoot);
    await removeTempDir(bobRoot);
  });

  test('each account logs in with its own password only; unknown users still get 331', async () => {
    assert.deepEqual(await tryLogin(f.port, 'alice', 'a-pass'), { user: 331, pass: 230 });
    assert.deepEqual(await tryLogin(f.port, 'alice', 'b-pass'), { user: 331, pass: 530 });
    assert.deepEqual(await tryLogin(f.port, 'bob', 'b-pass'), { user: 331, pass: 230 });
    assert.deepEqual(await tryLogin(f.port, 'nobody', 'a-pass'), { user: 331, pass: 530 });
  });

  test('each account sees its own folder; the read-only account can not write', async () => {
    const alice = await connectAndLogin(f.port, 'alice', 'a-pass');
    assert.deepEqual(listingLines(await downloadOk(alice, 'NLST')), ['alice.txt']);
    assert.equal((await alice.command('SIZE /bob.txt')).code, 550);
    await uploadOk(alice, 'STOR from-alice.txt', 'written by alice');
    assert.equal(await fs.readFile(path.join(aliceRoot, 'from-alice.txt'), 'utf8'), 'written by alice');
    alice.close();

    const bob = await connectAndLogin(f.port, 'bob', 'b-pass');
    assert.deepEqual(listingLines(await downloadOk(bob, 'NLST')), ['bob.txt']);
    assert.equal((await downloadOk(bob, 'RETR bob.txt')).toString(), 'bob data');
    const before = await snapshotTree(bobRoot);
    assert.equal((await bob.command('MKD x')).code, 550);
    assert.equal((await bob.command('DELE bob.txt')).code, 550);
    assert.equal((await bob.command('SIZE /alice.txt')).code, 550);
    const mlsd = listingLines(await downloadOk(bob, 'MLSD'));
    assert.match(mlsd[0]!, /;perm=r;/, 'perm fact shows the file is read-only');
    assert.deepEqual(await snapshotTree(bobRoot), before);
    bob.close();
  });
});

describe('read-only share', () => {
  let f: ServerFixture;

  before(async () => {
    f = await startServer({ readOnly: true, files: { 'keep.txt': 'keep me', 'dir/inner.txt': 'inner', 'emptydir/.keep': '' } });
    await fs.rm(path.join(f.root, 'emptydir', '.keep'));
  });
  after(() => f.close());

  test('every write command is refused with 550 and nothing on disk changes', async () => {
    const before = await snapshotTree(f.root);
    // Directory mtimes change if anything is created and removed again, so the snapshotTree proves
    // that no temp file existed even for a moment.
    await sleep(20);
    const raw = await connectAndLogin(f.port);
    for (const command of ['STOR keep.txt', 'STOR new.txt', 'APPE keep.txt', 'APPE new.txt', 'STOU', 'STOU keep.txt', 'STOU new.txt']) {
      // The client already opened the data connection: the refusal is the only reply.
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      socket.on('error', () => undefined);
      socket.write('data that must not land');
      const refused = await raw.command(command);
      assert.equal(refused.code, 550, `${command}: ${refused.text}`);
      assert.deepEqual((await raw.command('NOOP')).lines, ['200 NOOP ok'], `${command}: no stray reply`);
      socket.destroy();
    }
    await raw.command('REST 3');
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    assert.equal((await raw.command('STOR keep.txt')).code, 550, 'REST + STOR');
    socket.destroy();
    for (const command of ['DELE keep.txt', 'RMD emptydir', 'MKD newdir', 'XMKD newdir', 'XRMD emptydir', 'RNFR keep.txt', 'MFMT 20200101000000 keep.txt', 'MDTM 20200101000000 keep.txt', 'SITE CHMOD 777 keep.txt']) {
      assert.equal((await raw.command(command)).code, 550, command);
    }
    assert.equal((await raw.command('RNTO renamed.txt')).code, 503, 'RNTO after a refused RNFR');
    // Reading still works.
    assert.equal((await downloadOk(raw, 'RETR keep.txt')).toString(), 'keep me');
    assert.ok(listingLines(await downloadOk(raw, 'MLSD')).every((l) => /perm=(r|el);/.test(l)));
    raw.close();
    assert.deepEqual(await snapshotTree(f.root), before);
  });

  test('the refusal reaches the client before its data connection is closed', async () => {
    // A client like basic-ftp takes whichever comes first: an error or end on its data
    // connection would hide the 550. Both cases: the data connection already accepted (closed
    // with a FIN) and still in the listener's backlog (closing the listener resets it).
    const raw = await connectAndLogin(f.port);
    for (const acceptedFirst of [true, false]) {
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      if (acceptedFirst) await sleep(50);
      const order: string[] = [];
      raw.socket.once('data', () => order.push('reply'));
      const dataClosed = new Promise<void>((resolve) => {
        for (const event of ['end', 'error'] as const) socket.once(event, () => resolve(void order.push(`data ${event}`)));
      });
      socket.resume();
      const refused = await raw.command('STOR new.txt');
      assert.equal(refused.code, 550, refused.text);
      await dataClosed;
      assert.equal(order[0], 'reply', `accepted first: ${acceptedFirst}; order: ${order.join(', ')}`);
      socket.destroy();
    }
    raw.close();
  });
});

describe('virtual backend (several folders)', () => {
  let f: ServerFixture;
  let names: string[];

  before(async () => {
    f = await startServer({ folders: 2, files: { 'in-first.txt': 'first folder' } });
    await fs.writeFile(path.join(f.roots[1]!, 'in-second.txt'), 'second folder');
    names = f.roots.map((r) => path.basename(r));
  });
  after(() => f.close());

  test('the folders are the top-level directories; the virtual root is read-only', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST /')).sort(), [...names].sort());
    const mlsd = listingLines(await downloadOk(raw, 'MLSD /'));
    assert.equal(mlsd.length, 2);
    for (const line of mlsd) assert.match(line, /^type=dir;/);
    assert.equal((await downloadOk(raw, `RETR /${names[0]}/in-first.txt`)).toString(), 'first folder');
    assert.equal((await raw.command(`CWD /${names[1]}`)).code, 250);
    assert.equal((await downloadOk(raw, 'RETR in-second.txt')).toString(), 'second folder');
    // Writing inside a folder works.
    await uploadOk(raw, 'STOR written.txt', 'inside');
    assert.equal(await fs.readFile(path.join(f.roots[1]!, 'written.txt'), 'utf8'), 'inside');
    assert.equal((await raw.command('CWD /')).code, 250);
    const rootsBefore = await Promise.all(f.roots.map((r) => snapshotTree(r)));
    // Writing at the virtual root is refused.
    assert.equal((await raw.command('MKD /newtop')).code, 550);
    assert.equal((await raw.command(`RMD /${names[0]}`)).code, 550);
    assert.equal((await raw.command(`RNFR /${names[0]}`)).code, 350);
    assert.equal((await raw.command('RNTO /renamed')).code, 550);
    assert.equal((await raw.command(`DELE /${names[0]}`)).code, 550);
    assert.equal((await raw.command(`SITE CHMOD 700 /${names[0]}`)).code, 550);
    assert.equal((await raw.command(`MFMT 20200101000000 /${names[0]}`)).code, 550);
    for (const command of ['STOR /top.txt', 'APPE /top.txt', 'STOU /top.txt']) {
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      assert.equal((await raw.command(command)).code, 550, command);
      socket.destroy();
    }
    assert.equal((await raw.command('NOOP')).code, 200);
    // Moving between folders is refused too.
    assert.equal((await raw.command(`RNFR /${names[0]}/in-first.txt`)).code, 350);
    assert.equal((await raw.command(`RNTO /${names[1]}/moved.txt`)).code, 550);
    assert.deepEqual(await Promise.all(f.roots.map((r) => snapshotTree(r))), rootsBefore);
    // A missing top-level name is 550 like any missing path.
    assert.equal((await raw.command('CWD /nosuchfolder')).code, 550);
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    assert.equal((await raw.command('RETR /nosuchfolder/x')).code, 550);
    socket.destroy();
    raw.close();
  });

  test('a read-only virtual share refuses writes inside the folders too', async () => {
    const ro = await startServer({ folders: 2, readOnly: true });
    try {
      const raw = await connectAndLogin(ro.port);
      const first = path.basename(ro.roots[0]!);
      const before = await snapshotTree(ro.roots[0]!);
      assert.equal((await raw.command(`MKD /${first}/sub`)).code, 550);
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      assert.equal((await raw.command(`STOR /${first}/f.txt`)).code, 550);
      socket.destroy();
      assert.deepEqual(await snapshotTree(ro.roots[0]!), before);
      raw.close();
    } finally {
      await ro.close();
    }
  });
});

describe('ControlClient sanity', () => {
  test('a second session is independent (cwd, type)', async () => {
    const f = await startServer({ files: { 'd/x.txt': 'x' } });
    try {
      const one = await connectAndLogin(f.port);
      const two = await ControlClient.connect(f.port);
      await two.reply();
      await two.login();
      await one.command('CWD d');
      assert.deepEqual((await two.command('PWD')).lines, ['257 "/" is the current directory']);
      one.close();
      two.close();
    } finally {
      await f.close();
    }
  });
});
