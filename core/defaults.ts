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
  /**
   * Failed logins from one IP address, within `addressLoginFailureWindowMs`, after which every
   * reply to that address's sessions that are not logged in comes late (see the next three).
   * Ten in ten minutes is far beyond a person mistyping, and a guesser opening new connections
   * to get round `maxLoginFailures` still reaches it within seconds.
   */
  addressLoginFailureLimit: 10,
  /** How long a failed login counts against its address (ms): ten minutes. */
  addressLoginFailureWindowMs: 600_000,
  /**
   * First delay once an address reaches the limit (ms); it doubles with each further failure
   * (1, 2, 4, 8, 16 s) and shrinks again as failures age out of the window.
   */
  addressThrottleDelayMs: 1000,
  /** Longest delay before a reply to a throttled address (ms): slow for a guesser, under any idle timeout. */
  addressThrottleMaxDelayMs: 30_000,
  /** Addresses whose failed logins are remembered at once; the stalest is forgotten beyond this (bounded memory). */
  addressThrottleMaxTracked: 10_000,
  /**
   * Commands a session may send per second, sustained; faster is a flood: 421 and a close.
   * Measured on loopback, one session, 2 cores (test/hardening/command-rate.test.ts prints it
   * again): fetching tiny files as fast as the server serves them, pipelined (SIZE+EPSV, then
   * RETR) ~250 files/s = ~760 commands/s; SIZE+MDTM pipelined over a directory ~4,300/s; NOOPs
   * pipelined ~34,000/s. A client fetching 4,000 tiny files/s would send ~12,000/s, but one session
   * can't be served that fast (each file needs a data connection). 10,000/s leaves a legitimate
   * client twice the best rate measured even on a machine twice as fast, and still cuts a flood of
   * cheap commands off within half a second. Memory never depends on this limit: reading pauses
   * while commands queue up (see `MAX_QUEUED_LINES` in session.ts).
   */
  commandRatePerSecond: 10_000,
  /**
   * Commands a session may send at once above the sustained rate (the bucket's size, one second's
   * worth): a client that pipelines a whole batch (an mget of thousands of names) is not cut off.
   */
  commandBurst: 10_000,
  /** Control connection idle time before 421 (ms); paused while a transfer runs. */
  idleTimeoutMs: 300_000,
  /** How long a PASV/EPSV listener waits for the client, and an active connect may take (ms). */
  dataConnectionTimeoutMs: 30_000,
  /** A data transfer that moves no byte for this long is aborted with 426 (ms). */
  dataStallTimeoutMs: 120_000,
  /**
   * How long a finished upload waits for a sign that its client died before it replaces anything
   * (ms): a tenth of the upload's duration, within these bounds. In stream mode the data
   * connection's close ends the file, and a killed client's kernel closes it and the control
   * connection a few ms apart (0.5–3.5 ms measured on loopback, curl and Python killed with
   * SIGKILL); a client that is still there keeps the control connection open for the 226.
   */
  uploadConfirmMinWaitMs: 5,
  uploadConfirmMaxWaitMs: 100,
  /** Longest accepted command line in bytes, CRLF excluded (4 KiB); longer gets 500 and a close. */
  maxCommandLineBytes: 4096,
  /** Longest FTP path accepted, in UTF-8 bytes. */
  maxPathBytes: 4096,
  /** Longest single path component, in UTF-8 bytes (most file systems hold 255). */
  maxNameBytes: 255,
  /** Read/write buffer for file streams and data sockets (bytes). */
  streamHighWaterMark: 1024 * 1024,
  /**
   * Chunk a download reads and writes at a time (bytes). Against 1 MiB chunks the event loop's p99
   * under 100 downloads went 14.5 → 9.7 ms (bench/README.md): each chunk is a shorter stretch of
   * synchronous socket (and TLS encryption) work.
   */
  downloadChunkBytes: 256 * 1024,
  /** Download buffers kept for reuse when no transfer holds them: up to 2 MiB idle, so small files cost no allocation. */
  pooledDownloadBuffers: 8,
  /**
   * Download chunks written per turn of the event loop, across all sessions (core/fs/file-pump.ts):
   * 16 × 256 KiB is ~3 ms of copying, so a turn stays short however many downloads run.
   */
  downloadWritesPerTurn: 16,
  /** How many `stat` calls a listing runs at once (on the thread pool, when no scanning worker runs). */
  listingStatConcurrency: 64,
  /**
   * Entries per batch a directory scan on the worker thread sends back (core/fs/directory-scanner.ts).
   * One batch is read ahead while the previous one is sent, so this bounds a listing's memory.
   * Each batch costs both threads a wake-up: on a 10,000-entry LIST 1,024 took ~4 ms less CPU than
   * 256, and 2,048 or 4,096 were no cheaper.
   */
  directoryScanBatchEntries: 1024,
  /**
   * How long the directory-scanning worker lives without scans before it is ended (ms). An idle
   * worker holds ~4 MB; a new one costs ~40 ms to start and runs its first few listings before
   * its code is optimised (1,000 entries: ~100 ms, then ~40, settling at ~8 after five).
   */
  directoryScanIdleMs: 300_000,
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
  /**
   * Ports a passive listener picks at random from on Linux when no passive range is configured
   * (IANA's dynamic range, mostly above the kernel's own ephemeral ports), instead of port 0:
   * see `bindPort` in core/ftp/passive-listener.ts for why.
   */
  dynamicPassivePorts: { min: 49152, max: 65535 },
  /** Random ports tried from `dynamicPassivePorts` (all taken) before leaving the choice to the kernel. */
  dynamicPassivePortAttempts: 16,
  /** Port of the web page for phones and browsers (`0` in options picks a free one). */
  webPort: 8080,
  /**
   * Time a client may take to send a request's headers (ms); a client that trickles them
   * (slowloris) is cut off. Bodies have no overall limit (an upload may take an hour): a body that
   * stops moving for `dataStallTimeoutMs` ends its connection instead.
   */
  webHeadersTimeoutMs: 20_000,
  /** Idle time of a kept-alive connection between requests (ms). */
  webKeepAliveTimeoutMs: 5_000,
  /** Longest request target accepted (bytes): a `maxPathBytes` path fully percent-encoded, plus a query. */
  webMaxTargetBytes: 3 * 4096 + 1024,
  /** Largest small body (the sign-in form, an action's JSON), in bytes; more is 413. */
  webMaxFormBytes: 64 * 1024,
  /** How long a small body may take to arrive (ms). */
  webFormBodyTimeoutMs: 20_000,
  /**
   * A web session without a request for this long leaves the Sessions panel (ms). HTTP has no
   * connection that says a phone has gone; its next request opens a new session.
   */
  webSessionIdleMs: 5 * 60_000,
  /** A sign-in cookie unused for this long stops working (ms): half a day. */
  webSignInIdleMs: 12 * 3600_000,
  /** Sign-ins remembered at once; the least recently used is forgotten beyond this (bounded memory). */
  webMaxSignIns: 10_000,
  /** Web sessions at once; a new client beyond this gets 503 (bounded memory against UA floods). */
  webMaxSessions: 1_000,
  /** File parts in one browser upload request. */
  webMaxUploadFiles: 10_000,
  /** Entries (files and folders) in one folder .zip; a larger tree is refused rather than held in memory. */
  webMaxZipEntries: 200_000,
  /** Folder depth a .zip descends to (links inside the share can nest folders without end). */
  webMaxZipDepth: 64,
  /**
   * A session's passive listener stays open between PASVs (one bind per session, not per file);
   * unarmed, it closes once one to two of these periods have passed since the last PASV (ms), so an
   * idle session holds no port and no listener. 10 s outlasts the pauses within a client's batch (a
   * directory walk, an mget); holding longer would deny nobody a port (an unarmed listener's port
   * is taken over when a configured range runs out), only keep a descriptor per idle session.
   */
  passiveListenerIdleMs: 10_000,
} as const;

export type Defaults = typeof defaults;
