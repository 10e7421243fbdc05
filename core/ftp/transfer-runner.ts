import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import type { Session } from './session.js';
import type { TransferDirection, TransferInfo } from './events.js';
import { DataChannelError, type DataSocket } from './data-channel.js';
import { ThrottleStream, type RateLimiter } from '../net/throttle.js';
import { refusalFor, type Refusal } from './replies.js';
import { FsError, isFsError, toFsError } from '../fs/fs-error.js';
import { defaults } from '../defaults.js';

/**
 * errno codes that only the file side of a transfer raises (sockets fail with ECONNRESET, EPIPE,
 * ETIMEDOUT, premature close…). A pipeline rejected with one of these failed on the disk: the
 * client gets the file-system reply (552 disk full, 451 I/O error, 550 permission), not 426.
 */
const FILE_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'ESTALE', 'EBADF', 'EISDIR', 'ENXIO']);

/** Why an upload failed when its client went away before the upload could be confirmed. */
export const CLIENT_GONE = 'client disconnected during upload';

/** What a transfer command asks the runner to do once the data connection is open. */
export type TransferJob = TransferBasics & (StreamedTransfer | PumpedTransfer);

/** Bytes that flow through a chain of streams. */
interface StreamedTransfer {
  /** Builds the stream chain between the data socket and the file/listing. */
  connect(socket: DataSocket): { source: Readable; transforms: Array<NodeJS.ReadWriteStream>; sink: Writable; counted: Readable };
}

/** Bytes moved by a function of the job's own (see core/fs/file-pump.ts). */
interface PumpedTransfer {
  /** Moves every byte to the socket, calling `count` per chunk; ends the socket's writing side. */
  pump(socket: DataSocket, count: (chunk: Buffer) => void): Promise<void>;
}

interface TransferBasics {
  /** Absolute FTP path, for events (listings use the directory). */
  path: string;
  direction: TransferDirection;
  /** Bytes expected, when known. */
  size?: number;
  /** Text of the 150 reply. */
  openingText: string;
  /** Whether this is a file transfer the app should show (listings are not). */
  reported: boolean;
  /**
   * Runs after the bytes are all through (upload commit); a throw turns into a refusal. `confirm`
   * is for the commit to call once the bytes are on disk, just before it makes them visible.
   */
  finish?(confirm: () => Promise<void>): Promise<void>;
  /** Bytes the client announced for an upload (ALLO): fewer is a failed upload. */
  announcedSize?: number;
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
  readonly startedAt = Date.now();
  bytes = 0;
  private cancelReason?: string;
  private readonly streams: Array<{ destroy(error?: Error): void }> = [];
  private lastProgressAt = 0;
  private stallTimer?: NodeJS.Timeout;
  private finished!: Promise<void>;
  /** The upload's data connection ended with a TCP reset reported as a clean end (see `resetByPeer`). */
  private resetSeen = false;
  /** When every byte had arrived (Date.now()). */
  private dataEndedAt = 0;
  secure = false;

  constructor(
    private readonly session: Session,
    readonly job: TransferJob,
  ) {}

  private uuid?: string;

  /** Unique per server run; made when an event first needs it (a bare server reports none). */
  get id(): string {
    return (this.uuid ??= randomUUID());
  }

  /** The transfer as the app sees it, at `now` (Date.now()). */
  info(now = Date.now()): TransferInfo {
    const elapsed = Math.max(1, now - this.startedAt);
    const info: TransferInfo = {
      transferId: this.id,
      sessionId: this.session.id,
      protocol: 'ftp',
      path: this.job.path,
      direction: this.job.direction,
      bytes: this.bytes,
      bytesPerSecond: Math.round((this.bytes * 1000) / elapsed),
      secure: this.secure,
    };
    if (this.job.size !== undefined) info.size = this.job.size;
    return info;
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
      if (job.reported && session.server.observed('transfer-started')) session.server.emit('transfer-started', this.info());
      if (job.direction === 'upload') {
        const data = socket;
        data.once('end', () => {
          if (resetByPeer(data)) this.resetSeen = true;
        });
      }
      this.armStallTimer();
      if ('pump' in job) {
        await job.pump(socket, this.count);
      } else {
        const { source, transforms, sink, counted } = job.connect(socket);
        this.streams.push(source, sink, ...(transforms as unknown as Array<{ destroy(): void }>));
        counted.on('data', this.count);
        await pipeline([source, ...transforms, sink] as unknown as [Readable, Writable]);
      }
      this.dataEndedAt = Date.now();
      if (this.cancelled) throw new Error(this.cancelReason);
      // The client's end of the upload was a reset, not a FIN: the bytes it had not sent yet were
      // thrown away, so what arrived is a truncated file. Committing it would replace the original.
      if (this.resetSeen) throw new Error('data connection reset by the client');
      // A file cut short while it was read (truncated by another program): the client must not
      // take the shorter copy for the whole file. Growing is fine (stream mode ends at EOF).
      if (job.direction === 'download' && job.reported && job.size !== undefined && this.bytes < job.size) {
        throw new FsError('io', 'File changed during transfer; it is shorter than announced');
      }
      await job.finish?.(this.confirmUpload);
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
    const now = Date.now();
    const durationMs = now - this.startedAt;
    if (outcome.ok) {
      if (job.reported && session.server.observed('transfer-completed')) session.server.emit('transfer-completed', { ...this.info(now), durationMs });
      session.reply(226, job.completedText);
    } else {
      if (job.reported) {
        session.server.emit('transfer-failed', {
          ...this.info(now),
          durationMs,
          reason: outcome.reason,
          aborted: this.cancelReason === 'aborted by client',
        });
      }
      session.reply(outcome.refusal.code, outcome.refusal.text);
    }
    session.transferEnded();
  }

  /**
   * The last check before an upload replaces anything: in stream mode the client's close of the
   * data connection is the end of the file, so a killed client (whose kernel closes both
   * connections with a FIN) looks like a finished upload. It is one only if the client is still
   * there to read the 226: the control connection must stay open a moment after the data ended
   * (see `defaults.uploadConfirmMinWaitMs`).
   */
  private readonly confirmUpload = async (): Promise<void> => {
    const wait = Math.min(defaults.uploadConfirmMaxWaitMs, Math.max(defaults.uploadConfirmMinWaitMs, (this.dataEndedAt - this.startedAt) / 10));
    const remaining = this.dataEndedAt + wait - Date.now();
    // Woken early when the session closes; a FIN read but not yet closed shows in clientGone.
    if (remaining > 0 && !this.session.clientGone) await this.session.wait(remaining);
    // The wait ends in the timers phase, before the loop polls sockets: a FIN that arrived during
    // it is read only in the poll phase, which this turn (setImmediate runs after it) lets pass.
    // Under load, checking straight away committed uploads of clients already gone.
    if (!this.session.clientGone) await new Promise((resolve) => setImmediate(resolve));
    if (this.session.clientGone) throw new FsError('io', CLIENT_GONE);
    const announced = this.job.announcedSize;
    if (announced !== undefined && this.bytes < announced) {
      throw new FsError('io', `Upload incomplete: ${this.bytes} of ${announced} announced bytes arrived`);
    }
  };

  private failureFor(err: unknown): { refusal: Refusal; reason: string } {
    // An upload whose client left (its control connection closed, not a kick or a stop) is
    // reported as such, whichever of the two connections broke first.
    const clientLeft = this.cancelReason === undefined || this.cancelReason === 'connection closed';
    if (this.job.direction === 'upload' && this.job.reported && clientLeft && this.session.clientGone) {
      return { refusal: { code: 426, text: 'Connection closed; transfer aborted' }, reason: CLIENT_GONE };
    }
    if (this.cancelReason !== undefined) {
      const text = this.cancelReason === 'stalled' ? 'Transfer stalled; aborted' : 'Connection closed; transfer aborted';
      return { refusal: { code: 426, text }, reason: this.cancelReason };
    }
    if (err instanceof DataChannelError) {
      const code = err.code === 'session-not-reused' || err.code === 'tls-failed' ? 522 : 425;
      return { refusal: { code, text: err.message }, reason: err.message };
    }
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (isFsError(err) || (typeof code === 'string' && FILE_ERRNO.has(code))) {
      const fsError = toFsError(err);
      const refusal = refusalFor(fsError, this.job.direction === 'upload' ? 'write' : 'read');
      return { refusal, reason: fsError.message };
    }
    return { refusal: { code: 426, text: 'Connection closed; transfer aborted' }, reason: 'data connection lost' };
  }

  private readonly count = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    if (this.job.direction === 'download') this.session.bytesOut += chunk.length;
    else this.session.bytesIn += chunk.length;
    this.armStallTimer();
    if (!this.job.reported || !this.session.server.observed('transfer-progress')) return;
    const now = Date.now();
    if (now - this.lastProgressAt >= 1000 / this.session.server.limits.progressEventsPerSecond) {
      this.lastProgressAt = now;
      this.session.server.emit('transfer-progress', this.info(now));
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

/**
 * True when a plain TCP socket whose read side just ended was in fact reset by its peer.
 *
 * libuv reports a reset as a clean end of stream when it arrives together with data (POLLHUP after
 * a partial read, uv__stream_io): without this check an upload cut by a crashing client or a RST
 * looks complete, and its truncated bytes would replace the original with 226. After a FIN the
 * socket is in CLOSE_WAIT and still has a peer; after a reset it is CLOSED and getpeername() fails
 * with ENOTCONN, which is what this reads, at the 'end' event. TLS sockets are left to TLS: a reset
 * there is an error (no close_notify), and a client that sent close_notify delivered every byte
 * whatever follows. Held by test/ftp/transfers.test.ts ('an upload interrupted by a client reset')
 * and test/hardening/faults.test.ts ('RST mid-STOR').
 */
function resetByPeer(socket: DataSocket): boolean {
  if (socket instanceof tls.TLSSocket) return false;
  const handle = (socket as unknown as { _handle?: { getpeername?: (out: object) => number } })._handle;
  if (typeof handle?.getpeername !== 'function') return false;
  return handle.getpeername({}) !== 0;
}

/** Ends a data socket so the peer sees every byte: TLS sends close_notify before the TCP FIN. */
function closeGracefully(socket: DataSocket): void {
  // Already torn down (an upload's client closed first, both FINs exchanged): nothing to flush,
  // and 'close' has passed, so a fallback timer would pin the socket and through its listeners the
  // whole transfer (file handle, streams, session) for 5 s. Held by test/hardening/file-faults.test.ts
  // ('a finished upload is released at once').
  if (socket.destroyed) return;
  if (!socket.writableEnded) socket.end();
  const timer = setTimeout(() => socket.destroy(), 5000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.resume(); // drain anything the client still sends so the close is clean
}

/** The throttle for one direction of one session (a pass-through while its caps are 0), or nothing without limiters. */
export function throttleFor(limiters: RateLimiter[], highWaterMark: number): NodeJS.ReadWriteStream[] {
  return limiters.length === 0 ? [] : [new ThrottleStream(limiters, highWaterMark)];
}
