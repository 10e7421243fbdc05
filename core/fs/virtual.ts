/**
 * The FileSystem backend for several host folders, each shown as a top-level directory of a
 * read-only virtual `/`.
 */
import path from 'node:path';
import type { FileInfo, FileSystem, ReadAhead, ReadableFile, UploadMode, UploadTarget } from './file-system.js';
import { FsError } from './fs-error.js';
import { PhysicalFileSystem } from './physical.js';
import { ftpComponents, hostPlatform, resolveFtpPath } from './safe-path.js';

/** Options of a VirtualFileSystem. */
export interface VirtualFileSystemOptions {
  /** Host folders, each shown as `/<basename>`, in this order. */
  roots: string[];
  /** Refuse every write with FsError('read-only'); can be changed later with `setReadOnly`. */
  readOnly?: boolean;
  /**
   * The top-level names, one per root; absent: {@link mountNames} of `roots`. A view of some of a
   * share's folders passes the share's names, so each folder keeps its path in every view.
   */
  names?: readonly string[];
}

/**
 * The top-level names for `roots`, in the same order.
 *
 * Each is the folder's basename; a file-system root has none, so `/` becomes `root` and `C:\`
 * becomes `C`. Clashes get ` (2)`, ` (3)`, … in the order given, compared case-insensitively so a
 * case-insensitive client (Windows Explorer, Finder) never sees two names it would confuse.
 * `pathImpl` selects POSIX or Windows parsing (the host's by default).
 */
export function mountNames(roots: readonly string[], pathImpl: path.PlatformPath = path): string[] {
  const taken = new Set<string>();
  return roots.map((root) => {
    const base = baseName(root, pathImpl);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n})`;
    taken.add(name.toLowerCase());
    return name;
  });
}

function baseName(root: string, pathImpl: path.PlatformPath): string {
  // A POSIX folder may hold a `\` in its name, but the FTP resolver splits on it: swap it out so
  // the mount stays reachable.
  const base = pathImpl.basename(pathImpl.resolve(root)).replace(/\\/g, '_');
  if (base !== '') return base;
  // A drive root ("C:\") or a UNC share root ("\\server\share\") has no basename.
  const parsed = pathImpl.parse(pathImpl.resolve(root)).root;
  const drive = /^([a-z]):/i.exec(parsed);
  if (drive) return drive[1]!.toUpperCase();
  const unc = /^[\\/]{2}[^\\/]+[\\/]([^\\/]+)/.exec(parsed);
  if (unc) return unc[1]!;
  return 'root';
}

interface Mount {
  name: string;
  fs: PhysicalFileSystem;
}

/** A path split into the mount it falls in and the path inside that mount. */
interface Routed {
  mount: Mount;
  /** The path inside the mount (`/` for the mount folder itself). */
  inner: string;
}

const ROOT_WRITE = 'The top level holds only the shared folders';

/**
 * A FileSystem that shows several host folders as the top-level directories of a virtual `/`.
 *
 * Each folder is served by its own PhysicalFileSystem, so every confinement rule applies per
 * folder. The virtual `/` and its entries are fixed: creating, removing, renaming, re-timing or
 * chmod'ing anything at the top level fails with 'permission-denied' (or 'read-only' when the
 * whole share is read-only, which is checked first). Moving between two folders is refused with
 * 'permission-denied' as well, since no single host rename can do it.
 */
export class VirtualFileSystem implements FileSystem {
  private readonly mounts: Mount[];
  private readonly byName = new Map<string, Mount>();
  private readonly created = new Date();
  #readOnly: boolean;

  constructor(options: VirtualFileSystemOptions) {
    this.#readOnly = options.readOnly ?? false;
    const names = options.names ?? mountNames(options.roots);
    if (names.length !== options.roots.length) throw new Error('VirtualFileSystem: one name per root');
    this.mounts = options.roots.map((root, i) => ({
      name: names[i]!,
      fs: new PhysicalFileSystem({ root, readOnly: this.#readOnly }),
    }));
    for (const m of this.mounts) this.byName.set(m.name, m);
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }

  /** Turns read-only on or off for every folder at once; see PhysicalFileSystem.setReadOnly. */
  setReadOnly(readOnly: boolean): void {
    this.#readOnly = readOnly;
    // The mounts check it too, and their listings carry it in the `perm` facts.
    for (const m of this.mounts) m.fs.setReadOnly(readOnly);
  }

  /** The top-level names, in the order of the roots given. */
  get names(): string[] {
    return this.mounts.map((m) => m.name);
  }

  resolve(cwd: string, input: string): string {
    return resolveFtpPath(cwd, input, hostPlatform);
  }

  async stat(ftpPath: string): Promise<FileInfo> {
    const routed = this.route(ftpPath);
    if (routed === null) return this.rootInfo();
    const info = await routed.mount.fs.stat(routed.inner);
    return routed.inner === '/' ? { ...info, name: routed.mount.name } : info;
  }

  async *list(ftpPath: string): AsyncGenerator<FileInfo> {
    const routed = this.route(ftpPath);
    if (routed !== null) {
      yield* routed.mount.fs.list(routed.inner);
      return;
    }
    for (const mount of this.mounts) {
      // A folder that vanished (unplugged disk, deleted) is left out rather than failing the listing.
      const info = await mount.fs.stat('/').catch(() => null);
      if (info !== null && info.type === 'dir') yield { ...info, name: mount.name };
    }
  }

  async openRead(ftpPath: string, readAhead?: ReadAhead): Promise<ReadableFile> {
    const routed = this.route(ftpPath);
    if (routed === null) throw new FsError('is-a-directory', 'Is a directory');
    return routed.mount.fs.openRead(routed.inner, readAhead);
  }

  async openUpload(ftpPath: string, mode: UploadMode): Promise<UploadTarget & { path: string }> {
    const routed = this.routeForWrite(ftpPath);
    const target = await routed.mount.fs.openUpload(routed.inner, mode);
    const outer = (inner: string): string => this.outer(routed.mount, inner);
    // The chosen name (STOU, a browser upload's free name, known once committed) as a path of
    // this file system, not of the mount.
    return {
      stream: target.stream,
      commit: (confirm) => target.commit(confirm),
      abort: () => target.abort(),
      get path() {
        return outer(target.path);
      },
    };
  }

  async mkdir(ftpPath: string): Promise<void> {
    const routed = this.routeForWrite(ftpPath);
    return routed.mount.fs.mkdir(routed.inner);
  }

  async rmdir(ftpPath: string): Promise<void> {
    const routed = this.routeForWrite(ftpPath);
    return routed.mount.fs.rmdir(routed.inner);
  }

  async unlink(ftpPath: string): Promise<void> {
    const routed = this.routeForWrite(ftpPath);
    return routed.mount.fs.unlink(routed.inner);
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.routeForWrite(from);
    const dst = this.routeForWrite(to);
    if (src.mount !== dst.mount) throw new FsError('permission-denied', 'Cannot move between shared folders');
    return src.mount.fs.rename(src.inner, dst.inner);
  }

  async setModified(ftpPath: string, when: Date): Promise<void> {
    const routed = this.routeForWrite(ftpPath);
    return routed.mount.fs.setModified(routed.inner, when);
  }

  async chmod(ftpPath: string, mode: number): Promise<void> {
    const routed = this.routeForWrite(ftpPath);
    return routed.mount.fs.chmod(routed.inner, mode);
  }

  async available(ftpPath: string): Promise<number> {
    const routed = this.route(ftpPath);
    if (routed !== null) return routed.mount.fs.available(routed.inner);
    // `/` has no disk of its own: report the first folder that answers.
    let lastError: unknown = new FsError('not-found', 'No such file or directory');
    for (const mount of this.mounts) {
      try {
        return await mount.fs.available('/');
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  // ---- internals --------------------------------------------------------------------------

  /** Splits a path into mount + inner path; null for `/`. Unknown top-level names are 'not-found'. */
  private route(ftpPath: string): Routed | null {
    const parts = ftpComponents(resolveFtpPath('/', ftpPath, hostPlatform));
    const first = parts.shift();
    if (first === undefined) return null;
    const mount = this.byName.get(first);
    if (mount === undefined) throw new FsError('not-found', 'No such file or directory');
    return { mount, inner: '/' + parts.join('/') };
  }

  /**
   * Routes a path a write will change. Refuses, before any I/O, a read-only share, `/` itself and
   * a top-level entry (the mount folders are fixed, and nothing else can live at the top level).
   */
  private routeForWrite(ftpPath: string): Routed {
    if (this.readOnly) throw new FsError('read-only', 'Read-only share');
    const parts = ftpComponents(resolveFtpPath('/', ftpPath, hostPlatform));
    if (parts.length <= 1) throw new FsError('permission-denied', ROOT_WRITE);
    const routed = this.route(ftpPath);
    if (routed === null) throw new FsError('permission-denied', ROOT_WRITE);
    return routed;
  }

  private outer(mount: Mount, inner: string): string {
    return inner === '/' ? `/${mount.name}` : `/${mount.name}${inner}`;
  }

  private rootInfo(): FileInfo {
    return {
      name: '/',
      type: 'dir',
      size: 0,
      modified: this.created,
      mode: 0o555,
      unique: 'virtual-root',
      writable: false,
    };
  }
}
