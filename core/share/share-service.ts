/**
 * The single owner of the app's state: settings, the FTP server's lifecycle, live sessions and
 * transfers, the log, and the batched pushes to whatever UI is attached.
 *
 * Plain Node: the Electron shell and the CLI's web host construct it with their own host
 * capabilities and bind its request methods to their transport (IPC, WebSocket). Every request
 * returns a {@link Result} and never throws; failures carry a code and a message written for
 * people. Changes reach the UI as pushes coalesced by {@link PushBatcher} (at most ~10 a second
 * in total, however many transfers run).
 *
 * Lifecycle operations (start, stop, settings changes that restart the server, certificate
 * changes) run one at a time, in call order, so two clicks never race two servers.
 *
 * Longer than our other modules because it is the facade of every request in the contract, each
 * a few lines that delegate: starting is share-assembly.ts's, live changes live-settings.ts's,
 * the activity tables activity-wiring.ts's, the idle stop auto-stop.ts's, the URLs
 * connect-urls.ts's, the certificate files certificate-files.ts's.
 */
import path from 'node:path';
import type { FtpServerOptions } from '../ftp/options.js';
import type { ServerEvents } from '../ftp/events.js';
import { escapeForLog } from '../ftp/replies.js';
import { isCertificateError, regenerateCertificate } from '../tls/index.js';
import type { CandidateAddress } from '../net/address-types.js';
import { ftpUrl, webUrl } from '../net/urls.js';
import { checkReachability, type ReachabilityReport } from '../net/reachability.js';
import type {
  CertificateInfo,
  ConnectUrl,
  ErrorCode,
  LogEntry,
  LogLevel,
  RequestFunctions,
  Result,
  SessionRow,
  ShareState,
  ShareStatus,
  TransfersSnapshot,
} from './contract.js';
import {
  DEFAULT_USERNAME,
  accountsOf,
  generatePassword,
  validateSettings,
  withoutUnsharedFolders,
  type AccessSettings,
  type SettingsFieldError,
  type ShareSettings,
} from './settings.js';
import type { SettingsRecovery, SettingsStore } from './settings-store.js';
import { ActivityTracker } from './activity.js';
import { LogBuffer, Redactor } from './log-buffer.js';
import { PushBatcher, type PushBatcherOptions, type PushListener } from './push-batcher.js';
import { checkFolder } from './folders.js';
import { findFreePort } from './ports.js';
import { startShare, type RunningShare, type StartFailure, type WebSpec } from './share-assembly.js';
import { applyAccess, applyBandwidth, applyFolders, applyMdns, applyReadOnly, bandwidthLimits, describeFolders, keepAccount, shareAccess, type AppliedChange } from './live-settings.js';
import { narrate, type ServerEventSource } from './narration.js';
import { wireActivity } from './activity-wiring.js';
import { AutoStopTimer } from './auto-stop.js';
import { connectUrls, webConnectUrls } from './connect-urls.js';
import { systemAddressSource, type AddressSource } from './address-source.js';
import { clearImportMarker, importCertificateFiles, readStoredCertificate } from './certificate-files.js';

export type { PushListener } from './push-batcher.js';

/**
 * What only the host can do (a native folder picker, the OS file manager, the clipboard). The
 * Electron shell provides them; absent ones answer `unsupported`.
 */
export interface ShareHost {
  /** Shows a folder picker; resolves the chosen absolute paths ([] when cancelled). */
  pickFolders?(): Promise<string[]>;
  /** Opens a folder in the OS file manager. Only shared folders are ever passed. */
  openFolder?(folder: string): Promise<void>;
  /** Puts text on the clipboard. */
  copyText?(text: string): Promise<void>;
}

/** Dependencies and knobs of a {@link ShareService}. */
export interface ShareServiceOptions {
  /** Loads and saves the settings. */
  settingsStore: SettingsStore;
  /** Where the generated (or imported) FTPS certificate is kept. */
  certificateDir: string;
  /** Host capabilities (Electron); absent ones answer `unsupported`. */
  host?: ShareHost;
  /** Candidate addresses; defaults to {@link systemAddressSource}. */
  addressSource?: AddressSource;
  /** Clock for timestamps (ms since epoch). */
  now?: () => number;
  /**
   * Server options that win over the settings: tests bind `{ host: '127.0.0.1', port: 0 }`
   * (settings can't hold port 0) or set bandwidth limits.
   */
  serverOverrides?: Partial<Omit<FtpServerOptions, 'authorizer' | 'tls'>>;
  /**
   * Web page options that win over the settings (`port: 0` in tests). The page listens on
   * `serverOverrides.host` and takes its connection caps unless set here. Absent: `{ port: 0 }`
   * when `serverOverrides.port` is 0, so a test that binds free ports never binds 8080.
   */
  webOverrides?: WebSpec;
  /** Length of one auto-stop "minute" in ms (tests shorten it). Default 60000. */
  autoStopUnitMs?: number;
  /** For messages that differ per OS (tests). Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Push pacing (tests). */
  batching?: PushBatcherOptions;
  /** Log ring size. Default 5000. */
  logCapacity?: number;
}

/**
 * Settings whose change needs the running server restarted (which drops every session): the
 * listeners, their connection limits (the FTP server sizes its listener by them at start) and
 * TLS. Folders, access, read-only and mDNS apply live (see #applyLive and
 * live-settings.ts); the window asks before a change that restarts while people are connected.
 * Of `web`, only `enabled` and `port` restart (see {@link restartingChanges}); `qrSignIn` only
 * changes the state.
 */
const RESTART_KEYS: (keyof ShareSettings)[] = ['port', 'ftps', 'requireTls', 'passivePorts', 'maxConnections', 'maxConnectionsPerAddress', 'web'];

/** The changed keys that count for a restart: `web` only when its listener (on/off, port) changed. */
function restartingChanges(changed: readonly (keyof ShareSettings)[], previous: ShareSettings, next: ShareSettings): (keyof ShareSettings)[] {
  return changed.filter((key) => key !== 'web' || previous.web.enabled !== next.web.enabled || previous.web.port !== next.web.port);
}

/** Settings a share is built from: a failed start is tried again when one of them changes. */
const SERVER_KEYS: (keyof ShareSettings)[] = [...RESTART_KEYS, 'folders', 'access'];

/** Longest text accepted by copyText (a URL or a password, never a file). */
const MAX_COPY_TEXT = 64 * 1024;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

function fail<T = never>(code: ErrorCode, message: string, fields?: SettingsFieldError[]): Result<T> {
  return fields && fields.length > 0 ? { ok: false, code, message, fields } : { ok: false, code, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringParam(params: unknown, key: string): string | undefined {
  if (!isRecord(params)) return undefined;
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

/** The ShareService; see the module comment. */
export class ShareService implements RequestFunctions {
  readonly #store: SettingsStore;
  readonly #certificateDir: string;
  readonly #host: ShareHost;
  readonly #addresses: AddressSource;
  readonly #now: () => number;
  readonly #overrides: Partial<Omit<FtpServerOptions, 'authorizer' | 'tls'>>;
  readonly #webOverrides: WebSpec;
  readonly #platform: NodeJS.Platform;
  readonly #activity: ActivityTracker;
  readonly #logs: LogBuffer;
  readonly #redactor = new Redactor();
  readonly #batcher: PushBatcher;
  readonly #ready: Promise<void>;

  #settings!: ShareSettings;
  #recovered: SettingsRecovery | undefined;
  #status: ShareStatus = 'stopped';
  #error: ShareState['error'];
  /** The running share: its file system and authorizer take changes that need no restart. */
  #share: RunningShare | undefined;
  /** Whether the running share has allowed writes at some point (for "allowed again"). */
  #wasWritable = false;
  #detachShare: (() => void) | undefined;
  #startedAt: number | undefined;
  #candidates: CandidateAddress[] = [];
  #watcher: { close(): void } | undefined;
  readonly #autoStop: AutoStopTimer;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ShareServiceOptions) {
    this.#store = options.settingsStore;
    this.#certificateDir = options.certificateDir;
    this.#host = options.host ?? {};
    this.#addresses = options.addressSource ?? systemAddressSource;
    this.#now = options.now ?? Date.now;
    this.#overrides = options.serverOverrides ?? {};
    this.#webOverrides = options.webOverrides ?? (this.#overrides.port === 0 ? { port: 0 } : {});
    this.#autoStop = new AutoStopTimer({
      unitMs: options.autoStopUnitMs ?? 60_000,
      now: this.#now,
      onChange: () => this.#batcher.mark('state'),
      onExpire: (minutes) => void this.#stopForIdle(minutes),
    });
    this.#platform = options.platform ?? process.platform;
    this.#activity = new ActivityTracker(this.#now);
    this.#logs = new LogBuffer(options.logCapacity);
    this.#batcher = new PushBatcher(
      {
        state: () => this.#state(),
        settings: () => this.#settingsCopy(),
        sessions: () => this.#sessionRows(),
        transfers: () => this.#activity.transfers(),
      },
      options.batching,
    );
    this.#ready = this.#load();
  }

  /** Resolves once the settings are loaded. Requests wait for it by themselves. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Subscribes to pushed events (state, settings, sessions, transfers, log batches, notices).
   * Returns the unsubscribe function. A listener that throws is ignored.
   */
  onPush(listener: PushListener): () => void {
    return this.#batcher.subscribe(listener);
  }

  /** Same as {@link close} (the Electron shell's name for it). */
  shutdown(): Promise<void> {
    return this.close();
  }

  /** Stops sharing and every timer; the service answers nothing useful afterwards. */
  async close(): Promise<void> {
    await this.#serial(async () => {
      if (this.#share) await this.#stopLocked('the app is closing');
      this.#closed = true;
      this.#autoStop.clear();
      this.#batcher.close();
    }).catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  getState(): Promise<Result<ShareState>> {
    return this.#request(async () => ok(this.#state()));
  }

  getSettings(): Promise<Result<ShareSettings>> {
    return this.#request(async () => ok(this.#settingsCopy()));
  }

  updateSettings(params: Partial<ShareSettings>): Promise<Result<ShareSettings>> {
    return this.#request(() =>
      this.#serial(async () => {
        if (!isRecord(params)) return fail('invalid-settings', 'Settings must be an object', [{ field: '', message: 'Settings must be an object' }]);
        const merged: Record<string, unknown> = { ...this.#settings, ...params };
        // The format version is ours to set.
        merged['version'] = 1;
        merged['access'] = keepAccount(merged['access'], this.#settings.access);
        // Folders that stop being shared leave the accounts that saw them (unless the request
        // names the accounts itself, which are then checked as given).
        if (Array.isArray(merged['folders']) && !('access' in params)) {
          merged['access'] = withoutUnsharedFolders(this.#settings.access, merged['folders'] as string[]);
        }
        const folders = merged['folders'];
        if (Array.isArray(folders)) {
          for (const [i, folder] of folders.entries()) {
            if (typeof folder !== 'string' || !path.isAbsolute(folder) || this.#settings.folders.includes(folder)) continue;
            const problem = await checkFolder(folder, this.#platform);
            if (problem) return fail(problem.code, problem.message, [{ field: `folders[${i}]`, message: problem.message }]);
          }
        }
        return this.#applySettings(merged);
      }),
    );
  }

  start(): Promise<Result<ShareState>> {
    return this.#request(() => this.#serial(() => this.#startLocked()));
  }

  stop(): Promise<Result<ShareState>> {
    return this.#request(() =>
      this.#serial(async () => {
        if (!this.#share) {
          if (this.#status !== 'error') return fail('not-running', 'Sharing is not running');
          this.#error = undefined;
          this.#setStatus('stopped');
          return ok(this.#state());
        }
        await this.#stopLocked('stopped by you');
        return ok(this.#state());
      }),
    );
  }

  pickFolders(): Promise<Result<string[]>> {
    return this.#request(async () => {
      if (!this.#host.pickFolders) return fail('unsupported', 'Choosing folders needs the desktop app; type the folder\'s path instead');
      const picked = await this.#host.pickFolders();
      return ok(picked.filter((p) => typeof p === 'string'));
    });
  }

  addFolder(params: { path: string }): Promise<Result<ShareSettings>> {
    return this.#request(() =>
      this.#serial(async () => {
        const raw = stringParam(params, 'path');
        if (raw === undefined || raw.trim() === '') return fail('invalid-settings', 'Give the folder\'s path', [{ field: 'path', message: 'Folder path can\'t be empty' }]);
        if (raw.includes('\0') || !path.isAbsolute(raw)) {
          return fail('invalid-settings', `Folder path must be absolute: ${raw}`, [{ field: 'path', message: 'Folder path must be absolute' }]);
        }
        const folder = path.resolve(raw);
        if (this.#settings.folders.includes(folder)) return ok(this.#settingsCopy());
        const problem = await checkFolder(folder, this.#platform);
        if (problem) return fail(problem.code, problem.message, [{ field: 'path', message: problem.message }]);
        return this.#applySettings({ ...this.#settings, folders: [...this.#settings.folders, folder] });
      }),
    );
  }

  removeFolder(params: { path: string }): Promise<Result<ShareSettings>> {
    return this.#request(() =>
      this.#serial(async () => {
        const raw = stringParam(params, 'path');
        const folder = raw === undefined ? undefined : this.#settings.folders.find((f) => f === raw || (path.isAbsolute(raw) && f === path.resolve(raw)));
        if (folder === undefined) return fail('not-found', 'That folder is not shared');
        const folders = this.#settings.folders.filter((f) => f !== folder);
        return this.#applySettings({ ...this.#settings, folders, access: withoutUnsharedFolders(this.#settings.access, folders) });
      }),
    );
  }

  openFolder(params: { path: string }): Promise<Result<void>> {
    return this.#request(async () => {
      if (!this.#host.openFolder) return fail('unsupported', 'Opening folders needs the desktop app');
      const folder = stringParam(params, 'path');
      // Only shared folders: the UI must not become a way to open arbitrary paths.
      if (folder === undefined || !this.#settings.folders.includes(folder)) return fail('not-found', 'That folder is not shared');
      await this.#host.openFolder(folder);
      return ok(undefined);
    });
  }

  copyText(params: { text: string }): Promise<Result<void>> {
    return this.#request(async () => {
      if (!this.#host.copyText) return fail('unsupported', 'Copying needs the desktop app; the browser copies by itself');
      const text = stringParam(params, 'text');
      if (text === undefined || text.length > MAX_COPY_TEXT) return fail('invalid-settings', 'Nothing to copy');
      await this.#host.copyText(text);
      return ok(undefined);
    });
  }

  generatePassword(): Promise<Result<ShareSettings>> {
    return this.#request(() =>
      this.#serial(() => {
        // The first account's password; its rights and the other accounts stay as they are.
        const access = this.#settings.access;
        const { mode: _mode, ...accounts } = access.mode === 'password' ? access : { mode: 'password', ...(access.account ?? { username: DEFAULT_USERNAME }) };
        return this.#applySettings({ ...this.#settings, access: { mode: 'password', ...accounts, password: generatePassword() } });
      }),
    );
  }

  getCertificate(): Promise<Result<CertificateInfo | null>> {
    return this.#request(async () => {
      try {
        return ok(await readStoredCertificate(this.#certificateDir));
      } catch (err) {
        if (isCertificateError(err)) return fail('certificate-error', this.#redactor.redact(err.message));
        throw err;
      }
    });
  }

  regenerateCertificate(): Promise<Result<CertificateInfo>> {
    return this.#request(() =>
      this.#serial(async () => {
        let info: CertificateInfo;
        try {
          await regenerateCertificate(this.#certificateDir);
          await clearImportMarker(this.#certificateDir);
          const stored = await readStoredCertificate(this.#certificateDir);
          if (!stored) return fail('certificate-error', 'The new certificate could not be read back');
          info = stored;
        } catch (err) {
          if (isCertificateError(err)) return fail('certificate-error', this.#redactor.redact(err.message));
          throw err;
        }
        this.#log('info', `Made a new FTPS certificate (SHA-256 ${info.fingerprint256})`);
        await this.#restartForCertificate();
        return ok(info);
      }),
    );
  }

  importCertificate(params: { certPath: string; keyPath: string }): Promise<Result<CertificateInfo>> {
    return this.#request(() =>
      this.#serial(async () => {
        const certPath = stringParam(params, 'certPath');
        const keyPath = stringParam(params, 'keyPath');
        const fields: SettingsFieldError[] = [];
        if (!certPath) fields.push({ field: 'certPath', message: 'Choose the certificate file' });
        if (!keyPath) fields.push({ field: 'keyPath', message: 'Choose the private key file' });
        if (!certPath || !keyPath) return fail('invalid-settings', 'Choose a certificate file and its private key file', fields);
        let info: CertificateInfo;
        try {
          info = await importCertificateFiles(this.#certificateDir, certPath, keyPath);
        } catch (err) {
          if (isCertificateError(err)) return fail('certificate-error', this.#redactor.redact(err.message));
          throw err;
        }
        this.#log('info', `Imported the FTPS certificate ${info.certPath} (SHA-256 ${info.fingerprint256})`);
        await this.#restartForCertificate();
        return ok(info);
      }),
    );
  }

  findFreePort(params: { from?: number }): Promise<Result<number>> {
    return this.#request(async () => {
      const from = isRecord(params) && params['from'] !== undefined ? params['from'] : this.#settings.port + 1;
      if (typeof from !== 'number' || !Number.isInteger(from) || from < 1 || from > 65535) {
        return fail('invalid-settings', 'The port to start from must be between 1 and 65535', [{ field: 'from', message: 'Port must be between 1 and 65535' }]);
      }
      const port = await this.#freePort(from);
      return port === undefined ? fail('port-in-use', `No free port found from ${from}`) : ok(port);
    });
  }

  newSignInCode(): Promise<Result<ShareState>> {
    return this.#request(async () => {
      const web = this.#share?.web;
      if (!web) return fail('not-running', 'The web page is not running');
      web.rotateSignInToken();
      this.#log('info', 'New sign-in code: the old QR code no longer signs in, and the browsers it signed in are signed out');
      this.#batcher.mark('state');
      this.#batcher.mark('sessions');
      return ok(this.#state());
    });
  }

  listAddresses(): Promise<Result<ConnectUrl[]>> {
    return this.#request(async () => {
      await this.#refreshCandidates();
      return ok(this.#urls());
    });
  }

  kickSession(params: { sessionId: string }): Promise<Result<void>> {
    return this.#request(async () => {
      const sessionId = stringParam(params, 'sessionId');
      if (!this.#share) return fail('not-running', 'Sharing is not running');
      if (sessionId === undefined || !this.#share.kick(sessionId)) return fail('not-found', 'That connection has already ended');
      this.#log('info', `You disconnected ${this.#activity.remoteAddressOf(sessionId) ?? 'a client'}`, sessionId);
      return ok(undefined);
    });
  }

  getSessions(): Promise<Result<SessionRow[]>> {
    return this.#request(async () => ok(this.#sessionRows()));
  }

  getTransfers(): Promise<Result<TransfersSnapshot>> {
    return this.#request(async () => ok(this.#activity.transfers()));
  }

  getLogs(): Promise<Result<LogEntry[]>> {
    return this.#request(async () => ok(this.#logs.entries()));
  }

  clearLogs(): Promise<Result<void>> {
    return this.#request(async () => {
      this.#logs.clear();
      this.#batcher.dropPendingLogs();
      return ok(undefined);
    });
  }

  clearFinishedTransfers(): Promise<Result<void>> {
    return this.#request(async () => {
      this.#activity.clearFinished();
      this.#batcher.mark('transfers');
      return ok(undefined);
    });
  }

  /** "Can others reach me?" about the address shown (the QR code's) and the running ports (core/net/reachability.ts). */
  checkReachability(): Promise<Result<ReachabilityReport>> {
    return this.#request(async () => {
      const share = this.#share;
      if (!share) return fail('not-running', 'Sharing is not running');
      await this.#refreshCandidates();
      const shown = this.#urls()[0];
      return ok(
        await checkReachability({
          ...(shown && shown.kind !== 'loopback' ? { address: shown.address } : {}),
          ports: { ftp: share.listening.port, ...(share.web ? { web: share.web.port } : {}) },
          listeningAddresses: share.listening.addresses,
          candidates: this.#candidates,
        }),
      );
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  /** Waits for the settings, runs a request, and turns anything thrown into an `internal` result. */
  async #request<T>(run: () => Promise<Result<T>>): Promise<Result<T>> {
    try {
      await this.#ready;
      if (this.#closed) return fail('unsupported', 'FTP Share is closing');
      return await run();
    } catch (err) {
      const message = this.#redactor.redact(`Something went wrong: ${(err as Error)?.message ?? String(err)}`);
      this.#log('error', message);
      return fail('internal', message);
    }
  }

  /** Runs lifecycle operations one at a time, in call order. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<void> {
    try {
      const loaded = await this.#store.load();
      this.#settings = loaded.settings;
      this.#recovered = loaded.recovered;
      if (loaded.recovered) this.#log('warn', `Settings were reset: ${loaded.recovered.reason} A copy of the old file is in ${loaded.recovered.backupPath}`);
    } catch (err) {
      const result = validateSettings({});
      if (!result.ok) throw new Error('default settings are invalid');
      this.#settings = result.value;
      this.#log('error', `The settings could not be loaded (${(err as NodeJS.ErrnoException).code ?? 'error'}); defaults are used and may not be saved.`);
    }
    this.#addSecrets(this.#settings.access);
    // Addresses come in the background: route detection may take a moment on macOS and Windows.
    void this.#refreshCandidates().then(() => this.#batcher.mark('state'));
  }

  #log(level: LogLevel, text: string, sessionId?: string): void {
    if (this.#closed) return;
    // Client-sent text (arguments, user and file names) is escaped: one entry is one line.
    const entry = this.#logs.add(level, escapeForLog(this.#redactor.redact(text)), this.#now(), sessionId);
    this.#batcher.log(entry);
  }

  #notice(level: LogLevel, text: string): void {
    this.#batcher.notice({ level, text: this.#redactor.redact(text) });
  }

  #setStatus(status: ShareStatus): void {
    this.#status = status;
    this.#batcher.mark('state');
  }

  #settingsCopy(): ShareSettings {
    return structuredClone(this.#settings);
  }

  #sessionRows(): SessionRow[] {
    return this.#activity.sessions(this.#share?.sessions());
  }

  #currentPort(): number {
    return this.#share?.listening.port ?? this.#settings.port;
  }

  /**
   * Validates, saves and applies new settings; restarts a running (or failed) share when a
   * setting the server depends on changed, and applies the others live.
   */
  async #applySettings(candidate: unknown): Promise<Result<ShareSettings>> {
    const validation = validateSettings(candidate);
    if (!validation.ok) {
      const message = validation.errors.map((e) => e.message).join('; ');
      return fail('invalid-settings', message, validation.errors);
    }
    const next = validation.value;
    try {
      await this.#store.save(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail('internal', `The settings could not be saved${code ? ` (${code})` : ''}`);
    }
    const previous = this.#settings;
    this.#settings = next;
    this.#addSecrets(next.access);
    const changed = (Object.keys(next) as (keyof ShareSettings)[]).filter(
      (key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]),
    );
    for (const key of ['passivePorts', 'advertisedAddress'] as const) {
      if (previous[key] !== undefined && next[key] === undefined) changed.push(key);
    }
    this.#batcher.mark('settings');
    this.#batcher.mark('state');
    if (changed.length === 0) return ok(this.#settingsCopy());
    // Names only: values may be secret (the password) and are in the settings panel anyway.
    this.#log('info', `Settings changed: ${changed.join(', ')}`);
    const restarting = restartingChanges(changed, previous, next);
    const restart =
      this.#status === 'running'
        ? restarting.some((key) => RESTART_KEYS.includes(key))
        : this.#status === 'error' && restarting.some((key) => SERVER_KEYS.includes(key));
    if (restart) {
      if (this.#share) await this.#stopLocked('settings changed', true);
      await this.#startLocked();
    } else {
      await this.#applyLive(changed);
      if (changed.includes('autoStopMinutes')) this.#updateAutoStop(true);
    }
    return ok(this.#settingsCopy());
  }

  /** Every account's password (the kept ones too) is taken out of every log line and notice. */
  #addSecrets(access: AccessSettings): void {
    const accounts = access.mode === 'password' ? accountsOf(access) : access.account ? accountsOf({ mode: 'password', ...access.account }) : [];
    for (const account of accounts) this.#redactor.addSecret(account.password);
  }

  /** Applies folders, access and read-only to the running share (see live-settings.ts). */
  async #applyLive(changed: readonly (keyof ShareSettings)[]): Promise<void> {
    const share = this.#share;
    if (!share) return;
    const settings = this.#settings;
    const applied: (AppliedChange | undefined)[] = [];
    if (changed.includes('folders')) {
      if (settings.folders.length === 0) {
        await this.#stopLocked('no folder is shared any more');
        return;
      }
      applied.push(applyFolders(share, settings.folders));
    }
    if (changed.includes('access')) applied.push(applyAccess(share, settings.access, this.#activity.sessionCount));
    if (changed.includes('readOnly')) {
      applied.push(applyReadOnly(share, settings.readOnly, this.#wasWritable));
      if (!settings.readOnly) this.#wasWritable = true;
    }
    if (changed.includes('mdns')) applied.push(await applyMdns(share, settings.mdns));
    if (changed.includes('bandwidth')) applied.push(applyBandwidth(share, settings.bandwidth, this.#overrides.bandwidth));
    for (const change of applied) {
      if (!change) continue;
      this.#log('info', change.log);
      if (change.notice !== undefined) this.#notice('info', change.notice);
    }
  }

  async #restartForCertificate(): Promise<void> {
    if (this.#share && this.#settings.ftps !== 'off') {
      await this.#stopLocked('the certificate changed', true);
      await this.#startLocked();
    }
  }

  async #freePort(from: number): Promise<number | undefined> {
    const options: Parameters<typeof findFreePort>[1] = {};
    if (this.#overrides.host !== undefined) options.host = this.#overrides.host;
    if (this.#settings.passivePorts) options.exclude = this.#settings.passivePorts;
    return findFreePort(from, options);
  }

  #failStart<T>(failure: StartFailure): Result<T> {
    const message = this.#redactor.redact(failure.message);
    this.#error = { code: failure.code, message };
    if (failure.fix !== undefined) this.#error.fix = failure.fix;
    if (failure.suggestedPort !== undefined) this.#error.suggestedPort = failure.suggestedPort;
    if (failure.field === 'port' || failure.field === 'webPort') this.#error.field = failure.field;
    this.#setStatus('error');
    this.#log('error', `Sharing could not start: ${message}`);
    const fields = failure.code === 'invalid-settings' && failure.field === 'folders' ? [{ field: 'folders', message: 'Add at least one folder' }] : undefined;
    return fail(failure.code, message, fields);
  }

  async #startLocked(): Promise<Result<ShareState>> {
    if (this.#share) return fail('already-running', 'Sharing is already running');
    this.#error = undefined;
    this.#setStatus('starting');
    const settings = this.#settings;
    const started = await startShare(
      {
        folders: settings.folders,
        readOnly: settings.readOnly,
        access: shareAccess(settings.access),
        ...(settings.ftps !== 'off' ? { ftps: { mode: settings.ftps, requireTls: settings.requireTls, certificate: { dir: this.#certificateDir } } } : {}),
        ftp: {
          port: settings.port,
          ...(settings.passivePorts ? { passivePorts: settings.passivePorts } : {}),
          // For the web page too (the share assembly passes them on).
          maxConnections: settings.maxConnections,
          maxConnectionsPerIp: settings.maxConnectionsPerAddress,
          ...this.#overrides,
          // Caps the overrides fix (tests) win over the settings' ones.
          bandwidth: { ...bandwidthLimits(settings.bandwidth), ...this.#overrides.bandwidth },
        },
        ...(settings.web.enabled ? { web: { port: settings.web.port, ...this.#webOverrides } } : {}),
        mdns: settings.mdns,
        // In the settings: shared before, so a missing one may have been moved or unplugged.
        sharedBefore: true,
        platform: this.#platform,
      },
      (events) => (this.#detachShare = this.#attach(events)),
    );
    if (!started.ok) {
      this.#detachShare = undefined;
      return this.#failStart(started.failure);
    }
    const share = started.share;
    const generated = share.certificate?.generated;
    if (generated) this.#log('info', `Made a new FTPS certificate (${generated.reason}); SHA-256 ${share.certificate!.fingerprint256}`);
    this.#share = share;
    this.#wasWritable = !settings.readOnly;
    this.#startedAt = this.#now();
    this.#setStatus('running');
    const tls = share.listening.tls;
    const page = share.web ? `, the web page on port ${share.web.port}${share.web.secure ? ' (HTTPS)' : ''}` : '';
    this.#log('info', `Sharing ${describeFolders(settings.folders)} on port ${share.listening.port}${settings.readOnly ? ' (read-only)' : ''}${tls ? ` with FTPS (${tls.mode})` : ''}${page}`);
    await this.#refreshCandidates();
    this.#watcher = this.#addresses.watch((candidates) => {
      this.#candidates = candidates;
      this.#batcher.mark('state');
      void this.#serial(async () => this.#share?.interfacesChanged()).catch(() => undefined);
    });
    this.#updateAutoStop(true);
    return ok(this.#state());
  }

  /** Stops the server: sessions get 421, active transfers end as aborted. */
  async #stopLocked(reason: string, restarting = false): Promise<void> {
    const share = this.#share;
    if (!share) return;
    this.#setStatus('stopping');
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#autoStop.clear();
    try {
      await share.stop();
    } finally {
      this.#detachShare?.();
      this.#detachShare = undefined;
      this.#share = undefined;
      this.#startedAt = undefined;
      this.#activity.abortAll(`sharing stopped (${reason})`);
      this.#error = undefined;
      this.#setStatus('stopped');
      this.#batcher.mark('sessions');
      this.#batcher.mark('transfers');
      this.#log('info', restarting ? `Restarting sharing: ${reason}` : `Sharing stopped: ${reason}`);
    }
  }

  /** Subscribes the log and the activity tables to a share's events; returns the unsubscribe. */
  #attach(events: ServerEventSource): () => void {
    // What the log says about each event is core/share/narration.ts's, shared with the CLI.
    const stopNarrating = narrate(events, (line) => this.#log(line.level, line.text, line.sessionId));
    const unwire = wireActivity(events, this.#activity, (topic) => this.#batcher.mark(topic), () => this.#updateAutoStop(false));
    // A device reaching the web page is news the person sharing wants at once (a toast).
    const onOpened = (e: ServerEvents['session-opened']): void => {
      if (e.protocol === 'web') this.#notice('info', `A device opened the web page: ${e.client ?? 'a browser'}`);
    };
    events.on('session-opened', onOpened);
    return () => {
      stopNarrating();
      unwire();
      events.off('session-opened', onOpened);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Auto-stop

  /** Counts down while sharing runs with no session; `reset` restarts a running count. */
  #updateAutoStop(reset: boolean): void {
    const idle = this.#status === 'running' && this.#share !== undefined && this.#activity.sessionCount === 0;
    this.#autoStop.update(this.#settings.autoStopMinutes, idle, reset);
  }

  async #stopForIdle(minutes: number): Promise<void> {
    await this.#serial(async () => {
      if (!this.#share || this.#activity.sessionCount > 0) return;
      const text = `Sharing stopped after ${minutes} minute${minutes === 1 ? '' : 's'} without connections`;
      await this.#stopLocked(`no connections for ${minutes} minute${minutes === 1 ? '' : 's'}`);
      this.#notice('info', text);
    }).catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // State

  async #refreshCandidates(): Promise<void> {
    try {
      this.#candidates = await this.#addresses.list();
    } catch {
      // Addresses are a hint for the UI; keep the last list.
    }
  }

  #urls(port = this.#currentPort()): ConnectUrl[] {
    const settings = this.#settings;
    // The user name only when there is one account: with several, people sign in with their own.
    const accounts = accountsOf(settings.access);
    const options = {
      implicitTls: settings.ftps === 'implicit',
      ...(accounts.length === 1 ? { username: accounts[0]!.username } : {}),
    };
    return connectUrls(this.#candidates, port, options, settings.advertisedAddress);
  }

  /** The web page's part of the state: its URLs (same addresses as FTP's), and the QR code's sign-in URL. */
  #webState(web: NonNullable<RunningShare['web']>): NonNullable<ShareState['web']> {
    const settings = this.#settings;
    const urls = webConnectUrls(this.#candidates, web.port, { secure: web.secure }, settings.advertisedAddress);
    const first = urls[0]?.url ?? webUrl('127.0.0.1', web.port, { secure: web.secure });
    // The token signs in as the share's account: none to sign in as when anonymous.
    const signIn = settings.web.qrSignIn && settings.access.mode !== 'anonymous';
    return { port: web.port, urls, secure: web.secure, ...(signIn ? { signInUrl: `${first}?token=${encodeURIComponent(web.signInToken())}` } : {}) };
  }

  #state(): ShareState {
    const port = this.#currentPort();
    const urls = this.#urls(port);
    const state: ShareState = { status: this.#status, urls, sessionCount: this.#activity.sessionCount };
    if (this.#error) state.error = { ...this.#error };
    const share = this.#share;
    if (share) {
      state.port = share.listening.port;
      state.url = urls[0]?.url ?? ftpUrl('127.0.0.1', port, { implicitTls: this.#settings.ftps === 'implicit' });
      if (this.#startedAt !== undefined) state.startedAt = this.#startedAt;
      const tls = share.listening.tls;
      if (tls) state.tls = { mode: tls.mode, fingerprint256: tls.fingerprint256, notAfter: share.certificate?.notAfter.toISOString() ?? '' };
      if (share.web) state.web = this.#webState(share.web);
      const names = share.hostnames();
      if (names.http !== undefined || names.ftp !== undefined) {
        state.localNames = { ...(names.http !== undefined ? { web: names.http } : {}), ...(names.ftp !== undefined ? { ftp: names.ftp } : {}) };
      }
    }
    if (this.#autoStop.stopsAt !== undefined) state.autoStopAt = this.#autoStop.stopsAt;
    if (this.#recovered) state.settingsRecovered = { ...this.#recovered };
    state.passwordStorage = this.#store.usesKeychain ? 'keychain' : 'file';
    return state;
  }
}
