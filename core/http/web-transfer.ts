/**
 * A download or upload of the web page as the app sees it: the same transfer events as FTP's
 * (started, progress at most `progressEventsPerSecond`, completed or failed), counted into its
 * session, and cancellable by a kick or a stop.
 */
import { randomUUID } from 'node:crypto';
import type { ServerEvents, TransferDirection, TransferInfo } from '../ftp/events.js';
import type { WebSession } from './web-sessions.js';

type Emit = <K extends keyof ServerEvents>(event: K, payload: ServerEvents[K]) => void;

export class WebTransfer {
  readonly id = randomUUID();
  readonly startedAt = Date.now();
  bytes = 0;
  private lastProgressAt = 0;
  private ended = false;

  constructor(
    private readonly session: WebSession,
    private readonly emit: Emit,
    readonly path: string,
    readonly direction: TransferDirection,
    readonly size: number | undefined,
    private readonly progressEventsPerSecond: number,
    /** Stops the bytes (destroys the request or response); the handler then calls `fail`. */
    private readonly stop: (reason: string) => void,
  ) {
    session.transfers.add(this);
    emit('transfer-started', this.info());
  }

  info(): TransferInfo {
    const elapsed = Math.max(1, Date.now() - this.startedAt);
    return {
      transferId: this.id,
      sessionId: this.session.id,
      protocol: 'web',
      path: this.path,
      direction: this.direction,
      bytes: this.bytes,
      ...(this.size !== undefined ? { size: this.size } : {}),
      bytesPerSecond: Math.round((this.bytes * 1000) / elapsed),
      secure: this.session.secure,
    };
  }

  /** Counts bytes moved; reports progress at most `progressEventsPerSecond`. */
  readonly count = (bytes: number): void => {
    this.bytes += bytes;
    if (this.direction === 'download') this.session.bytesOut += bytes;
    else this.session.bytesIn += bytes;
    const now = Date.now();
    this.session.lastSeen = now;
    if (now - this.lastProgressAt >= 1000 / this.progressEventsPerSecond) {
      this.lastProgressAt = now;
      this.emit('transfer-progress', this.info());
    }
  };

  complete(): void {
    if (!this.end()) return;
    this.emit('transfer-completed', { ...this.info(), durationMs: Date.now() - this.startedAt });
  }

  fail(reason: string, aborted = false): void {
    if (!this.end()) return;
    this.emit('transfer-failed', { ...this.info(), durationMs: Date.now() - this.startedAt, reason, aborted });
  }

  /** Kick or stop: ends the bytes at once and reports the transfer failed for `reason`. */
  cancel(reason: string): void {
    this.stop(reason);
    this.fail(reason);
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.session.transfers.delete(this);
    this.session.lastSeen = Date.now();
    return true;
  }
}
