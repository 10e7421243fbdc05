/**
 * Uploads, through the core's safe-upload path only; nothing is ever buffered whole.
 *
 * - `PUT /a/file` (curl -T): replaces atomically as STOR does: a temp file beside the target,
 *   renamed over it only when the whole body arrived (Content-Length reached or the chunked end
 *   seen) and the client is still there. 201 for a new file, 204 for a replaced one.
 * - `POST /folder/?upload` (the page): multipart/form-data parsed by busboy as it streams in, one
 *   or many `file` parts, whose file names may carry a relative path (a folder upload) whose
 *   folders are made as needed. A browser upload never replaces anything and is never seen
 *   half-written: it goes to a temp file beside the target, which takes `name.ext`, or
 *   `name (1).ext`… when taken, only once complete (the FileSystem's 'new' mode).
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import busboy from 'busboy';
import { secretsEqual } from '../auth/simple-authorizer.js';
import { defaults } from '../defaults.js';
import type { FileSystem, UploadTarget } from '../fs/file-system.js';
import { FsError, isFsError, toFsError } from '../fs/fs-error.js';
import { ThrottleStream } from '../net/throttle.js';
import { acceptBody } from './body.js';
import { reportRefusal, type Exchange } from './exchange.js';
import { hrefFor } from './request-path.js';
import { failureOf, sendError, sendJson, redirect, wantsHtml } from './responses.js';
import { WebTransfer } from './web-transfer.js';

/** Why an upload failed when its client went away before it could be confirmed (as FTP says it). */
const CLIENT_GONE = 'client disconnected during upload';

/** A write refused because the share or account is read-only: reported, and 403. */
export function refuseReadOnly(ex: Exchange, operation: 'upload' | 'delete' | 'rename' | 'folder-create' | 'folder-remove', path: string): void {
  reportRefusal(ex, { reason: 'read-only', operation, path });
  sendError(ex.req, ex.res, 403, 'This share is read-only');
}

/** Reports a path refused because it leads outside the share, as the FTP server does. */
export function reportOutside(ex: Exchange, err: unknown): void {
  if (isFsError(err) && err.outsidePath !== undefined) reportRefusal(ex, { reason: 'outside-share', path: err.outsidePath });
}

/** Answers a failed request with its status and message (after reporting what the app logs). */
export function sendFailure(ex: Exchange, err: unknown, operation?: Parameters<typeof refuseReadOnly>[1], path?: string): void {
  reportOutside(ex, err);
  if (operation && path !== undefined && isFsError(err, 'read-only')) reportRefusal(ex, { reason: 'read-only', operation, path });
  if (!isFsError(err)) ex.ctx.emit('error', { code: 'request-failed', message: `${ex.req.method} failed: ${(err as Error)?.message ?? String(err)}` });
  const { status, message } = failureOf(err);
  sendError(ex.req, ex.res, status, message);
}

/** The client still holds its connection (it can read our answer): the last check before a commit. */
function clientThere(ex: Exchange): boolean {
  return !ex.req.socket.destroyed && !ex.res.destroyed;
}

/**
 * Moves one body into an upload as a transfer the app sees, then commits it once `complete()`
 * says every byte arrived and the client is still there; on any failure the upload is aborted
 * (its temp file, or its new file, removed) and the error rethrown.
 */
async function receive(ex: Exchange, body: Readable, target: UploadTarget & { path: string }, size: number | undefined, complete: () => boolean): Promise<number> {
  const transfer = new WebTransfer(ex.session, ex.ctx.emit, target.path, 'upload', size, ex.ctx.limits.progressEventsPerSecond, (reason) => body.destroy(new Error(reason)));
  const limiters = ex.ctx.limitersFor(ex.session, 'upload');
  const throttle = limiters.length === 0 ? undefined : new ThrottleStream(limiters, ex.ctx.limits.streamHighWaterMark);
  try {
    // Piped, not pipeline(): a failed write (disk full) must leave the request open so the client
    // still hears why; the answer then closes the connection.
    (throttle ? body.pipe(throttle) : body).pipe(target.stream);
    body.on('data', (chunk: Buffer) => transfer.count(chunk.length));
    await Promise.all([finished(body), finished(target.stream)]);
    await target.commit(async () => {
      if (!complete()) throw new FsError('io', `Upload incomplete: ${transfer.bytes}${size !== undefined ? ` of ${size}` : ''} bytes arrived`);
      if (!clientThere(ex)) throw new FsError('io', CLIENT_GONE);
    });
    transfer.complete();
    return transfer.bytes;
  } catch (err) {
    // A failed write (disk full, I/O) is the file's fault; anything else is the body's.
    const written = target.stream.errored;
    const cause = isFsError(err) ? err : written ? toFsError(written) : err;
    body.unpipe();
    throttle?.destroy();
    await target.abort();
    const clientLeft = !clientThere(ex) || !isFsError(cause);
    transfer.fail(clientLeft ? CLIENT_GONE : (cause as FsError).message, clientLeft);
    throw cause;
  }
}

/** `PUT /a/file`: 201 new, 204 replaced. */
export async function putUpload(ex: Exchange, path: string): Promise<void> {
  const { req, res, fs } = ex;
  if (fs.readOnly) return refuseReadOnly(ex, 'upload', path);
  if (ex.target.trailingSlash || path === '/') return sendError(req, res, 409, 'A file can’t be uploaded onto a folder');
  const existed = await fs.stat(path).then(
    (info) => info.type,
    () => undefined,
  );
  if (existed === 'dir') return sendError(req, res, 409, 'A folder has that name');
  let target: UploadTarget & { path: string };
  try {
    target = await fs.openUpload(path, { kind: 'replace' });
  } catch (err) {
    return sendFailure(ex, err, 'upload', path);
  }
  acceptBody(req, res);
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  try {
    await receive(ex, req, target, declared, () => req.complete);
  } catch (err) {
    if (!clientThere(ex)) return;
    return sendFailure(ex, isFsError(err) ? err : new FsError('io', 'The upload did not arrive whole'));
  }
  if (existed) {
    res.writeHead(204, { 'Cache-Control': 'no-store' });
  } else {
    res.writeHead(201, { Location: hrefFor(target.path, false), 'Content-Length': 0, 'Cache-Control': 'no-store' });
  }
  res.end();
}

/** `name (k).ext` for k ≥ 1: the number goes before the last extension. */
export function numberedName(name: string, k: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${k})${name.slice(dot)}` : `${name} (${k})`;
}

/**
 * Opens a new file called `name` in `dir`; when committed it takes `name`, or `name (1)`,
 * `name (2)`… if taken meanwhile, and never replaces anything (the FileSystem's 'new' mode).
 */
function openNew(fs: FileSystem, dir: string, name: string): Promise<UploadTarget & { path: string }> {
  return fs.openUpload(fs.resolve(dir, name), { kind: 'new', alternative: (k) => numberedName(name, k) });
}

/** Makes the folder `dir` (one level) when missing; a file in the way is a conflict. */
async function ensureFolder(ex: Exchange, dir: string): Promise<void> {
  const info = await ex.fs.stat(dir).catch((err: unknown) => {
    if (isFsError(err, 'not-found')) return undefined;
    throw err;
  });
  if (info?.type === 'dir') return;
  if (info) throw new FsError('exists', 'A file has the name of a folder in this upload');
  try {
    await ex.fs.mkdir(dir);
    ex.ctx.emit('file-changed', { change: 'folder-created', path: dir, sessionId: ex.session.id, remoteAddress: ex.remoteAddress });
  } catch (err) {
    // Made by a parallel upload of the same folder since the stat: fine.
    if (!isFsError(err, 'exists') || (await ex.fs.stat(dir)).type !== 'dir') throw err;
  }
}

/** The folders and name a part's file name asks for, checked: no empty, `.` or `..` component. */
function partPath(filename: string): string[] {
  const parts = filename.split(/[\\/]/).filter((s) => s !== '');
  if (parts.length === 0) throw new FsError('invalid-name', 'A file in the upload has no name');
  if (parts.some((p) => p === '.' || p === '..')) throw new FsError('invalid-name', 'A file name in the upload leads out of its folder');
  return parts;
}

/** One file part: its folders made, a free name picked, its bytes received and committed. */
async function receivePart(ex: Exchange, folder: string, stream: Readable & { truncated?: boolean }, filename: string, partEnded: () => boolean): Promise<{ name: string; path: string; size: number }> {
  const parts = partPath(filename);
  // Every component checked for the host by the one resolver, and the result still below `folder`.
  const wanted = ex.fs.resolve(folder, parts.join('/'));
  const prefix = folder === '/' ? '/' : `${folder}/`;
  if (!wanted.startsWith(prefix)) throw new FsError('invalid-name', 'A file name in the upload leads out of its folder');
  let dir = folder;
  for (const name of parts.slice(0, -1)) {
    dir = `${dir === '/' ? '' : dir}/${name}`;
    await ensureFolder(ex, dir);
  }
  const target = await openNew(ex.fs, dir, parts[parts.length - 1]!);
  const size = await receive(ex, stream, target, undefined, () => partEnded() && !stream.truncated);
  return { name: target.path.slice(target.path.lastIndexOf('/') + 1), path: target.path, size };
}

/** `POST /folder/?upload`: multipart files into `folder`. */
export async function multipartUpload(ex: Exchange, folder: string): Promise<void> {
  const { req, res, fs } = ex;
  if (fs.readOnly) return refuseReadOnly(ex, 'upload', folder);
  let parser: busboy.Busboy;
  try {
    const info = await fs.stat(folder);
    if (info.type !== 'dir') throw new FsError('not-found', 'No such folder');
    if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) return sendError(req, res, 415, 'Send the files as multipart/form-data');
    parser = busboy({
      headers: req.headers,
      preservePath: true,
      // Browsers send file names as raw UTF-8.
      defParamCharset: 'utf8',
      limits: { files: defaults.webMaxUploadFiles, fields: 32, fieldSize: 64 * 1024, parts: defaults.webMaxUploadFiles + 32 },
    });
  } catch (err) {
    return isFsError(err) ? sendFailure(ex, err, 'upload', folder) : sendError(req, res, 400, 'The upload is not valid multipart/form-data');
  }
  const files: Array<{ name: string; path: string; size: number }> = [];
  let failure: unknown;
  let csrfShown = !ex.csrfPending;
  let queue: Promise<void> = Promise.resolve();
  const fail = (err: unknown): void => {
    failure ??= err;
    // Stop reading: the answer closes the connection instead of draining what is left.
    req.unpipe(parser);
  };
  parser.on('field', (name, value) => {
    if (name === 'csrf' && ex.signIn && secretsEqual(value, ex.signIn.csrfToken)) csrfShown = true;
  });
  parser.on('file', (name, stream, info) => {
    if (failure !== undefined || name !== 'file') return void stream.resume();
    if (!csrfShown) {
      stream.resume();
      return fail(new FsError('permission-denied', 'The page’s security token is missing; reload the page'));
    }
    let ended = false;
    stream.once('end', () => (ended = true));
    queue = queue.then(async () => {
      if (failure !== undefined) return void stream.resume();
      try {
        files.push(await receivePart(ex, folder, stream, info.filename ?? '', () => ended));
      } catch (err) {
        stream.resume();
        fail(err);
      }
    });
  });
  parser.on('filesLimit', () => fail(new FsError('invalid-name', `At most ${defaults.webMaxUploadFiles} files at once`)));
  const parsed = new Promise<void>((resolve) => {
    parser.once('close', resolve);
    parser.once('error', (err) => {
      fail(err instanceof FsError ? err : new FsError('io', 'The upload was cut short'));
      resolve();
    });
    // A client gone mid-body never ends the form: its part fails and nothing is committed.
    req.once('close', () => {
      if (!req.complete) parser.destroy(new Error('The upload was cut short'));
      resolve();
    });
  });
  acceptBody(req, res);
  req.pipe(parser);
  await parsed;
  await queue;
  if (res.destroyed) return;
  if (failure === undefined && files.length === 0) failure = new FsError('invalid-name', 'The upload holds no file');
  if (failure !== undefined) {
    reportOutside(ex, failure);
    if (isFsError(failure, 'read-only')) reportRefusal(ex, { reason: 'read-only', operation: 'upload', path: folder });
    const { status, message } = failureOf(failure);
    if (!res.headersSent) res.setHeader('Connection', 'close');
    return sendJson(req, res, status, { error: message, files });
  }
  // A form posted without the page's script (JavaScript off) goes back to the folder.
  if (wantsHtml(req)) return redirect(req, res, 303, hrefFor(folder, true));
  sendJson(req, res, 201, { files });
}
