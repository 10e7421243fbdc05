import type { Authorizer } from '../auth/authorizer.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { BandwidthBudget, BandwidthLimits } from '../net/throttle.js';
import type { SignInTokenProvider } from './sign-in-token.js';

/** Everything `new WebServer(options)` accepts. Unset fields take core/defaults.ts values. */
export interface WebServerOptions {
  /** Who may sign in and what each account sees (the FTP server's own authorizer). */
  authorizer: Authorizer;
  /** Port; 0 picks a free one. Default `defaults.webPort` (8080). */
  port?: number;
  /** Address to bind; default all interfaces (IPv4 and IPv6). */
  host?: string;
  /** Serve HTTPS with this certificate (PEM) instead of plain HTTP. */
  tls?: { cert: string; key: string };
  /** The computer and folder, as the page's title shows them: "MacBook-Pro — Photos". Default the host name. */
  shareName?: string;
  /** The QR code's sign-in token; without it `?token=` signs nobody in. */
  signInTokens?: SignInTokenProvider;
  /** Failed logins per address, shared with the FTP server; default one of the server's own. */
  loginThrottle?: LoginThrottle;
  /** The bandwidth budget shared with the FTP server; default one built from `bandwidth`. */
  bandwidthBudget?: BandwidthBudget;
  bandwidth?: BandwidthLimits;
  /** Extra names the server answers to in `Host` (a name the person set up themselves). */
  allowedHosts?: readonly string[];
  /** Simultaneous connections in all, and from one address (as FTP's); more are closed at once. */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Time to send a request's headers (ms). */
  headersTimeoutMs?: number;
  /** A connection that moves no byte for this long is closed (ms): a stalled download or upload. */
  stallTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** A session without a request for this long ends (ms). */
  sessionIdleMs?: number;
  /** Delay before answering a failed sign-in (ms). */
  loginFailureDelayMs?: number;
  progressEventsPerSecond?: number;
}
