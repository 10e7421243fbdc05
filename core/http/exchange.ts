/**
 * What every request handler of the web server gets: the server-wide context (settings, sessions,
 * the shared budgets, the event sink) and the request with who made it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer } from '../auth/authorizer.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { FileSystem } from '../fs/file-system.js';
import type { AccessRefusal, ServerEvents } from '../ftp/events.js';
import type { RateLimiter } from '../net/throttle.js';
import type { RequestTarget } from './request-path.js';
import type { SignInTokenProvider } from './sign-in-token.js';
import type { SignIn, WebSession, WebSessions } from './web-sessions.js';

/** The limits a web server enforces, resolved from its options and core/defaults.ts. */
export interface WebLimits {
  loginFailureDelayMs: number;
  progressEventsPerSecond: number;
  streamHighWaterMark: number;
}

/** Server-wide: settings and shared state. */
export interface WebContext {
  readonly authorizer: Authorizer;
  readonly sessions: WebSessions;
  readonly loginThrottle: LoginThrottle;
  readonly tokens?: SignInTokenProvider;
  readonly limits: WebLimits;
  readonly shareName: string;
  /** Served over HTTPS. */
  readonly secure: boolean;
  readonly fingerprint256?: string;
  emit<K extends keyof ServerEvents>(event: K, payload: ServerEvents[K]): void;
  /** The limiters a session's downloads or uploads draw from (shared budget plus its own). */
  limitersFor(session: WebSession, direction: 'download' | 'upload'): RateLimiter[];
}

/** A request and who made it, once signed in. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: WebContext;
  readonly target: RequestTarget;
  readonly remoteAddress: string;
  readonly session: WebSession;
  /** The account's view of the files. */
  readonly fs: FileSystem;
  readonly user: string;
  /** The cookie's sign-in, when the request came with one (its CSRF token guards writes). */
  readonly signIn?: SignIn;
  /** Whether a state-changing request still has to show the CSRF token (in a form field). */
  csrfPending: boolean;
}

/** Reports a refusal the person sharing wants to know of, as the FTP server does. */
export function reportRefusal(ex: Exchange, refusal: AccessRefusal): void {
  ex.ctx.emit('access-refused', { ...refusal, sessionId: ex.session.id, remoteAddress: ex.remoteAddress });
}
