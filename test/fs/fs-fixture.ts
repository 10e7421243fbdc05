/**
 * Helpers shared by the file-system tests: stream plumbing and FsError codes. Temp folders and
 * tree snapshots come from test/helpers.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable as ReadableStream } from 'node:stream';
import type { FileInfo, FileSystem, UploadMode, UploadTarget } from '../../core/fs/file-system.js';
import { readFileStream } from '../../core/fs/file-stream.js';

/** Every byte of a stream. */
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

/** Every entry an iterator yields. */
export async function collect(iter: AsyncIterable<FileInfo>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const info of iter) out.push(info);
  return out;
}

/** The sorted names an iterator yields. */
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
