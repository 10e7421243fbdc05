/**
 * A real full disk: the test mounts a 2 MiB tmpfs (Linux, root; skipped with the reason where mount
 * is not allowed) and shares it. An upload that doesn't fit gets 552, its temp file is removed,
 * the original stays intact, the space comes back and the session stays usable; a REST+STOR
 * resume keeps what fit so the client can resume once space is freed; a file system out of
 * inodes refuses the upload before any byte moves.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { connectAndLogin, download, upload, uploadOk } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';
import { run } from '../helpers/processes.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { assertIntact, faultSuite, freeBytes, mountTmpfs, unmountTmpfs } from './hardening-helpers.js';

const KiB = 1024;
const mountPoint = path.join(os.tmpdir(), `ftp-share-tmpfs-${process.pid}`);
const mounted = await mountTmpfs(mountPoint, 2048);
if (!mounted.ok) {
  await fs.rm(mountPoint, { recursive: true, force: true }).catch(() => undefined);
  console.log(`# disk-full tests skipped: ${mounted.reason}`);
}
const skip = mounted.ok ? false : mounted.reason;

describe('disk full (2 MiB tmpfs)', { skip }, () => {
  let f: ServerFixture;
  const original = pseudoRandomBytes(300 * KiB, 61);

  const { settle } = faultSuite({
    async start() {
      await fs.writeFile(path.join(mountPoint, 'original.bin'), original);
      const fileSystem = new PhysicalFileSystem({ root: mountPoint });
      return (f = await startServer({ authorizer: new SimpleAuthorizer({ fs: fileSystem }) }));
    },
    checks: () => assertIntact(mountPoint, 'original.bin', original),
    cleanup: () => unmountTmpfs(mountPoint),
  });

  test('STOR over an existing file that does not fit: 552, temp gone, original intact, space back, session usable', async () => {
    const free = await freeBytes(mountPoint);
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const { first, final } = await upload(raw, 'STOR original.bin', pseudoRandomBytes(3 * 1024 * KiB, 62));
    assert.equal(first.code, 150);
    assert.deepEqual(final.lines, ['552 No space left on device']);
    assert.equal(await freeBytes(mountPoint), free, 'the partial temp file is gone');
    // The session is usable: a download, a listing, a small upload that fits.
    assert.equal(sha256((await download(raw, 'RETR original.bin')).data), sha256(original));
    await uploadOk(raw, 'STOR small.txt', 'fits');
    assert.equal(await fs.readFile(path.join(mountPoint, 'small.txt'), 'utf8'), 'fits');
    assert.equal((await raw.command('DELE small.txt')).code, 250);
    // A new name that doesn't fit: nothing is left behind either.
    const fresh = await upload(raw, 'STOR huge-new.bin', pseudoRandomBytes(3 * 1024 * KiB, 63));
    assert.equal(fresh.final.code, 552);
    assert.equal((await raw.command('SIZE huge-new.bin')).code, 550);
    assert.equal(await freeBytes(mountPoint), free);
    raw.close();
    const failed = f.events.filter((e) => e.type === 'transfer-failed');
    assert.ok(failed.every((e) => e.type === 'transfer-failed' && e.reason === 'No space left on device'));
    await settle('STOR on a full disk');
  });

  test('APPE that does not fit: 552; what fit stays (the client may resume), the session goes on', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const { final } = await upload(raw, 'APPE appended.bin', pseudoRandomBytes(3 * 1024 * KiB, 64));
    assert.deepEqual(final.lines, ['552 No space left on device']);
    assert.equal((await raw.command('NOOP')).code, 200);
    assert.equal((await raw.command('DELE appended.bin')).code, 250);
    raw.close();
    await settle('APPE on a full disk');
  });

  test('REST+STOR resume: a full disk keeps what arrived; after space is freed the resume completes intact', async () => {
    const whole = pseudoRandomBytes(1536 * KiB, 65);
    const filler = path.join(mountPoint, 'filler.bin');
    await fs.writeFile(filler, Buffer.alloc(700 * KiB, 1));
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    await uploadOk(raw, 'STOR resume.bin', whole.subarray(0, 500 * KiB));
    // Resume from 500 KiB: about 500 KiB more fit, then the disk is full.
    assert.equal((await raw.command(`REST ${500 * KiB}`)).code, 350);
    const cut = await upload(raw, 'STOR resume.bin', whole.subarray(500 * KiB));
    assert.deepEqual(cut.final.lines, ['552 No space left on device']);
    const size = Number((await raw.command('SIZE resume.bin')).lines[0]!.slice(4));
    assert.ok(size >= 500 * KiB && size < whole.length, `kept ${size} bytes`);
    const kept = await fs.readFile(path.join(mountPoint, 'resume.bin'));
    assert.equal(sha256(kept), sha256(whole.subarray(0, size)), 'what was kept is a correct prefix');
    // The user frees space; the client resumes from SIZE.
    await fs.rm(filler);
    assert.equal((await raw.command(`REST ${size}`)).code, 350);
    await uploadOk(raw, 'STOR resume.bin', whole.subarray(size));
    assert.equal(sha256(await fs.readFile(path.join(mountPoint, 'resume.bin'))), sha256(whole));
    assert.equal((await raw.command('DELE resume.bin')).code, 250);
    raw.close();
    await settle('resume on a full disk');
  });

  test('out of inodes: the upload is refused (552) before the data connection is used', async () => {
    const inodes = path.join(os.tmpdir(), `ftp-share-tmpfs-inodes-${process.pid}`);
    const small = await mountTmpfs(inodes, 512);
    assert.ok(small.ok);
    await run('mount', ['-o', 'remount,nr_inodes=4', inodes]);
    const g = await startServer({ authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root: inodes }) }) });
    try {
      for (let i = 0; ; i++) {
        try {
          await fs.writeFile(path.join(inodes, `f${i}`), 'x');
        } catch {
          break;
        }
        assert.ok(i < 100, 'the inode limit holds');
      }
      const raw = await connectAndLogin(g.port);
      await raw.pasv();
      assert.deepEqual((await raw.command('STOR one-more.txt')).lines, ['552 No space left on device']);
      assert.equal((await raw.command('NOOP')).code, 200);
      raw.close();
    } finally {
      await g.close();
      await unmountTmpfs(inodes);
    }
  });
});
