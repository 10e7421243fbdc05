import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { defaults } from '../../core/defaults.js';
import { FsError } from '../../core/fs/fs-error.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { isUploadTempName } from '../../core/fs/upload-target.js';
import { codeOf, collect, feed, names, upload } from './fs-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

const read = (file: string): Promise<string> => fsp.readFile(file, 'utf8');

/** The names in `dir` that are our upload temp files. */
async function temps(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).filter(isUploadTempName);
}

describe('PhysicalFileSystem: uploads', () => {
  let root: string;
  let fs: PhysicalFileSystem;

  before(async () => {
    root = await makeTempDir('ftp-share-upload-');
    fs = new PhysicalFileSystem({ root });
  });
  after(() => removeTempDir(root));
  beforeEach(async () => {
    for (const name of await fsp.readdir(root)) await fsp.rm(path.join(root, name), { recursive: true });
    await fsp.writeFile(path.join(root, 'orig.txt'), 'original');
  });

  test('replace leaves the original untouched until commit, then swaps it atomically', async () => {
    const target = await fs.openUpload('/orig.txt', { kind: 'replace' });
    assert.equal(target.path, '/orig.txt');
    assert.equal(target.stream.writableHighWaterMark, defaults.streamHighWaterMark);
    await feed(target, 'new ', 'content');
    assert.equal(await read(path.join(root, 'orig.txt')), 'original');
    const [temp] = await temps(root);
    assert.ok(temp !== undefined && temp.startsWith('.orig.txt.ftpshare-') && temp.endsWith('.part'), temp);
    // The temp file is invisible to clients.
    assert.deepEqual(await names(fs.list('/')), ['orig.txt']);
    assert.equal(await codeOf(fs.stat('/' + temp)), 'invalid-name');
    await target.commit();
    assert.equal(await read(path.join(root, 'orig.txt')), 'new content');
    assert.deepEqual(await temps(root), []);
    // Abort after commit does nothing.
    await target.abort();
    assert.equal(await read(path.join(root, 'orig.txt')), 'new content');
  });

  test('replace creates a missing file and keeps the original mode', { skip: process.platform === 'win32' }, async () => {
    await fsp.chmod(path.join(root, 'orig.txt'), 0o640);
    await upload(fs, '/orig.txt', { kind: 'replace' }, 'x');
    assert.equal((await fsp.stat(path.join(root, 'orig.txt'))).mode & 0o777, 0o640);
    await upload(fs, '/fresh.txt', { kind: 'replace' }, 'fresh');
    assert.equal(await read(path.join(root, 'fresh.txt')), 'fresh');
  });

  test('abort removes the temp file and keeps the original, and is idempotent', async () => {
    const target = await fs.openUpload('/orig.txt', { kind: 'replace' });
    target.stream.write('half of it');
    await target.abort();
    await target.abort();
    assert.equal(await read(path.join(root, 'orig.txt')), 'original');
    assert.deepEqual(await temps(root), []);
    assert.equal(await codeOf(target.commit()), 'io');
    assert.equal(await read(path.join(root, 'orig.txt')), 'original');
  });

  test('a stream destroyed mid-upload fails the commit and leaves the original', async () => {
    const target = await fs.openUpload('/orig.txt', { kind: 'replace' });
    target.stream.write('partial');
    target.stream.destroy(new Error('client went away'));
    await assert.rejects(target.commit(), (e: unknown) => e instanceof FsError);
    assert.equal(await read(path.join(root, 'orig.txt')), 'original');
    assert.deepEqual(await temps(root), []);
    await target.abort();
  });

  test('concurrent replace uploads never interleave: last commit wins whole', async () => {
    const chunk = (c: string): Buffer => Buffer.alloc(64 * 1024, c);
    const uploads = await Promise.all(['A', 'B', 'C'].map(() => fs.openUpload('/orig.txt', { kind: 'replace' })));
    assert.equal((await temps(root)).length, 3);
    // Interleave the writes in time.
    for (let i = 0; i < 20; i++) {
      for (const [n, u] of uploads.entries()) u.stream.write(chunk('ABC'[n]!));
    }
    await Promise.all(uploads.map((u) => feed(u)));
    await uploads[1]!.commit();
    await uploads[0]!.commit();
    await uploads[2]!.commit();
    const final = await fsp.readFile(path.join(root, 'orig.txt'));
    assert.equal(final.length, 20 * 64 * 1024);
    assert.ok(final.every((b) => b === 'C'.charCodeAt(0)), 'content mixes uploads');
    assert.deepEqual(await temps(root), []);
  });

  test('many concurrent replace uploads of one name all end whole', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => upload(fs, '/orig.txt', { kind: 'replace' }, `upload-${i}-`.repeat(1000))),
    );
    assert.equal(results.length, 16);
    const final = await read(path.join(root, 'orig.txt'));
    assert.match(final, /^(upload-\d+-)+$/);
    const id = /^upload-(\d+)-/.exec(final)![1];
    assert.equal(final, `upload-${id}-`.repeat(1000));
  });

  test('replace onto a directory is is-a-directory; onto / too; into a missing dir not-found', async () => {
    await fsp.mkdir(path.join(root, 'dir'));
    assert.equal(await codeOf(fs.openUpload('/dir', { kind: 'replace' })), 'is-a-directory');
    assert.equal(await codeOf(fs.openUpload('/', { kind: 'replace' })), 'is-a-directory');
    assert.equal(await codeOf(fs.openUpload('/missing/x', { kind: 'replace' })), 'not-found');
    assert.equal(await codeOf(fs.openUpload('/orig.txt/x', { kind: 'replace' })), 'not-a-directory');
    assert.deepEqual(await temps(root), []);
  });

  test('a name near the byte limit still gets a temp file that fits', async () => {
    const long = 'é'.repeat(127); // 254 bytes
    await upload(fs, '/' + long, { kind: 'replace' }, 'long');
    assert.equal(await read(path.join(root, long)), 'long');
  });

  test('append adds to the end, and creates a missing file', async () => {
    const target = await fs.openUpload('/orig.txt', { kind: 'append' });
    await feed(target, '+more');
    await target.commit();
    assert.equal(await read(path.join(root, 'orig.txt')), 'original+more');
    await upload(fs, '/new.txt', { kind: 'append' }, 'first');
    await upload(fs, '/new.txt', { kind: 'append' }, '+second');
    assert.equal(await read(path.join(root, 'new.txt')), 'first+second');
    await fsp.mkdir(path.join(root, 'dir'));
    assert.equal(await codeOf(fs.openUpload('/dir', { kind: 'append' })), 'is-a-directory');
  });

  test('concurrent appends to a missing file keep every byte', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => upload(fs, '/log.txt', { kind: 'append' }, `${i}`.repeat(5000))));
    const final = await read(path.join(root, 'log.txt'));
    assert.equal(final.length, 8 * 5000);
    for (let i = 0; i < 8; i++) assert.equal(final.split(String(i)).length - 1, 5000);
  });

  test('append abort just closes: what was written stays', async () => {
    const target = await fs.openUpload('/orig.txt', { kind: 'append' });
    await feed(target, '+x');
    await target.abort();
    assert.equal(await read(path.join(root, 'orig.txt')), 'original+x');
  });

  test('resume writes from the offset and truncates the old tail on commit', async () => {
    await fsp.writeFile(path.join(root, 'r.bin'), 'abcdefghij');
    await upload(fs, '/r.bin', { kind: 'resume', offset: 3 }, 'XY');
    assert.equal(await read(path.join(root, 'r.bin')), 'abcXY');
    await upload(fs, '/r.bin', { kind: 'resume', offset: 5 }, '12345');
    assert.equal(await read(path.join(root, 'r.bin')), 'abcXY12345');
    await upload(fs, '/r.bin', { kind: 'resume', offset: 0 }, '');
    assert.equal(await read(path.join(root, 'r.bin')), '');
  });

  test('resume past the end is refused; a missing file is created only at offset 0', async () => {
    await fsp.writeFile(path.join(root, 'r.bin'), 'abc');
    await assert.rejects(fs.openUpload('/r.bin', { kind: 'resume', offset: 4 }), (e: unknown) => {
      return e instanceof FsError && e.code === 'io' && e.message === 'Restart position beyond end of file';
    });
    assert.equal(await read(path.join(root, 'r.bin')), 'abc');
    assert.equal(await codeOf(fs.openUpload('/none.bin', { kind: 'resume', offset: 5 })), 'io');
    await assert.rejects(fsp.stat(path.join(root, 'none.bin')));
    await upload(fs, '/none.bin', { kind: 'resume', offset: 0 }, 'zero');
    assert.equal(await read(path.join(root, 'none.bin')), 'zero');
    assert.equal(await codeOf(fs.openUpload('/r.bin', { kind: 'resume', offset: -1 })), 'io');
    assert.equal(await codeOf(fs.openUpload('/r.bin', { kind: 'resume', offset: 1.5 })), 'io');
  });

  test('resume abort keeps the bytes written so far (the client can resume again)', async () => {
    await fsp.writeFile(path.join(root, 'r.bin'), 'abcdefghij');
    const target = await fs.openUpload('/r.bin', { kind: 'resume', offset: 2 });
    await feed(target, 'ZZ');
    await target.abort();
    assert.equal(await read(path.join(root, 'r.bin')), 'abZZefghij');
  });

  test('unique never overwrites: name, name.1, name.2…', async () => {
    const first = await upload(fs, '/orig.txt', { kind: 'unique' }, 'one');
    const second = await upload(fs, '/orig.txt', { kind: 'unique' }, 'two');
    const fresh = await upload(fs, '/brand-new', { kind: 'unique' }, 'three');
    assert.deepEqual([first, second, fresh], ['/orig.txt.1', '/orig.txt.2', '/brand-new']);
    assert.equal(await read(path.join(root, 'orig.txt')), 'original');
    assert.equal(await read(path.join(root, 'orig.txt.1')), 'one');
    assert.equal(await read(path.join(root, 'orig.txt.2')), 'two');
    assert.equal(await read(path.join(root, 'brand-new')), 'three');
  });

  test('concurrent unique uploads each get their own name', async () => {
    const chosen = await Promise.all(
      Array.from({ length: 12 }, (_, i) => upload(fs, '/orig.txt', { kind: 'unique' }, `u${i}`)),
    );
    assert.equal(new Set(chosen).size, 12);
    assert.equal(await read(path.join(root, 'orig.txt')), 'original');
    const contents = await Promise.all(chosen.map((p) => read(path.join(root, p))));
    assert.deepEqual(contents.sort(), Array.from({ length: 12 }, (_, i) => `u${i}`).sort());
  });

  test('unique abort removes only the new file; a failing check creates nothing', async () => {
    const target = await fs.openUpload('/orig.txt', { kind: 'unique' });
    assert.equal(target.path, '/orig.txt.1');
    await feed(target, 'partial');
    await target.abort();
    assert.deepEqual((await fsp.readdir(root)).sort(), ['orig.txt']);
    const before = await snapshotTree(root);
    assert.equal(await codeOf(fs.openUpload('/missing/x', { kind: 'unique' })), 'not-found');
    assert.equal(await codeOf(fs.openUpload('/', { kind: 'unique' })), 'is-a-directory');
    assert.equal(await codeOf(fs.openUpload('/orig.txt/x', { kind: 'unique' })), 'not-a-directory');
    assert.deepEqual(await snapshotTree(root), before);
  });

  test('unique in a subdirectory reports the full path', async () => {
    await fsp.mkdir(path.join(root, 'sub'));
    await fsp.writeFile(path.join(root, 'sub', 'f'), 'x');
    assert.equal(await upload(fs, '/sub/f', { kind: 'unique' }, 'y'), '/sub/f.1');
  });

  test('upload temp names are refused as client names', async () => {
    const tempLike = '/.x.ftpshare-0123456789ab.part';
    for (const kind of ['replace', 'append'] as const) {
      assert.equal(await codeOf(fs.openUpload(tempLike, { kind })), 'invalid-name');
    }
    // STOU just moves on to a name that is not reserved.
    const unique = await fs.openUpload(tempLike, { kind: 'unique' });
    assert.equal(unique.path, tempLike + '.1');
    await unique.abort();
    assert.equal(await codeOf(fs.mkdir(tempLike)), 'invalid-name');
    assert.equal(await codeOf(fs.rename('/orig.txt', tempLike)), 'invalid-name');
  });
});

describe('PhysicalFileSystem: read-only', () => {
  let root: string;
  let fs: PhysicalFileSystem;

  before(async () => {
    root = await makeTempDir('ftp-share-ro-');
    await fsp.mkdir(path.join(root, 'dir'));
    await fsp.mkdir(path.join(root, 'empty'));
    await fsp.writeFile(path.join(root, 'dir', 'f.txt'), 'content');
    await fsp.writeFile(path.join(root, 'file.txt'), 'file');
    fs = new PhysicalFileSystem({ root, readOnly: true });
  });
  after(() => removeTempDir(root));

  test('every write is refused with read-only and the tree is unchanged', async () => {
    const before = await snapshotTree(root);
    const writes: [string, () => Promise<unknown>][] = [
      ['replace', () => fs.openUpload('/file.txt', { kind: 'replace' })],
      ['replace new', () => fs.openUpload('/new.txt', { kind: 'replace' })],
      ['append', () => fs.openUpload('/file.txt', { kind: 'append' })],
      ['resume', () => fs.openUpload('/file.txt', { kind: 'resume', offset: 0 })],
      ['unique', () => fs.openUpload('/file.txt', { kind: 'unique' })],
      ['upload missing dir', () => fs.openUpload('/missing/x', { kind: 'replace' })],
      ['mkdir', () => fs.mkdir('/newdir')],
      ['rmdir', () => fs.rmdir('/empty')],
      ['rmdir root', () => fs.rmdir('/')],
      ['unlink', () => fs.unlink('/file.txt')],
      ['rename', () => fs.rename('/file.txt', '/renamed.txt')],
      ['rename dir', () => fs.rename('/dir', '/empty/dir')],
      ['setModified', () => fs.setModified('/file.txt', new Date(0))],
      ['chmod', () => fs.chmod('/file.txt', 0o777)],
    ];
    for (const [label, write] of writes) {
      assert.equal(await codeOf(write), 'read-only', label);
    }
    await assert.rejects(fs.mkdir('/x'), (e: unknown) => e instanceof FsError && e.message === 'Read-only share');
    assert.deepEqual(await snapshotTree(root), before);
  });

  test('reads still work and report writable: false', async () => {
    const info = await fs.stat('/file.txt');
    assert.equal(info.writable, false);
    assert.deepEqual(await names(fs.list('/')), ['dir', 'empty', 'file.txt']);
    assert.ok((await collect(fs.list('/'))).every((i) => !i.writable));
    assert.ok((await fs.available('/')) >= 0);
  });
});

describe('PhysicalFileSystem: large listings', () => {
  let root: string;
  const COUNT = 20_000;

  before(async () => {
    root = await makeTempDir('ftp-share-big-');
    const names = Array.from({ length: COUNT }, (_, i) => `file-${String(i).padStart(5, '0')}.txt`);
    for (let i = 0; i < names.length; i += 500) {
      await Promise.all(names.slice(i, i + 500).map((n) => fsp.writeFile(path.join(root, n), n)));
    }
    // Leftover temp files from interrupted uploads must stay hidden.
    for (let i = 0; i < 5; i++) await fsp.writeFile(path.join(root, `.file-0000${i}.txt.ftpshare-00000000000${i}.part`), 'tmp');
  });
  after(() => removeTempDir(root));

  test(`list streams all ${COUNT} entries with their info, and hides temp files`, async () => {
    const fs = new PhysicalFileSystem({ root });
    let count = 0;
    const seen = new Set<string>();
    for await (const info of fs.list('/')) {
      count++;
      seen.add(info.name);
      assert.equal(info.type, 'file');
      assert.equal(info.size, info.name.length);
      assert.ok(!isUploadTempName(info.name), info.name);
    }
    assert.equal(count, COUNT);
    assert.equal(seen.size, COUNT);
  });

  test('a consumer that stops early does not hold the directory open', async () => {
    const fs = new PhysicalFileSystem({ root });
    for (let round = 0; round < 200; round++) {
      let n = 0;
      for await (const info of fs.list('/')) {
        assert.ok(info.name);
        if (++n === 10) break;
      }
    }
    // 200 leaked directory handles would show up as open fds on Linux.
    if (process.platform === 'linux') {
      const fds = await fsp.readdir('/proc/self/fd');
      assert.ok(fds.length < 100, `${fds.length} open fds`);
    }
  });
});
