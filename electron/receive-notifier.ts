/**
 * A desktop notification when files arrive: pure, over the share's transfer snapshots (the
 * `transfers` push), like {@link ShareNotifier} over its states. main.ts shows what it emits with
 * Electron's `Notification`, and "Show in folder" with `shell.showItemInFolder`.
 *
 * An upload that completed (FTP, or the web page: both report the same transfer rows) is
 * announced with its name and the device it came from. Files that arrive within a short window
 * make one notification ("5 files received from 192.168.1.23"), not a burst. The
 * `notifyOnReceive` setting turns it off; uploads that finish meanwhile are still marked seen, so
 * turning it back on announces only new ones.
 */
import path from 'node:path';
import type { TransferRow, TransfersSnapshot } from '../core/share/contract.js';
import { mountNames } from '../core/fs/virtual.js';

/** How long files are gathered into one notification, from the first one. */
export const RECEIVE_GROUP_MS = 3000;

/** A notification about received files. */
export interface ReceiveNotification {
  title: string;
  body: string;
  /** The file to show in its folder ("Show in folder"), when it could be located. */
  showPath?: string;
}

/** One received file, as remembered until its notification is shown. */
interface Received {
  name: string;
  device: string;
  hostPath: string | undefined;
}

/** What the notifier needs to know besides the snapshot. */
export interface ReceiveContext {
  /** The `notifyOnReceive` setting. */
  enabled: boolean;
  /** The shared folders, to find a received file on disk. */
  folders: readonly string[];
  /** The program or device of a session, where known ("Safari on iPhone"). */
  clientOf?(sessionId: string): string | undefined;
}

/** Timers, injectable for tests. */
export interface ReceiveNotifierOptions {
  show(notification: ReceiveNotification): void;
  groupMs?: number;
  platform?: NodeJS.Platform;
  setTimer?(callback: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

/**
 * Where the file at FTP path `ftpPath` is on disk: under the one shared folder, or under the
 * folder whose top-level name (core/fs/virtual.ts's `mountNames`) the path starts with.
 * Undefined when it can't be told (no folders, an unknown mount, a `..` that shouldn't be there).
 */
export function hostPathOf(ftpPath: string, folders: readonly string[], platform: NodeJS.Platform = process.platform): string | undefined {
  const impl = platform === 'win32' ? path.win32 : path.posix;
  const parts = ftpPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..') || folders.length === 0) return undefined;
  if (folders.length === 1) return impl.join(folders[0]!, ...parts);
  const index = mountNames(folders, impl).indexOf(parts[0]!);
  if (index < 0 || parts.length < 2) return undefined;
  return impl.join(folders[index]!, ...parts.slice(1));
}

/** "Safari on iPhone (192.168.1.23)", or the address alone. */
function deviceName(row: TransferRow, client: string | undefined): string {
  const address = row.remoteAddress || 'an unknown address';
  return client ? `${client} (${address})` : address;
}

/** The words of one notification for `files` (at least one). */
export function receiveNotification(files: readonly { name: string; device: string; hostPath?: string | undefined }[]): ReceiveNotification {
  const last = files[files.length - 1]!;
  const devices = [...new Set(files.map((f) => f.device))];
  const from = devices.length === 1 ? devices[0]! : `${devices.length} devices`;
  const showPath = last.hostPath;
  if (files.length === 1) {
    return { title: 'File received', body: `${last.name} from ${from}`, ...(showPath ? { showPath } : {}) };
  }
  const shown = files.slice(0, 3).map((f) => f.name);
  const more = files.length - shown.length;
  return {
    title: `${files.length} files received from ${from}`,
    body: more > 0 ? `${shown.join(', ')} and ${more} more` : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`,
    ...(showPath ? { showPath } : {}),
  };
}

/** Follows the transfer snapshots and shows grouped notifications for completed uploads. */
export class ReceiveNotifier {
  readonly #options: Required<Omit<ReceiveNotifierOptions, 'platform'>> & { platform: NodeJS.Platform };
  readonly #seen = new Set<string>();
  #pending: Received[] = [];
  #timer: unknown;

  constructor(options: ReceiveNotifierOptions) {
    this.#options = {
      groupMs: RECEIVE_GROUP_MS,
      platform: process.platform,
      setTimer: (callback, ms) => setTimeout(callback, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
      ...options,
    };
  }

  /** Marks what already finished as seen, without notifying (the snapshot at start-up). */
  prime(snapshot: TransfersSnapshot): void {
    for (const row of snapshot.finished) this.#seen.add(row.transferId);
  }

  /** Feeds the next snapshot. */
  next(snapshot: TransfersSnapshot, context: ReceiveContext): void {
    const fresh: TransferRow[] = [];
    for (const row of snapshot.finished) {
      if (this.#seen.has(row.transferId)) continue;
      this.#seen.add(row.transferId);
      if (row.direction === 'upload' && row.result === 'done') fresh.push(row);
    }
    // The snapshot keeps the last 200 finished transfers; forget ids that left it.
    if (this.#seen.size > 1000) {
      const kept = new Set(snapshot.finished.map((r) => r.transferId));
      for (const id of this.#seen) if (!kept.has(id)) this.#seen.delete(id);
    }
    if (!context.enabled || fresh.length === 0) return;
    // The snapshot lists the newest first; announce in arrival order.
    for (const row of fresh.reverse()) {
      this.#pending.push({
        name: path.posix.basename(row.path) || row.path,
        device: deviceName(row, context.clientOf?.(row.sessionId)),
        hostPath: hostPathOf(row.path, context.folders, this.#options.platform),
      });
    }
    this.#timer ??= this.#options.setTimer(() => this.flush(), this.#options.groupMs);
  }

  /** Shows what is pending now (the group's time is up, or the app quits). */
  flush(): void {
    if (this.#timer !== undefined) this.#options.clearTimer(this.#timer);
    this.#timer = undefined;
    const files = this.#pending;
    this.#pending = [];
    if (files.length > 0) this.#options.show(receiveNotification(files));
  }

  /** Drops what is pending and stops the timer (on quit). */
  dispose(): void {
    if (this.#timer !== undefined) this.#options.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
  }
}
