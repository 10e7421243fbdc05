import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VirtualFileSystem, mountNames } from '../../core/fs/virtual.js';
import { codeOf, collect, feed, names, readFrom, upload } from './fs-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

describe('mountNames', () => {
  test('basenames, disambiguated in the order given', () => {
    assert.deepEqual(mountNames(['/a/photos', '/b/photos', '/c/music', '/d/photos'], path.posix), [
      'photos',
      'photos (2)',
      'music',
      'photos (3)',
    ]);
  });

  test('clashes are case-insensitive, and a literal "x (2)" is not reused', () => {
    assert.deepEqual(mountNames(['/a/Photos', '/b/photos', '/c/photos (2)'], path.posix), [
      'Photos',
      'photos (2)',
      'photos (2) (2)',
    ]);
  });

  test('file-system roots get a sensible name', () => {
    assert.deepEqual(mountNames(['/', '/'], path.posix), ['root', 'root (2)']);
    assert.deepEqual(mountNames(['C:\\', 'd:\\', 'C:\\Users\\me\\Docs', '\\\\nas\\media\\'], path.win32), [
      'C',
      'D',
      'Docs',
      'media',
    ]);
  });

  test('trailing separators are ignored and a backslash in a POSIX name is replaced', () => {
    assert.deepEqual(mountNames(['/a/docs/', '/b/we\\ird'], path.posix), ['docs', 'we_ird']);
  });
});

describe('VirtualFileSystem', () => {
  let base: string;
  let fs: VirtualFileSystem;

  before(async () => {
    base = await makeTempDir('ftp-share-virtual-');
    for (const dir of ['one/photos', 'two/photos', 'music', 'gone']) {
      await fsp.mkdir(path.join(base, dir), { recursive: true });
    }
    await fsp.writeFile(path.join(base, 'one/photos/a.jpg'), 'AAA');
    await fsp.writeFile(path.join(base, 'two/photos/b.jpg'), 'BB');
    await fsp.mkdir(path.join(base, 'music/album'));
    await fsp.writeFile(path.join(base, 'music/album/song.mp3'), 'la la');
    fs = new VirtualFileSystem({
      roots: [
        path.join(base, 'one/photos'),
        path.join(base, 'two/photos'),
        path.join(base, 'music'),
        path.join(base, 'gone'),
      ],
    });
    // A shared folder that disappears after the share started.
    await fsp.rmdir(path.join(base, 'gone'));
  });
  after(() => removeTempDir(base));

  test('/ is a read-only directory listing the mounts; a missing folder is skipped', async () => {
    assert.deepEqual(fs.names, ['photos', 'photos (2)', 'music', 'gone']);
    const root = await fs.stat('/');
    assert.equal(root.type, 'dir');
    assert.equal(root.name, '/');
    assert.equal(root.writable, false);
    const listed = await collect(fs.list('/'));
    assert.deepEqual(
      listed.map((i) => i.name),
      ['photos', 'photos (2)', 'music'],
    );
    assert.ok(listed.every((i) => i.type === 'dir'));
    assert.equal(await codeOf(fs.stat('/gone')), 'not-found');
    assert.equal(await codeOf(collect(fs.list('/gone'))), 'not-found');
  });

  test('paths below a mount are delegated to its folder', async () => {
    assert.deepEqual(await names(fs.list('/photos')), ['a.jpg']);
    assert.deepEqual(await names(fs.list('/photos (2)')), ['b.jpg']);
    assert.equal((await fs.stat('/photos (2)')).name, 'photos (2)');
    assert.equal((await fs.stat('/music/album/song.mp3')).size, 5);
    assert.equal((await readFrom(fs, '/music/album/song.mp3', 3)).toString(), 'la');
    // A read-ahead reaches the mount's folder: filled while the file opens.
    const buffer = Buffer.alloc(16);
    const song = await fs.openRead('/music/album/song.mp3', { buffer, position: 3 });
    try {
      assert.equal(buffer.subarray(0, 2).toString(), 'la');
      assert.equal(await song.read(buffer, 16, 3), 2);
    } finally {
      await song.close();
    }
    assert.equal(await codeOf(fs.stat('/nothing')), 'not-found');
    assert.equal(await codeOf(fs.stat('/nothing/deeper')), 'not-found');
    assert.equal(await codeOf(fs.openRead('/')), 'is-a-directory');
    assert.equal(await codeOf(fs.openRead('/music')), 'is-a-directory');
    assert.ok((await fs.available('/')) >= 0);
    assert.ok((await fs.available('/music/album')) >= 0);
  });

  test('".." never leaves a mount for the host', async () => {
    assert.equal(fs.resolve('/photos', '../../..'), '/');
    assert.deepEqual(await names(fs.list('/photos/..')), ['music', 'photos', 'photos (2)']);
    assert.equal(await codeOf(fs.stat('/music/../../one')), 'not-found');
  });

  test('writes inside a mount work, and STOU reports the full virtual path', async () => {
    await fs.mkdir('/music/new');
    await upload(fs, '/music/new/x.txt', { kind: 'replace' }, 'x');
    assert.equal(await fsp.readFile(path.join(base, 'music/new/x.txt'), 'utf8'), 'x');
    assert.equal(await upload(fs, '/music/new/x.txt', { kind: 'unique' }, 'y'), '/music/new/x.txt.1');
    const target = await fs.openUpload('/photos (2)/c.jpg', { kind: 'replace' });
    assert.equal(target.path, '/photos (2)/c.jpg');
    await feed(target, 'C');
    await target.commit();
    assert.equal(await fsp.readFile(path.join(base, 'two/photos/c.jpg'), 'utf8'), 'C');
    await fs.rename('/music/new/x.txt.1', '/music/y.txt');
    await fs.unlink('/music/y.txt');
    await fs.unlink('/music/new/x.txt');
    await fs.rmdir('/music/new');
    await fs.unlink('/photos (2)/c.jpg');
  });

  test('the top level is fixed: permission-denied for every write there, tree unchanged', async () => {
    const before = await snapshotTree(base);
    const writes: [string, () => Promise<unknown>][] = [
      ['mkdir /x', () => fs.mkdir('/x')],
      ['mkdir /photos', () => fs.mkdir('/photos')],
      ['upload /x', () => fs.openUpload('/x', { kind: 'replace' })],
      ['upload /photos', () => fs.openUpload('/photos', { kind: 'append' })],
      ['unique /x', () => fs.openUpload('/x', { kind: 'unique' })],
      ['upload /', () => fs.openUpload('/', { kind: 'replace' })],
      ['rmdir /photos', () => fs.rmdir('/photos')],
      ['rmdir /', () => fs.rmdir('/')],
      ['unlink /music', () => fs.unlink('/music')],
      ['rename /music', () => fs.rename('/music', '/tunes')],
      ['rename into /', () => fs.rename('/music/album', '/album')],
      ['rename onto a mount', () => fs.rename('/music/album', '/photos')],
      ['rename across mounts', () => fs.rename('/photos/a.jpg', '/music/a.jpg')],
      ['setModified /music', () => fs.setModified('/music', new Date(0))],
      ['chmod /music', () => fs.chmod('/music', 0o777)],
    ];
    for (const [label, write] of writes) {
      assert.equal(await codeOf(write), 'permission-denied', label);
    }
    assert.deepEqual(await snapshotTree(base), before);
  });

  test('a read-only virtual share refuses every write with read-only', async () => {
    const ro = new VirtualFileSystem({ roots: [path.join(base, 'music')], readOnly: true });
    const before = await snapshotTree(base);
    const writes: [string, () => Promise<unknown>][] = [
      ['mkdir /x', () => ro.mkdir('/x')],
      ['mkdir inside', () => ro.mkdir('/music/x')],
      ['upload inside', () => ro.openUpload('/music/x', { kind: 'replace' })],
      ['append inside', () => ro.openUpload('/music/album/song.mp3', { kind: 'append' })],
      ['unlink inside', () => ro.unlink('/music/album/song.mp3')],
      ['rmdir inside', () => ro.rmdir('/music/album')],
      ['rename inside', () => ro.rename('/music/album', '/music/b')],
      ['setModified inside', () => ro.setModified('/music/album', new Date(0))],
      ['chmod inside', () => ro.chmod('/music/album', 0o700)],
    ];
    for (const [label, write] of writes) {
      assert.equal(await codeOf(write), 'read-only', label);
    }
    assert.equal((await ro.stat('/music/album')).writable, false);
    assert.deepEqual(await snapshotTree(base), before);
  });

  test('setReadOnly switches every folder at once; an upload opened before it still commits', async () => {
    const live = new VirtualFileSystem({ roots: [path.join(base, 'music'), path.join(base, 'two/photos')] });
    assert.equal((await live.stat('/music/album')).writable, true);
    const early = await live.openUpload('/photos/early.jpg', { kind: 'replace' });
    live.setReadOnly(true);
    assert.equal(live.readOnly, true);
    const before = await snapshotTree(base);
    assert.equal(await codeOf(live.mkdir('/music/x')), 'read-only');
    assert.equal(await codeOf(live.openUpload('/photos/x.jpg', { kind: 'replace' })), 'read-only');
    assert.equal(await codeOf(live.unlink('/music/album/song.mp3')), 'read-only');
    assert.equal(await codeOf(live.rename('/music/album', '/music/b')), 'read-only');
    assert.deepEqual(await snapshotTree(base), before);
    // The mounts follow too: their entries' perm facts come from them.
    assert.equal((await live.stat('/music/album')).writable, false);
    assert.ok((await collect(live.list('/photos'))).every((i) => !i.writable));
    assert.equal((await readFrom(live, '/music/album/song.mp3')).toString(), 'la la');

    await feed(early, 'EARLY');
    await early.commit();
    assert.equal(await fsp.readFile(path.join(base, 'two/photos/early.jpg'), 'utf8'), 'EARLY');

    live.setReadOnly(false);
    assert.equal((await live.stat('/music/album')).writable, true);
    await live.unlink('/photos/early.jpg');
  });

  test('no roots: an empty /', async () => {
    const empty = new VirtualFileSystem({ roots: [] });
    assert.deepEqual(await names(empty.list('/')), []);
    assert.equal(await codeOf(empty.available('/')), 'not-found');
  });
});
