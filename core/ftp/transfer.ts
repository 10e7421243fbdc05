import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import type { Session } from './session.js';
import type { TransferDirection, TransferInfo } from './events.js';
import { DataChannelError, type DataSocket } from './data-channel.js';
import { ThrottleStream, type RateLimiter } from './throttle.js';
import { refusalFor, type Refusal } from './replies.js';
import { isFsError } from '../fs/fs-error.js';

/** What a transfer command asks the runner to do once the data connection is open. */
export interface TransferJob {
  /** Absolute FTP path, for events (listings use the directory). */
  path: string;
  direction: TransferDirection;
  /** Bytes expected, when known. */
  size?: number;
  /** Text of the 150 reply. */
  openingText: string;
  /** Whether this is a file transfer the app should show (listings are not). */
  reported: boolean;
  /** Builds the stream chain between the data socket and the file/listing. */
  connect(socket: DataSocket): { source: Readable; transforms: Array<NodeJS.ReadWriteStream>; sink: Writable; counted: Readable };
  /** Runs after the bytes are all through (upload commit); a throw turns into a refusal. */
  finish?(): Promise<void>;
  /** Runs on any failure (upload abort). */
  fail?(): Promise<void>;
  /** Text of the 226 reply. */
  completedText: string;
}

/**
 * A transfer in progress on one session: counts bytes, reports coalesced progress, enforces the
 * stall timeout, and can be cancelled (ABOR, QUIT, kick, stop).
 */
export class ActiveTransfer {
  readonly id = randomUUID();
  readonly startedAt = Date.now();
  bytes = 0;
  private cancelReason?: string;
  private readonly streams: Array<{ destroy(error?: Error): void }> = [];
  private lastProgressAt = 0;
  private stallTimer?: NodeJS.Timeout;
  private finished!: Promise<void>;
  secure = false;

  constructor(
    private readonly session: Session,
    readonly job: TransferJob,
  ) {}

  /** The transfer as the app sees it. */
  info(): TransferInfo {
    const elapsed = Math.max(1, Date.now() - this.startedAt);
    return {
      transferId: this.id,
      sessionId: this.session.id,
      path: this.job.path,
      direction: this.job.direction,
      bytes: this.bytes,
      ...(this.job.size !== undefined ? { size: this.job.size } : {}),
      bytesPerSecond: Math.round((this.bytes * 1000) / elapsed),
      secure: this.secure,
    };
  }

  get cancelled(): boolean {
    return this.cancelReason !== undefined;
  }

  /** Stops the transfer; the command that runs it replies 426. */
  cancel(reason: string): void {
    if (this.cancelReason !== undefined) return;
    this.cancelReason = reason;
    const error = new Error(reason);
    for (const stream of this.streams) stream.destroy(error);
    // Still waiting for the data connection: stop waiting, or ABOR would hang until the timeout.
    if (this.streams.length === 0) this.session.data.reset();
  }

  /** Resolves once the transfer command has sent its final reply. */
  get done(): Promise<void> {
    return this.finished;
  }

  /** ABOR: cancels and resolves once the transfer command has sent its final reply. */
  async abort(): Promise<void> {
    this.cancel('aborted by client');
    await this.finished;
  }

  /** Runs the whole transfer, replying 150 then 226/426/4xx/5xx. Never throws. */
  run(): Promise<void> {
    this.finished = this.execute();
    return this.finished;
  }

  private async execute(): Promise<void> {
    const { session, job } = this;
    session.transferStarted(this);
    session.reply(150, job.openingText);
    let socket: DataSocket | undefined;
    let outcome: { ok: true } | { ok: false; refusal: Refusal; reason: string };
    try {
      socket = await session.data.open();
      this.streams.push(socket);
      this.secure = socket instanceof tls.TLSSocket;
      if (this.cancelled) throw new Error(this.cancelReason);
      if (job.reported) this.session.server.emit('transfer-started', this.info());
      const { source, transforms, sink, counted } = job.connect(socket);
      this.streams.push(source, sink, ...(transforms as unknown as Array<{ destroy(): void }>));
      counted.on('data', this.count);
      this.armStallTimer();
      await pipeline([source, ...transforms, sink] as unknown as [Readable, Writable]);
      if (this.cancelled) throw new Error(this.cancelReason);
      await job.finish?.();
      outcome = { ok: true };
    } catch (err) {
      outcome = { ok: false, ...this.failureFor(err) };
      await job.fail?.().catch(() => undefined);
    } finally {
      clearTimeout(this.stallTimer);
    }
    if (socket) {
      session.data.release(socket);
      if (outcome.ok) closeGracefully(socket);
      else socket.destroy();
    }
    const durationMs = Date.now() - this.startedAt;
    if (outcome.ok) {
      if (job.reported) session.server.emit('transfer-completed', { ...this.info(), durationMs });
      session.reply(226, job.completedText);
    } else {
      if (job.reported) {
        session.server.emit('transfer-failed', {
          ...this.info(),
          durationMs,
          reason: outcome.reason,
          aborted: this.cancelReason === 'aborted by client',
        });
      }
      session.reply(outcome.refusal.code, outcome.refusal.text);
    }
    session.transferEnded();
  }

  private failureFor(err: unknown): { refusal: Refusal; reason: string } {
    if (this.cancelReason !== undefined) {
      const text = this.cancelReason === 'stalled' ? 'Transfer stalled; aborted' : 'Connection closed; transfer aborted';
      return { refusal: { code: 426, text }, reason: this.cancelReason };
    }
    if (err instanceof DataChannelError) {
      const code = err.code === 'session-not-reused' || err.code === 'tls-failed' ? 522 : 425;
      return { refusal: { code, text: err.message }, reason: err.message };
    }
    if (isFsError(err)) {
      const refusal = refusalFor(err, this.job.direction === 'upload' ? 'write' : 'read');
      return { refusal, reason: err.message };
    }
    return { refusal: { code: 426, text: 'Connection closed; transfer aborted' }, reason: 'data connection lost' };
  }

  private readonly count = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    if (this.job.direction === 'download') this.session.bytesOut += chunk.length;
    else this.session.bytesIn += chunk.length;
    this.armStallTimer();
    if (!this.job.reported) return;
    const now = Date.now();
    if (now - this.lastProgressAt >= 1000 / this.session.server.limits.progressEventsPerSecond) {
      this.lastProgressAt = now;
      this.session.server.emit('transfer-progress', this.info());
    }
  };

  private armStallTimer(): void {
    // Re-arming a timer per chunk is cheap: `refresh` reuses the same timer object.
    if (this.stallTimer) {
      this.stallTimer.refresh();
      return;
    }
    this.stallTimer = setTimeout(() => this.cancel('stalled'), this.session.server.limits.dataStallTimeoutMs);
    this.stallTimer.unref();
  }
}

/** Ends a data socket so the peer sees every byte: TLS sends close_notify before the TCP FIN. */
function closeGracefully(socket: DataSocket): void {
  if (!socket.writableEnded) socket.end();
  const timer = setTimeout(() => socket.destroy(), 5000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.resume(); // drain anything the client still sends so the close is clean
}

/** The throttle for one direction of one session, or nothing when unlimited. */
export function throttleFor(limiters: RateLimiter[], highWaterMark: number): NodeJS.ReadWriteStream[] {
  return limiters.length === 0 ? [] : [new ThrottleStream(limiters, highWaterMark)];
}

/** A readable that yields `lines` lazily, each ended by CRLF (listings over the data connection). */
export function linesStream(lines: AsyncIterable<string>): Readable {
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  (async () => {
    let batch = '';
    for await (const line of lines) {
      batch += line + '\r\n';
      if (batch.length >= 16 * 1024) {
        if (!out.write(batch)) await new Promise<void>((resolve, reject) => {
          out.once('drain', resolve);
          out.once('close', () => reject(new Error('closed')));
        });
        batch = '';
      }
    }
    out.end(batch);
  })().catch((err: Error) => out.destroy(err));
  return out;
}
