/**
 * The one contract between the app's state (ShareService) and every UI transport: Electron IPC
 * (electron/ipc.ts + preload-api.ts) and the CLI's local web host (core/web/, WebSocket). Types,
 * and the two name lists a transport loops over; it imports only types, so the window (which has
 * no Node) can use it. The transports build their request objects from these names with
 * contract-calls.ts, so a request added here is served and called everywhere or fails to compile.
 *
 * Requests return results, never throw across the boundary (Electron's IPC keeps only an error's
 * message). Events are pushed, batched by the ShareService to at most ~10 pushes a second in total.
 */
import type { ShareSettings, SettingsFieldError } from './settings-types.js';
import type { CandidateAddress } from '../net/address-types.js';
import type { SessionProtocol } from '../ftp/events.js';
import type { ReachabilityReport } from '../net/reachability/types.js';

export type { ReachabilityFinding, ReachabilityReport } from '../net/reachability/types.js';

/** A request's outcome: the value, or a code and a message written for the user. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; fields?: SettingsFieldError[] };

/** Why a request failed. `invalid-settings` carries per-field errors in `fields`. */
export type ErrorCode =
  | 'invalid-settings'
  | 'port-in-use'
  | 'permission-denied'
  | 'folder-unavailable'
  | 'certificate-error'
  | 'not-running'
  | 'already-running'
  | 'not-found'
  | 'unsupported'
  | 'cancelled'
  | 'internal';

/**
 * The highest connection limit (`maxConnections`, `maxConnectionsPerAddress`, the CLI's
 * `--max-connections*`): a typo guard, well past what a LAN share or a benchmark opens. Here, not
 * in settings.ts, because the window checks a typed limit against it before asking to restart.
 */
export const MAX_CONNECTION_LIMIT = 10_000;

/** Lifecycle of the share. */
export type ShareStatus = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

/** A URL clients can use, built from one candidate address. */
export interface ConnectUrl {
  url: string;
  address: string;
  label: string;
  kind: CandidateAddress['kind'];
}

/** Everything the window needs to draw the share's state, as one snapshot. */
export interface ShareState {
  status: ShareStatus;
  /**
   * When status is 'error': what went wrong and how to fix it, for people. `field` names the port
   * at fault when it is one ('port' FTP's, 'webPort' the web page's), so "Use port N" changes the
   * right setting.
   */
  error?: { code: ErrorCode; message: string; fix?: string; suggestedPort?: number; field?: 'port' | 'webPort' };
  /** The listening port while running. */
  port?: number;
  /** The chosen URL (from the advertised or best-ranked address) while running. */
  url?: string;
  /** Every candidate URL, best first. */
  urls: ConnectUrl[];
  /** FTPS certificate, when FTPS is on. */
  tls?: { mode: 'explicit' | 'implicit'; fingerprint256: string; notAfter: string };
  /** Milliseconds since epoch when sharing started. */
  startedAt?: number;
  /** When auto-stop will stop sharing (ms since epoch), if enabled and idle. */
  autoStopAt?: number;
  /**
   * Set after start-up when the settings file was corrupt and defaults were used, or when only
   * the saved password could not be decrypted (`lostPassword`) and a new one replaced it.
   */
  settingsRecovered?: { backupPath: string; reason: string; lostPassword?: true };
  /**
   * The web page for phones and browsers, while it runs: its port, its URLs best first (the same
   * addresses as `urls`), and `signInUrl`, the first URL with the QR code's sign-in token (absent
   * for an anonymous share, or when the QR code is set to the plain address). `secure` when served
   * over HTTPS, with the certificate's fingerprint in `tls`.
   */
  web?: { port: number; urls: ConnectUrl[]; signInUrl?: string; secure: boolean };
  /**
   * The `.local` names the share answers to while it is advertised by name (mDNS): a choice that
   * survives the IP changing, though not every device resolves `.local` names.
   */
  localNames?: { web?: string; ftp?: string };
  /**
   * Where the saved password is kept: encrypted with the OS keychain, or only obfuscated in the
   * settings file (no keychain here: the CLI, or Linux without a secret service). The window says
   * so next to the password. Absent from hosts that don't know.
   */
  passwordStorage?: 'keychain' | 'file';
  sessionCount: number;
}

/** A live FTP session as the sessions table shows it. */
export interface SessionRow {
  sessionId: string;
  /** The front-end: an FTP client, or a browser on the web page. */
  protocol: SessionProtocol;
  /** The program or device, where known ("Safari on iPhone"). */
  client?: string;
  remoteAddress: string;
  user?: string;
  connectedAt: number;
  cwd: string;
  /** What it is doing now: "Downloading /a.mp4", "Idle", "Listing /photos". */
  activity: string;
  secureControl: boolean;
  secureData: boolean;
  bytesIn: number;
  bytesOut: number;
}

/** A transfer, active or finished. */
export interface TransferRow {
  transferId: string;
  sessionId: string;
  protocol: SessionProtocol;
  remoteAddress: string;
  path: string;
  direction: 'download' | 'upload';
  bytes: number;
  size?: number;
  bytesPerSecond: number;
  /** Estimated ms to completion, when size and speed are known. */
  etaMs?: number;
  startedAt: number;
  secure: boolean;
  /** Absent while active. */
  result?: 'done' | 'aborted' | 'failed';
  reason?: string;
  finishedAt?: number;
}

/** Transfers: the active ones and the last 200 finished, newest first. */
export interface TransfersSnapshot {
  active: TransferRow[];
  finished: TransferRow[];
  totals: { downloadedBytes: number; uploadedBytes: number; completed: number; failed: number };
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log line. Never holds a password or key. */
export interface LogEntry {
  id: number;
  time: number;
  level: LogLevel;
  sessionId?: string;
  text: string;
}

/** Certificate details for the FTPS panel. */
export interface CertificateInfo {
  fingerprint256: string;
  notAfter: string;
  subjectAltNames: string[];
  /** Where it is stored, or the user's files when imported. */
  certPath: string;
  keyPath: string;
  generated: boolean;
}

/**
 * Every request: its parameter and its result value. A transport exposes each as
 * `(params) => Promise<Result<value>>`.
 */
export interface Requests {
  /** The whole state, for a window that just opened. */
  getState: { params: void; result: ShareState };
  getSettings: { params: void; result: ShareSettings };
  /**
   * Validates and saves a partial change. Folders, access and read-only apply live: connected
   * sessions stay and follow the change from their next command (or next login). Port, FTPS,
   * passive ports and the connection limits restart a running share, which disconnects everyone:
   * the window asks first. Switching access to anonymous keeps the account in `access.account`.
   */
  updateSettings: { params: Partial<ShareSettings>; result: ShareSettings };
  start: { params: void; result: ShareState };
  stop: { params: void; result: ShareState };
  /** Asks the host for folders (native picker in Electron; `unsupported` in the web host). */
  pickFolders: { params: void; result: string[] };
  /** Adds a folder by path (validated: exists, is a folder, readable). */
  addFolder: { params: { path: string }; result: ShareSettings };
  removeFolder: { params: { path: string }; result: ShareSettings };
  /** Opens a shared folder in the OS file manager (`unsupported` in the web host). */
  openFolder: { params: { path: string }; result: void };
  /** Puts text on the clipboard (Electron); the web UI uses the browser's clipboard instead. */
  copyText: { params: { text: string }; result: void };
  /** Makes a new strong password, saves it, and returns the settings. */
  generatePassword: { params: void; result: ShareSettings };
  getCertificate: { params: void; result: CertificateInfo | null };
  regenerateCertificate: { params: void; result: CertificateInfo };
  importCertificate: { params: { certPath: string; keyPath: string }; result: CertificateInfo };
  /** The next free port from `from` (default: the configured port + 1). */
  findFreePort: { params: { from?: number }; result: number };
  /**
   * "New code": a new sign-in token for the web page's QR code. The old one stops working and the
   * browsers it signed in are signed out.
   */
  newSignInCode: { params: void; result: ShareState };
  listAddresses: { params: void; result: ConnectUrl[] };
  kickSession: { params: { sessionId: string }; result: void };
  getSessions: { params: void; result: SessionRow[] };
  getTransfers: { params: void; result: TransfersSnapshot };
  getLogs: { params: void; result: LogEntry[] };
  clearLogs: { params: void; result: void };
  clearFinishedTransfers: { params: void; result: void };
  /**
   * "Can others reach me?": checks the listener, the address, the route, the ports and the OS
   * firewall (reading only, changing nothing) and returns findings with fixes. `not-running` when
   * not sharing.
   */
  checkReachability: { params: void; result: ReachabilityReport };
}

export type RequestName = keyof Requests;
export type RequestParams<K extends RequestName> = Requests[K]['params'];
export type RequestResult<K extends RequestName> = Requests[K]['result'];

/**
 * Every request name, once. Keyed by name first, so the compiler refuses a request of
 * {@link Requests} left out here (and a name that isn't one).
 */
const REQUEST_KEYS: { readonly [K in RequestName]: true } = {
  getState: true, getSettings: true, updateSettings: true, start: true, stop: true, pickFolders: true,
  addFolder: true, removeFolder: true, openFolder: true, copyText: true, generatePassword: true,
  getCertificate: true, regenerateCertificate: true, importCertificate: true, findFreePort: true,
  newSignInCode: true, listAddresses: true, kickSession: true, getSessions: true, getTransfers: true, getLogs: true,
  clearLogs: true, clearFinishedTransfers: true, checkReachability: true,
};

/** The names of every request, in the contract's order: what each transport serves and calls. */
export const REQUEST_NAMES: readonly RequestName[] = Object.freeze(Object.keys(REQUEST_KEYS) as RequestName[]);

/** Every pushed event and its payload. */
export interface PushEvents {
  state: ShareState;
  settings: ShareSettings;
  sessions: SessionRow[];
  transfers: TransfersSnapshot;
  /** New log lines since the last push (append). */
  log: LogEntry[];
  /** A one-off message for a notification or toast. */
  notice: { level: LogLevel; text: string };
}

export type PushEventName = keyof PushEvents;

/** Every pushed event name, once; keyed first, like {@link REQUEST_KEYS}. */
const PUSH_EVENT_KEYS: { readonly [E in PushEventName]: true } = {
  state: true, settings: true, sessions: true, transfers: true, log: true, notice: true,
};

/** The names of every pushed event: what {@link FtpShareApi.on} accepts. */
export const PUSH_EVENT_NAMES: readonly PushEventName[] = Object.freeze(Object.keys(PUSH_EVENT_KEYS) as PushEventName[]);

/** Receives every pushed event. Payloads are plain JSON data, safe to send over IPC or WebSocket. */
export type PushListener = <E extends PushEventName>(event: E, payload: PushEvents[E]) => void;

/**
 * One function per request. The ShareService implements it, each transport binds it (ipcMain.handle
 * per name, WebSocket frames by name), and the renderer's API exposes it again.
 */
export type RequestFunctions = {
  [K in RequestName]: (params: RequestParams<K>) => Promise<Result<RequestResult<K>>>;
};

/**
 * One request sent through a transport, by name, with its one parameter (`undefined` for a void
 * request): an IPC invoke, a WebSocket frame. `requestsFromCall` (contract-calls.ts) turns it into
 * {@link RequestFunctions}.
 */
export type RequestCall = (name: RequestName, params: unknown) => Promise<Result<unknown>>;

/**
 * What a transport serves: every request, and a subscription to every pushed event (returns its
 * unsubscribe). The ShareService is one; the Electron shell's `ShareBackend` adds a shutdown.
 */
export interface FtpShareBackend extends RequestFunctions {
  onPush(listener: PushListener): () => void;
}

/**
 * What the renderer calls (window.ftpShare from the preload, or the WebSocket client in a browser):
 * one function per request, and a subscription per pushed event that returns its unsubscribe.
 */
export interface FtpShareApi extends RequestFunctions {
  on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void;
}

/** WebSocket frames of the web host (JSON). */
export type ClientFrame = { kind: 'request'; id: number; name: RequestName; params: unknown };
export type ServerFrame =
  | { kind: 'response'; id: number; result: Result<unknown> }
  | { kind: 'event'; event: PushEventName; payload: unknown };
