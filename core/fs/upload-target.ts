/**
 * The parts of an upload that don't depend on where the file is: the hidden temp names beside the
 * target, the per-file claims that keep incompatible uploads apart, and the UploadTarget that
 * writes through a handle and commits or aborts exactly once.
 */
import { randomBytes } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { defaults } from '../defaults.js';
import type { UploadTarget } from './file-system.js';
import { FsError, toFsError } from './fs-error.js';

const TEMP_PREFIX_SUFFIX_BYTES = '.'.length + '.ftpshare-'.length + 12 + '.part'.length;
const TEMP_NAME = /^\..*\.ftpshare-[0-9a-f]{12}\.part$/s;

/**
 * True for the name of one of our upload temp files (`.<name>.ftpshare-<12 hex>.part`).
 *
 * These are hidden from listings and refused as names in every operation, so a client can neither
 * see nor disturb another upload in progress.
 */
export function isUploadTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** A fresh temp name beside `name`, shortened so the whole stays within `defaults.maxNameBytes`. */
export function uploadTempName(name: string): string {
  const budget = defaults.maxNameBytes - TEMP_PREFIX_SUFFIX_BYTES;
  let stem = name;
  while (Buffer.byteLength(stem, 'utf8') > budget) stem = Array.from(stem).slice(0, -1).join('');
  return `.${stem}.ftpshare-${randomBytes(6).toString('hex')}.part`;
}

export type UploadKind = 'replace' | 'append' | 'resume';

/**
 * Uploads in progress per real host path, shared by every PhysicalFileSystem of the process (two
 * accounts may share a folder).
 *
 * - STOR writes a temp file and renames it over the target: any number may run at once, the last
 *   to finish wins and each file is whole.
 * - APPE appends with O_APPEND: several at once keep every byte (each write lands whole at the end).
 * - REST+STOR overwrites the file in place from an offset: two at once would interleave.
 *
 * What can't mix: a STOR renamed over a file while an APPE or a resume still writes into it would
 * orphan their bytes (a 226 for data nobody can read), and a resume next to anything else writes
 * over bytes another upload is producing. The later upload gets 450 (busy, try again).
 */
const uploadsInProgress = new Map<string, Record<UploadKind, number>>();

function compatible(kind: UploadKind, running: Record<UploadKind, number>): boolean {
  if (running.resume > 0) return false;
  if (kind === 'resume') return running.replace === 0 && running.append === 0;
  if (kind === 'replace') return running.append === 0;
  return running.replace === 0;
}

/** Claims `file` for an upload of `kind`; returns the release function (idempotent). Throws 'busy'. */
export function claimUpload(file: string, kind: UploadKind): () => void {
  // Case-insensitive volumes are the norm on Windows and macOS: `A.txt` is `a.txt` there.
  const key = process.platform === 'win32' || process.platform === 'darwin' ? file.toLowerCase() : file;
  const running = uploadsInProgress.get(key) ?? { replace: 0, append: 0, resume: 0 };
  if (!compatible(kind, running)) throw new FsError('busy', 'Another upload to this file is in progress, try again later');
  running[kind]++;
  uploadsInProgress.set(key, running);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    running[kind]--;
    if (running.replace === 0 && running.append === 0 && running.resume === 0) uploadsInProgress.delete(key);
  };
}

/** What an upload does beyond writing: see createUpload. */
export interface UploadHooks {
  /** With the handle still open, after every byte is written (e.g. truncate). */
  beforeClose?: (fh: FileHandle, bytesWritten: number) => Promise<void>;
  /** After the handle is closed (e.g. rename the temp file into place). */
  commit?: () => Promise<void>;
  /** On abort or a failed commit (e.g. remove the temp file). Must not throw. */
  cleanup?: () => Promise<void>;
  /** Last thing after a commit or an abort, exactly once (e.g. release the upload's claim). */
  release?: () => void;
}

/**
 * Wraps an open handle into an UploadTarget with a WriteStream and a commit/abort pair.
 *
 * The stream does not close the handle by itself (autoClose off) so a commit can still truncate
 * through it once every byte is written. Commit and abort each run once; abort after a commit (or a failed commit) does nothing.
 */
export function createUpload(
  ftpPath: string,
  fh: FileHandle,
  start: number | undefined,
  hooks: UploadHooks,
): UploadTarget & { path: string } {
  const stream: WriteStream = fh.createWriteStream({
    highWaterMark: defaults.streamHighWaterMark,
    autoClose: false,
    ...(start !== undefined ? { start } : {}),
  });
  // A write error must not crash the process when the caller has no listener yet: commit()
  // reports it (stream.errored) and cleans up.
  stream.on('error', noop);
  // The stream holds a reference on the handle: fh.close() alone would wait for it forever, so
  // the stream is destroyed (which releases and closes the handle) and only then is fh closed.
  const closeAll = async (): Promise<void> => {
    if (!stream.closed) {
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      stream.destroy();
      await closed;
    }
    await fh.close();
  };
  let committing: Promise<void> | undefined;
  let aborting: Promise<void> | undefined;

  const abortNow = async (): Promise<void> => {
    try {
      await closeAll().catch(noop);
      await hooks.cleanup?.();
    } finally {
      hooks.release?.();
    }
  };

  return {
    stream,
    path: ftpPath,
    commit(confirm?: () => Promise<void>): Promise<void> {
      if (aborting !== undefined) return Promise.reject(new FsError('io', 'Upload was aborted'));
      committing ??= (async () => {
        try {
          await finishWriting(stream);
          await confirm?.();
          await hooks.beforeClose?.(fh, stream.bytesWritten);
          await closeAll();
          await hooks.commit?.();
        } catch (err) {
          await abortNow();
          throw toFsError(err);
        } finally {
          hooks.release?.();
        }
      })();
      return committing;
    },
    abort(): Promise<void> {
      if (committing !== undefined) return committing.then(noop, noop);
      aborting ??= abortNow().catch(noop);
      return aborting;
    },
  };
}

function noop(): void {}

/** Ends the stream if the caller didn't, and waits until every byte reached the handle. */
async function finishWriting(stream: WriteStream): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (!stream.writableEnded) stream.end();
  await finished(stream);
}
