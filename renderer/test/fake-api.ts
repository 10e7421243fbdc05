/**
 * A fake FTP Share for the window's tests and the in-browser harness: a real object implementing
 * the contract's {@link FtpShareApi}, with an in-memory share that starts, stops, takes folders,
 * refuses a busy port, and pushes events when a test says so. No mocking library: the compiler
 * checks it against the contract like the real transports.
 */
import type {
  ConnectUrl,
  FtpShareApi,
  LogEntry,
  PushEventName,
  PushEvents,
  RequestName,
  Result,
  SessionRow,
  ShareState,
  TransfersSnapshot,
  CertificateInfo,
  ReachabilityReport,
} from '../../core/share/contract.js';
import type { Settings } from '../stores/server.js';

const ok = <T,>(value: T): Result<T> => ({ ok: true, value });

export const FAKE_URLS: ConnectUrl[] = [
  { url: 'ftp://192.168.1.23:2121', address: '192.168.1.23', label: 'Wi-Fi (en0)', kind: 'lan' },
  { url: 'ftp://10.8.0.5:2121', address: '10.8.0.5', label: 'VPN (utun3)', kind: 'vpn' },
  { url: 'ftp://172.17.0.1:2121', address: '172.17.0.1', label: 'Docker (docker0)', kind: 'virtual' },
];

export function fakeSettings(): Settings {
  return {
    folders: ['/home/ann/Pictures'],
    port: 2121,
    readOnly: true,
    web: { enabled: true, port: 8080, qrSignIn: true },
    access: { mode: 'password', username: 'ftp', password: 'k7hq3mzt9wcx2vbn4pds' },
    ftps: 'off',
    requireTls: false,
    maxConnections: 500,
    maxConnectionsPerAddress: 100,
    autoStopMinutes: 0,
    launchAtLogin: false,
    mdns: true,
    notifyOnReceive: true,
    bandwidth: { downloadMBps: 0, uploadMBps: 0, perDeviceMBps: 0 },
    trayHintShown: false,
    version: 1,
  };
}

/** A report with one problem that offers the settings page, one with a command to run, and one fine check. */
export function fakeReachability(): ReachabilityReport {
  return {
    checkedAt: 0,
    address: '192.168.1.23',
    ports: { ftp: 2121, web: 8080 },
    findings: [
      {
        id: 'windows-profile',
        status: 'problem',
        title: 'Windows treats “Home” as a Public network',
        detail: 'On Public networks Windows blocks other devices from connecting.',
        fix: 'Choose “Private network” in the network’s properties.',
        action: { kind: 'open-settings', target: 'ms-settings:network-status', label: 'Open network settings' },
      },
      { id: 'linux-ufw', status: 'problem', title: 'The firewall blocks port 2121', detail: 'ufw is active.', fix: 'sudo ufw allow 2121/tcp' },
      { id: 'ftp-port', status: 'ok', title: 'The FTP answers on 192.168.1.23:2121', detail: 'A connection got through.' },
      { id: 'advice-isolation', status: 'unknown', title: 'Guest and hotel Wi-Fi often keep devices apart', detail: 'No app can see it.', fix: 'Use your main network.' },
    ],
  };
}

export function emptyTransfers(): TransfersSnapshot {
  return { active: [], finished: [], totals: { downloadedBytes: 0, uploadedBytes: 0, completed: 0, failed: 0 } };
}

export class FakeApi implements FtpShareApi {
  state: ShareState = { status: 'stopped', urls: [], sessionCount: 0 };
  settings: Settings = fakeSettings();
  sessions: SessionRow[] = [];
  transfers: TransfersSnapshot = emptyTransfers();
  logs: LogEntry[] = [];
  certificate: CertificateInfo | null = null;
  /** What "Can others reach me?" answers while running. */
  reachability: ReachabilityReport = fakeReachability();
  /** Every request, in order. */
  calls: { name: RequestName; params: unknown }[] = [];
  /** Ports another program holds: starting on one fails with `port-in-use`. */
  busyPorts = new Set<number>();
  /** What the folder picker answers (the web host: `unsupported`). */
  pickResult: Result<string[]> = { ok: false, code: 'unsupported', message: 'No folder picker in the browser' };
  /** Whether `openFolder`/`copyText` work (Electron) or answer `unsupported` (web host). */
  desktop = false;
  /** Delay of `start`, to observe the Starting state. */
  startDelayMs = 0;

  private readonly listeners = new Map<PushEventName, Set<(payload: never) => void>>();
  private nextLogId = 1;

  on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  /** Pushes an event to the window, like the share's batcher does. */
  emit<E extends PushEventName>(event: E, payload: PushEvents[E]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (p: PushEvents[E]) => void)(payload);
  }

  listenerCount(event: PushEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  private record(name: RequestName, params: unknown): void {
    this.calls.push({ name, params });
  }

  callsTo(name: RequestName): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.params);
  }

  setState(patch: Partial<ShareState>): void {
    this.state = { ...this.state, ...patch };
    this.emit('state', this.state);
  }

  setSessions(rows: SessionRow[]): void {
    this.sessions = rows;
    this.state = { ...this.state, sessionCount: rows.length };
    this.emit('sessions', rows);
    this.emit('state', this.state);
  }

  setTransfers(snapshot: TransfersSnapshot): void {
    this.transfers = snapshot;
    this.emit('transfers', snapshot);
  }

  /** Appends log lines (and pushes them). */
  log(lines: { level?: LogEntry['level']; text: string; sessionId?: string; time?: number }[]): LogEntry[] {
    const entries = lines.map((l) => {
      const e: LogEntry = { id: this.nextLogId++, time: l.time ?? Date.now(), level: l.level ?? 'info', text: l.text };
      if (l.sessionId) e.sessionId = l.sessionId;
      return e;
    });
    this.logs.push(...entries);
    this.emit('log', entries);
    return entries;
  }

  /** The QR code's sign-in token; "New code" makes the next one. */
  signInToken = 'tok1';
  /** Whether the web page is served over HTTPS (with FTPS on, its fingerprint in `tls`). */
  webSecure = false;

  private urls(): ConnectUrl[] {
    const scheme = this.settings.ftps === 'implicit' ? 'ftps' : 'ftp';
    return FAKE_URLS.map((u) => ({ ...u, url: `${scheme}://${u.address}:${this.settings.port}` }));
  }

  /** The running share's addresses, the chosen one first (as the share orders them), and the web page's. */
  private addressState(): Pick<ShareState, 'urls' | 'url' | 'port' | 'web' | 'localNames'> {
    const all = this.urls();
    const chosen = all.find((u) => u.address === this.settings.advertisedAddress) ?? all[0]!;
    const urls = [chosen, ...all.filter((u) => u !== chosen)];
    const next: Pick<ShareState, 'urls' | 'url' | 'port' | 'web' | 'localNames'> = { urls, url: chosen.url, port: this.settings.port };
    const names: NonNullable<ShareState['localNames']> = { ftp: 'ftp-share-annes-mac-ftp.local' };
    if (this.settings.web.enabled) {
      const scheme = this.webSecure ? 'https' : 'http';
      const webUrls = urls.map((u) => ({ ...u, url: `${scheme}://${u.address}:${this.settings.web.port}/` }));
      next.web = { port: this.settings.web.port, urls: webUrls, secure: this.webSecure };
      if (this.settings.access.mode === 'password' && this.settings.web.qrSignIn) next.web.signInUrl = `${webUrls[0]!.url}?token=${this.signInToken}`;
      names.web = 'ftp-share-annes-mac.local';
    }
    if (this.settings.mdns) next.localNames = names;
    return next;
  }

  private saveSettings(next: Settings): Result<Settings> {
    this.settings = next;
    this.emit('settings', next);
    if (this.state.status === 'running') {
      const { web: _web, localNames: _names, ...rest } = this.state;
      this.state = rest;
      this.setState(this.addressState());
    }
    return ok(next);
  }

  async getState() {
    this.record('getState', undefined);
    return ok(this.state);
  }
  async getSettings() {
    this.record('getSettings', undefined);
    return ok(this.settings);
  }
  async updateSettings(patch: Partial<Settings>) {
    this.record('updateSettings', patch);
    const next = { ...this.settings, ...patch };
    // Like the share: turning sign-in off keeps the account for later.
    const before = this.settings.access;
    if (next.access.mode === 'anonymous' && !next.access.account && before.mode === 'password') {
      next.access = { mode: 'anonymous', account: { username: before.username, password: before.password } };
    }
    if (!Number.isInteger(next.port) || next.port < 1 || next.port > 65535) {
      return { ok: false as const, code: 'invalid-settings' as const, message: 'Invalid settings', fields: [{ field: 'port', message: 'Port must be between 1 and 65535' }] };
    }
    if (next.access.mode === 'password' && next.access.username.trim() === '') {
      return {
        ok: false as const,
        code: 'invalid-settings' as const,
        message: 'Invalid settings',
        fields: [{ field: 'access.username', message: "User name can't be empty" }],
      };
    }
    return this.saveSettings(next);
  }
  async start() {
    this.record('start', undefined);
    this.setState({ status: 'starting' });
    if (this.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.startDelayMs));
    // The FTP port, then the web page's: the first one busy fails the start, naming its field.
    const ports: { port: number; field: 'port' | 'webPort'; what: string }[] = [{ port: this.settings.port, field: 'port', what: 'Port' }];
    if (this.settings.web.enabled) ports.push({ port: this.settings.web.port, field: 'webPort', what: 'The web page’s port' });
    const busy = ports.find((p) => this.busyPorts.has(p.port));
    if (busy) {
      let free = busy.port + 1;
      while (this.busyPorts.has(free)) free++;
      const message = `${busy.what} ${busy.port} is in use by another program`;
      this.setState({
        status: 'error',
        error: { code: 'port-in-use', message, fix: `Use port ${free} instead — it is free.`, suggestedPort: free, field: busy.field },
      });
      return { ok: false as const, code: 'port-in-use' as const, message };
    }
    const next: ShareState = { status: 'running', ...this.addressState(), startedAt: Date.now(), sessionCount: this.sessions.length };
    if (this.settings.ftps !== 'off') {
      next.tls = { mode: this.settings.ftps, fingerprint256: this.certificate?.fingerprint256 ?? 'AB:CD:EF:01', notAfter: '2030-01-01T00:00:00Z' };
    }
    this.state = next;
    this.emit('state', next);
    this.log([{ text: `Sharing on ${next.url}` }]);
    return ok(next);
  }
  async stop() {
    this.record('stop', undefined);
    this.state = { status: 'stopped', urls: [], sessionCount: 0 };
    this.sessions = [];
    this.emit('sessions', []);
    this.emit('state', this.state);
    return ok(this.state);
  }
  async pickFolders() {
    this.record('pickFolders', undefined);
    return this.pickResult;
  }
  async addFolder(params: { path: string }) {
    this.record('addFolder', params);
    if (!params.path.startsWith('/')) {
      return {
        ok: false as const,
        code: 'invalid-settings' as const,
        message: 'Invalid folder',
        fields: [{ field: 'folders[1]', message: `Folder path must be absolute: ${params.path}` }],
      };
    }
    if (params.path.includes('missing')) {
      return { ok: false as const, code: 'folder-unavailable' as const, message: `There is no folder at ${params.path}` };
    }
    // Like the share: an already-shared folder changes nothing.
    if (this.settings.folders.includes(params.path)) return ok(this.settings);
    return this.saveSettings({ ...this.settings, folders: [...this.settings.folders, params.path] });
  }
  async removeFolder(params: { path: string }) {
    this.record('removeFolder', params);
    return this.saveSettings({ ...this.settings, folders: this.settings.folders.filter((f) => f !== params.path) });
  }
  async openFolder(params: { path: string }) {
    this.record('openFolder', params);
    return this.desktop ? ok(undefined) : { ok: false as const, code: 'unsupported' as const, message: 'Not in the browser' };
  }
  async copyText(params: { text: string }) {
    this.record('copyText', params);
    return this.desktop ? ok(undefined) : { ok: false as const, code: 'unsupported' as const, message: 'Not in the browser' };
  }
  async generatePassword() {
    this.record('generatePassword', undefined);
    const access = this.settings.access.mode === 'password' ? this.settings.access : { mode: 'password' as const, username: 'ftp', password: '' };
    return this.saveSettings({ ...this.settings, access: { ...access, password: 'newpass' + this.calls.length } });
  }
  async getCertificate() {
    this.record('getCertificate', undefined);
    return ok(this.certificate);
  }
  async regenerateCertificate() {
    this.record('regenerateCertificate', undefined);
    this.certificate = {
      fingerprint256: '3F:9A:C2:71:0B:5E:D4:88:12:AF:6C:E0:97:3B:41:D2:7E:05:B8:C9:64:1A:F3:2D:8E:70:5C:B1:09:E6:4F:A3',
      notAfter: '2027-06-01T00:00:00Z',
      subjectAltNames: ['192.168.1.23'],
      certPath: '/config/cert.pem',
      keyPath: '/config/key.pem',
      generated: true,
    };
    return ok(this.certificate);
  }
  async importCertificate(params: { certPath: string; keyPath: string }) {
    this.record('importCertificate', params);
    if (!params.certPath.endsWith('.pem')) return { ok: false as const, code: 'certificate-error' as const, message: 'That file is not a PEM certificate' };
    if (!this.certificate) await this.regenerateCertificate();
    this.certificate = { ...this.certificate!, ...params, generated: false };
    return ok(this.certificate);
  }
  async findFreePort(params: { from?: number }) {
    this.record('findFreePort', params);
    let port = params.from ?? this.settings.port + 1;
    while (this.busyPorts.has(port)) port++;
    return ok(port);
  }
  async newSignInCode() {
    this.record('newSignInCode', undefined);
    if (this.state.status !== 'running') return { ok: false as const, code: 'not-running' as const, message: 'Sharing is off' };
    this.signInToken = `tok${Number(this.signInToken.slice(3)) + 1}`;
    this.setState(this.addressState());
    return ok(this.state);
  }
  async listAddresses() {
    this.record('listAddresses', undefined);
    return ok(this.urls());
  }
  async kickSession(params: { sessionId: string }) {
    this.record('kickSession', params);
    if (!this.sessions.some((s) => s.sessionId === params.sessionId)) {
      return { ok: false as const, code: 'not-found' as const, message: 'No such session' };
    }
    this.setSessions(this.sessions.filter((s) => s.sessionId !== params.sessionId));
    return ok(undefined);
  }
  async getSessions() {
    this.record('getSessions', undefined);
    return ok(this.sessions);
  }
  async getTransfers() {
    this.record('getTransfers', undefined);
    return ok(this.transfers);
  }
  async getLogs() {
    this.record('getLogs', undefined);
    return ok(this.logs);
  }
  async clearLogs() {
    this.record('clearLogs', undefined);
    this.logs = [];
    return ok(undefined);
  }
  async clearFinishedTransfers() {
    this.record('clearFinishedTransfers', undefined);
    this.transfers = { ...this.transfers, finished: [] };
    return ok(undefined);
  }
  async checkReachability() {
    this.record('checkReachability', undefined);
    if (this.state.status !== 'running') return { ok: false as const, code: 'not-running' as const, message: 'Sharing is not running' };
    return ok({ ...this.reachability, checkedAt: Date.now() });
  }
}

/** A session row with sensible defaults. */
export function session(id: string, patch: Partial<SessionRow> = {}): SessionRow {
  return {
    sessionId: id,
    protocol: 'ftp',
    remoteAddress: '192.168.1.40',
    user: 'ftp',
    connectedAt: Date.now() - 65_000,
    cwd: '/Pictures',
    activity: 'Idle',
    secureControl: false,
    secureData: false,
    bytesIn: 0,
    bytesOut: 0,
    ...patch,
  };
}
