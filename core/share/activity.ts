/**
 * Live sessions and transfers, kept from the FTP server's events for the sessions table and the
 * transfers panel.
 *
 * Plain data in, plain rows out: no timers, no I/O. The ShareService feeds events and asks for
 * snapshots when a batched push goes out, so a progress event costs a map update, never a push.
 */
import path from 'node:path';
import type { ServerEvents, SessionProtocol, TransferInfo } from '../ftp/events.js';
import type { SessionSnapshot } from '../ftp/server.js';
import type { SessionRow, TransferRow, TransfersSnapshot } from './contract.js';

/** Finished transfers kept for the panel. */
export const MAX_FINISHED_TRANSFERS = 200;

/** Commands whose activity shows until their final reply. */
const LISTING_COMMANDS = new Set(['LIST', 'NLST', 'MLSD', 'MLST', 'STAT']);

/** Reasons the core gives when the app itself cut a transfer (kick, stop). */
const DELIBERATE_REASONS = new Set(['kicked', 'server stopping', 'server stopped']);

/** True when a transfer ended by someone's choice (ABOR, a kick, a stop): "aborted", not "failed". */
export function endedDeliberately(e: Pick<ServerEvents['transfer-failed'], 'aborted' | 'reason'>): boolean {
  return e.aborted || DELIBERATE_REASONS.has(e.reason);
}

interface SessionState {
  sessionId: string;
  protocol: SessionProtocol;
  client?: string;
  remoteAddress: string;
  user?: string;
  connectedAt: number;
  cwd: string;
  secureControl: boolean;
  secureData: boolean;
  /** A listing in progress ("Listing /photos"), until its final reply. */
  listing?: string;
  bytesIn: number;
  bytesOut: number;
}

/** The argument of LIST/NLST without `ls`-style flags that some clients send (`LIST -la /dir`). */
function listingTarget(cwd: string, argument: string): string {
  const target = argument.replace(/^(?:-[A-Za-z]+\s*)+/, '').trim();
  return target === '' ? cwd : path.posix.resolve(cwd, target);
}

/** Sessions and transfers of the current run. */
export class ActivityTracker {
  readonly #sessions = new Map<string, SessionState>();
  readonly #active = new Map<string, TransferRow>();
  #finished: TransferRow[] = [];
  #totals = { downloadedBytes: 0, uploadedBytes: 0, completed: 0, failed: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  /** Number of open sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Whether a session is known. */
  hasSession(sessionId: string): boolean {
    return this.#sessions.has(sessionId);
  }

  /** The remote address of a session, for log lines. */
  remoteAddressOf(sessionId: string): string | undefined {
    return this.#sessions.get(sessionId)?.remoteAddress;
  }

  sessionOpened(e: ServerEvents['session-opened']): void {
    this.#sessions.set(e.sessionId, {
      sessionId: e.sessionId,
      protocol: e.protocol,
      ...(e.client !== undefined ? { client: e.client } : {}),
      remoteAddress: e.remoteAddress,
      connectedAt: this.now(),
      cwd: '/',
      secureControl: e.secure,
      secureData: e.secure,
      bytesIn: 0,
      bytesOut: 0,
    });
  }

  sessionClosed(e: ServerEvents['session-closed']): void {
    this.#sessions.delete(e.sessionId);
  }

  login(e: ServerEvents['login']): void {
    const s = this.#sessions.get(e.sessionId);
    if (s) s.user = e.user;
  }

  logout(e: ServerEvents['logout']): void {
    const s = this.#sessions.get(e.sessionId);
    if (s) delete s.user;
  }

  sessionChanged(e: ServerEvents['session-changed']): void {
    const s = this.#sessions.get(e.sessionId);
    if (!s) return;
    s.cwd = e.cwd;
    s.secureControl = e.security.control;
    s.secureData = e.security.data;
  }

  /** Returns whether the visible activity changed. */
  command(e: ServerEvents['command']): boolean {
    const s = this.#sessions.get(e.sessionId);
    if (!s || !LISTING_COMMANDS.has(e.command)) return false;
    // STAT without an argument is a status request, not a listing.
    if (e.command === 'STAT' && e.argument.trim() === '') return false;
    s.listing = `Listing ${listingTarget(s.cwd, e.argument)}`;
    return true;
  }

  /** Returns whether the visible activity changed. */
  reply(e: ServerEvents['reply']): boolean {
    const s = this.#sessions.get(e.sessionId);
    // 1xx replies are preliminary ("150 Opening data connection"); anything else ends a command.
    if (!s || s.listing === undefined || e.code < 200) return false;
    delete s.listing;
    return true;
  }

  transferStarted(e: TransferInfo): void {
    const row = this.#row(e);
    this.#active.set(e.transferId, row);
  }

  transferProgress(e: TransferInfo): void {
    const row = this.#active.get(e.transferId) ?? this.#row(e);
    this.#active.set(e.transferId, row);
    this.#update(row, e);
  }

  transferCompleted(e: ServerEvents['transfer-completed']): TransferRow {
    return this.#finish(e, 'done');
  }

  /**
   * A transfer that ended early. "Aborted" is a deliberate stop (the client's ABOR, the user's
   * kick or stop); anything else (a lost connection, a disk error, a stall) "failed".
   */
  transferFailed(e: ServerEvents['transfer-failed']): TransferRow {
    return this.#finish(e, endedDeliberately(e) ? 'aborted' : 'failed', e.reason);
  }

  /** Ends every active transfer (the server stopped and its late events are no longer heard). */
  abortAll(reason: string): void {
    for (const row of [...this.#active.values()]) {
      this.#active.delete(row.transferId);
      this.#record({ ...row, bytesPerSecond: 0, result: 'aborted', reason, finishedAt: this.now() });
    }
    this.#sessions.clear();
  }

  /** Forgets the finished transfers (the totals stay). */
  clearFinished(): void {
    this.#finished = [];
  }

  /**
   * The sessions table. `live` (the server's own snapshot) supplies exact byte counts and the
   * running transfer; sessions it no longer has are left out.
   */
  sessions(live?: SessionSnapshot[]): SessionRow[] {
    const byId = new Map(live?.map((s) => [s.sessionId, s]));
    const rows: SessionRow[] = [];
    for (const s of this.#sessions.values()) {
      const snapshot = byId.get(s.sessionId);
      if (live && !snapshot) continue;
      const transfer = snapshot?.transfer ?? this.#activeOf(s.sessionId);
      let activity: string;
      if (transfer) activity = `${transfer.direction === 'download' ? 'Downloading' : 'Uploading'} ${transfer.path}`;
      else if (s.listing) activity = s.listing;
      else activity = s.user === undefined ? 'Logging in' : 'Idle';
      const row: SessionRow = {
        sessionId: s.sessionId,
        protocol: s.protocol,
        ...(s.client !== undefined ? { client: s.client } : {}),
        remoteAddress: s.remoteAddress,
        connectedAt: s.connectedAt,
        cwd: snapshot?.cwd ?? s.cwd,
        activity,
        secureControl: snapshot?.security.control ?? s.secureControl,
        secureData: snapshot?.security.data ?? s.secureData,
        bytesIn: snapshot?.bytesIn ?? s.bytesIn + (transfer?.direction === 'upload' ? transfer.bytes : 0),
        bytesOut: snapshot?.bytesOut ?? s.bytesOut + (transfer?.direction === 'download' ? transfer.bytes : 0),
      };
      if (s.user !== undefined) row.user = s.user;
      rows.push(row);
    }
    return rows;
  }

  /** The transfers panel: active ones (oldest first), the last finished (newest first), totals. */
  transfers(): TransfersSnapshot {
    return {
      active: [...this.#active.values()].map((r) => ({ ...r })),
      finished: this.#finished.map((r) => ({ ...r })),
      totals: { ...this.#totals },
    };
  }

  #activeOf(sessionId: string): TransferRow | undefined {
    for (const row of this.#active.values()) if (row.sessionId === sessionId) return row;
    return undefined;
  }

  #row(e: TransferInfo): TransferRow {
    const row: TransferRow = {
      transferId: e.transferId,
      sessionId: e.sessionId,
      protocol: e.protocol,
      remoteAddress: this.#sessions.get(e.sessionId)?.remoteAddress ?? '',
      path: e.path,
      direction: e.direction,
      bytes: 0,
      bytesPerSecond: 0,
      startedAt: this.now(),
      secure: e.secure,
    };
    this.#update(row, e);
    return row;
  }

  #update(row: TransferRow, e: TransferInfo): void {
    row.bytes = e.bytes;
    row.bytesPerSecond = e.bytesPerSecond;
    row.secure = e.secure;
    if (e.size !== undefined) row.size = e.size;
    if (row.size !== undefined && e.bytesPerSecond > 0) {
      row.etaMs = Math.max(0, Math.round(((row.size - e.bytes) / e.bytesPerSecond) * 1000));
    } else {
      delete row.etaMs;
    }
  }

  #finish(e: TransferInfo, result: 'done' | 'aborted' | 'failed', reason?: string): TransferRow {
    const row = this.#active.get(e.transferId) ?? this.#row(e);
    this.#active.delete(e.transferId);
    this.#update(row, e);
    delete row.etaMs;
    const s = this.#sessions.get(e.sessionId);
    // Without the server's snapshot, a session's bytes are the sum of its transfers.
    if (s && e.direction === 'download') s.bytesOut += row.bytes;
    else if (s) s.bytesIn += row.bytes;
    const finished: TransferRow = { ...row, result, finishedAt: this.now() };
    if (reason !== undefined) finished.reason = reason;
    this.#record(finished);
    return finished;
  }

  #record(row: TransferRow): void {
    if (row.direction === 'download') this.#totals.downloadedBytes += row.bytes;
    else this.#totals.uploadedBytes += row.bytes;
    if (row.result === 'done') this.#totals.completed++;
    else this.#totals.failed++;
    this.#finished.unshift(row);
    if (this.#finished.length > MAX_FINISHED_TRANSFERS) this.#finished.length = MAX_FINISHED_TRANSFERS;
  }
}
