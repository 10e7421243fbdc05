import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { defaults } from '../../core/defaults.js';
import { KIND_DIR, KIND_FILE, KIND_SYMLINK, STAT_FIELDS, scanDirectory, type ScanBatch } from '../../core/fs/directory-scanner.js';
import { AT_DIR, AT_MODE, AT_MODIFIED, AT_SIZE, ENTRY_FIELDS, entryBatches } from '../../core/fs/entry-batch.js';
import type { FileInfo } from '../../core/fs/file-system.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { runOk } from '../helpers/processes.js';
import { sleep } from '../helpers/wait.js';

const isWindows = process.platform === 'win32';
/** More entries than two batches, so a scan takes several round trips to the worker. */
const FILES = defaults.directoryScanBatchEntries * 2 + 7;

async function collectBatches(dirPath: string): Promise<ScanBatch[]> {
  const batches: ScanBatch[] = [];
  for await (const batch of scanDirectory(dirPath)) batches.push(batch);
  return batches;
}

async function openFds(): Promise<number> {
  return (await fsp.readdir('/proc/self/fd')).length;
}

describe('scanDirectory', () => {
  let root: string;

  before(async () => {
    root = await makeTempDir('ftp-share-scan-');
    for (let i = 0; i < FILES; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, FILES - i) }, (_, j) => fsp.writeFile(path.join(root, `f${i + j}`), 'x'.repeat(i + j))),
      );
    }
    await fsp.mkdir(path.join(root, 'sub'));
    if (!isWindows) {
      await fsp.symlink('f1', path.join(root, 'link'));
      await runOk('mkfifo', [path.join(root, 'pipe')]);
    }
  });
  after(() => removeTempDir(root));

  test('yields every entry with its lstat numbers, in several batches; FIFOs are left out', async () => {
    const batches = await collectBatches(root);
    assert.ok(batches.length >= 3, `${batches.length} batches`);
    const seen = new Map<string, number[]>();
    for (const { names, stats } of batches) {
      names.forEach((name, i) => seen.set(name, Array.from(stats.subarray(i * STAT_FIELDS, (i + 1) * STAT_FIELDS))));
    }
    assert.equal(seen.size, FILES + (isWindows ? 1 : 2));
    assert.ok(!seen.has('pipe'));
    for (const [name, numbers] of seen) {
      const st = await fsp.lstat(path.join(root, name));
      const kind = st.isSymbolicLink() ? KIND_SYMLINK : st.isDirectory() ? KIND_DIR : KIND_FILE;
      assert.deepEqual(numbers, [kind, st.size, st.mtime.getTime(), st.mode, st.dev, st.ino], name);
    }
  });

  test('fails with the fs error code for a file or a missing directory', async () => {
    await assert.rejects(collectBatches(path.join(root, 'f1')), { code: 'ENOTDIR' });
    await assert.rejects(collectBatches(path.join(root, 'missing')), { code: 'ENOENT' });
    // The worker survives a failed scan.
    assert.equal((await collectBatches(path.join(root, 'sub'))).flatMap((b) => b.names).length, 0);
  });

  test('scans stopped after their first batch close their directories', async (t) => {
    if (process.platform !== 'linux') return t.skip('counts /proc/self/fd');
    await collectBatches(path.join(root, 'sub')); // the worker is running
    const baseline = await openFds();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for await (const batch of scanDirectory(root)) {
          assert.equal(batch.names.length, defaults.directoryScanBatchEntries);
          break;
        }
      }),
    );
    // The worker closes them when it gets the stop, a moment later.
    let fds = await openFds();
    for (let i = 0; i < 50 && fds > baseline; i++) {
      await sleep(100);
      fds = await openFds();
    }
    assert.ok(fds <= baseline, `${fds} open fds, ${baseline} before`);
  });
});

describe('PhysicalFileSystem.list over several scan batches', () => {
  let base: string;
  let root: string;

  before(async () => {
    base = await makeTempDir('ftp-share-scanlist-');
    root = path.join(base, 'share');
    await fsp.mkdir(root);
    await fsp.mkdir(path.join(base, 'outside'));
    await Promise.all(Array.from({ length: FILES }, (_, i) => fsp.writeFile(path.join(root, `f${i}`), '')));
    await fsp.writeFile(path.join(root, '.f1.ftpshare-0123456789ab.part'), 'upload in progress');
    if (!isWindows) {
      await fsp.symlink('f1', path.join(root, 'link-in'));
      await fsp.symlink('../outside', path.join(root, 'link-out'));
      await fsp.symlink('nothing', path.join(root, 'link-dangling'));
    }
  });
  after(() => removeTempDir(base));

  test('hides temp files, follows only links that stay inside, yields each entry once', async () => {
    const listed = new Map<string, string>();
    for await (const info of new PhysicalFileSystem({ root }).list('/')) {
      assert.ok(!listed.has(info.name), `${info.name} twice`);
      listed.set(info.name, info.type);
    }
    const expected = Array.from({ length: FILES }, (_, i) => `f${i}`);
    if (!isWindows) expected.push('link-in');
    assert.deepEqual([...listed.keys()].sort(), expected.sort());
  });

  test('its batches (what LIST and MLSD format) hold the same entries as its FileInfo objects', async () => {
    await fsp.mkdir(path.join(root, 'sub'), { recursive: true });
    const fs = new PhysicalFileSystem({ root, readOnly: true });
    const infos = new Map<string, FileInfo>();
    for await (const info of fs.list('/')) infos.set(info.name, info);
    const fromBatches = new Map<string, FileInfo>();
    let batches = 0;
    for await (const batch of entryBatches(fs.list('/'))) {
      batches++;
      assert.equal(batch.numbers.length, batch.names.length * ENTRY_FIELDS);
      batch.names.forEach((name, i) => {
        const at = i * ENTRY_FIELDS;
        fromBatches.set(name, {
          name,
          type: batch.numbers[at + AT_DIR] === 1 ? 'dir' : 'file',
          size: batch.numbers[at + AT_SIZE]!,
          modified: new Date(batch.numbers[at + AT_MODIFIED]!),
          mode: batch.numbers[at + AT_MODE]!,
          unique: batch.unique(i),
          writable: batch.writable(i),
        });
      });
    }
    assert.ok(batches >= 3, `${batches} batches`);
    assert.deepEqual(fromBatches, infos);
    assert.deepEqual(infos.get('sub'), await fs.stat('/sub'));
    if (!isWindows) assert.deepEqual(infos.get('link-in'), { ...(await fs.stat('/f1')), name: 'link-in' });
    await fsp.rmdir(path.join(root, 'sub'));
  });

  test('a listing that only yields FileInfo objects is grouped into batches', async () => {
    const infos = Array.from({ length: 300 }, (_, i): FileInfo => ({
      name: `e${i}`, type: i % 2 === 0 ? 'dir' : 'file', size: i % 2 === 0 ? 0 : i, modified: new Date(i * 1000), mode: 0o640, unique: `u${i}`, writable: i % 3 === 0,
    }));
    async function* entries(): AsyncGenerator<FileInfo> {
      yield* infos;
    }
    const names: string[] = [];
    for await (const batch of entryBatches(entries())) {
      batch.names.forEach((name, i) => {
        const info = infos[names.length]!;
        const at = i * ENTRY_FIELDS;
        assert.deepEqual(
          [name, batch.numbers[at + AT_DIR], batch.numbers[at + AT_SIZE], batch.numbers[at + AT_MODIFIED], batch.numbers[at + AT_MODE], batch.unique(i), batch.writable(i)],
          [info.name, info.type === 'dir' ? 1 : 0, info.size, info.modified.getTime(), info.mode, info.unique, info.writable],
        );
        names.push(name);
      });
    }
    assert.deepEqual(names, infos.map((info) => info.name));
  });
});

describe('the scanner in an esbuild bundle (as in the Electron main process)', () => {
  let dir: string;
  let bundle: string;

  before(async () => {
    dir = await makeTempDir('ftp-share-bundle-');
    await fsp.mkdir(path.join(dir, 'share'));
    await Promise.all(Array.from({ length: FILES }, (_, i) => fsp.writeFile(path.join(dir, 'share', `f${i}`), '')));
    bundle = path.join(dir, 'list-child.cjs');
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'list-child.ts');
    await build({ entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  });
  after(() => removeTempDir(dir));

  /** Runs the bundle; the timeout is far below the scanner's idle time, so a worker left referenced fails it. */
  async function listInChild(nodeFlags: string[]): Promise<{ names: string[]; threadPoolRequests: number }> {
    const timeout = Math.min(30_000, defaults.directoryScanIdleMs / 2);
    const stdout = await runOk(process.execPath, [...nodeFlags, bundle, path.join(dir, 'share')], { timeoutMs: timeout });
    return JSON.parse(stdout) as { names: string[]; threadPoolRequests: number };
  }

  test('lists on the worker thread, and the process still exits by itself', async () => {
    const { names, threadPoolRequests } = await listInChild([]);
    assert.equal(names.length, FILES);
    // No lstat went through the thread pool: only the root's and the directory's real paths.
    assert.ok(threadPoolRequests < 10, `${threadPoolRequests} thread-pool requests`);
  });

  test('lists through the thread pool when worker threads are not allowed', async () => {
    const permission = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
    const { names, threadPoolRequests } = await listInChild([permission, '--allow-fs-read=*', '--no-warnings']);
    assert.equal(names.length, FILES);
    assert.ok(threadPoolRequests >= FILES, `${threadPoolRequests} thread-pool requests`);
  });
});
