/**
 * Helpers shared by the file-system tests: temp dirs, tree snapshots, stream plumbing.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable as ReadableStream } from 'node:stream';
import type { FileInfo, FileSystem, UploadMode, UploadTarget } from '../../core/fs/file-system.js';
import { readFileStream } from '../../core/fs/file-stream.js';

/** A fresh directory under the OS temp dir; remove it with `removeTempDir`. */
export async function makeTempDir(label = 'fs'): Promise<string> {
  // realpath: on macOS the temp dir lives behind the /var → /private/var symlink.
  return fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), `ftpshare-${label}-`)));
}

export async function removeTempDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

/**
 * Every entry under `dir` (not following symlinks) with its kind and content hash, mode and
 * mtime, so "nothing changed" can be asserted with one deepEqual.
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string, rel: string): Promise<void> {
    const entries = await fsp.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(d, e.name);
      const key = rel === '' ? e.name : `${rel}/${e.name}`;
      const st = await fsp.lstat(full);
      if (st.isSymbolicLink()) out[key] = `link:${await fsp.readlink(full)}`;
      else if (st.isDirectory()) {
        out[key] = `dir:${(st.mode & 0o777).toString(8)}:${st.mtimeMs}`;
        await walk(full, key);
      } else {
        const hash = createHash('sha256').update(await fsp.readFile(full)).digest('hex');
        out[key] = `file:${hash}:${(st.mode & 0o777).toString(8)}:${st.mtimeMs}`;
      }
    }
  }
  await walk(dir, '');
  return out;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads a file of `fs` from byte `start` to its end through openRead (closing it after). */
export async function readFrom(fs: FileSystem, ftpPath: string, start = 0): Promise<Buffer> {
  const file = await fs.openRead(ftpPath);
  try {
    return await readAll(readFileStream(file, start));
  } finally {
    await file.close();
  }
}

export async function collect(iter: AsyncIterable<FileInfo>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const info of iter) out.push(info);
  return out;
}

export async function names(iter: AsyncIterable<FileInfo>): Promise<string[]> {
  return (await collect(iter)).map((i) => i.name).sort();
}

/** Pipes `chunks` into an upload's stream (ending it), without committing. */
export async function feed(target: UploadTarget, ...chunks: (string | Buffer)[]): Promise<void> {
  await pipeline(ReadableStream.from(chunks.map((c) => Buffer.from(c))), target.stream);
}

/** openUpload + feed + commit; returns the path the backend chose. */
export async function upload(
  fs: FileSystem,
  ftpPath: string,
  mode: UploadMode,
  ...chunks: (string | Buffer)[]
): Promise<string> {
  const target = await fs.openUpload(ftpPath, mode);
  await feed(target, ...chunks);
  await target.commit();
  return target.path;
}

/** Resolves with the FsError code a promise rejects with (fails the test if it resolves). */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    const e = err as { name?: string; code?: string };
    if (e.name !== 'FsError') throw err;
    return e.code ?? '?';
  }
  throw new Error('expected an FsError, got success');
}
