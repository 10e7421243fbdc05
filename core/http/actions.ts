/**
 * The page's other writes, each a POST with a small JSON (or form) body:
 * `POST /folder/?mkdir {name}` → 201, `POST /a/item?rename {to}` (same folder) → 200,
 * `POST /a/item?delete` → 200 (a file, or an empty folder; a folder with anything in it is 409).
 * A new name is one name (no separators, not `.` or `..`) checked for the host by the resolver;
 * a rename never replaces an existing entry.
 */
import { secretsEqual } from '../auth/simple-authorizer.js';
import { FsError, isFsError } from '../fs/fs-error.js';
import { BodyError, readFields } from './body.js';
import type { Exchange } from './exchange.js';
import { baseName, hrefFor, parentPath } from './request-path.js';
import { redirect, sendError, sendJson, wantsHtml } from './responses.js';
import { refuseReadOnly, sendFailure } from './uploads.js';

/** The request's fields, with the CSRF token checked when it must come in the body. Undefined when answered. */
async function fieldsOf(ex: Exchange): Promise<Record<string, string> | undefined> {
  let fields: Record<string, string>;
  try {
    fields = await readFields(ex.req, ex.res);
  } catch (err) {
    if (err instanceof BodyError) sendError(ex.req, ex.res, err.status, err.message);
    else sendError(ex.req, ex.res, 400);
    return undefined;
  }
  if (ex.csrfPending && !(ex.signIn && fields.csrf !== undefined && secretsEqual(fields.csrf, ex.signIn.csrfToken))) {
    sendError(ex.req, ex.res, 403, 'The page’s security token is missing; reload the page');
    return undefined;
  }
  return fields;
}

/** One new name for an entry in `folder`, resolved; throws FsError('invalid-name'). */
function childPath(ex: Exchange, folder: string, name: string | undefined): string {
  if (name === undefined || name.trim() === '' || name === '.' || name === '..' || /[\\/]/.test(name)) {
    throw new FsError('invalid-name', 'Give one name, without / or \\');
  }
  const path = ex.fs.resolve(folder, name);
  if (parentPath(path) !== folder) throw new FsError('invalid-name', 'Give one name, without / or \\');
  return path;
}

/** A done action: JSON for the page's script, or back to the folder for a plain form. */
function done(ex: Exchange, status: number, body: Record<string, unknown>, folder: string): void {
  if (wantsHtml(ex.req)) return redirect(ex.req, ex.res, 303, hrefFor(folder, true));
  sendJson(ex.req, ex.res, status, body);
}

export async function makeFolder(ex: Exchange, folder: string): Promise<void> {
  if (ex.fs.readOnly) return refuseReadOnly(ex, 'folder-create', folder);
  const fields = await fieldsOf(ex);
  if (!fields) return;
  let path = folder;
  try {
    if ((await ex.fs.stat(folder)).type !== 'dir') throw new FsError('not-found', 'No such folder');
    path = childPath(ex, folder, fields.name);
    await ex.fs.mkdir(path);
  } catch (err) {
    return sendFailure(ex, isFsError(err, 'exists') ? new FsError('exists', 'Something with that name is already there') : err, 'folder-create', path);
  }
  ex.ctx.emit('file-changed', { change: 'folder-created', path, sessionId: ex.session.id, remoteAddress: ex.remoteAddress });
  done(ex, 201, { name: baseName(path), path }, folder);
}

export async function renameEntry(ex: Exchange, path: string): Promise<void> {
  if (ex.fs.readOnly) return refuseReadOnly(ex, 'rename', path);
  const fields = await fieldsOf(ex);
  if (!fields) return;
  if (path === '/') return sendError(ex.req, ex.res, 403, 'The shared folder itself can’t be renamed');
  const folder = parentPath(path);
  let to = path;
  try {
    const info = await ex.fs.stat(path);
    to = childPath(ex, folder, fields.to);
    // Only a change of case may find the entry itself there (case-insensitive disks).
    const taken = await ex.fs.stat(to).then(
      () => to.toLowerCase() !== path.toLowerCase(),
      (err: unknown) => !isFsError(err, 'not-found'),
    );
    if (taken) throw new FsError('exists', 'Something with that name is already there');
    await ex.fs.rename(path, to);
    ex.ctx.emit('file-changed', { change: 'renamed', from: path, path: to, sessionId: ex.session.id, remoteAddress: ex.remoteAddress });
    done(ex, 200, { name: baseName(to), path: to, type: info.type }, folder);
  } catch (err) {
    sendFailure(ex, err, 'rename', path);
  }
}

export async function deleteEntry(ex: Exchange, path: string): Promise<void> {
  if (ex.fs.readOnly) return refuseReadOnly(ex, 'delete', path);
  const fields = await fieldsOf(ex);
  if (!fields) return;
  if (path === '/') return sendError(ex.req, ex.res, 403, 'The shared folder itself can’t be deleted');
  const folder = parentPath(path);
  let folderEntry = false;
  try {
    folderEntry = (await ex.fs.stat(path)).type === 'dir';
    if (folderEntry) await ex.fs.rmdir(path);
    else await ex.fs.unlink(path);
  } catch (err) {
    const message = isFsError(err, 'not-empty') ? new FsError('not-empty', 'Only an empty folder can be deleted') : err;
    return sendFailure(ex, message, folderEntry ? 'folder-remove' : 'delete', path);
  }
  ex.ctx.emit('file-changed', { change: folderEntry ? 'folder-removed' : 'deleted', path, sessionId: ex.session.id, remoteAddress: ex.remoteAddress });
  done(ex, 200, { path }, folder);
}
