import { Transform, type TransformCallback } from 'node:stream';

/** A rate in bytes per second, or where to read the current one; 0 means unlimited. */
export type RateSource = number | (() => number);

/**
 * A shared bandwidth budget (token bucket on a virtual clock). Several streams may draw from one
 * limiter (the server-wide cap) and from their own (a per-device cap) at the same time.
 *
 * The rate can change while transfers run (`setRate`, or a `RateSource` function read on every
 * reservation): waits already promised are rescaled to the new rate, so a raised cap speeds up
 * running transfers at once instead of after the old schedule ran out.
 */
export class RateLimiter {
  private nextFreeAt = 0;
  private rate: number;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly source: RateSource = 0) {
    // A function is first read at the first use: it may close over state not yet built.
    this.rate = typeof source === 'function' ? 0 : rateOf(source);
  }

  /** The current rate; 0 means unlimited. */
  get bytesPerSecond(): number {
    this.sync();
    return this.rate;
  }

  /** Changes the rate; pending waits are rescaled (ended at once when it becomes unlimited). */
  setRate(bytesPerSecond: number): void {
    const old = this.rate;
    if (bytesPerSecond === old) return;
    const now = performance.now();
    this.rate = bytesPerSecond;
    // Bytes owed at the old rate are owed at the new one: the remaining time scales by old/new.
    const ratio = old === 0 || bytesPerSecond === 0 ? 0 : old / bytesPerSecond;
    this.nextFreeAt = now + Math.max(0, this.nextFreeAt - now) * ratio;
    for (const waiter of [...this.waiters]) waiter.rescale(this, now, ratio);
  }

  /** Reserves `bytes` and returns how long to wait (ms) before sending them; 0 when unlimited. */
  reserve(bytes: number): number {
    this.sync();
    if (this.rate === 0) return 0;
    const now = performance.now();
    // Allow at most a 100 ms burst after an idle period, so pacing stays smooth.
    const start = Math.max(this.nextFreeAt, now - 100);
    this.nextFreeAt = start + (bytes * 1000) / this.rate;
    return Math.max(0, this.nextFreeAt - now - 100);
  }

  /** @internal */
  track(waiter: Waiter, on: boolean): void {
    if (on) this.waiters.add(waiter);
    else this.waiters.delete(waiter);
  }

  private sync(): void {
    if (typeof this.source === 'function') this.setRate(rateOf(this.source));
  }
}

function rateOf(source: RateSource): number {
  const rate = typeof source === 'function' ? source() : source;
  return Number.isFinite(rate) && rate > 0 ? rate : 0;
}

/** One pending wait on one or more limiters: it ends when the latest of them says so. */
class Waiter {
  private readonly ends = new Map<RateLimiter, number>();
  private timer?: NodeJS.Timeout;
  private resolve!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolve = resolve));

  add(limiter: RateLimiter, endsAt: number): void {
    this.ends.set(limiter, endsAt);
    limiter.track(this, true);
  }

  rescale(limiter: RateLimiter, now: number, ratio: number): void {
    const end = this.ends.get(limiter);
    if (end !== undefined) this.ends.set(limiter, now + Math.max(0, end - now) * ratio);
    this.schedule();
  }

  schedule(): Promise<void> {
    clearTimeout(this.timer);
    const wait = Math.max(...this.ends.values()) - performance.now();
    if (wait < 1) this.finish();
    else this.timer = setTimeout(() => this.finish(), wait);
    return this.done;
  }

  private finish(): void {
    clearTimeout(this.timer);
    for (const limiter of this.ends.keys()) limiter.track(this, false);
    this.resolve();
  }
}

/**
 * Reserves `bytes` on every limiter; undefined (synchronously, no promise made) when they may go
 * now, which is always the case while every limiter is unlimited, else a promise of when.
 */
export function waitFor(limiters: readonly RateLimiter[], bytes: number): Promise<void> | undefined {
  let waiter: Waiter | undefined;
  const now = performance.now();
  for (const limiter of limiters) {
    const wait = limiter.reserve(bytes);
    if (wait >= 1) (waiter ??= new Waiter()).add(limiter, now + wait);
  }
  return waiter?.schedule();
}

/**
 * How to pace bytes through limiters: `sliceBytes()` is about 50 ms worth of the slowest one's
 * current rate (Infinity while all are unlimited), so data flows evenly instead of in bursts
 * followed by stalls; `wait(bytes)` reserves them (see {@link waitFor}).
 */
export interface Pacer {
  sliceBytes(): number;
  wait(bytes: number): Promise<void> | undefined;
}

/** A {@link Pacer} over these limiters. */
export function pacer(limiters: readonly RateLimiter[]): Pacer {
  return {
    sliceBytes: () => {
      let slowest = Infinity;
      for (const limiter of limiters) {
        const rate = limiter.bytesPerSecond;
        if (rate > 0 && rate < slowest) slowest = rate;
      }
      return slowest === Infinity ? Infinity : Math.max(1024, Math.floor(slowest / 20));
    },
    wait: (bytes) => waitFor(limiters, bytes),
  };
}

/**
 * Paces a byte stream through one or more limiters. Chunks are cut into slices of about 50 ms worth
 * of the slowest limiter's current rate, so the data flows evenly instead of in bursts followed by
 * stalls; while every limiter is unlimited, chunks pass through whole.
 */
export class ThrottleStream extends Transform {
  private readonly pacer: Pacer;

  constructor(limiters: RateLimiter[], highWaterMark: number) {
    super({ highWaterMark });
    this.pacer = pacer(limiters);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sendSlices(chunk, 0, callback);
  }

  private sendSlices(chunk: Buffer, offset: number, callback: TransformCallback): void {
    if (offset >= chunk.length) {
      callback();
      return;
    }
    const sliceBytes = this.pacer.sliceBytes();
    const slice = offset === 0 && sliceBytes >= chunk.length ? chunk : chunk.subarray(offset, offset + sliceBytes);
    const send = () => {
      if (this.destroyed) return;
      this.push(slice);
      this.sendSlices(chunk, offset + slice.length, callback);
    };
    const wait = this.pacer.wait(slice.length);
    if (wait) void wait.then(send);
    else send();
  }
}

/** Bandwidth caps in bytes per second; 0 or absent means unlimited. */
export interface BandwidthLimits {
  /** For the whole share: every session of every protocol together. */
  download?: number;
  upload?: number;
  /** For each session on its own. */
  sessionDownload?: number;
  sessionUpload?: number;
  /** For each device (remote address) on its own: all its sessions of both protocols together. */
  deviceDownload?: number;
  deviceUpload?: number;
}

/** Past this many devices, idle ones' limiters are forgotten (they are rebuilt on their next session). */
const MAX_TRACKED_DEVICES = 1024;

interface DeviceLimiters {
  download: RateLimiter;
  upload: RateLimiter;
}

/**
 * One bandwidth budget for every front-end of a share: FTP and the web page draw from the same
 * server-wide limiters, so a cap holds whichever protocol the bytes take. Each session gets its
 * device's limiters and its own per-session ones on top (`forSession`).
 *
 * The limits can change at any time (`setLimits`): every limiter reads the current limits, so
 * transfers already running follow the new caps at once.
 */
export class BandwidthBudget {
  private current: BandwidthLimits;
  private readonly download = new RateLimiter(() => this.current.download ?? 0);
  private readonly upload = new RateLimiter(() => this.current.upload ?? 0);
  private readonly devices = new Map<string, DeviceLimiters>();

  constructor(limits: BandwidthLimits = {}) {
    this.current = { ...limits };
  }

  /** The caps in force. */
  get limits(): BandwidthLimits {
    return { ...this.current };
  }

  /** Replaces the caps; running transfers follow them (pending waits are rescaled now). */
  setLimits(limits: BandwidthLimits): void {
    this.current = { ...limits };
    // Read now, so waits already promised are rescaled rather than at their next reservation.
    void this.download.bytesPerSecond;
    void this.upload.bytesPerSecond;
    for (const device of this.devices.values()) {
      void device.download.bytesPerSecond;
      void device.upload.bytesPerSecond;
    }
  }

  /**
   * The limiters one session draws from, per direction: the share's, its device's (by
   * `remoteAddress`; without one the session counts as its own device) and its own. Each is
   * unlimited while its cap is 0; they are always there so a cap set later applies.
   */
  forSession(remoteAddress?: string): { download: RateLimiter[]; upload: RateLimiter[] } {
    const device = remoteAddress === undefined ? this.newDevice() : this.deviceFor(remoteAddress);
    return {
      download: [this.download, device.download, new RateLimiter(() => this.current.sessionDownload ?? 0)],
      upload: [this.upload, device.upload, new RateLimiter(() => this.current.sessionUpload ?? 0)],
    };
  }

  private deviceFor(remoteAddress: string): DeviceLimiters {
    const key = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
    let device = this.devices.get(key);
    if (!device) {
      if (this.devices.size >= MAX_TRACKED_DEVICES) this.devices.clear();
      this.devices.set(key, (device = this.newDevice()));
    }
    return device;
  }

  private newDevice(): DeviceLimiters {
    return {
      download: new RateLimiter(() => this.current.deviceDownload ?? 0),
      upload: new RateLimiter(() => this.current.deviceUpload ?? 0),
    };
  }
}
