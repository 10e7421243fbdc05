/**
 * Coalesces the ShareService's changes into few pushes, so the UI gets at most ~10 events a
 * second in total however many transfers run.
 *
 * Changes only mark a kind dirty (state, settings, sessions, transfers) or append to a pending
 * batch (log lines, notices); one timer flushes them, computing each payload then, and sends only
 * the kinds that changed. Two rules bound the rate, counting every event sent (not flushes, so a
 * transport that turns each event into a frame or an IPC message is bounded too):
 * - pacing: after a flush of k events, the next waits k × `intervalMs` (100 ms by default);
 * - a sliding window: never more than `maxEventsPerWindow` events in any `windowMs`.
 * The first change after a quiet period is sent on the next tick, so a click feels immediate.
 */
import type { LogEntry, PushEventName, PushEvents, PushListener } from './contract.js';

export type { PushListener } from './contract.js';

/** The kinds whose payload is a snapshot computed at flush time. */
export type SnapshotKind = 'state' | 'settings' | 'sessions' | 'transfers';

/** Computes the snapshot payloads when a flush sends them. */
export type SnapshotProviders = { [K in SnapshotKind]: () => PushEvents[K] };

/** Options of {@link PushBatcher}. */
export interface PushBatcherOptions {
  /** Minimum spacing per event sent (ms); also the coalescing delay. Default 100. */
  intervalMs?: number;
  /** Most events in any window of `windowMs`. Default 10. */
  maxEventsPerWindow?: number;
  /**
   * Length of the window (ms). Default 1050: 1 s plus a margin, so an observer timing events with
   * another clock (or a millisecond later) still never sees more than the maximum in a second.
   */
  windowMs?: number;
  /** Most log lines held for the next push; older ones are dropped from the push (not the log). */
  maxPendingLogs?: number;
}

/** Notices held for the next pushes at most; the oldest are dropped beyond. */
const MAX_PENDING_NOTICES = 20;

/** The order of a flush: settings before the state that may depend on them, log and notices last. */
const SNAPSHOT_ORDER: SnapshotKind[] = ['settings', 'state', 'sessions', 'transfers'];

/** Batches pushed events; see the module comment. */
export class PushBatcher {
  readonly #providers: SnapshotProviders;
  readonly #intervalMs: number;
  readonly #maxEvents: number;
  readonly #windowMs: number;
  readonly #maxPendingLogs: number;
  readonly #listeners = new Set<PushListener>();
  readonly #dirty = new Set<SnapshotKind>();
  #logs: LogEntry[] = [];
  #notices: PushEvents['notice'][] = [];
  /** When each recent event was sent (ms, monotonic), oldest first; at most maxEvents long. */
  #sent: number[] = [];
  #lastFlushAt = -Infinity;
  #lastFlushSize = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(providers: SnapshotProviders, options: PushBatcherOptions = {}) {
    this.#providers = providers;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#maxEvents = Math.max(1, options.maxEventsPerWindow ?? 10);
    this.#windowMs = options.windowMs ?? 1050;
    this.#maxPendingLogs = options.maxPendingLogs ?? 5000;
  }

  /** Adds a listener; returns its unsubscribe function. */
  subscribe(listener: PushListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Marks a snapshot kind as changed. */
  mark(kind: SnapshotKind): void {
    if (this.#closed) return;
    this.#dirty.add(kind);
    this.#schedule();
  }

  /** Queues log lines for the next push (sent as one appended batch). */
  log(entry: LogEntry): void {
    if (this.#closed) return;
    this.#logs.push(entry);
    if (this.#logs.length > this.#maxPendingLogs) this.#logs.splice(0, this.#logs.length - this.#maxPendingLogs);
    this.#schedule();
  }

  /** Queues a one-off notice. */
  notice(notice: PushEvents['notice']): void {
    if (this.#closed) return;
    this.#notices.push(notice);
    // Notices are rare; a flood of them (a bug, a client hammering) must not queue forever.
    if (this.#notices.length > MAX_PENDING_NOTICES) this.#notices.shift();
    this.#schedule();
  }

  /** Drops pending log lines (after the log was cleared). */
  dropPendingLogs(): void {
    this.#logs = [];
  }

  /** Stops the timer and drops what is pending; nothing is pushed afterwards. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
    this.#dirty.clear();
    this.#logs = [];
    this.#notices = [];
  }

  get #pendingCount(): number {
    return this.#dirty.size + (this.#logs.length > 0 ? 1 : 0) + this.#notices.length;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    const now = performance.now();
    const paced = this.#lastFlushAt + Math.max(1, this.#lastFlushSize) * this.#intervalMs;
    this.#arm(Math.max(0, paced - now));
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#flush(), Math.ceil(delay));
    // Never keeps a process alive on its own (a CLI exiting, a test finishing).
    this.#timer.unref();
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const pending = this.#pendingCount;
    if (pending === 0) return;
    const now = performance.now();
    this.#sent = this.#sent.filter((t) => now - t < this.#windowMs);
    const room = this.#maxEvents - this.#sent.length;
    // Send everything when it fits; a backlog larger than the whole budget goes out in parts.
    const budget = Math.min(pending, this.#maxEvents);
    if (room < budget) {
      // Wait until enough of the oldest events leave the window.
      const oldest = this.#sent[budget - room - 1]!;
      this.#arm(oldest + this.#windowMs - now + 1);
      return;
    }
    let sent = 0;
    const send = <E extends PushEventName>(event: E, payload: PushEvents[E]): void => {
      sent++;
      this.#sent.push(now);
      for (const listener of [...this.#listeners]) {
        try {
          listener(event, payload);
        } catch {
          // A failing transport must not stop the others, nor the service.
        }
      }
    };
    for (const kind of SNAPSHOT_ORDER) {
      if (sent >= budget) break;
      if (!this.#dirty.delete(kind)) continue;
      sendSnapshot(kind, this.#providers, send);
    }
    if (sent < budget && this.#logs.length > 0) {
      const logs = this.#logs;
      this.#logs = [];
      send('log', logs);
    }
    while (sent < budget && this.#notices.length > 0) send('notice', this.#notices.shift()!);
    this.#lastFlushAt = now;
    this.#lastFlushSize = sent;
    if (this.#pendingCount > 0) this.#schedule();
  }
}

function sendSnapshot(
  kind: SnapshotKind,
  providers: SnapshotProviders,
  send: <E extends PushEventName>(event: E, payload: PushEvents[E]) => void,
): void {
  switch (kind) {
    case 'state':
      send('state', providers.state());
      return;
    case 'settings':
      send('settings', providers.settings());
      return;
    case 'sessions':
      send('sessions', providers.sessions());
      return;
    case 'transfers':
      send('transfers', providers.transfers());
      return;
  }
}
