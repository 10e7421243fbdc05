/** The types of a share's settings, apart from their validation (which uses Node) so the window's type check needs no Node types. */

/**
 * One account of password sign-in: its credentials, and what it sees and may do. The share's
 * read-only switch applies on top of `readOnly`: while the share is read-only, nobody writes.
 */
export interface AccountSettings {
  username: string;
  password: string;
  /** Only browse and download, even while the share allows changes. Absent: as the share allows. */
  readOnly?: boolean;
  /**
   * The shared folders it sees, each one of the share's `folders`. Absent: all of them, folders
   * shared later included. Empty: none (what is left when its folders stop being shared).
   */
  folders?: string[];
}

/**
 * The accounts of password sign-in: the first one's fields at the top (where a one-account file
 * has always had them, so older files load as they are), the others in `otherAccounts` (absent
 * when there is only one).
 */
export interface AccountList extends AccountSettings {
  otherAccounts?: AccountSettings[];
}

/** Who may log in. */
export type AccessSettings =
  /**
   * Anyone, with any user name and password (FTP's "anonymous"). `account` holds the accounts
   * that were on before: kept (and saved) so that turning sign-in back on restores the same
   * accounts and passwords, until the user makes a new password.
   */
  | { mode: 'anonymous'; account?: AccountList }
  /** One account or more, each with its own password, rights and folders. */
  | ({ mode: 'password' } & AccountList);

/**
 * Bandwidth caps in MB/s (1 MB = 1,000,000 bytes); 0 = unlimited. The share's caps hold for all
 * sessions of FTP and the web page together; the per-device cap holds for each remote address
 * (all its sessions together), in each direction.
 */
export interface BandwidthSettings {
  downloadMBps: number;
  uploadMBps: number;
  perDeviceMBps: number;
}

/** FTPS: off, explicit (AUTH TLS on the control port) or implicit (TLS from the first byte). */
export type FtpsMode = 'off' | 'explicit' | 'implicit';

/** Everything about a share the user can set, as saved between runs. */
export interface ShareSettings {
  /** Shared folders, absolute host paths; shown as top-level directories when there are several. */
  folders: string[];
  /** Control port. */
  port: number;
  /** Clients may only download. */
  readOnly: boolean;
  /**
   * The web page for phones and browsers: on or off, its port, and whether the QR code carries a
   * sign-in token (`qrSignIn`, the default) or only the plain address.
   */
  web: { enabled: boolean; port: number; qrSignIn: boolean };
  access: AccessSettings;
  ftps: FtpsMode;
  /** With explicit FTPS: refuse login until the client has switched to TLS. */
  requireTls: boolean;
  /** Ports for passive data connections; absent means any free port the OS picks. */
  passivePorts?: { min: number; max: number };
  /**
   * Connections at once, for FTP and for the web page each; more are turned away (FTP's 421)
   * until one ends. 1 to `MAX_CONNECTION_LIMIT` (contract.ts).
   */
  maxConnections: number;
  /** Connections at once from one address (one device), for each; at most `maxConnections`. */
  maxConnectionsPerAddress: number;
  /** Stop sharing after this many minutes; 0 = never. */
  autoStopMinutes: number;
  /** The address shown to users (URL, QR code); absent means the best-ranked candidate. */
  advertisedAddress?: string;
  /** Start the app when the user logs in. */
  launchAtLogin: boolean;
  /**
   * Advertise the share by name on the local network (mDNS/DNS-SD), so devices list it and reach
   * it at a `.local` name that survives the IP changing.
   */
  mdns: boolean;
  /** A desktop notification when a file arrives (the Electron app; the CLI's window shows none). */
  notifyOnReceive: boolean;
  /** Bandwidth caps, applied live to running transfers. */
  bandwidth: BandwidthSettings;
  /** The "still running in the tray" hint has been shown once. */
  trayHintShown: boolean;
  /** Format version of these settings. */
  version: 1;
}

/** One problem found by {@link validateSettings}: the field's path and a message for people. */
export interface SettingsFieldError {
  /**
   * Dotted path of the field: `port`, `access.password`, `folders[2]`, `passivePorts.min`,
   * `access.otherAccounts[0].folders[1]`.
   */
  field: string;
  message: string;
}

/** Result of {@link validateSettings}. */
export type SettingsValidation =
  | { ok: true; value: ShareSettings }
  | { ok: false; errors: SettingsFieldError[] };
