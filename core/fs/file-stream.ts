import { Readable } from 'node:stream';
import { defaults } from '../defaults.js';
import type { ReadableFile } from './file-system.js';

/**
 * A ReadableFile as a stream from byte `start` to its end (or to `end`, exclusive), for readers that pass chunks through
 * transforms or keep them (ASCII and throttled downloads, HASH): every chunk is a buffer of its
 * own. Plain binary downloads use the file pump (core/fs/file-pump.ts), which reuses buffers.
 * The file stays open: its owner closes it.
 */
export function readFileStream(file: ReadableFile, start: number, chunkBytes = defaults.downloadChunkBytes, end?: number): Readable {
  let position = start;
  const stream = new Readable({
    read() {
      // A byte range (HTTP Range) stops at `end` however much the file holds.
      if (end !== undefined && position >= end) {
        stream.push(null);
        return;
      }
      // Sized to what is left, so a small file costs a small buffer; a file that grew since it was
      // opened is read on in whole chunks until its end.
      const left = (end ?? file.size) - position;
      const buffer = Buffer.allocUnsafe(left > 0 ? Math.min(chunkBytes, left) : chunkBytes);
      file.read(buffer, buffer.length, position).then(
        (bytesRead) => {
          if (stream.destroyed) return;
          position += bytesRead;
          stream.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
        },
        (err: Error) => stream.destroy(err),
      );
    },
  });
  return stream;
}
