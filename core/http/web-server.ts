/**
 * The LAN web page's server: a second protocol front-end beside core/ftp, over the same file
 * systems (through the authorizer's grants), the same login throttle and bandwidth budget, and
 * the same events (`protocol: 'web'`).
 *
 * URL layout (the page relies on it):
 * - `GET /a/b/` folder page (`?sort=name|size|modified&order=asc|desc`); `GET /a/b` → 301 `/a/b/`
 * - `GET|HEAD /a/file` the bytes (ranges, conditionals); `GET /a/b/?zip` the folder as a .zip
 * - `PUT /a/file` raw upload (201 new, 204 replaced)
 * - `POST /a/b/?upload` (multipart), `?mkdir` `{name}`, `POST /a/item?rename` `{to}`, `?delete`
 * - `GET /?signin` the form, `POST /?signin` (`user`, `password`, `returnTo`), `POST /?signout`
 * - `GET /any/path?token=T` signs in with the QR code's token; `GET /?asset=page.css` the page's files
 *
 * Every request first passes the Host check (DNS rebinding) and gets the security headers; every
 * write from a browser needs our own Origin and the session's CSRF token. Module by module:
 * request-path.ts decodes paths, http-guard.ts checks Host and Origin, sign-in.ts says who is
 * asking, and folder.ts, downloads.ts, zip.ts, uploads.ts and actions.ts answer.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import os from 'node:os';
import type net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { LoginThrottle } from '../auth/login-throttle.js';
import { secretsEqual } from '../auth/simple-authorizer.js';
import { defaults } from '../defaults.js';
import { isFsError } from '../fs/fs-error.js';
import { ServerEventEmitter } from '../ftp/events.js';
import { bindError, FtpServerError, interfaceAddresses, type ListeningInfo } from '../ftp/server.js';
import { normalizeAddress } from '../ftp/peer-address.js';
import { listen } from '../net/listen.js';
import { BandwidthBudget, type RateLimiter } from '../net/throttle.js';
import { deleteEntry, makeFolder, renameEntry } from './actions.js';
import { serveAsset } from './assets.js';
import { download } from './downloads.js';
import type { Exchange, WebContext } from './exchange.js';
import { folderPage } from './folder.js';
import { fromBrowser, HostGuard, originCheck, setSecurityHeaders } from './http-guard.js';
import type { WebServerOptions } from './options.js';
import { BadRequestTarget, hrefFor, parseRequestTarget, resolveTargetPath, type RequestTarget } from './request-path.js';
import { redirect, sendError } from './responses.js';
import { authenticate, signInPage, signInPost, signOut } from './sign-in.js';
import { multipartUpload, putUpload, sendFailure } from './uploads.js';
import { WebSessions, type SessionOrigin, type WebSession, type WebSessionSnapshot } from './web-sessions.js';
import { clientName } from './client-name.js';
import { zipFolder } from './zip.js';

export type { WebServerOptions } from './options.js';
export type { WebSessionSnapshot } from './web-sessions.js';

/** Why the web server could not start; the same codes as the FTP server's, so one message table serves both. */
export { FtpServerError as WebServerError };

const ALLOWED_METHODS = 'GET, HEAD, PUT, POST';

/** The web page's server; its events (`on`/`off`) are the FTP server's, with `protocol: 'web'`. */
export class WebServer extends ServerEventEmitter {
  private readonly sessionStore: WebSessions;
  private readonly hostGuard: HostGuard;
  private readonly perIp = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private readonly limiters = new WeakMap<WebSession, { download: RateLimiter[]; upload: RateLimiter[] }>();
  private readonly context: WebContext;
  private listener?: http.Server;
  private unsubscribeTokens?: () => void;

  constructor(private readonly options: WebServerOptions) {
    super();
    this.sessionStore = new WebSessions((event, payload) => this.emit(event, payload), {
      sessionIdleMs: options.sessionIdleMs ?? defaults.webSessionIdleMs,
      signInIdleMs: defaults.webSignInIdleMs,
      maxSignIns: defaults.webMaxSignIns,
      maxSessions: defaults.webMaxSessions,
    });
    this.hostGuard = new HostGuard([...(options.allowedHosts ?? []), ...(options.host ? [options.host] : [])]);
    const budget = options.bandwidthBudget ?? new BandwidthBudget(options.bandwidth);
    const loginThrottle =
      options.loginThrottle ??
      new LoginThrottle({
        limit: defaults.addressLoginFailureLimit,
        windowMs: defaults.addressLoginFailureWindowMs,
        delayMs: defaults.addressThrottleDelayMs,
        maxDelayMs: defaults.addressThrottleMaxDelayMs,
        maxTracked: defaults.addressThrottleMaxTracked,
      });
    this.context = {
      authorizer: options.authorizer,
      sessions: this.sessionStore,
      loginThrottle,
      ...(options.signInTokens ? { tokens: options.signInTokens } : {}),
      limits: {
        loginFailureDelayMs: options.loginFailureDelayMs ?? defaults.loginFailureDelayMs,
        progressEventsPerSecond: options.progressEventsPerSecond ?? defaults.progressEventsPerSecond,
        streamHighWaterMark: defaults.streamHighWaterMark,
      },
      shareName: options.shareName ?? os.hostname(),
      secure: options.tls !== undefined,
      ...(options.tls ? { fingerprint256: new X509Certificate(options.tls.cert).fingerprint256 } : {}),
      emit: (event, payload) => this.emit(event, payload),
      limitersFor: (session, direction) => {
        let own = this.limiters.get(session);
        if (!own) this.limiters.set(session, (own = budget.forSession(session.remoteAddress)));
        return own[direction];
      },
    };
  }

  get running(): boolean {
    return this.listener !== undefined;
  }

  /** Listens and resolves with the bound port and the addresses to open the page at. */
  async start(): Promise<ListeningInfo> {
    if (this.listener) throw new FtpServerError('already-running', 'the web server is already running');
    const port = this.options.port ?? defaults.webPort;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new FtpServerError('invalid-options', `port ${port} is out of range (1-65535, or 0 for any free port)`);
    }
    const serverOptions: http.ServerOptions = {
      // Uploads may take an hour: no overall request limit; a stalled body is caught by `timeout`.
      requestTimeout: 0,
      headersTimeout: this.options.headersTimeoutMs ?? defaults.webHeadersTimeoutMs,
      keepAliveTimeout: this.options.keepAliveTimeoutMs ?? defaults.webKeepAliveTimeoutMs,
      // The header timeout is enforced on this interval: a trickling client is cut within it.
      connectionsCheckingInterval: 1000,
    };
    let server: http.Server;
    try {
      server = this.options.tls ? https.createServer({ ...serverOptions, cert: this.options.tls.cert, key: this.options.tls.key }) : http.createServer(serverOptions);
    } catch (err) {
      throw new FtpServerError('invalid-options', `TLS certificate or key could not be used: ${(err as Error).message.split('\n')[0]}`);
    }
    server.timeout = this.options.stallTimeoutMs ?? defaults.dataStallTimeoutMs;
    server.maxHeadersCount = 100;
    server.on('connection', (socket: net.Socket) => this.accept(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    // Answered by the handler (after the sign-in check), so a refused upload sends no body.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
      if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    const host = this.options.host;
    try {
      await listen(server, { port, host: host ?? '::', ipv6Only: false, backlog: defaults.listenBacklog });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (host === undefined && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) {
        await listen(server, { port, host: '0.0.0.0', backlog: defaults.listenBacklog }).catch((e: NodeJS.ErrnoException) => {
          throw bindError(e, port, '0.0.0.0');
        });
      } else {
        throw bindError(err as NodeJS.ErrnoException, port, host ?? '::');
      }
    }
    server.on('error', (err) => this.emit('error', { code: 'listener', message: err.message }));
    this.listener = server;
    this.sessionStore.start();
    this.unsubscribeTokens = this.options.signInTokens?.onRevoked((tokenId) => this.sessionStore.revokeToken(tokenId));
    const bound = (server.address() as net.AddressInfo).port;
    const addresses = host && host !== '::' && host !== '0.0.0.0' ? [normalizeAddress(host)] : interfaceAddresses();
    this.emit('listening', { port: bound, addresses });
    return { port: bound, addresses };
  }

  /** Closes the listener, ends every session and cuts every connection. */
  async stop(): Promise<void> {
    const server = this.listener;
    if (!server) return;
    this.listener = undefined;
    this.unsubscribeTokens?.();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.sessionStore.stop('server stopped');
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.emit('stopped', {});
  }

  /** The live web sessions. */
  sessions(): WebSessionSnapshot[] {
    return this.sessionStore.snapshots();
  }

  /** Ends a browser's session now (its cookie stops working). Returns whether it existed. */
  kick(sessionId: string): boolean {
    return this.sessionStore.kick(sessionId);
  }

  /** Ends every session of `user` and makes its cookies stop working; returns the sessions ended. */
  kickUser(user: string): number {
    return this.sessionStore.kickUser(user);
  }

  /** Per-address and total connection caps, as the FTP listener has them. */
  private accept(socket: net.Socket): void {
    const ip = normalizeAddress(socket.remoteAddress);
    const remotePort = socket.remotePort ?? 0;
    socket.on('error', () => undefined);
    const maxConnections = this.options.maxConnections ?? defaults.maxConnections;
    const maxPerIp = this.options.maxConnectionsPerIp ?? defaults.maxConnectionsPerIp;
    const fromIp = this.perIp.get(ip) ?? 0;
    const refuse = (reason: 'too-many-connections' | 'too-many-from-address', limit: number): void => {
      this.emit('connection-refused', { remoteAddress: ip, remotePort, reason, limit });
      socket.destroy();
    };
    if (this.sockets.size >= maxConnections) return refuse('too-many-connections', maxConnections);
    if (fromIp >= maxPerIp) return refuse('too-many-from-address', maxPerIp);
    this.perIp.set(ip, fromIp + 1);
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    try {
      await this.route(req, res);
    } catch (err) {
      // A bug must not crash the process or leave the client waiting; it says nothing about why.
      if (!isFsError(err)) this.emit('error', { code: 'request-failed', message: `${req.method}: ${(err as Error)?.message ?? String(err)}` });
      if (!res.headersSent && !res.destroyed) sendError(req, res, isFsError(err) ? 404 : 500);
      else res.destroy();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.context;
    if (!this.hostGuard.allows(req.headers.host)) return sendError(req, res, 421, undefined, { Connection: 'close' });
    let target: RequestTarget;
    try {
      target = parseRequestTarget(req.url ?? '/');
    } catch (err) {
      return sendError(req, res, err instanceof BadRequestTarget ? err.status : 400, err instanceof BadRequestTarget ? err.message : undefined);
    }
    if (target.authority !== undefined && !this.hostGuard.allows(target.authority)) return sendError(req, res, 421, undefined, { Connection: 'close' });
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    if (!read && method !== 'PUT' && method !== 'POST') return sendError(req, res, 405, undefined, { Allow: ALLOWED_METHODS });
    const { query } = target;
    const socket = req.socket;
    const origin: SessionOrigin = {
      remoteAddress: normalizeAddress(socket.remoteAddress),
      remotePort: socket.remotePort ?? 0,
      secure: ctx.secure,
      ...(clientName(req.headers['user-agent']) !== undefined ? { client: clientName(req.headers['user-agent'])! } : {}),
    };

    const asset = query.get('asset');
    if (read && asset !== null) return serveAsset(req, res, asset, query.get('v'));
    if (query.has('signin')) {
      if (read) return signInPage(ctx, req, res, target, origin);
      if (method === 'POST') return signInPost(ctx, req, res, origin);
      return sendError(req, res, 405, undefined, { Allow: 'GET, HEAD, POST' });
    }

    const identity = await authenticate(ctx, req, res, target, origin);
    if (!identity) return;
    const { session } = identity;
    session.responses.add(res);
    res.once('close', () => {
      session.responses.delete(res);
      session.lastSeen = Date.now();
    });
    const ex: Exchange = { req, res, ctx, target, remoteAddress: origin.remoteAddress, session, fs: identity.fs, user: identity.user, csrfPending: false, ...(identity.signIn ? { signIn: identity.signIn } : {}) };

    if (!read && !this.writeAllowed(ex)) return;
    if (method === 'POST' && query.has('signout')) {
      // Signing out ends the session, whose requests in flight are cut: not this one, which answers.
      session.responses.delete(res);
      return signOut(ctx, req, res, identity.signIn);
    }

    let path: string;
    try {
      path = resolveTargetPath(target, identity.fs);
    } catch (err) {
      if (!(err instanceof BadRequestTarget)) throw err;
      ctx.emit('access-refused', { reason: 'invalid-path', path: target.rawPath.slice(0, 512), detail: err.message, sessionId: session.id, remoteAddress: origin.remoteAddress });
      return sendError(req, res, err.status, err.message);
    }

    if (method === 'PUT') return putUpload(ex, path);
    if (method === 'POST') {
      if (query.has('upload')) return multipartUpload(ex, path);
      if (query.has('mkdir')) return makeFolder(ex, path);
      if (query.has('rename')) return renameEntry(ex, path);
      if (query.has('delete')) return deleteEntry(ex, path);
      return sendError(req, res, 400, 'Unknown action');
    }
    let info;
    try {
      info = await identity.fs.stat(path);
    } catch (err) {
      return sendFailure(ex, err);
    }
    if (info.type === 'dir') {
      if (!target.trailingSlash && path !== '/') return redirect(req, res, 301, hrefFor(path, true) + (rawQuery(req.url) ?? ''));
      if (query.has('zip')) return zipFolder(ex, path);
      return folderPage(ex, path);
    }
    if (target.trailingSlash) return sendError(req, res, 404);
    return download(ex, path, info);
  }

  /**
   * State-changing requests: a browser's must come from our own origin and, when it came with the
   * session cookie, show the session's CSRF token (the header here, or a form field that the
   * handler checks). A client without cookies (curl -T with -u) carries no ambient credentials:
   * it needs no token, but an Origin it sends must still be ours.
   */
  private writeAllowed(ex: Exchange): boolean {
    const origin = originCheck(ex.req, ex.ctx.secure);
    const refuse = (message: string): false => {
      sendError(ex.req, ex.res, 403, message);
      return false;
    };
    if (origin === 'foreign') return refuse('Requests from another site are refused');
    if (ex.signIn) {
      if (origin === 'absent') return refuse('The request does not say where it comes from');
      const header = ex.req.headers['x-csrf-token'];
      if (typeof header === 'string') {
        if (!secretsEqual(header, ex.signIn.csrfToken)) return refuse('The page’s security token is wrong; reload the page');
      } else {
        ex.csrfPending = true;
      }
      return true;
    }
    if (fromBrowser(ex.req)) return refuse('Sign in again to change files');
    return true;
  }
}

/** The query of a raw request target, with its `?`. */
function rawQuery(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  return q === -1 ? undefined : url!.slice(q);
}
