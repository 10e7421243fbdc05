import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;

/** TYPE A downloads: bare LF becomes CRLF (an existing CRLF is left alone). */
export class LfToCrlf extends Transform {
  private lastWasCr = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let extra = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === LF && (i > 0 ? chunk[i - 1] !== CR : !this.lastWasCr)) extra++;
    }
    if (extra === 0) {
      this.lastWasCr = chunk.length > 0 ? chunk[chunk.length - 1] === CR : this.lastWasCr;
      callback(null, chunk);
      return;
    }
    const out = Buffer.allocUnsafe(chunk.length + extra);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      const prevCr = i > 0 ? chunk[i - 1] === CR : this.lastWasCr;
      if (byte === LF && !prevCr) out[j++] = CR;
      out[j++] = byte;
    }
    this.lastWasCr = chunk[chunk.length - 1] === CR;
    callback(null, out);
  }
}

/** TYPE A uploads: CRLF becomes LF; a lone CR is kept. A CR at a chunk's end waits for the next. */
export class CrlfToLf extends Transform {
  private pendingCr = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let j = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk[0] !== LF) out[j++] = CR;
    }
    for (; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === CR) {
        if (i === chunk.length - 1) {
          this.pendingCr = true;
          continue;
        }
        if (chunk[i + 1] === LF) continue;
      }
      out[j++] = byte;
    }
    callback(null, out.subarray(0, j));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.pendingCr ? Buffer.from([CR]) : undefined);
  }
}
