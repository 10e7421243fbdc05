import type { Writable } from 'node:stream';

/** One entry of a directory or the result of a stat, as FTP shows it. */
export interface FileInfo {
  /** The entry's own name (last path component); `/` for the root. */
  name: string;
  type: 'file' | 'dir';
  /** Bytes; 0 for directories. */
  size: number;
  modified: Date;
  /** POSIX permission bits (e.g. 0o644); synthesised where the host has none. */
  mode: number;
  /** A stable identifier for MLSD's `unique` fact (e.g. `dev-ino` in hex). */
  unique: string;
  /** Whether this session may write/delete/rename it (for MLSD's `perm` fact). */
  writable: boolean;
}

/**
 * A file opened for reading (RETR, HASH). Reads are positional into the caller's buffer, so a
 * download can cycle two buffers instead of allocating one per chunk (see core/fs/file-pump.ts).
 */
export interface ReadableFile {
  /** Bytes in the file when it was opened. */
  readonly size: number;
  /**
   * Reads up to `length` bytes from byte `position` into the start of `buffer`. Resolves with the
   * number of bytes read, 0 at the end of the file. Fails with an FsError.
   */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  /** Releases the file (after any read in flight). Idempotent. */
  close(): Promise<void>;
}

/**
 * A buffer the caller of `openRead` will read into first, from byte `position`. The file system
 * may fill it (up to its length) while it checks the file, so a small file needs no read of its
 * own: the first `read` into this buffer at this position then answers from it. Once `openRead`
 * has settled, nothing is reading into the buffer any more, whatever the outcome.
 */
export interface ReadAhead {
  buffer: Buffer;
  position: number;
}

/** An upload in progress: bytes go to `stream`; `commit` makes them visible, `abort` discards them. */
export interface UploadTarget {
  readonly stream: Writable;
  /**
   * Called after `stream` finished: atomically puts the upload in place (rename over the original).
   * `confirm` runs once every byte is on disk and before anything changes visibly (the rename, a
   * resume's truncation); when it throws, the upload is aborted instead and its error rethrown.
   */
  commit(confirm?: () => Promise<void>): Promise<void>;
  /** Called on any failure: removes the temporary file, the original stays untouched. Idempotent. */
  abort(): Promise<void>;
}

export type UploadMode =
  /** STOR: write a temporary file beside the target and rename over it on commit. */
  | { kind: 'replace' }
  /** APPE: append to the file (created if missing). */
  | { kind: 'append' }
  /** REST n + STOR: write into the existing file from byte `offset` (truncating after what is written). */
  | { kind: 'resume'; offset: number }
  /** STOU: create a new file whose name does not exist yet; `path` is the wished name. */
  | { kind: 'unique' }
  /**
   * A browser upload: written to a temp file beside `path`, which on commit takes `path`, or
   * `alternative(1)`, `alternative(2)`… (names in the same folder) when taken; it never replaces
   * and is never visible half-written. The target's `path` is the name it took, once committed.
   */
  | { kind: 'new'; alternative: (attempt: number) => string };

/**
 * The one door to files. Paths given to every method are absolute FTP paths already normalised by
 * `resolve` (POSIX, starting with `/`). Implementations confine every operation to their root(s),
 * refuse symlinks that lead outside (real-path check on every call), and refuse writes when read-only.
 * Every failure is an FsError; no method throws anything else.
 */
export interface FileSystem {
  /**
   * True when every write is refused. The built-in backends can switch it while sessions are
   * connected (`setReadOnly`), so callers read it at each use and never keep a copy.
   */
  readonly readOnly: boolean;
  /**
   * Turns a client-supplied path (relative to `cwd`, or absolute) into a normalised absolute FTP path.
   * Pure (no I/O). `\` is a separator; `..` never climbs above `/`. Throws FsError('invalid-name') for
   * NUL bytes, paths over the byte limit, and components the host OS can't hold.
   */
  resolve(cwd: string, input: string): string;
  stat(path: string): Promise<FileInfo>;
  /** Streams a directory's entries with their info, in bounded memory (no full array for 100,000 entries). */
  list(path: string): AsyncIterable<FileInfo>;
  /**
   * Opens a file for reading. Fails with 'is-a-directory' for directories. The caller closes it.
   * `readAhead` is a hint a backend may ignore (then the first read is an ordinary one).
   */
  openRead(path: string, readAhead?: ReadAhead): Promise<ReadableFile>;
  /** Prepares an upload. For `unique`, the returned `path` is the name actually chosen. */
  openUpload(path: string, mode: UploadMode): Promise<UploadTarget & { path: string }>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  setModified(path: string, when: Date): Promise<void>;
  /** SITE CHMOD; 'permission-denied' where the platform has no POSIX modes. */
  chmod(path: string, mode: number): Promise<void>;
  /** Free bytes available to this share at `path` (AVBL). */
  available(path: string): Promise<number>;
}
