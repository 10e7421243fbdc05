/**
 * The FileSystem backend for one host folder shown as `/`.
 *
 * Every operation resolves the real path of what it touches and refuses anything whose real path,
 * or that of any directory on the way to it, is not inside the real path of the root, so a symlink
 * leading out of the share is as good as absent, even where a link out there leads back in.
 * Only asynchronous `fs` calls are used: this code runs on Electron's main loop.
 *
 * Longer than most modules on purpose: every operation's confinement stays in this one door.
 * What does not depend on the host path lives beside it (upload-target.ts, directory-scanner.ts).
 */
import fs, { constants, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { KIND_DIR, KIND_FILE, KIND_SYMLINK, STAT_FIELDS, scanDirectory, type ScanBatch } from './directory-scanner.js';
import { AT_MODE, AT_SIZE, batchedListing, type EntryBatch } from './entry-batch.js';
import type { FileInfo, FileSystem, ReadAhead, ReadableFile, UploadMode, UploadTarget } from './file-system.js';
import { FS_ERROR_MESSAGES, FsError, toFsError, type FsErrorCode } from './fs-error.js';
import { claimUpload, createUpload, isUploadTempName, uploadTempName } from './upload-target.js';
import { ftpComponents, hostPlatform, isInside, resolveFtpPath, splitFtpPath, toHostPath, validateName } from './safe-path.js';

/** Options of a PhysicalFileSystem. */
export interface PhysicalFileSystemOptions {
  /** The host folder shown as `/`. Its real path is taken once, on first use. */
  root: string;
  /** Refuse every write with FsError('read-only'); can be changed later with `setReadOnly`. */
  readOnly?: boolean;
}

const fail = (code: FsErrorCode, message = FS_ERROR_MESSAGES[code]): FsError => new FsError(code, message);
/** The refusal of `ftpPath` because its real path leaves the share; told to the client as `code`. */
const outside = (code: FsErrorCode, ftpPath: string): FsError => new FsError(code, FS_ERROR_MESSAGES[code], ftpPath);

// O_NONBLOCK keeps an open of a FIFO from blocking a libuv thread forever (regular files ignore it);
// O_NOFOLLOW refuses a final component swapped for a symlink after the real-path check. Neither
// exists on Windows, where the constants are undefined.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const READ_FLAGS = constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | O_NONBLOCK | O_NOFOLLOW;
const RESUME_FLAGS = constants.O_RDWR | O_NONBLOCK | O_NOFOLLOW;

/** Where an FTP path lands on the host, after the real-path checks. */
interface Located {
  /** The normalised FTP path. */
  ftp: string;
  isRoot: boolean;
  /** The real path of the share's root. */
  realRoot: string;
  /** The real path of the parent directory (the root's own real path for `/`). */
  parentReal: string;
  /** The directory entry itself (parentReal + name), not following a final symlink. */
  entry: string;
  /** The real path of the entry (inside the root) when it exists; null when it doesn't. */
  real: string | null;
  /** The entry exists but is a symlink whose target doesn't. */
  dangling: boolean;
}

type Existing = Located & { real: string };

/**
 * A FileSystem over one host folder, shown to clients as `/`.
 *
 * Writes are allowed at the root, but the root itself can't be removed, renamed or chmod'ed.
 * Symlinks inside the share are followed when their real target is inside too; the others are
 * treated as absent ('not-found', or 'permission-denied' when an operation would create or replace
 * them). Uploads never destroy data: STOR writes a hidden temp file and renames it over the target
 * on commit.
 */
export class PhysicalFileSystem implements FileSystem {
  private readonly root: string;
  private realRootPromise: Promise<string> | undefined;
  #readOnly: boolean;

  constructor(options: PhysicalFileSystemOptions) {
    this.root = path.resolve(options.root);
    this.#readOnly = options.readOnly ?? false;
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }

  /**
   * Turns read-only on or off while sessions are connected: each write checks it first, so every
   * session follows it from its next command, and listings show the matching `perm` facts.
   *
   * An upload already opened keeps going and commits: its permission was granted at STOR, as a
   * file already opened for writing stays writable when its mode changes.
   */
  setReadOnly(readOnly: boolean): void {
    this.#readOnly = readOnly;
  }

  resolve(cwd: string, input: string): string {
    return resolveFtpPath(cwd, input, hostPlatform);
  }

  async stat(ftpPath: string): Promise<FileInfo> {
    const loc = existing(await this.locate(ftpPath));
    const st = await fsp.stat(loc.real).catch(rethrow);
    return this.toInfo(loc.isRoot ? '/' : path.posix.basename(loc.ftp), st);
  }

  list(ftpPath: string): AsyncIterable<FileInfo> {
    return batchedListing(() => this.listBatches(ftpPath));
  }

  private async *listBatches(ftpPath: string): AsyncGenerator<EntryBatch> {
    const loc = existing(await this.locate(ftpPath));
    try {
      // Returning early (the consumer stopped) returns the scan too, which closes the directory.
      for await (const scan of scanDirectory(loc.real)) yield await this.shownEntries(loc, scan);
    } catch (err) {
      throw toFsError(err);
    }
  }

  /**
   * A scan batch as the listing shows it, in place: upload temp names and symlinks out of the
   * share (or dangling) left out, symlinks inside replaced by their targets, lstat numbers made
   * FileInfo's (a directory's size is 0, the mode only permission bits).
   */
  private async shownEntries(loc: Existing, scan: ScanBatch): Promise<EntryBatch> {
    const { names, stats } = scan;
    // Symlinks are rare: each is followed here, with the real-path check, all of a batch at once.
    const links = new Map<number, Promise<Stats | null>>();
    for (let i = 0; i < names.length; i++) {
      if (stats[i * STAT_FIELDS] === KIND_SYMLINK) links.set(i, this.linkTarget(loc.realRoot, loc.real, names[i]!));
    }
    let kept = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      // A dot first: the one character test most names fail, before the pattern.
      if (name.charCodeAt(0) === 0x2e && isUploadTempName(name)) continue;
      const from = i * STAT_FIELDS;
      const at = kept * STAT_FIELDS;
      const link = links.get(i);
      if (link !== undefined) {
        const st = await link;
        if (st === null) continue;
        stats.set([st.isDirectory() ? KIND_DIR : KIND_FILE, st.size, st.mtime.getTime(), st.mode, st.dev, st.ino], at);
      } else if (at !== from) {
        stats.copyWithin(at, from, from + STAT_FIELDS);
      }
      const dir = stats[at] === KIND_DIR;
      if (dir) stats[at + AT_SIZE] = 0;
      stats[at + AT_MODE] = stats[at + AT_MODE]! & 0o777;
      names[kept++] = name;
    }
    names.length = kept;
    const writable = !this.readOnly;
    // dev and ino, as `stat` makes it; a directory's entries share one dev, formatted once.
    let dev = Number.NaN;
    let devHex = '';
    const unique = (i: number): string => {
      const at = i * STAT_FIELDS;
      if (stats[at + 4] !== dev) {
        dev = stats[at + 4]!;
        devHex = dev.toString(16);
      }
      return `${devHex}-${stats[at + 5]!.toString(16)}`;
    };
    return { names, numbers: stats.subarray(0, kept * STAT_FIELDS), unique, writable: () => writable };
  }

  async openRead(ftpPath: string, readAhead?: ReadAhead): Promise<ReadableFile> {
    const loc = existing(await this.locate(ftpPath));
    return openRegularFile(loc.real, readAhead);
  }

  async openUpload(ftpPath: string, mode: UploadMode): Promise<UploadTarget & { path: string }> {
    this.assertWritable();
    const ftp = resolveFtpPath('/', ftpPath, hostPlatform);
    switch (mode.kind) {
      case 'replace':
        return this.openReplace(ftp);
      case 'append':
        return this.openAppend(ftp);
      case 'resume':
        return this.openResume(ftp, mode.offset);
      case 'unique':
        return this.openUnique(ftp);
      case 'new':
        return this.openNew(ftp, mode.alternative);
      default:
        throw fail('io', 'Unknown upload mode');
    }
  }

  async mkdir(ftpPath: string): Promise<void> {
    this.assertWritable();
    const loc = await this.locate(ftpPath, true);
    if (loc.isRoot || loc.real !== null) throw fail('exists');
    // A symlink to nothing is hidden from listings: refuse it like any other link we don't follow.
    if (loc.dangling) throw fail('permission-denied');
    await fsp.mkdir(loc.entry).catch(rethrow);
  }

  async rmdir(ftpPath: string): Promise<void> {
    this.assertWritable();
    const loc = existing(await this.locate(ftpPath));
    if (loc.isRoot) throw fail('permission-denied', 'The shared folder itself cannot be removed');
    const lst = await fsp.lstat(loc.entry).catch(rethrow);
    if (lst.isSymbolicLink()) {
      // A symlink to a directory looks like a directory to the client; removing it removes the
      // link, never the directory it points to.
      const st = await fsp.stat(loc.real).catch(rethrow);
      if (!st.isDirectory()) throw fail('not-a-directory');
      await fsp.unlink(loc.entry).catch(rethrow);
      return;
    }
    await fsp.rmdir(loc.entry).catch((err: unknown) => {
      throw toFsError(err, 'rmdir');
    });
  }

  async unlink(ftpPath: string): Promise<void> {
    this.assertWritable();
    const loc = existing(await this.locate(ftpPath));
    if (loc.isRoot) throw fail('is-a-directory');
    const lst = await fsp.lstat(loc.entry).catch(rethrow);
    if (lst.isDirectory()) throw fail('is-a-directory');
    if (lst.isSymbolicLink()) {
      // Match what stat showed: a link to a directory is a directory (use RMD).
      const st = await fsp.stat(loc.real).catch(rethrow);
      if (st.isDirectory()) throw fail('is-a-directory');
    }
    // On a symlink this removes the link, not its target.
    await fsp.unlink(loc.entry).catch(rethrow);
  }

  async rename(from: string, to: string): Promise<void> {
    this.assertWritable();
    const src = existing(await this.locate(from));
    const dst = await this.locate(to, true);
    if (src.isRoot || dst.isRoot) throw fail('permission-denied', 'The shared folder itself cannot be renamed');
    if (dst.ftp === src.ftp) return;
    if (dst.ftp.startsWith(src.ftp + '/')) throw fail('invalid-name', 'Cannot move a directory into itself');
    // The same check on real paths, for a destination reached through a symlink.
    const lst = await fsp.lstat(src.entry).catch(rethrow);
    if (lst.isDirectory() && isInside(src.entry, dst.parentReal)) {
      throw fail('invalid-name', 'Cannot move a directory into itself');
    }
    // Entries, not real paths: renaming a symlink moves the link. Over an existing file is
    // allowed (POSIX rename replaces it atomically).
    await fsp.rename(src.entry, dst.entry).catch(rethrow);
  }

  async setModified(ftpPath: string, when: Date): Promise<void> {
    this.assertWritable();
    if (Number.isNaN(when.getTime())) throw fail('invalid-name', 'Invalid time');
    const loc = existing(await this.locate(ftpPath));
    const st = await fsp.stat(loc.real).catch(rethrow);
    // MFMT sets the modification time only; keep the access time as it was.
    await fsp.utimes(loc.real, st.atime, when).catch(rethrow);
  }

  async chmod(ftpPath: string, mode: number): Promise<void> {
    this.assertWritable();
    if (process.platform === 'win32') throw fail('permission-denied', 'Not supported on this platform');
    const loc = existing(await this.locate(ftpPath));
    // Locking the root would break the share for everyone.
    if (loc.isRoot) throw fail('permission-denied');
    // Permission bits only: no setuid/setgid/sticky from a client.
    await fsp.chmod(loc.real, mode & 0o777).catch(rethrow);
  }

  async available(ftpPath: string): Promise<number> {
    const loc = await this.locate(ftpPath);
    const st = await fsp.statfs(loc.real ?? loc.parentReal).catch(rethrow);
    return Number(st.bavail) * Number(st.bsize);
  }

  // ---- internals --------------------------------------------------------------------------

  private assertWritable(): void {
    // First thing in every write: nothing on disk is touched, not even a realpath.
    if (this.readOnly) throw fail('read-only');
  }

  /** The real path of the root, taken once; a failure is not cached, so a remounted disk recovers. */
  private realRoot(): Promise<string> {
    this.realRootPromise ??= fsp.realpath(this.root).catch((err: unknown) => {
      this.realRootPromise = undefined;
      throw toFsError(err);
    });
    return this.realRootPromise;
  }

  /**
   * Resolves an FTP path to host paths and checks that their real paths stay inside the root.
   *
   * The parent must exist (nothing here creates intermediate directories) and its real path, and
   * that of every directory on the way to it, must be inside the root, else 'not-found'. An entry
   * whose real path is outside is 'not-found', or 'permission-denied' when `forCreate` (the caller
   * would create or replace it).
   */
  private async locate(ftpPath: string, forCreate = false, retried = false): Promise<Located> {
    // Paths should already be normalised; doing it again makes a careless caller fail closed.
    const ftp = resolveFtpPath('/', ftpPath, hostPlatform);
    const realRoot = await this.realRoot();
    const split = splitFtpPath(ftp);
    if (split === null) {
      return { ftp, isRoot: true, realRoot, parentReal: realRoot, entry: realRoot, real: realRoot, dangling: false };
    }
    if (isUploadTempName(split.name)) throw fail('invalid-name', 'Name reserved for uploads in progress');
    // The real path of the whole path first. When it is the path itself, no component is a symlink,
    // so every prefix is its own real path too: the parent's and the entry's checks below hold by
    // construction. Most paths are like that, and they cost one thread-pool round trip, not two.
    const host = toHostPath(realRoot, ftp);
    const whole = await realPathOf(host);
    if ('real' in whole && whole.real === host) {
      return { ftp, isRoot: false, realRoot, parentReal: path.dirname(host), entry: host, real: host, dangling: false };
    }
    let parentReal = realRoot;
    if (split.parent !== '/') {
      const parentHost = toHostPath(realRoot, split.parent);
      parentReal = await fsp.realpath(parentHost).catch(rethrow);
      if (!isInside(realRoot, parentReal)) throw outside('not-found', ftp);
      // A symlink among the parent's components. Where the walk ends says nothing of where it
      // went: out of the share through one link and back in through another (share/out → /x,
      // /x/back → share/sub) ends inside, yet serving it would reveal the link outside.
      if (parentReal !== parentHost) await this.assertWalkInside(realRoot, split.parent, ftp);
    }
    const entry = path.join(parentReal, split.name);
    const base = { ftp, isRoot: false, realRoot, parentReal, entry };
    // The parent resolves to parentReal, so the whole path's real path is the entry's.
    if ('real' in whole) {
      if (!isInside(realRoot, whole.real)) throw outside(forCreate ? 'permission-denied' : 'not-found', ftp);
      return { ...base, real: whole.real, dangling: false };
    }
    if ((whole.err as NodeJS.ErrnoException).code !== 'ENOENT') throw toFsError(whole.err);
    // Missing, or a symlink to nothing: writing through such a link could create a file anywhere.
    const lst = await fsp.lstat(entry).catch(() => null);
    // Something that is not a link appeared since realpath() failed: another upload committed
    // (renamed its temp file into place) or a MKD ran in between. Look again, once; taking it for
    // a dangling link refused the second of two concurrent STORs of a new name with 550.
    if (lst !== null && !lst.isSymbolicLink() && !retried) return this.locate(ftpPath, forCreate, true);
    return { ...base, real: null, dangling: lst !== null };
  }

  /**
   * Throws 'not-found' unless every prefix of the FTP directory `ftpDir` has its real path inside
   * the root, as a check at each component would have it.
   *
   * Only called when `ftpDir`'s real path differs from its host path (a symlink is involved):
   * paths without links never pay for it. Each step resolves one more component below a real
   * path, sequentially, so a deep path does not flood the thread pool other transfers read through.
   */
  private async assertWalkInside(realRoot: string, ftpDir: string, asked: string): Promise<void> {
    // The last component is left out: the caller has checked the whole directory's real path.
    const names = ftpComponents(ftpDir).slice(0, -1);
    let real = realRoot;
    for (const name of names) {
      real = await fsp.realpath(path.join(real, name)).catch(rethrow);
      if (!isInside(realRoot, real)) throw outside('not-found', asked);
    }
  }

  /** Re-checks, just before a commit, that a directory still resolves inside the root. */
  private async assertStillInside(dir: string): Promise<void> {
    const realRoot = await this.realRoot();
    const real = await fsp.realpath(dir).catch(rethrow);
    if (!isInside(realRoot, real)) throw fail('not-found');
  }

  private toInfo(name: string, st: Stats): FileInfo {
    const dir = st.isDirectory();
    if (!dir && !st.isFile()) throw fail('not-found'); // sockets, FIFOs, devices are not shared
    return this.fileInfo(name, dir, st.size, st.mtime, st.mode, st.dev, st.ino);
  }

  private fileInfo(name: string, dir: boolean, size: number, modified: Date, mode: number, dev: number, ino: number): FileInfo {
    return {
      name,
      type: dir ? 'dir' : 'file',
      size: dir ? 0 : size,
      modified,
      mode: mode & 0o777,
      unique: `${dev.toString(16)}-${ino.toString(16)}`,
      writable: !this.readOnly,
    };
  }

  /** A listed symlink's target, or null when it escapes the share, dangles or isn't a file or directory. */
  private async linkTarget(realRoot: string, dirPath: string, name: string): Promise<Stats | null> {
    try {
      const real = await fsp.realpath(path.join(dirPath, name));
      if (!isInside(realRoot, real)) return null;
      const st = await fsp.stat(real);
      return st.isFile() || st.isDirectory() ? st : null;
    } catch {
      return null;
    }
  }

  /** STOR: a temp file beside the target, renamed over it on commit. */
  private async openReplace(ftpPath: string): Promise<UploadTarget & { path: string }> {
    const loc = await this.locate(ftpPath, true);
    if (loc.isRoot) throw fail('is-a-directory');
    // A symlink to nothing is hidden from listings and may point anywhere: leave it alone.
    if (loc.dangling) throw fail('permission-denied');
    // Through a symlink inside the share the upload replaces the link's target, as `>` would.
    let dest = loc.entry;
    let fileMode = 0o666;
    if (loc.real !== null) {
      const st = await fsp.stat(loc.real).catch(rethrow);
      if (st.isDirectory()) throw fail('is-a-directory');
      if (!st.isFile()) throw fail('permission-denied');
      dest = loc.real;
      // Keep the original's permission bits (Windows only has a read-only flag: leave it alone).
      if (process.platform !== 'win32') fileMode = st.mode & 0o777;
    }
    const dir = path.dirname(dest);
    const temp = path.join(dir, uploadTempName(path.basename(dest)));
    const release = claimUpload(dest, 'replace');
    let fh: FileHandle;
    try {
      fh = await fsp.open(temp, 'wx', fileMode);
    } catch (err) {
      release();
      throw toFsError(err);
    }
    const removeTemp = (): Promise<void> => fsp.unlink(temp).catch(() => undefined);
    return createUpload(loc.ftp, fh, undefined, {
      commit: async () => {
        await this.assertStillInside(dir);
        await fsp.rename(temp, dest);
      },
      cleanup: removeTemp,
      release,
    });
  }

  /** APPE: append to the file, creating it when missing. */
  private async openAppend(ftpPath: string): Promise<UploadTarget & { path: string }> {
    // 'ax' when creating: another APPE racing to create the same file appends after us, never
    // over our bytes.
    const { fh, release } = await this.openExistingOrCreate(ftpPath, APPEND_FLAGS, 'ax', 0, 'append');
    // A failed APPE keeps what it appended: the client resumes with SIZE and APPE again.
    return createUpload(ftpPath, fh, undefined, { release });
  }

  /** REST n + STOR: overwrite from `offset`, truncating what follows the new data on commit. */
  private async openResume(ftpPath: string, offset: number): Promise<UploadTarget & { path: string }> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw fail('io', 'Invalid restart position');
    const { fh, release } = await this.openExistingOrCreate(ftpPath, RESUME_FLAGS, 'wx', offset, 'resume');
    return createUpload(ftpPath, fh, offset, {
      beforeClose: (handle, written) => handle.truncate(offset + written),
      release,
    });
  }

  /**
   * Opens an existing regular file with `flags`, or creates it exclusively (`createFlags`) when missing.
   *
   * `offset` > 0 requires the file to exist and be at least that long. Creation uses O_EXCL, which
   * never follows a symlink: a dangling link is refused instead of being written through. The
   * path is claimed for an upload of `kind` first (see `uploadsInProgress`); the caller releases it.
   */
  private async openExistingOrCreate(
    ftpPath: string,
    flags: number,
    createFlags: 'ax' | 'wx',
    offset: number,
    kind: 'append' | 'resume',
  ): Promise<{ fh: FileHandle; release: () => void }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const loc = await this.locate(ftpPath, true);
      if (loc.isRoot) throw fail('is-a-directory');
      if (loc.real === null) {
        if (loc.dangling) throw fail('permission-denied');
        if (offset > 0) throw fail('io', 'Restart position beyond end of file');
        // Claimed before the file exists, so a STOR or APPE racing to create it waits its turn.
        const release = claimUpload(loc.entry, kind);
        try {
          return { fh: await fsp.open(loc.entry, createFlags), release };
        } catch (err) {
          release();
          // Created by someone else since locate(): go round once more and open it as existing.
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw toFsError(err);
        }
      }
      const release = claimUpload(loc.real, kind);
      let fh: FileHandle;
      try {
        fh = await fsp.open(loc.real, flags);
      } catch (err) {
        release();
        throw toFsError(err);
      }
      try {
        const st = await fh.stat();
        if (st.isDirectory()) throw fail('is-a-directory');
        if (!st.isFile()) throw fail('permission-denied');
        if (offset > st.size) throw fail('io', 'Restart position beyond end of file');
        return { fh, release };
      } catch (err) {
        release();
        await fh.close().catch(() => undefined);
        throw toFsError(err);
      }
    }
    throw fail('busy');
  }

  /**
   * A new file that never replaces one: a temp file beside it, linked to the first free name on
   * commit (link(2) refuses an existing name atomically), then the temp name removed.
   */
  private async openNew(ftpPath: string, alternative: (attempt: number) => string): Promise<UploadTarget & { path: string }> {
    const split = splitFtpPath(ftpPath);
    if (split === null) throw fail('is-a-directory');
    const parent = existing(await this.locate(split.parent));
    const st = await fsp.stat(parent.real).catch(rethrow);
    if (!st.isDirectory()) throw fail('not-a-directory');
    validateName(split.name, hostPlatform);
    const temp = path.join(parent.real, uploadTempName(split.name));
    const fh = await fsp.open(temp, 'wx').catch(rethrow);
    let chosen = path.posix.join(split.parent, split.name);
    const upload = createUpload(chosen, fh, undefined, {
      commit: async () => {
        await this.assertStillInside(parent.real);
        for (let attempt = 0; attempt < 10_000; attempt++) {
          const name = attempt === 0 ? split.name : alternative(attempt);
          validateName(name, hostPlatform);
          if (isUploadTempName(name)) continue;
          if (await placeWithoutReplacing(temp, path.join(parent.real, name))) {
            chosen = path.posix.join(split.parent, name);
            return;
          }
        }
        throw fail('exists', 'No free name for this file');
      },
      cleanup: () => fsp.unlink(temp).catch(() => undefined),
    });
    return Object.defineProperty(upload, 'path', { get: () => chosen, enumerable: true });
  }

  /** STOU: the wished name, else `name.1`, `name.2`, … created with O_EXCL so two never collide. */
  private async openUnique(ftpPath: string): Promise<UploadTarget & { path: string }> {
    const split = splitFtpPath(ftpPath);
    if (split === null) throw fail('is-a-directory');
    // Locate the parent only: the wished name itself may well exist.
    const parent = existing(await this.locate(split.parent));
    const st = await fsp.stat(parent.real).catch(rethrow);
    if (!st.isDirectory()) throw fail('not-a-directory');
    for (let i = 0; i < 10_000; i++) {
      const name = i === 0 ? split.name : `${split.name}.${i}`;
      validateName(name, hostPlatform);
      if (isUploadTempName(name)) continue;
      const file = path.join(parent.real, name);
      let fh: FileHandle;
      try {
        fh = await fsp.open(file, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw toFsError(err);
      }
      const chosen = path.posix.join(split.parent, name);
      // The file is ours and new: removing it on abort leaves the share as it was.
      return createUpload(chosen, fh, undefined, { cleanup: () => fsp.unlink(file).catch(() => undefined) });
    }
    throw fail('exists', 'No free unique name');
  }
}

/**
 * Opens `real` for reading, then checks on the descriptor that it is a regular file: what we check
 * is exactly what we read. Callbacks on a bare descriptor, not a FileHandle: each step is one
 * thread-pool round trip either way, and the promise API costs more main-thread work per step.
 *
 * The read-ahead runs beside the fstat, and its bytes are only ever served once the fstat has
 * passed. It is positional (pread), which a FIFO refuses (ESPIPE) without giving up its data, as a
 * directory does (EISDIR).
 */
function openRegularFile(real: string, readAhead: ReadAhead | undefined): Promise<ReadableFile> {
  return new Promise((resolve, reject) => {
    fs.open(real, READ_FLAGS, (openError, fd) => {
      if (openError) return reject(toFsError(openError));
      let st: Stats | undefined;
      let refusal: FsError | undefined;
      let ahead: ReadAheadResult | undefined;
      let pending = 1;
      // Once both are back: the descriptor is never closed under a read in flight (see DescriptorFile).
      const settle = (): void => {
        if (--pending > 0) return;
        if (refusal === undefined) resolve(new DescriptorFile(fd, st!.size, ahead));
        else fs.close(fd, () => reject(refusal));
      };
      fs.fstat(fd, (statError, stats) => {
        st = stats;
        refusal = statError ? toFsError(statError) : stats.isDirectory() ? fail('is-a-directory') : stats.isFile() ? undefined : fail('not-found');
        settle();
      });
      if (readAhead) {
        const { buffer, position } = readAhead;
        // A failed read-ahead is forgotten: the first read tries again and reports its own error.
        // Arguments fs.read refuses throw here, before anything is queued.
        try {
          fs.read(fd, buffer, 0, buffer.length, position, (readError, bytesRead) => {
            if (!readError) ahead = { buffer, position, bytesRead };
            settle();
          });
          pending++;
        } catch {
          // No read-ahead then.
        }
      }
    });
  });
}

/** What a read-ahead brought: `bytesRead` bytes at the start of `buffer`, from byte `position`. */
interface ReadAheadResult {
  buffer: Buffer;
  position: number;
  bytesRead: number;
}

/**
 * An open descriptor as a ReadableFile: positional reads whose errors are FsErrors.
 *
 * The descriptor is closed only once no read is in flight, so a cancelled download can close at
 * any time: closed under a queued read, its number could be reused by another open, and that read
 * would read someone else's file.
 */
class DescriptorFile implements ReadableFile {
  #reads = 0;
  #closing: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(
    private readonly fd: number,
    readonly size: number,
    /** Answers the first read, when that read is into its buffer at its position. */
    private ahead: ReadAheadResult | undefined,
  ) {}

  read(buffer: Buffer, length: number, position: number): Promise<number> {
    if (this.#closing) return Promise.reject(fail('io', 'File already closed'));
    const ahead = this.ahead;
    if (ahead !== undefined) {
      this.ahead = undefined;
      // The read-ahead filled the whole buffer unless the file ended first, so this is what a
      // read of `length` bytes would have returned then.
      if (ahead.buffer === buffer && ahead.position === position) return Promise.resolve(Math.min(ahead.bytesRead, length));
    }
    return new Promise((resolve, reject) => {
      try {
        fs.read(this.fd, buffer, 0, length, position, (err, bytesRead) => {
          if (--this.#reads === 0) this.#release?.();
          if (err) reject(toFsError(err));
          else resolve(bytesRead);
        });
        // Counted once queued: arguments fs.read refuses throw before anything is.
        this.#reads++;
      } catch (err) {
        reject(toFsError(err));
      }
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#release = () => fs.close(this.fd, () => resolve());
      if (this.#reads === 0) this.#release();
    });
    return this.#closing;
  }
}

/**
 * The real path of `host` or the error finding it (the same realpath(3) as `fsp.realpath`): a
 * callback wrapped once, cheaper than a promise and its `.then`, as every locate starts with it.
 */
function realPathOf(host: string): Promise<{ real: string } | { err: unknown }> {
  return new Promise((resolve) => fs.realpath.native(host, (err, real) => resolve(err ? { err } : { real })));
}

/** `.catch(rethrow)`: the one way `fs` errors leave this module, as FsErrors. */
function rethrow(err: unknown): never {
  throw toFsError(err);
}

function existing(loc: Located): Existing {
  if (loc.real === null) throw fail('not-found');
  return loc as Existing;
}

/**
 * Gives the finished temp file the name `dest` unless something has it; false when taken.
 * link(2) is atomic and refuses an existing name; volumes without hard links (FAT, exFAT) get a
 * check and a rename instead, which another writer could race between the two.
 */
async function placeWithoutReplacing(temp: string, dest: string): Promise<boolean> {
  try {
    await fsp.link(temp, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw toFsError(err);
    if (await fsp.lstat(dest).then(() => true, () => false)) return false;
    await fsp.rename(temp, dest).catch(rethrow);
    return true;
  }
  await fsp.unlink(temp).catch(() => undefined);
  return true;
}
