/**
 * File-system faults during transfers: permission denied, read errors, quota and file-size limits
 * mid-upload (injected through a wrapping FileSystem, as root can't be refused by chmod), and real
 * ones: a file deleted, grown or truncated while it is sent, and concurrent uploads to one name.
 * Each ends with a clear reply, the original file intact and the session usable.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { connectAndLogin, connectData, download, upload } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { toFsError } from '../../core/fs/fs-error.js';
import type { FileInfo, FileSystem, ReadableFile, UploadMode, UploadTarget } from '../../core/fs/file-system.js';
import { assertIntact, faultSuite, stalledRetr, waitNoSessions } from './hardening-helpers.js';

const MiB = 1024 * 1024;

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** Faults a test can arm on the next call, by FTP path. */
interface Faults {
  openRead?: Map<string, string>;
  readErrorAfter?: Map<string, { bytes: number; code: string }>;
  writeErrorAfter?: Map<string, { bytes: number; code: string }>;
}

/** A FileSystem that behaves like its inner one, except for the faults armed in `faults`. */
class FaultyFileSystem implements FileSystem {
  readonly faults: Required<Faults> = { openRead: new Map(), readErrorAfter: new Map(), writeErrorAfter: new Map() };
  /** Called with every upload target handed out (to watch its lifetime). */
  onUpload?: (target: UploadTarget) => void;
  constructor(private readonly inner: FileSystem) {}
  get readOnly(): boolean {
    return this.inner.readOnly;
  }
  resolve(cwd: string, input: string): string {
    return this.inner.resolve(cwd, input);
  }
  stat(p: string): Promise<FileInfo> {
    return this.inner.stat(p);
  }
  list(p: string): AsyncIterable<FileInfo> {
    return this.inner.list(p);
  }
  async openRead(p: string): Promise<ReadableFile> {
    const refused = this.faults.openRead.get(p);
    if (refused) throw toFsError(errno(refused));
    const opened = await this.inner.openRead(p);
    const fault = this.faults.readErrorAfter.get(p);
    if (!fault) return opened;
    let seen = 0;
    return {
      size: opened.size,
      close: () => opened.close(),
      read: async (buffer, length, position) => {
        const bytesRead = await opened.read(buffer, length, position);
        seen += bytesRead;
        if (seen > fault.bytes) throw toFsError(errno(fault.code));
        return bytesRead;
      },
    };
  }
  async openUpload(p: string, mode: UploadMode): Promise<UploadTarget & { path: string }> {
    const target = await this.inner.openUpload(p, mode);
    this.onUpload?.(target);
    const fault = this.faults.writeErrorAfter.get(p);
    if (!fault) return target;
    let seen = 0;
    const stream = new Writable({
      write(chunk: Buffer, _enc, callback) {
        seen += chunk.length;
        if (seen > fault.bytes) return callback(errno(fault.code));
        if (target.stream.write(chunk)) callback();
        else target.stream.once('drain', () => callback());
      },
      final(callback) {
        target.stream.end();
        finished(target.stream).then(() => callback(), callback);
      },
    });
    return { path: target.path, stream, commit: () => target.commit(), abort: () => target.abort() };
  }
  mkdir(p: string): Promise<void> {
    return this.inner.mkdir(p);
  }
  rmdir(p: string): Promise<void> {
    return this.inner.rmdir(p);
  }
  unlink(p: string): Promise<void> {
    return this.inner.unlink(p);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  setModified(p: string, when: Date): Promise<void> {
    return this.inner.setModified(p, when);
  }
  chmod(p: string, mode: number): Promise<void> {
    return this.inner.chmod(p, mode);
  }
  available(p: string): Promise<number> {
    return this.inner.available(p);
  }
}

describe('file faults during transfers', () => {
  let f: ServerFixture;
  let faulty: FaultyFileSystem;
  const original = pseudoRandomBytes(700_000, 31);
  const big = pseudoRandomBytes(20 * MiB, 32);

  const { settle } = faultSuite({
    async start() {
      // The fixture makes its own root; the faulty file system serves it.
      f = await startServer({
        files: { 'original.bin': original, 'big.bin': big },
        authorizer: {
          async login() {
            return { user: 'anonymous', fs: faulty };
          },
        },
      });
      faulty = new FaultyFileSystem(new PhysicalFileSystem({ root: f.root }));
      return f;
    },
    checks: (server) => assertIntact(server.root, 'original.bin', original),
  });

  test('permission denied on open: 550; a read error mid-RETR: 451; the session goes on', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    faulty.faults.openRead.set('/original.bin', 'EACCES');
    await raw.pasv();
    assert.deepEqual((await raw.command('RETR original.bin')).lines, ['550 Permission denied']);
    faulty.faults.openRead.clear();

    faulty.faults.readErrorAfter.set('/big.bin', { bytes: 3 * MiB, code: 'EIO' });
    const { final } = await download(raw, 'RETR big.bin');
    assert.deepEqual(final.lines, ['451 Input/output error']);
    faulty.faults.readErrorAfter.clear();
    assert.equal((await raw.command('NOOP')).code, 200);
    const again = await download(raw, 'RETR original.bin');
    assert.equal(sha256(again.data), sha256(original));
    raw.close();
    await settle('read faults');
  });

  test('quota (EDQUOT), disk full (ENOSPC) and file too large (EFBIG) mid-STOR: 552, temp gone, original intact', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    for (const code of ['EDQUOT', 'ENOSPC', 'EFBIG']) {
      faulty.faults.writeErrorAfter.set('/original.bin', { bytes: 1 * MiB, code });
      const { first, final } = await upload(raw, 'STOR original.bin', pseudoRandomBytes(3 * MiB, 33));
      assert.equal(first.code, 150);
      assert.deepEqual(final.lines, ['552 No space left on device'], code);
      assert.equal((await raw.command('NOOP')).code, 200);
    }
    faulty.faults.writeErrorAfter.clear();
    const failed = f.events.filter((e) => e.type === 'transfer-failed' && e.path === '/original.bin');
    assert.ok(failed.length >= 3 && failed.every((e) => e.type === 'transfer-failed' && e.reason === 'No space left on device'));
    raw.close();
    await settle('write faults');
  });

  test('a file deleted mid-RETR is still sent whole (the open handle keeps it); 226', async () => {
    await fs.writeFile(path.join(f.root, 'vanish.bin'), big);
    const chunks: Buffer[] = [];
    const { raw, data } = await stalledRetr(f.port, 'vanish.bin', 512 * 1024, { onData: (c) => chunks.push(c) });
    await fs.unlink(path.join(f.root, 'vanish.bin'));
    const done = new Promise<void>((resolve) => data.on('end', () => resolve()));
    data.resume();
    await done;
    assert.equal((await raw.reply(10_000)).code, 226);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(big));
    assert.equal((await raw.command('SIZE vanish.bin')).code, 550);
    raw.close();
    await settle('vanished mid-RETR');
  });

  test('a file growing mid-RETR: 226, the original bytes first', async () => {
    const file = path.join(f.root, 'grow.bin');
    await fs.writeFile(file, big);
    const chunks: Buffer[] = [];
    const { raw, data } = await stalledRetr(f.port, 'grow.bin', 512 * 1024, { onData: (c) => chunks.push(c) });
    await fs.appendFile(file, Buffer.alloc(MiB, 7));
    const done = new Promise<void>((resolve) => data.on('end', () => resolve()));
    data.resume();
    await done;
    assert.equal((await raw.reply(10_000)).code, 226);
    const got = Buffer.concat(chunks);
    assert.ok(got.length >= big.length, `${got.length} bytes`);
    assert.equal(sha256(got.subarray(0, big.length)), sha256(big));
    await fs.rm(file);
    raw.close();
    await settle('growing mid-RETR');
  });

  test('a file truncated mid-RETR: 451 "file changed", not a 226 for a short copy', async () => {
    const file = path.join(f.root, 'shrink.bin');
    await fs.writeFile(file, big);
    const { raw, data } = await stalledRetr(f.port, 'shrink.bin', 512 * 1024);
    await fs.truncate(file, 2 * MiB);
    data.resume();
    await new Promise<void>((resolve) => data.on('close', () => resolve()));
    assert.deepEqual((await raw.reply(10_000)).lines, ['451 File changed during transfer; it is shorter than announced']);
    assert.equal((await raw.command('NOOP')).code, 200);
    await fs.rm(file);
    raw.close();
    await settle('truncated mid-RETR');
  });

  test('two clients STOR the same name at once: one complete upload wins, never a mix', async () => {
    for (let round = 0; round < 3; round++) {
      const payloads = [pseudoRandomBytes(4 * MiB, 40 + round), pseudoRandomBytes(4 * MiB + 17, 50 + round)];
      const clients = await Promise.all(payloads.map(() => connectAndLogin(f.port)));
      const datas = await Promise.all(
        clients.map(async (raw) => {
          await raw.command('TYPE I');
          return connectData((await raw.pasv()).port);
        }),
      );
      for (const raw of clients) assert.equal((await raw.command('STOR same.bin')).code, 150);
      // Interleave the two uploads 64 KiB at a time, so both temp files grow together.
      const step = 64 * 1024;
      for (let offset = 0; offset < 4 * MiB + 17; offset += step) {
        for (let i = 0; i < 2; i++) {
          const chunk = payloads[i]!.subarray(offset, offset + step);
          if (chunk.length > 0 && !datas[i]!.write(chunk)) await new Promise((r) => datas[i]!.once('drain', r));
        }
      }
      // Finish in a different order each round.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        await new Promise<void>((resolve) => datas[i]!.end(() => resolve()));
        assert.equal((await clients[i]!.reply(10_000)).code, 226);
      }
      const stored = sha256(await fs.readFile(path.join(f.root, 'same.bin')));
      assert.ok(stored === sha256(payloads[0]!) || stored === sha256(payloads[1]!), 'the file is one whole upload');
      assert.equal(stored, sha256(payloads[order[1]!]!), 'the last to finish wins');
      for (const raw of clients) raw.close();
      for (const d of datas) d.destroy();
      await waitNoSessions(f);
    }
    await fs.rm(path.join(f.root, 'same.bin'));
    await settle('concurrent STOR');
  });

  test('uploads that would mix bytes are refused with 450: STOR or REST+STOR while an APPE runs', async () => {
    const appender = await connectAndLogin(f.port);
    await appender.command('TYPE I');
    const data = await connectData((await appender.pasv()).port);
    assert.equal((await appender.command('APPE log.bin')).code, 150);
    data.write(Buffer.alloc(100_000, 1));
    await waitFor(async () => (await fs.stat(path.join(f.root, 'log.bin')).catch(() => undefined))?.size === 100_000, 'the append to land', 3000);

    const other = await connectAndLogin(f.port);
    await other.command('TYPE I');
    await other.pasv();
    assert.deepEqual((await other.command('STOR log.bin')).lines, ['450 Another upload to this file is in progress, try again later']);
    await other.command('REST 10');
    await other.pasv();
    assert.equal((await other.command('STOR log.bin')).code, 450);
    // A second APPE may run alongside: O_APPEND keeps every byte of both.
    const second = await upload(other, 'APPE log.bin', Buffer.alloc(50_000, 2));
    assert.equal(second.final.code, 226);

    await new Promise<void>((resolve) => data.end(Buffer.alloc(100_000, 1), () => resolve()));
    assert.equal((await appender.reply(10_000)).code, 226);
    const content = await fs.readFile(path.join(f.root, 'log.bin'));
    assert.equal(content.length, 250_000);
    assert.equal(content.filter((b) => b === 2).length, 50_000);
    // Once it is over, STOR works again.
    const replaced = await upload(other, 'STOR log.bin', 'fresh');
    assert.equal(replaced.final.code, 226);
    assert.equal(await fs.readFile(path.join(f.root, 'log.bin'), 'utf8'), 'fresh');
    await fs.rm(path.join(f.root, 'log.bin'));
    appender.close();
    other.close();
    data.destroy();
    await settle('conflicting uploads');
  });

  test('concurrent STORs of a new name never refuse each other (a commit landing mid-lookup is no dangling link)', async () => {
    const direct = new PhysicalFileSystem({ root: f.root });
    const results: string[] = [];
    for (let round = 0; round < 150; round++) {
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, (round * 7 + i * 3) % 4));
          try {
            const target = await direct.openUpload(`/race-${round}.bin`, { kind: 'replace' });
            target.stream.end(Buffer.alloc(1000, i));
            await target.commit();
            results.push('ok');
          } catch (err) {
            results.push(String((err as Error).message));
          }
        }),
      );
      const stored = await fs.readFile(path.join(f.root, `race-${round}.bin`));
      assert.equal(new Set(stored).size, 1, 'one whole upload');
      await fs.rm(path.join(f.root, `race-${round}.bin`));
    }
    assert.deepEqual([...new Set(results)], ['ok']);
    await settle('racing STORs of new names');
  });

  test('a finished upload is released at once, not pinned for seconds by its closed data socket', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
    faulty.onUpload = (target) => registry.register(target.stream, 'upload');
    try {
      const raw = await connectAndLogin(f.port);
      await raw.command('TYPE I');
      for (let i = 0; i < 40; i++) assert.equal((await upload(raw, `STOR released-${i % 4}.bin`, Buffer.alloc(5000, i))).final.code, 226);
      raw.close();
      await waitNoSessions(f);
      // Well under the 5 s fallback of closeGracefully, which used to hold every transfer.
      for (let k = 0; k < 10 && collected < 40; k++) {
        gc();
        await sleep(50);
      }
      assert.equal(collected, 40, 'every upload stream was garbage-collected');
    } finally {
      faulty.onUpload = undefined;
      for (let i = 0; i < 4; i++) await fs.rm(path.join(f.root, `released-${i}.bin`), { force: true });
    }
    await settle('released uploads');
  });

  test('a read-only share under a barrage of write commands changes nothing', async () => {
    const ro = await startServer({ readOnly: true, files: { 'keep.txt': 'keep', 'dir/inner.txt': 'inner' } });
    try {
      const before = await fs.readdir(ro.root, { recursive: true });
      const raw = await connectAndLogin(ro.port);
      const commands = [
        'STOR keep.txt', 'STOR new.txt', 'APPE keep.txt', 'STOU', 'DELE keep.txt', 'RMD dir', 'MKD x', 'RNFR keep.txt', 'RNTO y.txt',
        'MFMT 20200101000000 keep.txt', 'SITE CHMOD 777 keep.txt', 'REST 1', 'STOR keep.txt', 'XMKD y', 'XRMD dir',
      ];
      for (const command of commands) {
        if (/^(STOR|APPE|STOU)/.test(command)) await raw.pasv();
        const reply = await raw.command(command);
        // REST only records an offset (350); every write itself is refused.
        if (command.startsWith('REST')) assert.equal(reply.code, 350);
        else assert.ok(reply.code >= 450, `${command}: ${reply.text}`);
      }
      assert.deepEqual(await fs.readdir(ro.root, { recursive: true }), before);
      assert.equal(await fs.readFile(path.join(ro.root, 'keep.txt'), 'utf8'), 'keep');
      raw.close();
    } finally {
      await ro.close();
    }
  });
});
