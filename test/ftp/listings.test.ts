/**
 * Listings: LIST in `ls -l` form (with -a/-l/-la and a single file), NLST names and globs, MLSD/MLST
 * facts, and a 20,000-entry directory streamed through LIST and MLSD.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { connectAndLogin, connectData, downloadOk, listingLines } from '../helpers/ftp-flows.js';
import { sleep } from '../helpers/wait.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import type { FileInfo } from '../../core/fs/file-system.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The date column `ls -l` shows for `date` (UTC): time of day when recent, else the year. */
function lsDate(date: Date, recent: boolean): string {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const month = MONTHS[date.getUTCMonth()]!;
  if (!recent) return `${month} ${day}  ${date.getUTCFullYear()}`;
  return `${month} ${day} ${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

describe('listings', () => {
  let f: ServerFixture;
  const old = new Date(Date.UTC(2024, 10, 22, 20, 31, 0));
  const recent = new Date(Math.floor((Date.now() - 3600_000) / 1000) * 1000);

  before(async () => {
    f = await startServer({
      files: {
        'old.txt': 'x'.repeat(1234),
        'recent.txt': 'abc',
        'with space.txt': 'spaced',
        'naïve файл 😀.txt': 'unicode',
        'sub/a.txt': 'a',
        'sub/b.log': 'bb',
        'sub/deeper/c.txt': 'ccc',
      },
    });
    await fs.utimes(path.join(f.root, 'old.txt'), old, old);
    await fs.utimes(path.join(f.root, 'recent.txt'), recent, recent);
    await fs.chmod(path.join(f.root, 'old.txt'), 0o644);
    await fs.chmod(path.join(f.root, 'sub'), 0o755);
  });
  after(() => f.close());

  test('LIST lines are in ls -l form; old files show the year, recent ones the time', async () => {
    const raw = await connectAndLogin(f.port);
    const lines = listingLines(await downloadOk(raw, 'LIST'));
    const lsLine = /^[-d](?:[-r][-w][-x]){3} +\d+ \S+ +\S+ +\d+ [A-Z][a-z]{2} [ \d]\d (?:\d\d:\d\d| \d{4}) (.+)$/;
    for (const line of lines) assert.match(line, lsLine);
    const byName = new Map(lines.map((l) => [lsLine.exec(l)![1]!, l]));
    assert.deepEqual([...byName.keys()].sort(), ['naïve файл 😀.txt', 'old.txt', 'recent.txt', 'sub', 'with space.txt']);
    assert.match(byName.get('old.txt')!, new RegExp(`^-rw-r--r-- +1 ftp +ftp +1234 ${lsDate(old, false)} old\\.txt$`));
    assert.match(byName.get('recent.txt')!, new RegExp(`^-[-rwx]{9} +1 ftp +ftp +3 ${lsDate(recent, true)} recent\\.txt$`));
    assert.match(byName.get('sub')!, /^drwxr-xr-x +\d+ ftp +ftp +\d+ .* sub$/);
    raw.close();
  });

  test('LIST accepts -a, -l, -la and a single file (also one with spaces)', async () => {
    const raw = await connectAndLogin(f.port);
    const plain = listingLines(await downloadOk(raw, 'LIST')).sort();
    for (const options of ['-a', '-l', '-la', '-al', '-a -l']) {
      assert.deepEqual(listingLines(await downloadOk(raw, `LIST ${options}`)).sort(), plain, options);
    }
    const sub = listingLines(await downloadOk(raw, 'LIST -la sub'));
    assert.equal(sub.length, 3);
    const one = listingLines(await downloadOk(raw, 'LIST old.txt'));
    assert.equal(one.length, 1);
    assert.match(one[0]!, / old\.txt$/);
    const spaced = listingLines(await downloadOk(raw, 'LIST with space.txt'));
    assert.equal(spaced.length, 1);
    assert.match(spaced[0]!, / 6 .* with space\.txt$/);
    const unicode = listingLines(await downloadOk(raw, 'LIST -l naïve файл 😀.txt'));
    assert.equal(unicode.length, 1);
    assert.match(unicode[0]!, / naïve файл 😀\.txt$/);
    assert.equal(listingLines(await downloadOk(raw, 'LIST /sub/deeper/c.txt')).length, 1);
    raw.close();
  });

  test('NLST gives names; a glob filters and keeps the directory part', async () => {
    const raw = await connectAndLogin(f.port);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST')).sort(), ['naïve файл 😀.txt', 'old.txt', 'recent.txt', 'sub', 'with space.txt']);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST sub')).sort(), ['a.txt', 'b.log', 'deeper']);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST sub/*.txt')), ['sub/a.txt']);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST *.txt')).sort(), ['naïve файл 😀.txt', 'old.txt', 'recent.txt', 'with space.txt']);
    assert.equal((await raw.command('CWD sub')).code, 250);
    assert.deepEqual(listingLines(await downloadOk(raw, 'NLST')).sort(), ['a.txt', 'b.log', 'deeper']);
    raw.close();
  });

  test('MLSD facts: type, size, modify, perm, unique, unix.mode', async () => {
    const raw = await connectAndLogin(f.port);
    const lines = listingLines(await downloadOk(raw, 'MLSD'));
    assert.equal(lines.length, 5);
    const st = await fs.stat(path.join(f.root, 'old.txt'));
    assert.ok(lines.includes(`type=file;size=1234;modify=20241122203100;perm=adfrw;unique=${st.dev.toString(16)}-${st.ino.toString(16)};unix.mode=0644; old.txt`), lines.join('\n'));
    const sub = lines.find((l) => l.endsWith(' sub'));
    assert.match(sub!, /^type=dir;size=0;modify=\d{14};perm=flcdmpe;unique=[0-9a-f]+-[0-9a-f]+;unix\.mode=0755; sub$/);
    for (const line of lines) assert.match(line, /^type=(file|dir);size=\d+;modify=\d{14};perm=[a-z]+;unique=[0-9a-f-]+;unix\.mode=0[0-7]{3}; .+$/);
    assert.ok(lines.some((l) => l.endsWith('; with space.txt')));
    assert.ok(lines.some((l) => l.endsWith('; naïve файл 😀.txt')));
    const inSub = listingLines(await downloadOk(raw, 'MLSD /sub'));
    assert.deepEqual(inSub.map((l) => l.slice(l.indexOf('; ') + 2)).sort(), ['a.txt', 'b.log', 'deeper']);
    raw.close();
  });

  test('a 20,000-entry directory lists completely through LIST, NLST and MLSD', async () => {
    const dir = path.join(f.root, 'many');
    await fs.mkdir(dir);
    const count = 20_000;
    // Synchronous creation is several times faster than 20,000 promises here (test set-up only).
    for (let i = 0; i < count; i++) closeSync(openSync(path.join(dir, `file-${String(i).padStart(5, '0')}.dat`), 'w'));
    const raw = await connectAndLogin(f.port);
    const list = listingLines(await downloadOk(raw, 'LIST many'));
    assert.equal(list.length, count);
    const names = new Set(list.map((l) => l.slice(l.lastIndexOf(' ') + 1)));
    assert.equal(names.size, count);
    assert.ok(names.has('file-00000.dat') && names.has('file-19999.dat'));
    const mlsd = listingLines(await downloadOk(raw, 'MLSD many'));
    assert.equal(mlsd.length, count);
    assert.ok(mlsd.every((l) => l.startsWith('type=file;size=0;')));
    assert.equal(listingLines(await downloadOk(raw, 'NLST many')).length, count);
    // STAT over the control connection is capped, and still well-formed.
    const stat = await raw.command('STAT many', 20_000);
    assert.equal(stat.code, 213);
    assert.equal(stat.lines.at(-1), '213 End of status');
    raw.close();
    await fs.rm(dir, { recursive: true });
  });
});

/**
 * The real physical backend, except that `/huge` lists 100,000 generated entries and counts how
 * many the server has pulled: a directory that size on disk would take most of a minute to create.
 */
class HugeDirectoryFileSystem extends PhysicalFileSystem {
  pulled = 0;
  static readonly COUNT = 100_000;

  override async stat(ftpPath: string): Promise<FileInfo> {
    if (ftpPath === '/huge') return { name: 'huge', type: 'dir', size: 0, modified: new Date(), mode: 0o755, unique: 'huge', writable: false };
    return super.stat(ftpPath);
  }

  override async *list(ftpPath: string): AsyncGenerator<FileInfo> {
    if (ftpPath !== '/huge') return yield* super.list(ftpPath);
    const modified = new Date(Date.UTC(2024, 0, 1));
    for (let i = 0; i < HugeDirectoryFileSystem.COUNT; i++) {
      this.pulled++;
      // Yield to the event loop now and then, as a real directory read does.
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      yield { name: `entry-${String(i).padStart(6, '0')}-${'n'.repeat(40)}`, type: 'file', size: i, modified, mode: 0o644, unique: `u${i}`, writable: false };
    }
  }
}

describe('listing memory', () => {
  test('a 100,000-entry directory is streamed: a client that does not read holds the server back', async () => {
    const root = await makeTempDir();
    const backend = new HugeDirectoryFileSystem({ root });
    const f = await startServer({ authorizer: new SimpleAuthorizer({ fs: backend }) });
    try {
      const raw = await connectAndLogin(f.port);
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      socket.pause();
      assert.equal((await raw.command('LIST /huge')).code, 150);
      // Wait until the server stops pulling entries (the buffers are full), however loaded the machine.
      let pulledWhilePaused = -1;
      for (let i = 0; i < 50 && backend.pulled !== pulledWhilePaused; i++) {
        pulledWhilePaused = backend.pulled;
        await sleep(300);
      }
      assert.equal(backend.pulled, pulledWhilePaused, 'the listing waits for the client');
      // ~110 bytes a line: the socket buffers and the stream buffers hold a couple of MB at most.
      assert.ok(pulledWhilePaused > 0 && pulledWhilePaused < HugeDirectoryFileSystem.COUNT / 2, `pulled ${pulledWhilePaused} entries while the client was not reading`);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise((resolve) => socket.on('end', resolve));
      socket.resume();
      await ended;
      assert.equal((await raw.reply(20_000)).code, 226);
      const lines = listingLines(Buffer.concat(chunks));
      assert.equal(lines.length, HugeDirectoryFileSystem.COUNT);
      assert.match(lines.at(-1)!, / 99999 Jan {2}1 {2}2024 entry-099999-n+$/);
      raw.close();
    } finally {
      await f.close();
      await removeTempDir(root);
    }
  });
});
