import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { codeOf, collect, names, readFrom, upload } from './fs-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

/*
 * base/
 *   share/                 ← the root
 *     a.txt  sub/inner.txt
 *     in-file   → a.txt               (inside: followed)
 *     in-dir    → sub                 (inside: followed)
 *     sub/up    → ..                  (inside: the root itself)
 *     out-file  → ../share_secret/secret.txt
 *     out-dir   → ../share_secret
 *     sibling   → <abs>/share_secret  (the /share vs /share_secret prefix trap)
 *     dangling  → ../share_secret/new.txt (target does not exist)
 *     loop      → loop
 *   share_secret/secret.txt  share_secret/deep/d.txt
 *   share_secret/back → ../share/a.txt   share_secret/back-dir → ../share/sub
 */
describe('PhysicalFileSystem: symlinks and confinement', () => {
  let base: string;
  let root: string;
  let secret: string;
  let fs: PhysicalFileSystem;
  let secretBefore: Record<string, string>;
  let canSymlink = true;

  before(async () => {
    base = await makeTempDir('ftp-share-confine-');
    root = path.join(base, 'share');
    secret = path.join(base, 'share_secret');
    await fsp.mkdir(path.join(root, 'sub'), { recursive: true });
    await fsp.mkdir(path.join(secret, 'deep'), { recursive: true });
    await fsp.writeFile(path.join(root, 'a.txt'), 'A');
    await fsp.writeFile(path.join(root, 'sub', 'inner.txt'), 'inner');
    await fsp.writeFile(path.join(secret, 'secret.txt'), 'SECRET');
    await fsp.writeFile(path.join(secret, 'deep', 'd.txt'), 'deep');
    try {
      await fsp.symlink('a.txt', path.join(root, 'in-file'));
      await fsp.symlink('sub', path.join(root, 'in-dir'), 'dir');
      await fsp.symlink('..', path.join(root, 'sub', 'up'), 'dir');
      await fsp.symlink(path.join('..', 'share_secret', 'secret.txt'), path.join(root, 'out-file'));
      await fsp.symlink(path.join('..', 'share_secret'), path.join(root, 'out-dir'), 'dir');
      await fsp.symlink(secret, path.join(root, 'sibling'), 'dir');
      await fsp.symlink(path.join('..', 'share_secret', 'new.txt'), path.join(root, 'dangling'));
      await fsp.symlink('loop', path.join(root, 'loop'));
      // Ways back in from outside: the targets are inside, the paths through out-dir are not.
      await fsp.symlink(path.join('..', 'share', 'a.txt'), path.join(secret, 'back'));
      await fsp.symlink(path.join('..', 'share', 'sub'), path.join(secret, 'back-dir'), 'dir');
    } catch {
      canSymlink = false; // Windows without the symlink privilege
    }
    fs = new PhysicalFileSystem({ root });
    secretBefore = await snapshotTree(secret);
  });

  afterEach(async () => {
    // Whatever a test tried, the sibling folder is exactly as it was.
    assert.deepEqual(await snapshotTree(secret), secretBefore);
  });

  after(() => removeTempDir(base));

  const escaping = ['/out-file', '/out-dir', '/sibling', '/dangling', '/out-dir/secret.txt', '/sibling/deep/d.txt'];

  test('stat refuses every escaping path as not-found', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    for (const p of escaping) assert.equal(await codeOf(fs.stat(p)), 'not-found', p);
    assert.ok(['not-found', 'io'].includes(await codeOf(fs.stat('/loop'))));
  });

  test('list omits escaping links and refuses to list through them', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    assert.deepEqual(await names(fs.list('/')), ['a.txt', 'in-dir', 'in-file', 'sub']);
    for (const p of ['/out-dir', '/sibling', '/sibling/deep']) {
      assert.equal(await codeOf(collect(fs.list(p))), 'not-found', p);
    }
  });

  test('openRead refuses escaping files', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    for (const p of ['/out-file', '/out-dir/secret.txt', '/sibling/secret.txt', '/sibling/deep/d.txt']) {
      assert.equal(await codeOf(fs.openRead(p)), 'not-found', p);
    }
  });

  test('openUpload refuses every mode through or onto an escaping link', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    for (const kind of ['replace', 'append', 'unique'] as const) {
      for (const p of ['/out-dir/new.txt', '/sibling/secret.txt', '/sibling/deep/x']) {
        assert.equal(await codeOf(fs.openUpload(p, { kind })), 'not-found', `${kind} ${p}`);
      }
    }
    assert.equal(await codeOf(fs.openUpload('/out-dir/secret.txt', { kind: 'resume', offset: 0 })), 'not-found');
    for (const kind of ['replace', 'append'] as const) {
      assert.equal(await codeOf(fs.openUpload('/out-file', { kind })), 'permission-denied', kind);
      assert.equal(await codeOf(fs.openUpload('/dangling', { kind })), 'permission-denied', kind);
    }
    assert.equal(await codeOf(fs.openUpload('/out-file', { kind: 'resume', offset: 2 })), 'permission-denied');
    assert.equal(await codeOf(fs.openUpload('/dangling', { kind: 'resume', offset: 0 })), 'permission-denied');
    // STOU next to an escaping name picks another name, inside the root.
    const chosen = await upload(fs, '/out-file', { kind: 'unique' }, 'u');
    assert.equal(chosen, '/out-file.1');
    assert.equal(await fsp.readFile(path.join(root, 'out-file.1'), 'utf8'), 'u');
    await fsp.unlink(path.join(root, 'out-file.1'));
  });

  test('mkdir, rmdir, unlink, rename, setModified and chmod refuse escaping links', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    assert.equal(await codeOf(fs.mkdir('/out-dir/x')), 'not-found');
    assert.equal(await codeOf(fs.mkdir('/sibling/deep/x')), 'not-found');
    assert.equal(await codeOf(fs.mkdir('/out-dir')), 'permission-denied');
    assert.equal(await codeOf(fs.mkdir('/dangling')), 'permission-denied');
    assert.equal(await codeOf(fs.rmdir('/out-dir')), 'not-found');
    assert.equal(await codeOf(fs.rmdir('/sibling/deep')), 'not-found');
    assert.equal(await codeOf(fs.unlink('/out-file')), 'not-found');
    assert.equal(await codeOf(fs.unlink('/out-dir/secret.txt')), 'not-found');
    assert.equal(await codeOf(fs.unlink('/sibling/deep/d.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/out-file', '/stolen.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/sibling/secret.txt', '/stolen.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/a.txt', '/out-dir/a.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/a.txt', '/sibling/a.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/a.txt', '/out-file')), 'permission-denied');
    assert.equal(await codeOf(fs.setModified('/out-file', new Date(0))), 'not-found');
    assert.equal(await codeOf(fs.setModified('/sibling/deep', new Date(0))), 'not-found');
    if (process.platform !== 'win32') {
      assert.equal(await codeOf(fs.chmod('/out-file', 0o777)), 'not-found');
      assert.equal(await codeOf(fs.chmod('/sibling/deep/d.txt', 0o777)), 'not-found');
    }
    assert.equal(await codeOf(fs.available('/sibling/deep')), 'not-found');
    // The links themselves are still there.
    assert.ok((await fsp.lstat(path.join(root, 'out-file'))).isSymbolicLink());
    assert.ok((await fsp.lstat(path.join(root, 'out-dir'))).isSymbolicLink());
  });

  test('a path whose parent lies outside is refused even where it leads back in', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    // The real path of /out-dir/back is share/a.txt, inside; its parent's (share_secret) is not.
    for (const p of ['/out-dir/back', '/sibling/back', '/out-dir/back-dir', '/sibling/back-dir']) {
      assert.equal(await codeOf(fs.stat(p)), 'not-found', p);
    }
    assert.equal(await codeOf(fs.openRead('/out-dir/back')), 'not-found');
    assert.equal(await codeOf(collect(fs.list('/out-dir/back-dir'))), 'not-found');
    assert.equal(await codeOf(fs.openUpload('/out-dir/back', { kind: 'replace' })), 'not-found');
    assert.equal(await codeOf(fs.openUpload('/sibling/back', { kind: 'append' })), 'not-found');
    assert.equal(await codeOf(fs.mkdir('/out-dir/back-dir')), 'not-found');
    assert.equal(await codeOf(fs.unlink('/out-dir/back')), 'not-found');
    assert.equal(await codeOf(fs.rename('/out-dir/back', '/taken.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/a.txt', '/out-dir/back')), 'not-found');
    assert.ok((await fsp.lstat(path.join(secret, 'back'))).isSymbolicLink());
  });

  test('a path that leaves the share at any component is refused, even where it ends inside', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    // share/out-dir → share_secret, share_secret/back-dir → share/sub: the real path of
    // /out-dir/back-dir/inner.txt is share/sub/inner.txt, and its parent's is share/sub, both
    // inside. Only the component in between (share_secret) is outside.
    const inner = '/out-dir/back-dir/inner.txt';
    assert.equal(await codeOf(fs.stat(inner)), 'not-found');
    assert.equal(await codeOf(fs.openRead(inner)), 'not-found');
    assert.equal(await codeOf(fs.setModified(inner, new Date(0))), 'not-found');
    assert.equal(await codeOf(fs.unlink(inner)), 'not-found');
    assert.equal(await codeOf(fs.rename(inner, '/moved.txt')), 'not-found');
    assert.equal(await codeOf(fs.rename('/a.txt', '/out-dir/back-dir/moved.txt')), 'not-found');
    assert.equal(await codeOf(fs.available('/out-dir/back-dir/inner.txt')), 'not-found');
    for (const kind of ['replace', 'append', 'unique'] as const) {
      assert.equal(await codeOf(fs.openUpload('/out-dir/back-dir/new.txt', { kind })), 'not-found', kind);
      assert.equal(await codeOf(fs.openUpload(inner, { kind })), 'not-found', `${kind} over`);
    }
    assert.equal(await codeOf(fs.openUpload(inner, { kind: 'resume', offset: 0 })), 'not-found');
    assert.equal(await codeOf(fs.mkdir('/out-dir/back-dir/made')), 'not-found');
    // Deeper, and through the sibling-prefix link: the escape is two components up.
    assert.equal(await codeOf(fs.stat('/sibling/back-dir/in')), 'not-found');
    assert.equal(await codeOf(fs.stat('/out-dir/back-dir/up/a.txt')), 'not-found');
    assert.equal(await codeOf(collect(fs.list('/out-dir/back-dir/up'))), 'not-found');
    // Nothing was created or changed inside either.
    assert.deepEqual((await fsp.readdir(path.join(root, 'sub'))).sort(), ['inner.txt', 'up']);
    assert.equal(await fsp.readFile(path.join(root, 'sub', 'inner.txt'), 'utf8'), 'inner');
    assert.equal(await fsp.readFile(path.join(root, 'a.txt'), 'utf8'), 'A');
  });

  test('links inside the share chained through several components still resolve', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    // Every prefix of these is inside: /in-dir → sub, /in-dir/up → the root, /sub/up/in-dir → sub.
    assert.equal((await fs.stat('/in-dir/up/a.txt')).size, 1);
    assert.equal((await readFrom(fs, '/sub/up/in-dir/inner.txt')).toString(), 'inner');
    assert.deepEqual(await names(fs.list('/in-dir/up/in-dir')), ['inner.txt', 'up']);
    await upload(fs, '/in-dir/up/sub/chained.txt', { kind: 'replace' }, 'c');
    assert.equal(await fsp.readFile(path.join(root, 'sub', 'chained.txt'), 'utf8'), 'c');
    await fs.unlink('/sub/up/in-dir/chained.txt');
    assert.deepEqual((await fsp.readdir(path.join(root, 'sub'))).sort(), ['inner.txt', 'up']);
  });

  test('"../" in a method path stays inside (it names share/…, not the sibling)', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    assert.equal(await codeOf(fs.stat('/../share_secret/secret.txt')), 'not-found');
    assert.equal(await codeOf(fs.openRead('/../../share_secret/secret.txt')), 'not-found');
    assert.deepEqual(await names(fs.list('/..')), await names(fs.list('/')));
  });

  test('symlinks inside the share are followed', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    const file = await fs.stat('/in-file');
    assert.equal(file.type, 'file');
    assert.equal(file.size, 1);
    assert.equal((await readFrom(fs, '/in-file')).toString(), 'A');
    const dir = await fs.stat('/in-dir');
    assert.equal(dir.type, 'dir');
    assert.equal(dir.name, 'in-dir');
    assert.deepEqual(await names(fs.list('/in-dir')), ['inner.txt', 'up']);
    assert.equal((await fs.stat('/in-dir/inner.txt')).size, 5);
    // sub/up → .. is the root itself: inside.
    assert.equal((await fs.stat('/sub/up')).type, 'dir');
    assert.ok((await names(fs.list('/sub/up'))).includes('a.txt'));
    const listed = new Map((await collect(fs.list('/'))).map((i) => [i.name, i.type]));
    assert.equal(listed.get('in-file'), 'file');
    assert.equal(listed.get('in-dir'), 'dir');
  });

  test('writes through an inside link reach the target; removals remove the link only', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    await upload(fs, '/in-file', { kind: 'replace' }, 'new A');
    assert.equal(await fsp.readFile(path.join(root, 'a.txt'), 'utf8'), 'new A');
    assert.ok((await fsp.lstat(path.join(root, 'in-file'))).isSymbolicLink());
    await upload(fs, '/in-dir/made.txt', { kind: 'replace' }, 'm');
    assert.equal(await fsp.readFile(path.join(root, 'sub', 'made.txt'), 'utf8'), 'm');
    await fs.unlink('/in-dir/made.txt');

    await fsp.symlink('a.txt', path.join(root, 'link2'));
    await fs.unlink('/link2');
    assert.equal(await fsp.readFile(path.join(root, 'a.txt'), 'utf8'), 'new A');
    await fsp.symlink('sub', path.join(root, 'dirlink2'), 'dir');
    assert.equal(await codeOf(fs.unlink('/dirlink2')), 'is-a-directory');
    await fs.rmdir('/dirlink2');
    assert.deepEqual((await fsp.readdir(path.join(root, 'sub'))).sort(), ['inner.txt', 'up']);
    await fsp.symlink('a.txt', path.join(root, 'link3'));
    await fs.rename('/link3', '/sub/link3');
    assert.ok((await fsp.lstat(path.join(root, 'sub', 'link3'))).isSymbolicLink());
    await fsp.unlink(path.join(root, 'sub', 'link3'));
  });

  test('a root given through a symlink works', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    const alias = path.join(base, 'alias');
    await fsp.symlink(root, alias, 'dir');
    const viaAlias = new PhysicalFileSystem({ root: alias });
    assert.equal((await viaAlias.stat('/a.txt')).type, 'file');
    assert.equal(await codeOf(viaAlias.stat('/out-file')), 'not-found');
    await fsp.unlink(alias);
  });

  test('a root inside the secret folder cannot see its parent through ..', async (t) => {
    if (!canSymlink) return t.skip('no symlinks');
    const deepFs = new PhysicalFileSystem({ root: path.join(secret, 'deep') });
    assert.deepEqual(await names(deepFs.list('/..')), ['d.txt']);
    assert.equal(await codeOf(deepFs.stat('/../secret.txt')), 'not-found');
  });
});
