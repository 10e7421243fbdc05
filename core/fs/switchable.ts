import type { FileInfo, FileSystem, ReadAhead, ReadableFile, UploadMode, UploadTarget } from './file-system.js';

/** A backend whose read-only switch can change while sessions are connected (both built-in ones). */
export interface LiveFileSystem extends FileSystem {
  setReadOnly(readOnly: boolean): void;
}

/**
 * A FileSystem whose backend can be replaced while sessions are connected, so a change of the
 * shared folders needs no restart: every call goes to the current backend, and each session
 * follows the change from its next command. What a session already opened (a download, an
 * upload, a listing under way) finishes on the backend it started on, as a file already open
 * stays readable after it is moved.
 *
 * A session's working directory is only a path: after a change it may name nothing (the client
 * then gets "not found" and can go back to `/`).
 */
export class SwitchableFileSystem implements LiveFileSystem {
  #current: LiveFileSystem;

  constructor(initial: LiveFileSystem) {
    this.#current = initial;
  }

  /** The backend calls go to now. */
  get current(): LiveFileSystem {
    return this.#current;
  }

  /** Sends every call from now on to `next`. */
  replace(next: LiveFileSystem): void {
    this.#current = next;
  }

  get readOnly(): boolean {
    return this.#current.readOnly;
  }

  setReadOnly(readOnly: boolean): void {
    this.#current.setReadOnly(readOnly);
  }

  resolve(cwd: string, input: string): string {
    return this.#current.resolve(cwd, input);
  }

  stat(path: string): Promise<FileInfo> {
    return this.#current.stat(path);
  }

  list(path: string): AsyncIterable<FileInfo> {
    return this.#current.list(path);
  }

  openRead(path: string, readAhead?: ReadAhead): Promise<ReadableFile> {
    return this.#current.openRead(path, readAhead);
  }

  openUpload(path: string, mode: UploadMode): Promise<UploadTarget & { path: string }> {
    return this.#current.openUpload(path, mode);
  }

  mkdir(path: string): Promise<void> {
    return this.#current.mkdir(path);
  }

  rmdir(path: string): Promise<void> {
    return this.#current.rmdir(path);
  }

  unlink(path: string): Promise<void> {
    return this.#current.unlink(path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.#current.rename(from, to);
  }

  setModified(path: string, when: Date): Promise<void> {
    return this.#current.setModified(path, when);
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.#current.chmod(path, mode);
  }

  available(path: string): Promise<number> {
    return this.#current.available(path);
  }
}
