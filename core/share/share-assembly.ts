/**
 * The one way to turn what is to be shared into a running share: checks the folders, builds the
 * file systems (one folder: a physical root; several: a virtual root; one per account, see
 * share-file-systems.ts), the authorizer, TLS and the protocol servers, starts them, and turns
 * every start failure into a message with a fix.
 *
 * The ShareService, the CLI and the test fixture all start shares here, so they can't disagree
 * about folders, certificates or errors. A new protocol front-end is started here too, over the
 * same `fileSystem` and `authorizer`, reporting into the same `events`.
 */
import { FtpServer, FtpServerError, type ListeningInfo } from '../ftp/server.js';
import type { FtpServerOptions, TlsOptions } from '../ftp/options.js';
import type { Authorizer } from '../auth/authorizer.js';
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
import { advertise, advertisingDisabled, type AdvertisedService, type Advertisement } from '../net/mdns.js';
import type { SessionSnapshot } from '../ftp/server.js';
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
  field?: 'folders' | 'port';
}

/** The certificate a share runs with, and whether it was just made. */
export interface ShareCertificate {
  fingerprint256: string;
  notAfter: Date;
  /** Set when a new certificate was made for this start: why, and where it is kept. */
  generated?: { reason: string; path: string };
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
  /** Every front-end's events, in one shape. */
  readonly events: ServerEventSource;
  /** The `.local` names the services answer to, while advertised by name. */
  hostnames(): Advertisement['hostnames'];
  /** Starts or stops advertising by name, without a restart. */
  setAdvertised(on: boolean): Promise<void>;
  /** Every front-end's live sessions. */
  sessions(): SessionSnapshot[];
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
  const ftp = new FtpServer({ ...spec.ftp, authorizer, ...(tls ? { tls } : {}) });
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
  let access = spec.access;
  let advertisement: Advertisement | undefined;
  const setAdvertised = async (on: boolean): Promise<void> => {
    if (!on || advertisingDisabled()) {
      await advertisement?.stop();
      advertisement = undefined;
    } else {
      advertisement ??= await advertise(advertisedServices(access, listening.port), (message) => events.emit('warning', { code: 'mdns', message }));
    }
  };
  await setAdvertised(spec.mdns === true);
  const share: RunningShare = {
    ftp,
    fileSystem,
    authorizer,
    listening,
    ...(certificate ? { certificate } : {}),
    events,
    hostnames: () => advertisement?.hostnames ?? {},
    setAdvertised,
    sessions: () => ftp.getSessions(),
    kick: (sessionId) => ftp.kick(sessionId),
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
      const ended = share.sessions().filter((s) => s.user === user);
      for (const session of ended) share.kick(session.sessionId);
      return ended.length;
    },
    stop: async () => {
      await setAdvertised(false);
      await ftp.stop();
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

function advertisedServices(access: ShareAccess, ftpPort: number): AdvertisedService[] {
  return [{ type: 'ftp', port: ftpPort, txt: ftpTxt(access) }];
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
