import assert from 'node:assert/strict';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FsError, isFsError } from '../../core/fs/fs-error.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { readFileStream } from '../../core/fs/file-stream.js';
import { codeOf, collect, feed, names, readFrom } from './fs-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { runOk } from '../helpers/processes.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

const isWindows = process.platform === 'win32';

describe('PhysicalFileSystem: reading', () => {
  let root: string;
  let fs: PhysicalFileSystem;

  before(async () => {
    root = await makeTempDir('ftp-share-phys-');
    await fsp.mkdir(path.join(root, 'sub'));
    await fsp.writeFile(path.join(root, 'sub', 'inner.txt'), 'inner');
    await fsp.writeFile(path.join(root, 'hello.txt'), 'hello world');
    await fsp.writeFile(path.join(root, 'empty'), '');
    await fsp.writeFile(path.join(root, 'naïve файл 😀.txt'), 'unicode');
    fs = new PhysicalFileSystem({ root });
  });
  after(() => removeTempDir(root));

  test('stat of the root is a directory named /', async () => {
    const info = await fs.stat('/');
    assert.equal(info.name, '/');
    assert.equal(info.type, 'dir');
    assert.equal(info.size, 0);
    assert.equal(info.writable, true);
  });

  test('stat of a file gives name, size, mode, mtime and a dev-ino unique', async () => {
    const info = await fs.stat('/hello.txt');
    const st = await fsp.stat(path.join(root, 'hello.txt'));
    assert.equal(info.name, 'hello.txt');
    assert.equal(info.type, 'file');
    assert.equal(info.size, 11);
    assert.equal(info.mode, st.mode & 0o777);
    assert.equal(info.modified.getTime(), st.mtime.getTime());
    assert.equal(info.unique, `${st.dev.toString(16)}-${st.ino.toString(16)}`);
  });

  test('stat of a missing path is not-found; through a file is not-a-directory or not-found', async () => {
    assert.equal(await codeOf(fs.stat('/nope')), 'not-found');
    assert.equal(await codeOf(fs.stat('/nope/deeper')), 'not-found');
    assert.ok(['not-a-directory', 'not-found'].includes(await codeOf(fs.stat('/hello.txt/x'))));
  });

  test('list yields every entry with its info', async () => {
    const infos = await collect(fs.list('/'));
    const byName = new Map(infos.map((i) => [i.name, i]));
    assert.deepEqual([...byName.keys()].sort(), ['empty', 'hello.txt', 'naïve файл 😀.txt', 'sub'].sort());
    assert.equal(byName.get('sub')!.type, 'dir');
    assert.equal(byName.get('hello.txt')!.size, 11);
    assert.deepEqual(await names(fs.list('/sub')), ['inner.txt']);
  });

  test('list of a file is not-a-directory, of a missing dir not-found', async () => {
    assert.equal(await codeOf(collect(fs.list('/hello.txt'))), 'not-a-directory');
    assert.equal(await codeOf(collect(fs.list('/missing'))), 'not-found');
  });

  test('list can be abandoned early without leaking', async () => {
    for (let i = 0; i < 50; i++) {
      for await (const info of fs.list('/')) {
        assert.ok(info.name);
        break;
      }
    }
  });

  test('openRead reads the file from any position and reports its size', async () => {
    const whole = await fs.openRead('/hello.txt');
    try {
      assert.equal(whole.size, 11);
      const buffer = Buffer.alloc(32);
      assert.equal(await whole.read(buffer, 32, 0), 11);
      assert.equal(buffer.subarray(0, 11).toString(), 'hello world');
      assert.equal(await whole.read(buffer, 3, 6), 3);
      assert.equal(buffer.subarray(0, 3).toString(), 'wor');
      assert.equal(await whole.read(buffer, 32, 100), 0);
    } finally {
      await whole.close();
      await whole.close(); // idempotent
    }
    assert.equal((await readFrom(fs, '/hello.txt', 6)).toString(), 'world');
    assert.equal((await readFrom(fs, '/hello.txt', 100)).length, 0);
    assert.equal((await readFrom(fs, '/naïve файл 😀.txt')).toString(), 'unicode');
  });

  test('a read-ahead is filled while the file opens; the first read into it answers from it, any other read reads', async () => {
    const file = path.join(root, 'ahead.txt');
    await fsp.writeFile(file, 'hello world');
    const buffer = Buffer.alloc(64);
    const opened = await fs.openRead('/ahead.txt', { buffer, position: 6 });
    try {
      assert.equal(opened.size, 11);
      assert.equal(buffer.subarray(0, 5).toString(), 'world', 'read while opening');
      // Same inode, new bytes: the first read is the read-ahead's, the next ones read the disk.
      await fsp.writeFile(file, 'HELLO WORLD');
      assert.equal(await opened.read(buffer, 3, 6), 3);
      assert.equal(buffer.subarray(0, 3).toString(), 'wor');
      assert.equal(await opened.read(buffer, 64, 6), 5);
      assert.equal(buffer.subarray(0, 5).toString(), 'WORLD');
    } finally {
      await opened.close();
    }
    // A first read elsewhere is an ordinary read; the read-ahead is not used after it.
    const other = await fs.openRead('/ahead.txt', { buffer, position: 0 });
    try {
      await fsp.writeFile(file, 'jello world');
      const elsewhere = Buffer.alloc(64);
      assert.equal(await other.read(elsewhere, 64, 0), 11);
      assert.equal(elsewhere.subarray(0, 11).toString(), 'jello world');
      assert.equal(await other.read(buffer, 64, 0), 11);
      assert.equal(buffer.subarray(0, 11).toString(), 'jello world');
    } finally {
      await other.close();
      await fsp.unlink(file);
    }
  });

  test('close waits for a read in flight, and a read after close fails with an FsError', async () => {
    for (let i = 0; i < 20; i++) {
      const file = await fs.openRead('/hello.txt');
      const buffer = Buffer.alloc(32);
      const reading = file.read(buffer, 32, 0);
      const closing = file.close();
      assert.equal(await reading, 11);
      await closing;
      assert.ok(isFsError(await file.read(buffer, 32, 0).catch((err: unknown) => err)));
    }
  });

  test('refused opens with a read-ahead leave no descriptor open', { skip: process.platform !== 'linux' }, async () => {
    const before = (await fsp.readdir('/proc/self/fd')).length;
    const buffer = Buffer.alloc(64);
    for (let i = 0; i < 20; i++) {
      assert.equal(await codeOf(fs.openRead('/sub', { buffer, position: 0 })), 'is-a-directory');
      assert.equal(await codeOf(fs.openRead('/missing', { buffer, position: 0 })), 'not-found');
    }
    assert.equal((await fsp.readdir('/proc/self/fd')).length, before);
  });

  test('a file stream reads in whole chunks, and on past the size the file had when opened', async () => {
    const big = Buffer.alloc(300 * 1024, 7);
    await fsp.writeFile(path.join(root, 'growing.bin'), big.subarray(0, 100 * 1024));
    const file = await fs.openRead('/growing.bin');
    try {
      await fsp.appendFile(path.join(root, 'growing.bin'), big.subarray(100 * 1024));
      const chunks: number[] = [];
      for await (const chunk of readFileStream(file, 0, 64 * 1024)) chunks.push((chunk as Buffer).length);
      assert.equal(chunks.reduce((a, b) => a + b, 0), big.length);
      assert.ok(chunks.every((n) => n <= 64 * 1024), String(chunks));
    } finally {
      await file.close();
      await fsp.unlink(path.join(root, 'growing.bin'));
    }
  });

  test('openRead errors are FsErrors raised before any stream exists', async () => {
    assert.equal(await codeOf(fs.openRead('/sub')), 'is-a-directory');
    assert.equal(await codeOf(fs.openRead('/')), 'is-a-directory');
    assert.equal(await codeOf(fs.openRead('/missing')), 'not-found');
  });

  test('resolve is the shared resolver', () => {
    assert.equal(fs.resolve('/sub', '../hello.txt'), '/hello.txt');
    assert.equal(fs.resolve('/', '..\\..\\x'), '/x');
    assert.throws(() => fs.resolve('/', 'a\0b'), (e: unknown) => isFsError(e, 'invalid-name'));
  });

  test('methods re-normalise a careless path instead of escaping', async () => {
    assert.equal((await fs.stat('/sub/../hello.txt')).name, 'hello.txt');
    assert.equal((await fs.stat('/../../hello.txt')).name, 'hello.txt');
  });

  test('available reports free bytes', async () => {
    const free = await fs.available('/');
    assert.ok(Number.isFinite(free) && free >= 0);
    assert.ok((await fs.available('/hello.txt')) >= 0);
  });

  test('FIFOs and sockets are not shared', { skip: isWindows }, async () => {
    const fifo = path.join(root, 'pipe');
    try {
      await runOk('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here
    }
    try {
      assert.ok(!(await names(fs.list('/'))).includes('pipe'));
      assert.equal(await codeOf(fs.stat('/pipe')), 'not-found');
      // Would block a libuv thread forever without O_NONBLOCK.
      assert.equal(await codeOf(fs.openRead('/pipe')), 'not-found');
      // A read-ahead beside the type check takes nothing from the FIFO (pread refuses it).
      const writer = await fsp.open(fifo, fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
      try {
        await writer.write('for someone else');
        assert.equal(await codeOf(fs.openRead('/pipe', { buffer: Buffer.alloc(64), position: 0 })), 'not-found');
        const left = Buffer.alloc(64);
        const { bytesRead } = await writer.read(left, 0, 64, null);
        assert.equal(left.subarray(0, bytesRead).toString(), 'for someone else');
      } finally {
        await writer.close();
      }
      // Opening a FIFO without a reader fails at once (ENXIO) instead of blocking.
      assert.ok(['permission-denied', 'io'].includes(await codeOf(fs.openUpload('/pipe', { kind: 'append' }))));
    } finally {
      await fsp.unlink(fifo);
    }
  });

  test('a missing root answers not-found everywhere', async () => {
    const gone = new PhysicalFileSystem({ root: path.join(root, 'does-not-exist') });
    assert.equal(await codeOf(gone.stat('/')), 'not-found');
    assert.equal(await codeOf(collect(gone.list('/'))), 'not-found');
    assert.equal(await codeOf(gone.mkdir('/x')), 'not-found');
  });
});

describe('PhysicalFileSystem: changing the tree', () => {
  let root: string;
  let fs: PhysicalFileSystem;

  before(async () => {
    root = await makeTempDir('ftp-share-phys-write-');
    fs = new PhysicalFileSystem({ root });
  });
  after(() => removeTempDir(root));

  test('mkdir creates, refuses existing names and missing parents', async () => {
    await fs.mkdir('/made');
    assert.ok((await fsp.stat(path.join(root, 'made'))).isDirectory());
    assert.equal(await codeOf(fs.mkdir('/made')), 'exists');
    assert.equal(await codeOf(fs.mkdir('/')), 'exists');
    assert.equal(await codeOf(fs.mkdir('/no/such/parent')), 'not-found');
  });

  test('rmdir removes empty directories only, never the root', async () => {
    await fs.mkdir('/gone');
    await fs.rmdir('/gone');
    await assert.rejects(fsp.stat(path.join(root, 'gone')));
    await fs.mkdir('/full');
    await fsp.writeFile(path.join(root, 'full', 'f'), 'x');
    assert.equal(await codeOf(fs.rmdir('/full')), 'not-empty');
    assert.equal(await codeOf(fs.rmdir('/')), 'permission-denied');
    assert.equal(await codeOf(fs.rmdir('/missing')), 'not-found');
    assert.equal(await codeOf(fs.rmdir('/full/f')), 'not-a-directory');
  });

  test('unlink removes files and refuses directories', async () => {
    await fsp.writeFile(path.join(root, 'del.txt'), 'x');
    await fs.unlink('/del.txt');
    await assert.rejects(fsp.stat(path.join(root, 'del.txt')));
    await fs.mkdir('/adir');
    assert.equal(await codeOf(fs.unlink('/adir')), 'is-a-directory');
    assert.equal(await codeOf(fs.unlink('/')), 'is-a-directory');
    assert.equal(await codeOf(fs.unlink('/del.txt')), 'not-found');
  });

  test('rename moves files and directories, and replaces an existing file', async () => {
    await fsp.writeFile(path.join(root, 'a.txt'), 'A');
    await fsp.writeFile(path.join(root, 'b.txt'), 'B');
    await fs.rename('/a.txt', '/b.txt');
    assert.equal(await fsp.readFile(path.join(root, 'b.txt'), 'utf8'), 'A');
    await assert.rejects(fsp.stat(path.join(root, 'a.txt')));
    await fs.mkdir('/mv');
    await fs.rename('/b.txt', '/mv/b.txt');
    await fs.rename('/mv', '/moved');
    assert.equal(await fsp.readFile(path.join(root, 'moved', 'b.txt'), 'utf8'), 'A');
    // Renaming to itself is a no-op.
    await fs.rename('/moved', '/moved');
  });

  test('rename refuses the root, a directory into itself, missing sources and parents', async () => {
    await fs.mkdir('/outer');
    await fs.mkdir('/outer/inner');
    assert.equal(await codeOf(fs.rename('/', '/x')), 'permission-denied');
    assert.equal(await codeOf(fs.rename('/outer', '/')), 'permission-denied');
    assert.equal(await codeOf(fs.rename('/outer', '/outer/inner/deeper')), 'invalid-name');
    assert.equal(await codeOf(fs.rename('/outer', '/outer/x')), 'invalid-name');
    assert.equal(await codeOf(fs.rename('/missing', '/x')), 'not-found');
    assert.equal(await codeOf(fs.rename('/outer', '/missing/x')), 'not-found');
    // /outer_x is a sibling, not inside /outer.
    await fs.rename('/outer', '/outer_x');
    await fs.rename('/outer_x', '/outer');
  });

  test('setModified sets the modification time', async () => {
    await fsp.writeFile(path.join(root, 't.txt'), 't');
    const when = new Date('2001-02-03T04:05:06Z');
    await fs.setModified('/t.txt', when);
    assert.equal((await fs.stat('/t.txt')).modified.getTime(), when.getTime());
    assert.equal(await codeOf(fs.setModified('/missing', when)), 'not-found');
  });

  test('chmod sets permission bits only, and never on the root', { skip: isWindows }, async () => {
    await fsp.writeFile(path.join(root, 'm.txt'), 'm');
    await fs.chmod('/m.txt', 0o4640);
    assert.equal((await fsp.stat(path.join(root, 'm.txt'))).mode & 0o7777, 0o640);
    assert.equal((await fs.stat('/m.txt')).mode, 0o640);
    assert.equal(await codeOf(fs.chmod('/', 0o000)), 'permission-denied');
    assert.equal(await codeOf(fs.chmod('/missing', 0o644)), 'not-found');
  });

  test('error messages are short and never hold host paths', async () => {
    const attempts = [
      () => fs.stat('/missing/x'),
      () => fs.rmdir('/outer'),
      () => fs.mkdir('/outer'),
      () => fs.unlink('/outer'),
      () => fs.openRead('/outer'),
      () => fs.rename('/nothing', '/x'),
      () => fs.openUpload('/outer', { kind: 'replace' }),
    ];
    for (const attempt of attempts) {
      try {
        await attempt();
        assert.fail('expected a failure');
      } catch (err) {
        assert.ok(err instanceof FsError);
        assert.ok(!err.message.includes(root), err.message);
        assert.ok(!err.message.includes(path.sep + 'tmp'), err.message);
        assert.ok(err.message.length < 80, err.message);
      }
    }
  });
});

describe('PhysicalFileSystem: read-only switched at run time', () => {
  let root: string;

  before(async () => {
    root = await makeTempDir('ftp-share-phys-switch-');
    await fsp.mkdir(path.join(root, 'sub'));
    await fsp.writeFile(path.join(root, 'keep.txt'), 'keep');
  });
  after(() => removeTempDir(root));

  test('setReadOnly refuses every later write, keeps reads, and flips the writable facts', async () => {
    const fs = new PhysicalFileSystem({ root });
    // Opened before the switch: it finishes and commits (permission was granted when it opened).
    const early = await fs.openUpload('/early.txt', { kind: 'replace' });
    fs.setReadOnly(true);
    assert.equal(fs.readOnly, true);
    const before = await snapshotTree(root);
    const writes: [string, () => Promise<unknown>][] = [
      ['openUpload', () => fs.openUpload('/new.txt', { kind: 'replace' })],
      ['append', () => fs.openUpload('/keep.txt', { kind: 'append' })],
      ['mkdir', () => fs.mkdir('/made')],
      ['rmdir', () => fs.rmdir('/sub')],
      ['unlink', () => fs.unlink('/keep.txt')],
      ['rename', () => fs.rename('/keep.txt', '/moved.txt')],
      ['setModified', () => fs.setModified('/keep.txt', new Date(0))],
      ['chmod', () => fs.chmod('/keep.txt', 0o600)],
    ];
    for (const [label, write] of writes) assert.equal(await codeOf(write), 'read-only', label);
    assert.deepEqual(await snapshotTree(root), before, 'nothing on disk changed');
    assert.equal((await readFrom(fs, '/keep.txt')).toString(), 'keep');
    assert.equal((await fs.stat('/keep.txt')).writable, false);
    assert.ok((await collect(fs.list('/'))).every((i) => !i.writable));

    await feed(early, 'written ', 'whole');
    await early.commit();
    assert.equal(await fsp.readFile(path.join(root, 'early.txt'), 'utf8'), 'written whole');

    fs.setReadOnly(false);
    assert.equal(fs.readOnly, false);
    await fs.mkdir('/made');
    assert.equal((await fs.stat('/made')).writable, true);
  });

  test('the constructor option still sets the starting value', async () => {
    const fs = new PhysicalFileSystem({ root, readOnly: true });
    assert.equal(await codeOf(fs.mkdir('/again')), 'read-only');
    fs.setReadOnly(false);
    await fs.mkdir('/again');
    await fs.rmdir('/again');
  });
});
