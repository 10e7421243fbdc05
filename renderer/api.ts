/**
 * The window's one door to FTP Share: the Electron preload's `window.ftpShare`, or a WebSocket
 * client of the CLI's local web host speaking the contract's frames.
 *
 * Both expose the same {@link FtpShareApi}. The WebSocket client adds what a network link needs:
 * request ids matched to responses, event dispatch, reconnection with backoff, and a connection
 * status the window shows as a banner. Requests never throw: a lost link resolves them with a
 * failed {@link Result}, like every other error.
 */
import { requestsFromCall } from '../core/share/contract-calls.js';
import type { ClientFrame, FtpShareApi, PushEventName, PushEvents, RequestName, Result, ServerFrame } from '../core/share/contract.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser talking to the CLI's web host. */
    ftpShare?: FtpShareApi | undefined;
  }
}

/** Where the window runs: it decides which host features (native folder picker…) to offer. */
export type HostKind = 'electron' | 'web';

/** The link to FTP Share: `open`, or trying to get (back) there, or knowing it can't. */
export type ConnectionStatus =
  /** `attempt` > 0 when this is a reconnection. */
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  /** The link dropped (or never came up); the next attempt is at `retryAt` (ms since epoch). */
  | { state: 'lost'; retryAt: number; attempt: number }
  /** Nothing answers at the page's address any more: FTP Share has stopped. Still retrying. */
  | { state: 'stopped'; retryAt: number; attempt: number }
  /**
   * FTP Share answers at the page's address again, but with another secret token (a new run of
   * `ftp-share --ui`): this page can never reconnect, the new address must be opened.
   */
  | { state: 'replaced' };

/** What a probe of the page's host found: see {@link pingProbe}. */
export type HostProbe = 'up' | 'gone' | 'replaced';

/** Watches the link's status. The Electron transport is always open. */
export interface ConnectionMonitor {
  get(): ConnectionStatus;
  subscribe(listener: (status: ConnectionStatus) => void): () => void;
  /** Skips the backoff wait and tries again now. */
  retryNow(): void;
}

/** A ready transport: the contract's API, the host kind, and the link's status. */
export interface Transport {
  api: FtpShareApi;
  host: HostKind;
  connection: ConnectionMonitor;
  /** Closes the link for good (tests, page unload). */
  close(): void;
}

/** Tunables of the WebSocket client. */
export interface WebSocketTransportOptions {
  /** `ws://host/ws?token=…`. */
  url: string;
  /** For tests; defaults to the browser's WebSocket. */
  WebSocketImpl?: typeof WebSocket;
  /** First reconnection delay; doubles per failed attempt up to {@link maxBackoffMs}. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A request without an answer after this long fails (the host is wedged or gone). */
  requestTimeoutMs?: number;
  /**
   * Asked after the socket closes, to tell a stopped host from a restarted one (see
   * {@link pingProbe}). Without it every drop is `lost`.
   */
  probe?: () => Promise<HostProbe>;
}

const DEFAULTS = { initialBackoffMs: 300, maxBackoffMs: 5_000, requestTimeoutMs: 60_000 };

/** How long a probe of the host may take before the host counts as gone. */
const PROBE_TIMEOUT_MS = 3_000;

/** The failed result every request gets when the link is down. */
function linkDown(message: string): Result<never> {
  return { ok: false, code: 'internal', message };
}

/** A tiny typed event hub: the `on()` of the WebSocket transport (the preload brings its own). */
class EventHub {
  private readonly listeners = new Map<PushEventName, Set<(payload: never) => void>>();

  on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  emit(event: PushEventName, payload: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: unknown) => void)(payload);
      } catch (err) {
        // One broken listener must not starve the others (or kill the socket's message handler).
        console.error(`ftp-share: listener of "${event}" failed`, err);
      }
    }
  }
}

/** Status monitor with subscribers; shared helper. */
class StatusCell implements ConnectionMonitor {
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();
  constructor(private status: ConnectionStatus, private readonly onRetry: () => void = () => {}) {}
  get(): ConnectionStatus {
    return this.status;
  }
  set(status: ConnectionStatus): void {
    this.status = status;
    for (const listener of [...this.listeners]) listener(status);
  }
  subscribe(listener: (status: ConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  retryNow(): void {
    this.onRetry();
  }
}

interface Pending {
  resolve: (result: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A WebSocket client of the web host.
 *
 * Requests made while the first connection is still opening wait for it; requests made while the
 * link is down fail at once (the UI shows the banner, and buttons should not hang). In-flight
 * requests fail when the socket closes. After a reconnection, the window reloads the whole state
 * (see bindStores in stores/app-stores.ts), since events may have been missed.
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const opts = { ...DEFAULTS, ...options };
  const WS = opts.WebSocketImpl ?? WebSocket;
  const hub = new EventHub();
  const pending = new Map<number, Pending>();
  let queue: ClientFrame[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let everOpened = false;

  const status = new StatusCell({ state: 'connecting', attempt: 0 }, () => {
    const state = status.get().state;
    if (closed || (state !== 'lost' && state !== 'stopped')) return;
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    connect();
  });

  function failAll(message: string): void {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve(linkDown(message));
    }
  }

  function connect(): void {
    // A stopped host stays "stopped" while it is tried again, instead of flickering.
    if (status.get().state !== 'stopped') status.set({ state: 'connecting', attempt });
    let ws: WebSocket;
    try {
      ws = new WS(opts.url);
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      everOpened = true;
      const waiting = queue;
      queue = [];
      for (const frame of waiting) ws.send(JSON.stringify(frame));
      status.set({ state: 'open' });
    };
    ws.onmessage = (message: MessageEvent) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.kind === 'response') {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        clearTimeout(p.timer);
        p.resolve(frame.result);
      } else if (frame.kind === 'event') {
        hub.emit(frame.event, frame.payload);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      failAll('The connection to FTP Share was lost');
      // Requests queued for a first connection that never came fail too.
      const waiting = queue;
      queue = [];
      for (const frame of waiting) {
        const p = pending.get(frame.id);
        if (p) {
          pending.delete(frame.id);
          clearTimeout(p.timer);
          p.resolve(linkDown('Not connected to FTP Share'));
        }
      }
      if (!closed) void afterClose();
    };
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => {};
  }

  /** Finds out why the socket closed (when a probe is given), then retries or gives up. */
  async function afterClose(): Promise<void> {
    if (!opts.probe) return scheduleRetry('lost');
    // While the probe runs, the window already shows the link down and requests fail fast.
    if (status.get().state === 'open') status.set({ state: 'connecting', attempt: attempt + 1 });
    let found: HostProbe;
    try {
      found = await opts.probe();
    } catch {
      found = 'gone';
    }
    if (closed || socket) return;
    if (found === 'replaced') status.set({ state: 'replaced' });
    else scheduleRetry(found === 'gone' ? 'stopped' : 'lost');
  }

  function scheduleRetry(state: 'lost' | 'stopped' = 'lost'): void {
    attempt += 1;
    const base = Math.min(opts.maxBackoffMs, opts.initialBackoffMs * 2 ** (attempt - 1));
    // Jitter so that several windows do not hammer a restarting host in step.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    status.set({ state, retryAt: Date.now() + delay, attempt });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closed) connect();
    }, delay);
  }

  function call(name: RequestName, params: unknown): Promise<Result<unknown>> {
    if (closed) return Promise.resolve(linkDown('Not connected to FTP Share'));
    const state = status.get().state;
    // Before the first connection, wait for it; once it has been lost, fail fast.
    if (state === 'stopped' || state === 'replaced') return Promise.resolve(linkDown('FTP Share has stopped'));
    if (state !== 'open' && (everOpened || state === 'lost')) {
      return Promise.resolve(linkDown('Not connected to FTP Share — reconnecting'));
    }
    const id = nextId++;
    const frame: ClientFrame = { kind: 'request', id, name, params };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        queue = queue.filter((f) => f.id !== id);
        resolve(linkDown(`FTP Share did not answer "${name}" in time`));
      }, opts.requestTimeoutMs);
      pending.set(id, { resolve, timer });
      if (state === 'open' && socket) socket.send(JSON.stringify(frame));
      else queue.push(frame);
    });
  }

  connect();
  return {
    api: { ...requestsFromCall(call), on: (event, listener) => hub.on(event, listener) },
    host: 'web',
    connection: status,
    close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      failAll('Closed');
      socket?.close();
      socket = undefined;
    },
  };
}

/** Wraps an API that is always connected (Electron's preload, or a test's fake). */
export function createDirectTransport(api: FtpShareApi, host: HostKind): Transport {
  return { api, host, connection: new StatusCell({ state: 'open' }), close() {} };
}

/** The web host's WebSocket URL for this page: same host, `/ws`, the page's `token`. */
export function webSocketUrlFor(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/**
 * Asks the page's own host whether it is still the FTP Share that served the page: `GET /ping`
 * answers 204 to the page's token (`up`), 403 to a page of an earlier run (`replaced`: the token
 * is new each run), and nothing at all once the process has stopped (`gone`).
 */
export function pingProbe(
  location: Pick<Location, 'protocol' | 'host' | 'search'>,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): () => Promise<HostProbe> {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol}//${location.host}/ping?token=${encodeURIComponent(token)}`;
  return async () => {
    try {
      const response = await fetchImpl(url, { cache: 'no-store', credentials: 'same-origin', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      return response.status === 403 ? 'replaced' : 'up';
    } catch {
      return 'gone';
    }
  };
}

/** Picks the transport for this window: the preload's API when present, else the web host. */
export function createTransport(): Transport {
  const preload = window.ftpShare;
  if (preload) return createDirectTransport(preload, 'electron');
  return createWebSocketTransport({ url: webSocketUrlFor(window.location), probe: pingProbe(window.location) });
}
