import net from 'node:net';
import dns from 'node:dns/promises';
import { X509Certificate } from 'node:crypto';
import { defaults } from '../defaults.js';
import type { FtpServerOptions, TlsOptions } from './options.js';
import { ServerEventEmitter, type SessionSecurity, type TransferInfo } from './events.js';
import type { ServerContext, SessionLimits, SessionTls } from './server-context.js';
import { Session } from './session.js';
import { buildSessionTls } from './tls-contexts.js';
import { listen } from '../net/listen.js';
import { readNetworkInterfaces, type InterfaceAddressInfo } from '../net/interfaces.js';
import { BandwidthBudget, type RateLimiter } from '../net/throttle.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { formatReply } from './replies.js';
import { normalizeAddress } from './peer-address.js';

/** Why the server could not start; `message` is written for people ("port 2121 is already in use"). */
export class FtpServerError extends Error {
  override readonly name = 'FtpServerError';
  constructor(
    readonly code: 'port-in-use' | 'permission-denied' | 'address-not-available' | 'invalid-options' | 'already-running' | 'bind-failed',
    message: string,
  ) {
    super(message);
  }
}

/** What `start()` resolves with. */
export interface ListeningInfo {
  port: number;
  /** Addresses clients can use: every interface address when bound to all, else the bound one. */
  addresses: string[];
  tls?: { mode: 'explicit' | 'implicit'; fingerprint256: string };
}

/** A live session as the app shows it. */
export interface SessionSnapshot {
  sessionId: string;
  remoteAddress: string;
  remotePort: number;
  user?: string;
  cwd: string;
  connectedAt: number;
  security: SessionSecurity;
  bytesIn: number;
  bytesOut: number;
  transfer?: TransferInfo;
}

/** A failed listen, as the error start() throws (the web server's listener says the same). */
export function bindError(err: NodeJS.ErrnoException, port: number, host: string): FtpServerError {
  switch (err.code) {
    case 'EADDRINUSE':
      return new FtpServerError('port-in-use', `port ${port} is already in use`);
    case 'EACCES':
    case 'EPERM':
      return new FtpServerError('permission-denied', `permission denied for port ${port}${port < 1024 ? ' (ports below 1024 need administrator rights)' : ''}`);
    case 'EADDRNOTAVAIL':
      return new FtpServerError('address-not-available', `address ${host} is not available on this machine`);
    default:
      return new FtpServerError('bind-failed', `could not listen on ${host}:${port}: ${err.code ?? err.message}`);
  }
}

/** Every address of this machine's interfaces, IPv4 first, loopback last. */
export function interfaceAddresses(): string[] {
  const all = Object.values(readNetworkInterfaces()).flatMap((list) => list ?? []);
  const rank = (a: InterfaceAddressInfo) => (a.internal ? 2 : 0) + (a.family === 'IPv4' || a.family === 4 ? 0 : 1);
  return all.sort((a, b) => rank(a) - rank(b)).map((a) => a.address);
}

/**
 * An FTP/FTPS server. `start()` listens, sessions run until QUIT, kick or `stop()`; everything that
 * happens is reported through typed events (`on('transfer-progress', …)`).
 */
export class FtpServer extends ServerEventEmitter {
  private readonly sessions = new Map<string, Session>();
  private readonly perIp = new Map<string, number>();
  private readonly sessionLimiters = new WeakMap<Session, { download: RateLimiter[]; upload: RateLimiter[] }>();
  private listener?: net.Server;
  private nextSessionNumber = 1;
  private context?: ServerContext;
  private listening?: ListeningInfo;
  private loginThrottle?: LoginThrottle;

  constructor(private readonly options: FtpServerOptions) {
    super();
  }

  /** True between a successful `start()` and `stop()`. */
  get running(): boolean {
    return this.listener !== undefined;
  }

  /** Listens and resolves with the bound port and the addresses to connect to. */
  async start(): Promise<ListeningInfo> {
    if (this.listener) throw new FtpServerError('already-running', 'the server is already running');
    this.context = await this.buildContext();
    const port = this.options.port ?? defaults.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new FtpServerError('invalid-options', `port ${port} is out of range (1-65535, or 0 for any free port)`);
    }
    const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (socket) => this.accept(socket));
    server.maxConnections = (this.options.maxConnections ?? defaults.maxConnections) + 16;
    const host = this.options.host;
    try {
      await listenOn(server, port, host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // No IPv6 on this machine: fall back to IPv4 on all interfaces.
      if (host === undefined && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) {
        await listenOn(server, port, '0.0.0.0').catch((e: NodeJS.ErrnoException) => {
          throw bindError(e, port, '0.0.0.0');
        });
      } else {
        throw bindError(err as NodeJS.ErrnoException, port, host ?? '::');
      }
    }
    server.on('error', (err) => this.emit('error', { code: 'listener', message: err.message }));
    this.listener = server;
    const bound = (server.address() as net.AddressInfo).port;
    const addresses = host && host !== '::' && host !== '0.0.0.0' ? [normalizeAddress(host)] : interfaceAddresses();
    const tlsOptions = this.options.tls;
    this.listening = {
      port: bound,
      addresses,
      ...(tlsOptions ? { tls: { mode: tlsOptions.mode, fingerprint256: new X509Certificate(tlsOptions.cert).fingerprint256 } } : {}),
    };
    this.emit('listening', { port: bound, addresses });
    return this.listening;
  }

  /** Closes the listener and every session (each gets 421) within the grace period. */
  async stop(): Promise<void> {
    const server = this.listener;
    if (!server) return;
    this.listener = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of this.sessions.values()) session.shutdown();
    const deadline = Date.now() + defaults.stopGraceMs - 200;
    while (this.sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const session of [...this.sessions.values()]) session.close('server stopped');
    await closed;
    this.listening = undefined;
    this.emit('stopped', {});
  }

  /** Closes one session at once (the app's Kick button). Returns whether it existed. */
  kick(sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    session.replyAndClose(421, 'Disconnected by the server', 'kicked');
    setTimeout(() => session.close('kicked'), 200).unref();
    return true;
  }

  /** The live sessions. */
  getSessions(): SessionSnapshot[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      remoteAddress: s.remoteAddress,
      remotePort: s.remotePort,
      ...(s.user !== undefined ? { user: s.user } : {}),
      cwd: s.cwd,
      connectedAt: s.openedAt,
      security: { control: s.controlSecure, data: s.protectData },
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      ...(s.transfer ? { transfer: s.transfer.info() } : {}),
    }));
  }

  private accept(socket: net.Socket): void {
    const context = this.context!;
    const ip = normalizeAddress(socket.remoteAddress);
    const total = this.sessions.size;
    const fromIp = this.perIp.get(ip) ?? 0;
    const maxConnections = this.options.maxConnections ?? defaults.maxConnections;
    const maxPerIp = this.options.maxConnectionsPerIp ?? defaults.maxConnectionsPerIp;
    const remotePort = socket.remotePort ?? 0;
    if (total >= maxConnections) {
      socket.on('error', ignoreError);
      this.emit('connection-refused', { remoteAddress: ip, remotePort, reason: 'too-many-connections', limit: maxConnections });
      socket.end(formatReply(421, 'Too many connections, try again later'));
      return;
    }
    if (fromIp >= maxPerIp) {
      socket.on('error', ignoreError);
      this.emit('connection-refused', { remoteAddress: ip, remotePort, reason: 'too-many-from-address', limit: maxPerIp });
      socket.end(formatReply(421, 'Too many connections from your address, try again later'));
      return;
    }
    this.perIp.set(ip, fromIp + 1);
    // The session listens for the socket's errors from here on.
    const session = new Session(`s${this.nextSessionNumber++}`, context, socket, ip);
    this.sessions.set(session.id, session);
    session.start();
  }

  private sessionEnded(session: Session): void {
    if (!this.sessions.delete(session.id)) return;
    const count = (this.perIp.get(session.remoteAddress) ?? 1) - 1;
    if (count <= 0) this.perIp.delete(session.remoteAddress);
    else this.perIp.set(session.remoteAddress, count);
  }

  private async buildContext(): Promise<ServerContext> {
    const o = this.options;
    const limits: SessionLimits = {
      maxCommandLineBytes: defaults.maxCommandLineBytes,
      maxLoginFailures: o.maxLoginFailures ?? defaults.maxLoginFailures,
      loginFailureDelayMs: o.loginFailureDelayMs ?? defaults.loginFailureDelayMs,
      commandRatePerSecond: o.commandRatePerSecond ?? defaults.commandRatePerSecond,
      commandBurst: o.commandBurst ?? defaults.commandBurst,
      idleTimeoutMs: o.idleTimeoutMs ?? defaults.idleTimeoutMs,
      dataConnectionTimeoutMs: o.dataConnectionTimeoutMs ?? defaults.dataConnectionTimeoutMs,
      dataStallTimeoutMs: o.dataStallTimeoutMs ?? defaults.dataStallTimeoutMs,
      progressEventsPerSecond: defaults.progressEventsPerSecond,
      activeModeSameAddressOnly: o.activeModeSameAddressOnly ?? defaults.activeModeSameAddressOnly,
      activeModeMinPort: defaults.activeModeMinPort,
      passiveModeSameAddressOnly: o.passiveModeSameAddressOnly ?? defaults.passiveModeSameAddressOnly,
      streamHighWaterMark: defaults.streamHighWaterMark,
    };
    if (o.passivePorts && !(o.passivePorts.min >= 1 && o.passivePorts.min <= o.passivePorts.max && o.passivePorts.max <= 65535)) {
      throw new FtpServerError('invalid-options', `passive port range ${o.passivePorts.min}-${o.passivePorts.max} is not valid`);
    }
    let publicAddress: string | undefined;
    if (o.publicHost) {
      try {
        publicAddress = net.isIPv4(o.publicHost) ? o.publicHost : (await dns.lookup(o.publicHost, { family: 4 })).address;
      } catch {
        throw new FtpServerError('invalid-options', `public host ${o.publicHost} could not be resolved to an IPv4 address`);
      }
    }
    // One per server object: a stop/start does not wipe an address's failures.
    const loginThrottle = (this.loginThrottle ??= o.loginThrottle ?? new LoginThrottle({
      limit: o.addressLoginFailureLimit ?? defaults.addressLoginFailureLimit,
      windowMs: o.addressLoginFailureWindowMs ?? defaults.addressLoginFailureWindowMs,
      delayMs: o.addressThrottleDelayMs ?? defaults.addressThrottleDelayMs,
      maxDelayMs: o.addressThrottleMaxDelayMs ?? defaults.addressThrottleMaxDelayMs,
      maxTracked: defaults.addressThrottleMaxTracked,
    }));
    const budget = o.bandwidthBudget ?? new BandwidthBudget(o.bandwidth);
    return {
      authorizer: o.authorizer,
      greeting: o.greeting ?? 'FTP Share ready',
      limits,
      ...(o.tls ? { tls: await this.buildTls(o.tls) } : {}),
      ...(o.passivePorts ? { passivePorts: o.passivePorts } : {}),
      ...(publicAddress ? { publicAddress } : {}),
      limitersFor: (session, direction) => {
        let own = this.sessionLimiters.get(session);
        if (!own) {
          own = budget.forSession(session.remoteAddress);
          this.sessionLimiters.set(session, own);
        }
        return own[direction];
      },
      emit: (event, payload) => this.emit(event, payload),
      observed: (event) => this.observed(event),
      loginFailed: (remoteAddress) => {
        const state = loginThrottle.recordFailure(remoteAddress);
        if (state.delayMs > 0) this.emit('address-throttled', { remoteAddress, ...state, windowMs: loginThrottle.windowMs });
      },
      replyDelayMs: (remoteAddress) => loginThrottle.delayMs(remoteAddress),
      sessionEnded: (session) => this.sessionEnded(session),
    };
  }

  private async buildTls(options: TlsOptions): Promise<SessionTls> {
    try {
      return await buildSessionTls(options, (warning) => this.emit('warning', warning));
    } catch (err) {
      throw new FtpServerError('invalid-options', `TLS certificate or key could not be used: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}

/** A refused connection's errors (a reset before our 421 went out) are of no interest. */
function ignoreError(): void {}

/** Listens on all interfaces by default: `::` with ipv6Only false serves IPv4 and IPv6 on one socket on Linux, macOS and Windows. */
function listenOn(server: net.Server, port: number, host: string | undefined): Promise<void> {
  return listen(server, { port, host: host ?? '::', ipv6Only: false, backlog: defaults.listenBacklog });
}
