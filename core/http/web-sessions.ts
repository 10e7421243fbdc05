/**
 * Who is using the web page. Two things are kept apart:
 *
 * - A sign-in: what a session cookie stands for (the account's grant, the CSRF token, the QR
 *   token that made it). It lasts while the cookie is used, until sign-out, a kick or "New code".
 * - A session: a browser or client as the Sessions panel shows it, keyed by its sign-in or, for
 *   clients without a cookie (curl, wget, a visitor not signed in yet), by address, User-Agent and
 *   user. It opens with its first request and closes after `sessionIdleMs` without one (HTTP has
 *   no connection that says "gone"); the next request opens a new one.
 *
 * Memory is bounded: at most `maxSignIns` sign-ins (the least recently used is forgotten) and
 * `maxSessions` sessions (a new client beyond that is refused with 503).
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { LoginGrant } from '../auth/authorizer.js';
import type { FileSystem } from '../fs/file-system.js';
import type { ServerEvents, TransferInfo } from '../ftp/events.js';
import type { SessionSnapshot } from '../ftp/server.js';
import type { WebTransfer } from './web-transfer.js';

type Emit = <K extends keyof ServerEvents>(event: K, payload: ServerEvents[K]) => void;

/** What a session cookie stands for. */
export interface SignIn {
  /** The cookie's value: 256 random bits. */
  readonly id: string;
  readonly user: string;
  readonly fs: FileSystem;
  /** Sent back with every state-changing request (double-checked against this, never the cookie). */
  readonly csrfToken: string;
  /** The QR token that made it, so "New code" can end it. */
  readonly tokenId?: string;
  /** Whether the grant was the anonymous one (no sign-out button then). */
  readonly anonymous: boolean;
  lastUsed: number;
}

/** Where a session's first request came from. */
export interface SessionOrigin {
  remoteAddress: string;
  remotePort: number;
  secure: boolean;
  client?: string;
}

/** A web session as the app sees it. */
export class WebSession {
  readonly connectedAt = Date.now();
  lastSeen = this.connectedAt;
  user?: string;
  /** The last folder shown, as the Sessions panel's "cwd". */
  cwd = '/';
  bytesIn = 0;
  bytesOut = 0;
  readonly transfers = new Set<WebTransfer>();
  /** Responses in progress, ended at once by a kick or a stop. */
  readonly responses = new Set<ServerResponse>();
  /** A client without a cookie: the grant its credentials (or the anonymous login) earned. */
  grant?: LoginGrant;
  /** A digest of the Authorization header that earned `grant`: the same header needs no new login. */
  credential?: string;
  closed = false;

  constructor(
    readonly id: string,
    public key: string,
    readonly origin: SessionOrigin,
    public signIn?: SignIn,
  ) {}

  get remoteAddress(): string {
    return this.origin.remoteAddress;
  }

  get secure(): boolean {
    return this.origin.secure;
  }
}

/** A web session's snapshot: FTP's shape plus its protocol, client and every running transfer. */
export interface WebSessionSnapshot extends SessionSnapshot {
  protocol: 'web';
  client?: string;
  transfers: TransferInfo[];
}

export interface WebSessionLimits {
  sessionIdleMs: number;
  signInIdleMs: number;
  maxSignIns: number;
  maxSessions: number;
}

export class WebSessions {
  /** By cookie value; Map order is least recently used first. */
  private readonly signIns = new Map<string, SignIn>();
  private readonly byId = new Map<string, WebSession>();
  private readonly byKey = new Map<string, WebSession>();
  private nextNumber = 1;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly emit: Emit,
    private readonly limits: WebSessionLimits,
  ) {}

  /** Starts the idle sweep (unref'd: it never keeps the process alive). */
  start(): void {
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(1000, Math.min(30_000, this.limits.sessionIdleMs / 4)));
    this.sweeper.unref();
  }

  /** Ends every session ('server stopped') and forgets every sign-in. */
  stop(reason: string): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const session of [...this.byId.values()]) this.close(session, reason);
    this.signIns.clear();
  }

  // ---- sign-ins -----------------------------------------------------------------------------

  createSignIn(grant: LoginGrant, anonymous: boolean, tokenId?: string): SignIn {
    const signIn: SignIn = {
      id: randomBytes(32).toString('base64url'),
      user: grant.user,
      fs: grant.fs,
      csrfToken: randomBytes(24).toString('base64url'),
      anonymous,
      lastUsed: Date.now(),
      ...(tokenId !== undefined ? { tokenId } : {}),
    };
    this.signIns.set(signIn.id, signIn);
    while (this.signIns.size > this.limits.maxSignIns) this.signIns.delete(this.signIns.keys().next().value!);
    return signIn;
  }

  /** The sign-in a cookie stands for, when it still works. */
  signInFor(cookie: string): SignIn | undefined {
    const signIn = this.signIns.get(cookie);
    if (!signIn) return undefined;
    const now = Date.now();
    if (now - signIn.lastUsed > this.limits.signInIdleMs) {
      this.signIns.delete(cookie);
      return undefined;
    }
    signIn.lastUsed = now;
    this.signIns.delete(cookie);
    this.signIns.set(cookie, signIn);
    return signIn;
  }

  /** Sign-out: the cookie stops working and its session ends. */
  signOut(signIn: SignIn): void {
    this.signIns.delete(signIn.id);
    const session = this.byKey.get(cookieKey(signIn));
    if (session) {
      if (session.user !== undefined) this.emit('logout', { sessionId: session.id, user: session.user });
      this.close(session, 'signed out');
    }
  }

  /** "New code": every sign-in the token made stops working and its session ends. */
  revokeToken(tokenId: string): void {
    for (const signIn of [...this.signIns.values()]) {
      if (signIn.tokenId !== tokenId) continue;
      this.signIns.delete(signIn.id);
      const session = this.byKey.get(cookieKey(signIn));
      if (session) this.close(session, 'sign-in code renewed');
    }
  }

  // ---- sessions -----------------------------------------------------------------------------

  /** The session of a sign-in, or of a client without one (by `clientKey`); opened when new. Undefined when full. */
  sessionFor(key: string, origin: SessionOrigin, signIn?: SignIn): WebSession | undefined {
    const existing = this.byKey.get(key);
    if (existing) {
      existing.lastSeen = Date.now();
      return existing;
    }
    if (this.byId.size >= this.limits.maxSessions) return undefined;
    const session = new WebSession(`w${this.nextNumber++}`, key, origin, signIn);
    this.byId.set(session.id, session);
    this.byKey.set(key, session);
    this.emit('session-opened', {
      sessionId: session.id,
      protocol: 'web',
      remoteAddress: origin.remoteAddress,
      remotePort: origin.remotePort,
      secure: origin.secure,
      ...(origin.client !== undefined ? { client: origin.client } : {}),
    });
    return session;
  }

  /**
   * A visitor's session signed in: it goes on under its new key (the sign-in's or the user's),
   * so the Sessions panel keeps one row for the phone, now with its user.
   */
  adopt(visitor: WebSession, key: string, signIn?: SignIn): WebSession {
    const taken = this.byKey.get(key);
    if (taken && taken !== visitor) return taken;
    this.byKey.delete(visitor.key);
    visitor.key = key;
    if (signIn) visitor.signIn = signIn;
    this.byKey.set(key, visitor);
    return visitor;
  }

  /** Records who a session is signed in as (a `login` event the first time). */
  loggedIn(session: WebSession, user: string): void {
    if (session.user === user) return;
    session.user = user;
    this.emit('login', { sessionId: session.id, user });
  }

  /** The open session of `key`, without opening one. */
  find(key: string): WebSession | undefined {
    return this.byKey.get(key);
  }

  get(sessionId: string): WebSession | undefined {
    return this.byId.get(sessionId);
  }

  /**
   * Kick: ends the session and its requests in flight; a cookie's sign-in stops working (the
   * browser must sign in again, or on an anonymous share gets a new session).
   */
  kick(sessionId: string): boolean {
    const session = this.byId.get(sessionId);
    if (!session) return false;
    if (session.signIn) this.signIns.delete(session.signIn.id);
    this.close(session, 'kicked');
    return true;
  }

  /**
   * An account removed or changed: every session of `user` ends and every cookie signed in as
   * `user` stops working, idle ones included. Returns the sessions ended.
   */
  kickUser(user: string): number {
    for (const [id, signIn] of this.signIns) if (signIn.user === user) this.signIns.delete(id);
    const ended = [...this.byId.values()].filter((s) => s.user === user);
    for (const session of ended) this.close(session, 'kicked');
    return ended.length;
  }

  snapshots(): WebSessionSnapshot[] {
    return [...this.byId.values()].map((s) => {
      const transfers = [...s.transfers].map((t) => t.info());
      return {
        sessionId: s.id,
        protocol: 'web',
        remoteAddress: s.origin.remoteAddress,
        remotePort: s.origin.remotePort,
        ...(s.user !== undefined ? { user: s.user } : {}),
        ...(s.origin.client !== undefined ? { client: s.origin.client } : {}),
        cwd: s.cwd,
        connectedAt: s.connectedAt,
        security: { control: s.secure, data: s.secure },
        bytesIn: s.bytesIn,
        bytesOut: s.bytesOut,
        ...(transfers[0] ? { transfer: transfers[0] } : {}),
        transfers,
      };
    });
  }

  get size(): number {
    return this.byId.size;
  }

  /** Ends a session: its transfers fail with `reason`, its responses in flight are cut. */
  close(session: WebSession, reason: string): void {
    if (session.closed) return;
    session.closed = true;
    this.byId.delete(session.id);
    if (this.byKey.get(session.key) === session) this.byKey.delete(session.key);
    for (const transfer of [...session.transfers]) transfer.cancel(reason);
    for (const res of session.responses) res.destroy();
    session.responses.clear();
    this.emit('session-closed', { sessionId: session.id, reason });
  }

  /** Closes sessions idle for `sessionIdleMs` and forgets sign-ins unused for `signInIdleMs`. */
  sweep(now = Date.now()): void {
    for (const session of [...this.byId.values()]) {
      if (session.transfers.size > 0 || session.responses.size > 0) continue;
      if (now - session.lastSeen >= this.limits.sessionIdleMs) this.close(session, 'idle');
    }
    for (const [id, signIn] of this.signIns) {
      if (now - signIn.lastUsed <= this.limits.signInIdleMs) break; // least recently used first
      this.signIns.delete(id);
    }
  }
}

/** The session key of a cookie's sign-in. */
export function cookieKey(signIn: SignIn): string {
  return `c\n${signIn.id}`;
}

/** The session key of a client without a cookie: its address, User-Agent and user ('' before sign-in). */
export function clientKey(remoteAddress: string, userAgent: string | undefined, user: string): string {
  return `a\n${remoteAddress}\n${userAgent ?? ''}\n${user}`;
}
