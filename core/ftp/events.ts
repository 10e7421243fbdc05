import { EventEmitter } from 'node:events';

/**
 * The front-end a session came through. Every front-end reports sessions and transfers in the
 * shapes below, so the activity tables, the log, auto-stop and the tray treat them alike.
 */
export type SessionProtocol = 'ftp' | 'web';

/** Direction of a transfer, from the server's point of view of the file. */
export type TransferDirection = 'download' | 'upload';

/** Where a session's bytes are protected. */
export interface SessionSecurity {
  control: boolean;
  data: boolean;
}

export interface TransferInfo {
  /** Unique per server run. */
  transferId: string;
  sessionId: string;
  protocol: SessionProtocol;
  /** Absolute FTP path. */
  path: string;
  direction: TransferDirection;
  /** Bytes moved so far in this transfer (not counting a REST offset). */
  bytes: number;
  /** Total bytes when known (downloads: file size minus offset). */
  size?: number;
  /** Bytes per second, averaged over the transfer so far. */
  bytesPerSecond: number;
  /** Whether the data connection is encrypted. */
  secure: boolean;
}

/** What a client did to the shared files, besides uploads (those are transfers). */
export type FileChange =
  | { change: 'deleted'; path: string }
  | { change: 'renamed'; from: string; path: string }
  | { change: 'folder-created'; path: string }
  | { change: 'folder-removed'; path: string };

/** A write a session asked for, as named in a refusal. */
export type WriteOperation = 'upload' | 'delete' | 'rename' | 'folder-create' | 'folder-remove' | 'chmod' | 'set-time';

/** Why a client's request was refused, when the person sharing would want to know. */
export type AccessRefusal =
  /** A write while the share (or the account) is read-only. */
  | { reason: 'read-only'; operation: WriteOperation; path: string }
  /** A path the resolver refused (NUL, too long, a name the host can't hold); `path` is as sent. */
  | { reason: 'invalid-path'; path: string; detail: string }
  /** A path whose real location is outside the share (a symlink leading out). */
  | { reason: 'outside-share'; path: string };

/**
 * Every event the server emits, with its payload. Payloads are plain JSON-serialisable objects:
 * they cross IPC and WebSocket unchanged. None ever holds a password or a private key.
 */
export interface ServerEvents {
  listening: { port: number; addresses: string[]; implicitTlsPort?: number };
  stopped: Record<string, never>;
  error: { code: string; message: string };
  /** Something works, but worse than it should (e.g. a TLS library limitation). */
  warning: { code: string; message: string };
  /** `client` names the program or device where the front-end can tell ("Safari on iPhone"). */
  'session-opened': { sessionId: string; protocol: SessionProtocol; remoteAddress: string; remotePort: number; secure: boolean; client?: string };
  'session-closed': { sessionId: string; reason: string };
  login: { sessionId: string; user: string };
  'login-failed': { sessionId: string; user: string; remoteAddress: string };
  /**
   * An address reached the failed-login limit: replies to its sessions that are not logged in now
   * wait `delayMs` (again each time the delay changes). `failures` counts the last `windowMs`.
   */
  'address-throttled': { remoteAddress: string; failures: number; delayMs: number; windowMs: number };
  logout: { sessionId: string; user: string };
  /** A command as received, for the log. The PASS argument is replaced by `***`. */
  command: { sessionId: string; command: string; argument: string };
  reply: { sessionId: string; code: number; text: string };
  'session-changed': { sessionId: string; cwd: string; security: SessionSecurity };
  'transfer-started': TransferInfo;
  'transfer-progress': TransferInfo;
  'transfer-completed': TransferInfo & { durationMs: number };
  'transfer-failed': TransferInfo & { durationMs: number; reason: string; aborted: boolean };
  /** A session changed the shared files (deleted, renamed, made or removed a folder). */
  'file-changed': FileChange & { sessionId: string; remoteAddress: string };
  /** A session's request was refused by read-only or by the path resolver. */
  'access-refused': AccessRefusal & { sessionId: string; remoteAddress: string };
  /** A connection was turned away by a connection limit before it became a session. */
  'connection-refused': { remoteAddress: string; remotePort: number; reason: 'too-many-connections' | 'too-many-from-address'; limit: number };
}

export type ServerEventName = keyof ServerEvents;

/** Every event name, for code that relays or prints them all; the check below keeps it complete. */
export const SERVER_EVENT_NAMES = [
  'listening', 'stopped', 'error', 'warning', 'session-opened', 'session-closed', 'login', 'login-failed', 'address-throttled',
  'logout', 'command', 'reply', 'session-changed', 'transfer-started', 'transfer-progress', 'transfer-completed', 'transfer-failed',
  'file-changed', 'access-refused', 'connection-refused',
] as const satisfies readonly ServerEventName[];

// A name missing from the list above fails to compile here.
type MissingEventNames = Exclude<ServerEventName, (typeof SERVER_EVENT_NAMES)[number]>;
const everyEventNamed: MissingEventNames extends never ? true : MissingEventNames = true;
void everyEventNamed;

/**
 * The typed `on`/`off` of a protocol front-end (FtpServer, WebServer) and its `emit`, which
 * calls each observer in turn: one that throws never breaks a session or a request.
 */
export class ServerEventEmitter {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per observer and event is normal (the app, the log, the tray, auto-stop…).
    this.#emitter.setMaxListeners(0);
  }

  /** Subscribes to one event. */
  on<K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }

  off<K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }

  /** True when someone listens to `event`: a hot path skips building a payload nobody would read. */
  observed(event: ServerEventName): boolean {
    return this.#emitter.listenerCount(event) > 0;
  }

  protected emit<K extends ServerEventName>(event: K, payload: ServerEvents[K]): void {
    // Several events per command: without observers (a bare library server) skip the listener copy.
    if (this.#emitter.listenerCount(event) === 0) return;
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (p: ServerEvents[K]) => void)(payload);
      } catch {
        // A faulty observer must not take a session down.
      }
    }
  }
}
