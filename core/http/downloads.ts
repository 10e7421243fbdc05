/**
 * `GET`/`HEAD` of a file: validators (ETag, Last-Modified) and conditional requests, one byte
 * range (206/416) so phones seek in videos and resume downloads, the type from mime-types, and a
 * Content-Disposition with the UTF-8 name (RFC 6266/5987). The bytes go through the same file pump
 * as FTP RETR, paced by the same bandwidth budget, with the response's backpressure.
 *
 * Shared files are never allowed to act as our page: every file response carries a sandbox CSP,
 * and active types (HTML, SVG, XML, script, anything unknown) are attachments, not shown inline.
 */
import contentDisposition from 'content-disposition';
import mime from 'mime-types';
import type { FileInfo } from '../fs/file-system.js';
import { openToSend, sendFile } from '../fs/file-pump.js';
import { FsError } from '../fs/fs-error.js';
import { pacer } from '../net/throttle.js';
import type { Exchange } from './exchange.js';
import { FILE_CSP } from './http-guard.js';
import { etagFor, httpDate, ifRangeHolds, notModified, parseRange } from './ranges.js';
import { baseName } from './request-path.js';
import { WebTransfer } from './web-transfer.js';

/** Types a browser may show in place: pictures, sound, video and plain text can't run script. */
function showsInline(type: string): boolean {
  if (type === 'image/svg+xml') return false;
  return /^(image|audio|video)\//.test(type) || type === 'text/plain' || type === 'text/csv' || type === 'text/markdown' || type === 'application/json';
}

/** The headers that describe a file, shared by 200, 206, 304 and 416. */
export function fileHeaders(name: string, info: FileInfo, etag: string): Record<string, string> {
  const type = mime.lookup(name) || 'application/octet-stream';
  return {
    'Content-Type': mime.contentType(type) || type,
    'Content-Disposition': contentDisposition(name, { type: showsInline(type) ? 'inline' : 'attachment' }),
    'Content-Security-Policy': FILE_CSP,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': httpDate(info.modified),
    // Shared files change: the browser keeps a copy but asks (If-None-Match) before using it.
    'Cache-Control': 'private, no-cache',
  };
}

/** Answers GET or HEAD of the file `path`, whose stat is `info`. */
export async function download(ex: Exchange, path: string, info: FileInfo): Promise<void> {
  const { req, res } = ex;
  const name = baseName(path);
  const etag = etagFor(info);
  const headers = fileHeaders(name, info, etag);
  if (notModified(req.headers, etag, info.modified)) {
    res.writeHead(304, { ETag: etag, 'Last-Modified': headers['Last-Modified']!, 'Cache-Control': headers['Cache-Control']! });
    res.end();
    return;
  }
  const wanted = ifRangeHolds(req.headers['if-range'] as string | undefined, etag, info.modified) ? parseRange(req.headers.range, info.size) : { kind: 'whole' as const };
  if (wanted.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${info.size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const start = wanted.kind === 'range' ? wanted.start : 0;
  const end = wanted.kind === 'range' ? wanted.end + 1 : info.size;
  const status = wanted.kind === 'range' ? 206 : 200;
  const rangeHeaders: Record<string, string> = wanted.kind === 'range' ? { 'Content-Range': `bytes ${start}-${end - 1}/${info.size}` } : {};
  if (req.method === 'HEAD') {
    res.writeHead(status, { ...headers, ...rangeHeaders, 'Content-Length': end - start });
    res.end();
    return;
  }
  const file = await openToSend(ex.fs, path, start);
  try {
    // The bytes are what was opened: a file that shrank since its stat ends the response short.
    res.writeHead(status, { ...headers, ...rangeHeaders, 'Content-Length': end - start });
    await sendBytes(ex, path, end - start, (transfer) => {
      const limiters = ex.ctx.limitersFor(ex.session, 'download');
      return sendFile(file, start, res, (chunk) => transfer.count(chunk.length), end, pacer(limiters));
    });
  } finally {
    await file.close();
  }
}

/**
 * Runs one download's byte pump as a transfer the app sees: completed when every byte was handed
 * over, failed (and the connection cut) when the client went away, a kick or stop ended it, or
 * the file ended early.
 */
export async function sendBytes(ex: Exchange, path: string, size: number | undefined, pump: (transfer: WebTransfer) => Promise<void>): Promise<void> {
  const { res } = ex;
  const transfer = new WebTransfer(ex.session, ex.ctx.emit, path, 'download', size, ex.ctx.limits.progressEventsPerSecond, () => res.destroy());
  try {
    await pump(transfer);
    if (size !== undefined && transfer.bytes < size) throw new FsError('io', 'File changed during transfer; it is shorter than announced');
    transfer.complete();
  } catch (err) {
    res.destroy();
    const clientLeft = !(err instanceof FsError);
    transfer.fail(clientLeft ? 'connection closed by the client' : err.message, clientLeft);
  }
}
