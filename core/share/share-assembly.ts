/**
 * The one way to turn what is to be shared into a running share: checks the folders, builds the
 * file systems (one folder: a physical root; several: a virtual root; one per account, see
 * share-file-systems.ts), the authorizer, TLS and the protocol servers, starts them, and turns
 * every start failure into a message with a fix.
 *
 * The ShareService, the CLI and the test fixture all start shares here, so they can't disagree
 * about folders, certificates or errors. The web page for phones and browsers (core/http) starts
 * here beside FTP when `spec.web` asks for it: over the same authorizer (so the same accounts and
 * file systems), one login throttle (failed sign-ins on either count for both), one bandwidth
 * budget (the caps hold across protocols), the FTPS certificate for HTTPS, and reporting into the
 * same `events`.
 */
import path from 'node:path';
import { FtpServer, FtpServerError, type ListeningInfo } from '../ftp/server.js';
import { WebServer, type WebServerOptions } from '../http/web-server.js';
import { RotatingSignInToken } from '../http/sign-in-token.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { BandwidthBudget } from '../net/throttle.js';
import { defaults } from '../defaults.js';
import type { FtpServerOptions, TlsOptions } from '../ftp/options.js';
import type { Authorizer, LoginContext, LoginGrant } from '../auth/authorizer.js';
import { MultiAccountAuthorizer, SimpleAuthorizer } from '../auth/simple-authorizer.js';
import { SwitchableAuthorizer } from '../auth/switchable-authorizer.js';
import type { FileSystem } from '../fs/file-system.js';
import type { SwitchableFileSystem, LiveFileSystem } from '../fs/switchable.js';
import { ensureCertificate, isCertificateError, loadCertificateFiles } from '../tls/index.js';
import type { ErrorCode } from './contract.js';
import { checkFolder } from './folders.js';
import { findFreePort } from './ports.js';
import type { ServerEventSource } from './narration.js';
import { ShareEvents } from './share-events.js';
import { advertise, advertisingDisabled, shortHostName, type AdvertisedService, type Advertisement } from '../net/mdns.js';
import type { SessionSnapshot } from '../ftp/server.js';
import type { SessionProtocol } from '../ftp/events.js';
import { ShareFileSystems, type ShareAccount } from './share-file-systems.js';

export { backendFor, type ShareAccount } from './share-file-systems.js';

/**
 * Who may sign in: nobody named (anonymous), an account, a password with any user name, or
 * `accounts`, each with its own password, rights and folders (then `username`/`password` are
 * not used).
 */
export interface ShareAccess {
  username?: string;
  password?: string;
  accounts?: readonly ShareAccount[];
}

/**
 * Listener and limit options of the web page. `host`, the connection caps and `bandwidth` default
 * to the FTP server's (`spec.ftp`); the authorizer, TLS, sign-in token, throttle and budget are
 * the share's own.
 */
export type WebSpec = Partial<Omit<WebServerOptions, 'authorizer' | 'tls' | 'signInTokens' | 'loginThrottle' | 'bandwidthBudget'>>;

/** Where FTPS's certificate comes from: files the user chose, or the one kept (or made) in `dir`. */
export type CertificateSource = { files: { cert: string; key: string } } | { dir: string };

/** Everything a share is started from. */
export interface ShareSpec {
  /** Absolute paths of the shared folders (at least one). */
  folders: readonly string[];
  readOnly: boolean;
  access: ShareAccess;
  ftps?: { mode: 'explicit' | 'implicit'; requireTls: boolean; certificate: CertificateSource };
  /** Listener and limit options of the FTP server (port, host, passive ports, limits…). */
  ftp: Partial<Omit<FtpServerOptions, 'authorizer' | 'tls'>>;
  /** The web page for phones and browsers, on its own port (HTTPS when `ftps` is set); absent: none. */
  web?: WebSpec;
  /** The folders come from saved settings: a missing one may have been moved or unplugged. */
  sharedBefore?: boolean;
  /** For messages that differ per OS (tests). Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Who may sign in, instead of the authorizer built from `access` (tests with several accounts). */
  authorizer?: (fileSystem: LiveFileSystem) => Authorizer;
  /** Advertise the share by name (mDNS/DNS-SD), unless FTP_SHARE_NO_MDNS=1 says never. */
  mdns?: boolean;
}

/** Why a share could not start, written for people. */
export interface StartFailure {
  code: ErrorCode;
  message: string;
  /** What to do about it, when there is something. */
  fix?: string;
  /** A port that is free now, when the chosen one is taken. */
  suggestedPort?: number;
  /** The setting at fault, for a form to point at. */
  field?: 'folders' | 'port' | 'webPort';
}

/** The certificate a share runs with, and whether it was just made. */
export interface ShareCertificate {
  fingerprint256: string;
  notAfter: Date;
  /** Set when a new certificate was made for this start: why, and where it is kept. */
  generated?: { reason: string; path: string };
}

/** A live session of either front-end: the browser's device where the web page can tell. */
export type ShareSessionSnapshot = SessionSnapshot & { protocol: SessionProtocol; client?: string };

/** The web page of a running share. */
export interface RunningWebPage {
  readonly server: WebServer;
  readonly port: number;
  /** Served over HTTPS (with the FTPS certificate). */
  readonly secure: boolean;
  /** The QR code's sign-in token now (it signs in as the share's first account). */
  signInToken(): string;
  /** "New code": a new token; the old one and the browsers it signed in stop working. Returns the new one. */
  rotateSignInToken(): string;
}

/** A share that runs until `stop()`. */
export interface RunningShare {
  readonly ftp: FtpServer;
  /** The shared files: the backend can be replaced and read-only switched while sessions run. */
  readonly fileSystem: SwitchableFileSystem;
  /** Who may sign in: the rules can be replaced while sessions run. */
  readonly authorizer: SwitchableAuthorizer;
  readonly listening: ListeningInfo;
  readonly certificate?: ShareCertificate;
  /** The web page, when `spec.web` asked for it. */
  readonly web?: RunningWebPage;
  /** Every front-end's events, in one shape. */
  readonly events: ServerEventSource;
  /** The one bandwidth budget of FTP and the web page: `setLimits` changes the caps of running transfers too. */
  readonly bandwidth: BandwidthBudget;
  /** The `.local` names the services answer to, while advertised by name. */
  hostnames(): Advertisement['hostnames'];
  /** Starts or stops advertising by name, without a restart. */
  setAdvertised(on: boolean): Promise<void>;
  /**
   * The machine's interfaces changed (Wi-Fi joined, a cable plugged): announces again on the
   * interfaces there are now, when advertised. Goodbyes go out on the old ones first.
   */
  interfacesChanged(): Promise<void>;
  /** Every front-end's live sessions, each saying which. */
  sessions(): ShareSessionSnapshot[];
  /** Ends a session, whichever front-end it is on; false when there is no such session. */
  kick(sessionId: string): boolean;
  /** Shares other folders (at least one): every session sees them from its next command. */
  setFolders(folders: readonly string[]): void;
  /** Turns the share's read-only switch, on top of each account's own; sessions follow at once. */
  setReadOnly(readOnly: boolean): void;
  /**
   * Who may sign in from now on (and what DNS-SD browsers are told). Sessions of an account that
   * is no longer there end; those of an account whose rights changed follow them from their next
   * command; the others keep their grant. Anonymous access forgets no account: their sessions go
   * on. Returns the sessions ended, per user name.
   */
  setAccess(access: ShareAccess): { user: string; sessions: number }[];
  /** Ends every session signed in as `user`, whichever front-end; how many. */
  kickUser(user: string): number;
  stop(): Promise<void>;
}

export type StartResult = { ok: true; share: RunningShare } | { ok: false; failure: StartFailure };

/**
 * The rules of `access`. With `accounts`, each login gets its account's file system from
 * `accountFileSystem` (`fileSystem` when none is given); otherwise every login gets `fileSystem`.
 */
export function authorizerFor(access: ShareAccess, fileSystem: FileSystem, accountFileSystem?: (account: ShareAccount) => FileSystem): Authorizer {
  if (access.accounts && access.accounts.length > 0) {
    return new MultiAccountAuthorizer(access.accounts.map((a) => ({ username: a.username, password: a.password, fs: accountFileSystem?.(a) ?? fileSystem })));
  }
  return new SimpleAuthorizer({
    ...(access.username !== undefined ? { username: access.username } : {}),
    ...(access.password !== undefined ? { password: access.password } : {}),
    fs: fileSystem,
  });
}

/**
 * Starts a share. `observe` subscribes to its events before anything listens (so `listening` is
 * seen) and returns its unsubscribe function, which runs when the start fails. Never throws for
 * a failure a person can fix (folders, certificate, port): those are a `StartFailure`.
 */
export async function startShare(spec: ShareSpec, observe?: (events: ServerEventSource) => () => void): Promise<StartResult> {
  const failed = (failure: StartFailure): StartResult => ({ ok: false, failure });
  if (spec.folders.length === 0) return failed({ code: 'invalid-settings', message: 'Add a folder to share first', field: 'folders' });
  for (const folder of spec.folders) {
    const problem = await checkFolder(folder, spec.platform, spec.sharedBefore ?? false);
    if (problem) return failed({ code: problem.code, message: problem.message, field: 'folders' });
  }

  let tls: TlsOptions | undefined;
  let certificate: ShareCertificate | undefined;
  if (spec.ftps) {
    const loaded = await loadCertificate(spec.ftps.certificate);
    if ('failure' in loaded) return failed(loaded.failure);
    ({ certificate } = loaded);
    tls = { mode: spec.ftps.mode, cert: loaded.cert, key: loaded.key, requireTls: spec.ftps.requireTls, requireEncryptedData: spec.ftps.requireTls };
  }

  const fileSystems = new ShareFileSystems(spec.folders, spec.readOnly);
  const fileSystem = fileSystems.whole;
  const rulesOf = (access: ShareAccess): Authorizer => {
    if (access.accounts) fileSystems.setAccounts(access.accounts);
    return authorizerFor(access, fileSystem, (account) => fileSystems.of(account));
  };
  const authorizer = new SwitchableAuthorizer(spec.authorizer?.(fileSystem) ?? rulesOf(spec.access));
  let access = spec.access;
  // One throttle and one budget for every front-end: a guesser gains nothing by switching from FTP
  // to the web page, and a download cap holds whichever protocol the bytes take.
  const loginThrottle = spec.ftp.loginThrottle ?? sharedLoginThrottle(spec.ftp);
  const bandwidthBudget = spec.ftp.bandwidthBudget ?? new BandwidthBudget(spec.ftp.bandwidth);
  const ftp = new FtpServer({ ...spec.ftp, authorizer, loginThrottle, bandwidthBudget, ...(tls ? { tls } : {}) });
  const signInToken = spec.web ? new RotatingSignInToken((context) => signInAsOwner(authorizer, access, context)) : undefined;
  const web = spec.web
    ? new WebServer({
        ...(spec.ftp.host !== undefined ? { host: spec.ftp.host } : {}),
        ...(spec.ftp.maxConnections !== undefined ? { maxConnections: spec.ftp.maxConnections } : {}),
        ...(spec.ftp.maxConnectionsPerIp !== undefined ? { maxConnectionsPerIp: spec.ftp.maxConnectionsPerIp } : {}),
        ...(spec.ftp.loginFailureDelayMs !== undefined ? { loginFailureDelayMs: spec.ftp.loginFailureDelayMs } : {}),
        shareName: shareName(spec.folders),
        ...spec.web,
        authorizer,
        loginThrottle,
        bandwidthBudget,
        ...(signInToken ? { signInTokens: signInToken } : {}),
        ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      })
    : undefined;
  const events = new ShareEvents();
  const detach = observe?.(events);
  const unrelay = events.relay(ftp);
  let listening: ListeningInfo;
  try {
    listening = await ftp.start();
  } catch (err) {
    unrelay();
    detach?.();
    if (!(err instanceof FtpServerError)) throw err;
    return failed(await listenFailure(err, spec));
  }
  // The web page's `listening` and `stopped` are not relayed: observers know them as the share's
  // (FTP's), and the web page's port is in `share.web`.
  const unrelayWeb = web ? events.relay(web, ['listening', 'stopped']) : () => undefined;
  let webPort: number | undefined;
  if (web) {
    try {
      webPort = (await web.start()).port;
    } catch (err) {
      // Found while FTP still holds its port, so the suggestion is never FTP's.
      const failure = err instanceof FtpServerError ? await webListenFailure(err, spec) : undefined;
      await ftp.stop();
      unrelayWeb();
      unrelay();
      detach?.();
      if (!failure) throw err;
      return failed(failure);
    }
  }
  let advertisement: Advertisement | undefined;
  let advertised = false;
  const setAdvertised = async (on: boolean): Promise<void> => {
    advertised = on;
    if (!on || advertisingDisabled()) {
      await advertisement?.stop();
      advertisement = undefined;
    } else {
      advertisement ??= await advertise(advertisedServices(access, listening.port, webPort), (message) => events.emit('warning', { code: 'mdns', message }));
    }
  };
  await setAdvertised(spec.mdns === true);
  const interfacesChanged = async (): Promise<void> => {
    if (!advertised) return;
    await setAdvertised(false);
    await setAdvertised(true);
  };
  const share: RunningShare = {
    ftp,
    fileSystem,
    authorizer,
    listening,
    ...(certificate ? { certificate } : {}),
    ...(web && signInToken && webPort !== undefined
      ? {
          web: {
            server: web,
            port: webPort,
            secure: tls !== undefined,
            signInToken: () => signInToken.token,
            rotateSignInToken: () => signInToken.rotate(),
          },
        }
      : {}),
    events,
    bandwidth: bandwidthBudget,
    hostnames: () => advertisement?.hostnames ?? {},
    setAdvertised,
    interfacesChanged,
    sessions: () => [...ftp.getSessions().map((s) => ({ ...s, protocol: 'ftp' as const })), ...(web?.sessions() ?? [])],
    kick: (sessionId) => ftp.kick(sessionId) || (web?.kick(sessionId) ?? false),
    setFolders: (folders) => fileSystems.setFolders(folders),
    setReadOnly: (readOnly) => fileSystems.setReadOnly(readOnly),
    setAccess: (changed) => {
      access = changed;
      // The accounts' file systems first, so a login decided by the new rules gets its new view.
      const removed = changed.accounts ? fileSystems.setAccounts(changed.accounts) : [];
      authorizer.replace(authorizerFor(changed, fileSystem, (account) => fileSystems.of(account)));
      advertisement?.updateTxt('ftp', ftpTxt(changed));
      return removed.map((user) => ({ user, sessions: share.kickUser(user) })).filter((ended) => ended.sessions > 0);
    },
    kickUser: (user) => {
      const ended = ftp.getSessions().filter((s) => s.user === user);
      for (const session of ended) ftp.kick(session.sessionId);
      // The web page also makes the account's cookies stop working, idle ones included.
      return ended.length + (web?.kickUser(user) ?? 0);
    },
    stop: async () => {
      await setAdvertised(false);
      await Promise.all([ftp.stop(), web?.stop()]);
      unrelayWeb();
      unrelay();
    },
  };
  return { ok: true, share };
}

/** TXT of the FTP service: the path, and the user name where there is one account; never a password. */
function ftpTxt(access: ShareAccess): Record<string, string> {
  const user = access.accounts ? (access.accounts.length === 1 ? access.accounts[0]!.username : undefined) : access.username;
  return { path: '/', ...(user !== undefined ? { u: user } : {}) };
}

function advertisedServices(access: ShareAccess, ftpPort: number, webPort: number | undefined): AdvertisedService[] {
  return [
    { type: 'ftp', port: ftpPort, txt: ftpTxt(access) },
    ...(webPort !== undefined ? [{ type: 'http' as const, port: webPort, txt: { path: '/' } }] : []),
  ];
}

/** The failed-login throttle of every front-end, from the FTP options' `address…` settings. */
function sharedLoginThrottle(ftp: ShareSpec['ftp']): LoginThrottle {
  return new LoginThrottle({
    limit: ftp.addressLoginFailureLimit ?? defaults.addressLoginFailureLimit,
    windowMs: ftp.addressLoginFailureWindowMs ?? defaults.addressLoginFailureWindowMs,
    delayMs: ftp.addressThrottleDelayMs ?? defaults.addressThrottleDelayMs,
    maxDelayMs: ftp.addressThrottleMaxDelayMs ?? defaults.addressThrottleMaxDelayMs,
    maxTracked: defaults.addressThrottleMaxTracked,
  });
}

/** What the page's title says: "MacBook-Pro — Photos", or "MacBook-Pro — 3 folders". */
export function shareName(folders: readonly string[], hostName?: string): string {
  const what = folders.length === 1 ? path.basename(folders[0]!) || folders[0]! : `${folders.length} folders`;
  return `${shortHostName(hostName)} — ${what}`;
}

/**
 * The account the QR code's token signs in as, under the access rules in force when it is
 * scanned: the one account, or with several the first (the owner's, at the top of the Access
 * card); with a password alone (any user name), that password. Null when nobody is named
 * (anonymous: the page opens without signing in anyway).
 */
export function ownerCredentials(access: ShareAccess): { user: string; password: string } | null {
  const first = access.accounts?.[0];
  if (first) return { user: first.username, password: first.password };
  if (access.accounts === undefined && access.password !== undefined) return { user: access.username ?? 'ftp', password: access.password };
  return null;
}

async function signInAsOwner(authorizer: Authorizer, access: ShareAccess, context: LoginContext): Promise<LoginGrant | null> {
  const owner = ownerCredentials(access);
  return owner ? authorizer.login(owner.user, owner.password, context) : null;
}

async function loadCertificate(
  source: CertificateSource,
): Promise<{ cert: string; key: string; certificate: ShareCertificate } | { failure: StartFailure }> {
  try {
    if ('files' in source) {
      const checked = await loadCertificateFiles(source.files.cert, source.files.key);
      return { cert: checked.cert, key: checked.key, certificate: { fingerprint256: checked.fingerprint256, notAfter: checked.notAfter } };
    }
    const stored = await ensureCertificate(source.dir);
    const certificate: ShareCertificate = { fingerprint256: stored.fingerprint256, notAfter: stored.notAfter };
    if (stored.generated) certificate.generated = { reason: stored.reason ?? 'none was saved', path: stored.certPath };
    return { cert: stored.cert, key: stored.key, certificate };
  } catch (err) {
    if (isCertificateError(err)) return { failure: { code: 'certificate-error', message: err.message } };
    throw err;
  }
}

/** A failed listen, for people; a taken port comes with a free one to use instead. */
async function listenFailure(err: FtpServerError, spec: ShareSpec): Promise<StartFailure> {
  const port = spec.ftp.port ?? 0;
  switch (err.code) {
    case 'port-in-use': {
      const suggestedPort = await findFreePort(port + 1, {
        ...(spec.ftp.host !== undefined ? { host: spec.ftp.host } : {}),
        ...(spec.ftp.passivePorts ? { exclude: spec.ftp.passivePorts } : {}),
      });
      const busy = `Another program (or another copy of FTP Share) is using port ${port}.`;
      return {
        code: 'port-in-use',
        message: `Port ${port} is in use`,
        fix: suggestedPort !== undefined ? `${busy} Use port ${suggestedPort} instead, or quit that program.` : `${busy} Choose another port, or quit that program.`,
        field: 'port',
        ...(suggestedPort !== undefined ? { suggestedPort } : {}),
      };
    }
    case 'permission-denied':
      return { code: 'permission-denied', message: `Port ${port} can't be used without administrator rights`, fix: 'Choose a port above 1023, such as 2121.', field: 'port' };
    case 'address-not-available':
      return { code: 'internal', message: `The address ${spec.ftp.host ?? ''} is not one of this computer's`, fix: 'Choose another address, or share on all of them.' };
    default:
      return { code: 'internal', message: `The server could not start: ${err.message}` };
  }
}

/** A failed listen of the web page, for people: as the FTP port's, naming the web page's port. */
async function webListenFailure(err: FtpServerError, spec: ShareSpec): Promise<StartFailure> {
  const port = spec.web?.port ?? defaults.webPort;
  const host = spec.web?.host ?? spec.ftp.host;
  switch (err.code) {
    case 'port-in-use': {
      const suggestedPort = await findFreePort(port + 1, {
        ...(host !== undefined ? { host } : {}),
        ...(spec.ftp.passivePorts ? { exclude: spec.ftp.passivePorts } : {}),
      });
      const busy = `Another program (or another copy of FTP Share) is using port ${port}, the web page's port.`;
      return {
        code: 'port-in-use',
        message: `Port ${port} (the web page's) is in use`,
        fix: suggestedPort !== undefined ? `${busy} Use port ${suggestedPort} for the web page instead, or quit that program.` : `${busy} Choose another port for the web page, or quit that program.`,
        field: 'webPort',
        ...(suggestedPort !== undefined ? { suggestedPort } : {}),
      };
    }
    case 'permission-denied':
      return { code: 'permission-denied', message: `Port ${port} can't be used for the web page without administrator rights`, fix: "Choose a port above 1023 for the web page, such as 8080.", field: 'webPort' };
    case 'address-not-available':
      return { code: 'internal', message: `The address ${host ?? ''} is not one of this computer's`, fix: 'Choose another address, or share on all of them.' };
    default:
      return { code: 'internal', message: `The web page could not start: ${err.message}` };
  }
}
