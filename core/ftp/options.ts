import type { SecureContextOptions } from 'node:tls';
import type { Authorizer } from '../auth/authorizer.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { BandwidthBudget, BandwidthLimits } from '../net/throttle.js';

export type { BandwidthLimits } from '../net/throttle.js';

/** TLS settings of a server; absent means plain FTP only. */
export interface TlsOptions {
  /** `explicit`: AUTH TLS on the control port (RFC 4217). `implicit`: TLS from the first byte. */
  mode: 'explicit' | 'implicit';
  /** PEM certificate (chain) and private key. */
  cert: string;
  key: string;
  /** Refuse USER/PASS before AUTH TLS (implied by implicit mode). */
  requireTls?: boolean;
  /** Refuse PROT C and data commands before PROT P (implied by implicit mode). */
  requireEncryptedData?: boolean;
  /** Refuse a data connection whose TLS session is not resumed from the control connection. */
  requireSessionReuse?: boolean;
  /** PEM CA bundle: when set, clients must present a certificate it signed (mutual TLS). */
  clientCa?: string;
  /** Extra options passed to `tls.createSecureContext` (tests, cipher tuning). */
  secureContext?: SecureContextOptions;
}

/** Everything `new FtpServer(options)` accepts. Unset fields take core/defaults.ts values. */
export interface FtpServerOptions {
  /** Who may log in and what each account sees. */
  authorizer: Authorizer;
  /** Control port; 0 picks a free one. */
  port?: number;
  /** Address to bind; default all interfaces (IPv4 and IPv6). */
  host?: string;
  tls?: TlsOptions;
  /** Inclusive passive port range; default any free port. */
  passivePorts?: { min: number; max: number };
  /** Host name or IPv4 address announced in PASV replies instead of the local address. */
  publicHost?: string;
  /** Greeting text after `220 `. */
  greeting?: string;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  maxLoginFailures?: number;
  loginFailureDelayMs?: number;
  /** Failed logins from one address within the window before its replies are delayed. */
  addressLoginFailureLimit?: number;
  addressLoginFailureWindowMs?: number;
  /** First delay for a throttled address (ms); doubles per further failure up to the maximum. */
  addressThrottleDelayMs?: number;
  addressThrottleMaxDelayMs?: number;
  /** Commands per second a session may send, sustained, and at once (burst); more is a flood (421). */
  commandRatePerSecond?: number;
  commandBurst?: number;
  idleTimeoutMs?: number;
  dataConnectionTimeoutMs?: number;
  dataStallTimeoutMs?: number;
  bandwidth?: BandwidthLimits;
  /**
   * A budget shared with other front-ends (the web page), used instead of one built from
   * `bandwidth`, so the server-wide caps hold across protocols.
   */
  bandwidthBudget?: BandwidthBudget;
  /**
   * Failed logins per address shared with other front-ends, used instead of one built from the
   * `address…` options: a guesser gains nothing by switching from FTP to the web page.
   */
  loginThrottle?: LoginThrottle;
  /** PORT/EPRT only to the client's own address and ports ≥ 1024 (default true). */
  activeModeSameAddressOnly?: boolean;
  /** Accept data connections only from the client's address (default true). */
  passiveModeSameAddressOnly?: boolean;
}
