/**
 * Every tunable of the FTP core, in one place (as vsftpd keeps them in tunables.c).
 * Each value is a default: server options override it.
 */
export const defaults = {
  /** Control port the CLI and the app use; 21 needs privileges on most systems. */
  port: 2121,
  /** Listen backlog: large enough that 300 clients connecting at once do not overflow it. */
  listenBacklog: 1024,
  /** Total simultaneous control connections; more get 421. */
  maxConnections: 500,
  /** Simultaneous control connections from one IP address; more get 421. */
  maxConnectionsPerIp: 100,
  /** Failed logins on one connection before it is closed. */
  maxLoginFailures: 3,
  /** Delay before answering a failed PASS, to slow down guessing (ms). */
  loginFailureDelayMs: 1000,
  /** Control connection idle time before 421 (ms); paused while a transfer runs. */
  idleTimeoutMs: 300_000,
  /** How long a PASV/EPSV listener waits for the client, and an active connect may take (ms). */
  dataConnectionTimeoutMs: 30_000,
  /** A data transfer that moves no byte for this long is aborted with 426 (ms). */
  dataStallTimeoutMs: 120_000,
  /** Longest accepted command line in bytes, CRLF excluded (4 KiB); longer gets 500 and a close. */
  maxCommandLineBytes: 4096,
  /** Longest FTP path accepted, in UTF-8 bytes. */
  maxPathBytes: 4096,
  /** Longest single path component, in UTF-8 bytes (most file systems hold 255). */
  maxNameBytes: 255,
  /** Read/write buffer for file streams and data sockets (bytes). */
  streamHighWaterMark: 1024 * 1024,
  /** How many `stat` calls a listing runs at once. */
  listingStatConcurrency: 64,
  /** Transfer progress events per second per transfer, at most. */
  progressEventsPerSecond: 4,
  /** Grace period for `stop()`: sessions still open after it are destroyed (ms). */
  stopGraceMs: 2000,
  /** Seconds of history a listing shows with the time of day instead of the year (six months). */
  recentListingWindowMs: 182 * 24 * 3600 * 1000,
  /** Name shown as owner and group in LIST output. */
  listingOwner: 'ftp',
  /** Restrict PORT/EPRT targets to the control connection's peer address. */
  activeModeSameAddressOnly: true,
  /** Lowest port PORT/EPRT may target. */
  activeModeMinPort: 1024,
  /** Accept a data connection only from the control connection's peer address. */
  passiveModeSameAddressOnly: true,
} as const;

export type Defaults = typeof defaults;
