import { Transform, type TransformCallback } from 'node:stream';

/**
 * A shared bandwidth budget (token bucket on a virtual clock). Several streams may draw from one
 * limiter (the server-wide cap) and from their own (the per-session cap) at the same time.
 */
export class RateLimiter {
  private nextFreeAt = 0;

  constructor(readonly bytesPerSecond: number) {}

  /** Reserves `bytes` and returns how long to wait (ms) before sending them. */
  reserve(bytes: number): number {
    const now = performance.now();
    // Allow at most a 100 ms burst after an idle period, so pacing stays smooth.
    const start = Math.max(this.nextFreeAt, now - 100);
    this.nextFreeAt = start + (bytes * 1000) / this.bytesPerSecond;
    return Math.max(0, this.nextFreeAt - now - 100);
  }
}

/**
 * Paces a byte stream through one or more limiters. Chunks are cut into slices of about 50 ms worth
 * of the slowest limiter, so the data flows evenly instead of in bursts followed by stalls.
 */
export class ThrottleStream extends Transform {
  private readonly sliceBytes: number;

  constructor(private readonly limiters: RateLimiter[], highWaterMark: number) {
    super({ highWaterMark });
    const slowest = Math.min(...limiters.map((l) => l.bytesPerSecond));
    this.sliceBytes = Math.max(1024, Math.floor(slowest / 20));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sendSlices(chunk, 0, callback);
  }

  private sendSlices(chunk: Buffer, offset: number, callback: TransformCallback): void {
    if (offset >= chunk.length) {
      callback();
      return;
    }
    const slice = chunk.subarray(offset, offset + this.sliceBytes);
    let wait = 0;
    for (const limiter of this.limiters) wait = Math.max(wait, limiter.reserve(slice.length));
    const send = () => {
      if (this.destroyed) return;
      this.push(slice);
      this.sendSlices(chunk, offset + slice.length, callback);
    };
    if (wait < 1) send();
    else setTimeout(send, wait);
  }
}

/** Bandwidth caps in bytes per second; 0 or absent means unlimited. */
export interface BandwidthLimits {
  download?: number;
  upload?: number;
  sessionDownload?: number;
  sessionUpload?: number;
}

/**
 * One bandwidth budget for every front-end of a share: FTP and the web page draw from the same
 * server-wide limiters, so a cap holds whichever protocol the bytes take. Each session gets its
 * own per-session limiters on top (`forSession`).
 */
export class BandwidthBudget {
  private readonly download?: RateLimiter;
  private readonly upload?: RateLimiter;

  constructor(readonly limits: BandwidthLimits = {}) {
    if (limits.download) this.download = new RateLimiter(limits.download);
    if (limits.upload) this.upload = new RateLimiter(limits.upload);
  }

  /** Fresh limiters for one session: the shared ones plus the session's own caps. */
  forSession(): { download: RateLimiter[]; upload: RateLimiter[] } {
    const { sessionDownload, sessionUpload } = this.limits;
    return {
      download: [this.download, sessionDownload ? new RateLimiter(sessionDownload) : undefined].filter((l) => l !== undefined),
      upload: [this.upload, sessionUpload ? new RateLimiter(sessionUpload) : undefined].filter((l) => l !== undefined),
    };
  }
}
