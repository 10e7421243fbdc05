import type tls from 'node:tls';
import type { Authorizer } from '../auth/authorizer.js';
import type { ServerEvents } from './events.js';
import type { Session } from './session.js';
import type { RateLimiter } from '../net/throttle.js';

/** TLS as the sessions use it: a built context plus the policies of TlsOptions. */
export interface SessionTls {
  mode: 'explicit' | 'implicit';
  /** Context of control connections. */
  secureContext: tls.SecureContext;
  /** Context of data connections: resumes control sessions, issues no tickets. */
  dataSecureContext: tls.SecureContext;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  requireTls: boolean;
  requireEncryptedData: boolean;
  requireSessionReuse: boolean;
}

/** The limits a session enforces, resolved from options and core/defaults.ts. */
export interface SessionLimits {
  maxCommandLineBytes: number;
  maxLoginFailures: number;
  loginFailureDelayMs: number;
  /** Commands per second a session may send, sustained and at once; more closes it (421). */
  commandRatePerSecond: number;
  commandBurst: number;
  idleTimeoutMs: number;
  dataConnectionTimeoutMs: number;
  dataStallTimeoutMs: number;
  progressEventsPerSecond: number;
  activeModeSameAddressOnly: boolean;
  activeModeMinPort: number;
  passiveModeSameAddressOnly: boolean;
  streamHighWaterMark: number;
}

/** What a session needs from its server: settings, shared limiters and the event sink. */
export interface ServerContext {
  readonly authorizer: Authorizer;
  readonly greeting: string;
  readonly limits: SessionLimits;
  readonly tls?: SessionTls;
  readonly passivePorts?: { min: number; max: number };
  /** IPv4 address announced by PASV instead of the control connection's local address. */
  readonly publicAddress?: string;
  /** Limiters a session's downloads/uploads draw from (server-wide and its own). */
  limitersFor(session: Session, direction: 'download' | 'upload'): RateLimiter[];
  emit<K extends keyof ServerEvents>(event: K, payload: ServerEvents[K]): void;
  /** True when `event` has a listener (see ServerEventEmitter.observed). */
  observed(event: keyof ServerEvents): boolean;
  /** Counts a failed login against its address (may start or lengthen its throttle). */
  loginFailed(remoteAddress: string): void;
  /** How long a reply to a session of this address that is not logged in must wait (ms); 0 mostly. */
  replyDelayMs(remoteAddress: string): number;
  sessionEnded(session: Session): void;
}
