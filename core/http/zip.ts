/**
 * `GET /folder/?zip`: the folder as a .zip, streamed by yazl with no temporary file. Entries are
 * stored, not compressed (photos and videos don't shrink, and the stored sizes give the archive's
 * exact length up front, so browsers show real progress); yazl switches to ZIP64 for files and
 * archives over 4 GiB.
 *
 * The tree is listed first (through the FileSystem, which leaves out links leading outside),
 * then each file is opened only when its turn comes, so one handle is open at a time. When the
 * client goes away the listing stops, the open file is closed and no further file is opened.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import contentDisposition from 'content-disposition';
import yazl from 'yazl';
import { defaults } from '../defaults.js';
import type { FileInfo, FileSystem, ReadableFile } from '../fs/file-system.js';
import { readFileStream } from '../fs/file-stream.js';
import { FsError, isFsError } from '../fs/fs-error.js';
import { ThrottleStream } from '../net/throttle.js';
import type { Exchange } from './exchange.js';
import { sendBytes } from './downloads.js';
import { baseName } from './request-path.js';
import { sendError } from './responses.js';

interface ZipItem {
  /** Share path. */
  path: string;
  /** Path inside the archive. */
  name: string;
  info: FileInfo;
}

class TooManyEntries extends Error {}

/**
 * Every file and folder below `root`, depth first. A folder reached again through a link inside
 * the share (its identity is one of its ancestors') is not descended into: such a loop would be
 * endless. Folders that can't be listed are kept empty.
 */
async function collect(fs: FileSystem, root: string, gone: () => boolean): Promise<ZipItem[]> {
  const items: ZipItem[] = [];
  const walk = async (dir: string, prefix: string, ancestors: Set<string>, depth: number): Promise<void> => {
    const children: FileInfo[] = [];
    try {
      for await (const info of fs.list(dir)) {
        if (gone()) return;
        children.push(info);
      }
    } catch (err) {
      if (isFsError(err)) return;
      throw err;
    }
    for (const info of children) {
      if (gone()) return;
      if (items.length >= defaults.webMaxZipEntries) throw new TooManyEntries();
      const path = `${dir === '/' ? '' : dir}/${info.name}`;
      const name = prefix + info.name;
      items.push({ path, name, info });
      if (info.type === 'dir' && depth < defaults.webMaxZipDepth && !ancestors.has(info.unique)) {
        await walk(path, `${name}/`, new Set(ancestors).add(info.unique), depth + 1);
      }
    }
  };
  const top = await fs.stat(root);
  await walk(root, '', new Set([top.unique]), 1);
  return items;
}

/** Answers GET or HEAD of `path?zip`. */
export async function zipFolder(ex: Exchange, path: string): Promise<void> {
  const { req, res } = ex;
  let aborted = false;
  let open: { stream: Readable; file: ReadableFile } | undefined;
  const stop = (): void => {
    aborted = true;
    open?.stream.destroy();
  };
  res.once('close', stop);
  let items: ZipItem[];
  try {
    items = await collect(ex.fs, path, () => aborted);
  } catch (err) {
    if (err instanceof TooManyEntries) return sendError(req, res, 413, `A folder of more than ${defaults.webMaxZipEntries} items can't be downloaded as one .zip`);
    throw err;
  }
  if (aborted) return;

  const zip = new yazl.ZipFile();
  // Errors (a file that changed size, a failed read) end the response; they are reported below.
  let failure: Error | undefined;
  zip.on('error', (err: Error) => {
    failure ??= err;
    res.destroy();
  });
  for (const item of items) {
    const mtime = item.info.modified;
    if (item.info.type === 'dir') {
      zip.addEmptyDirectory(item.name, { mtime, mode: 0o40000 | (item.info.mode || 0o755) });
      continue;
    }
    const size = item.info.size;
    zip.addReadStreamLazy(item.name, { mtime, mode: 0o100000 | (item.info.mode || 0o644), compress: false, size }, (cb) => {
      if (aborted) return cb(new Error('client went away'), undefined as unknown as NodeJS.ReadableStream);
      ex.fs.openRead(item.path).then(
        (file) => {
          // Exactly the bytes announced: a file that grew is cut at its listed size, one that
          // shrank makes yazl fail rather than write a wrong archive.
          const stream = readFileStream(file, 0, defaults.downloadChunkBytes, size);
          open = { stream, file };
          stream.once('close', () => {
            if (open?.stream === stream) open = undefined;
            void file.close();
          });
          if (aborted) stream.destroy();
          cb(null, stream);
        },
        (err: Error) => cb(err, undefined as unknown as NodeJS.ReadableStream),
      );
    });
  }
  const total = await new Promise<number>((resolve) => {
    (zip.end as (options: object, callback: (size: number) => void) => void)({}, resolve);
  });
  const name = path === '/' ? ex.ctx.shareName : baseName(path);
  res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': contentDisposition(`${name}.zip`),
    'Content-Length': total,
    'Cache-Control': 'no-store',
  });
  const output = zip.outputStream as Readable;
  if (req.method === 'HEAD') {
    stop();
    output.destroy();
    res.end();
    return;
  }
  await sendBytes(ex, path, total, async (transfer) => {
    const limiters = ex.ctx.limitersFor(ex.session, 'download');
    const counted = limiters.length === 0 ? output : output.pipe(new ThrottleStream(limiters, ex.ctx.limits.streamHighWaterMark));
    counted.on('data', (chunk: Buffer) => transfer.count(chunk.length));
    try {
      await pipeline(counted, res);
    } finally {
      stop();
      output.destroy();
      if (failure) throw new FsError('io', 'A file changed or could not be read while it was zipped');
    }
  });
}
