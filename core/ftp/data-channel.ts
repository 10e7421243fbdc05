import net from 'node:net';
import tls from 'node:tls';
import { normalizeAddress, sameHost } from './peer-address.js';
import { peerCertificateError } from './tls-contexts.js';
import { defaults } from '../defaults.js';
import { listen } from '../net/listen.js';

/** How a data connection is protected, decided when it opens (PROT P or C). */
export interface DataTls {
  /** The data connections' context (see createDataSecureContext in tls-contexts.ts), not the control one. */
  dataSecureContext: tls.SecureContext;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  /** Refuse the connection unless it resumed the control connection's TLS session. */
  requireSessionReuse: boolean;
}

export interface DataChannelSettings {
  /** The control connection's peer: passive connections must come from it when `sameAddressOnly`. */
  peerAddress: string;
  sameAddressOnly: boolean;
  timeoutMs: number;
  passivePorts?: { min: number; max: number };
  /** Protection for a connection as it opens (PROT P → TLS), read at accept/connect time. */
  protection(): DataTls | undefined;
}

/** Why a data connection could not be used; the session maps it to 425 or 522. */
export class DataChannelError extends Error {
  override readonly name = 'DataChannelError';
  constructor(
    readonly code: 'timeout' | 'connect-failed' | 'tls-failed' | 'session-not-reused' | 'closed' | 'no-ports',
    message: string,
  ) {
    super(message);
  }
}

/** TLS data sockets whose handshake finished before anyone waited for it. */
const handshakeDone = new WeakSet<tls.TLSSocket>();

/** An open data connection, TLS-wrapped when protected. */
export type DataSocket = net.Socket | tls.TLSSocket;

/**
 * One session's data channel: a pending passive listener (PASV/EPSV) or active target (PORT/EPRT),
 * turned into a connected socket by `open()` when a transfer command runs. The passive listener
 * accepts exactly one connection from the client's own address; strangers are dropped.
 */
export class DataChannel {
  private listener?: net.Server;
  private activeTarget?: { host: string; port: number };
  private accepted?: DataSocket;
  private acceptWaiter?: (socket: DataSocket) => void;
  /** Ends a wait of `open()` (passive accept, active connect) at once: ABOR must not wait for the timeout. */
  private cancelPending?: () => void;
  private current?: DataSocket;
  /** The session ended: nothing may be opened any more (see `dispose`). */
  private disposed = false;

  constructor(private readonly settings: DataChannelSettings) {}

  /** True when PASV/EPSV/PORT/EPRT prepared a connection that no transfer has used yet. */
  get prepared(): boolean {
    return this.listener !== undefined || this.activeTarget !== undefined || this.accepted !== undefined;
  }

  /** Opens a passive listener on `localAddress` and returns its port. Replaces any earlier preparation. */
  async listenPassive(localAddress: string): Promise<number> {
    this.reset();
    const server = net.createServer({ noDelay: true });
    server.maxConnections = 4;
    server.on('connection', (socket) => this.onPassiveConnection(server, socket));
    let port: number;
    try {
      port = await this.bindPassivePort(server, normalizeAddress(localAddress));
    } catch (err) {
      server.close();
      throw err;
    }
    server.on('error', () => server.close());
    // The session ended (or another PASV came) while binding: this listener is nobody's.
    if (this.disposed) {
      server.close();
      throw new DataChannelError('closed', 'Data connection closed');
    }
    this.listener?.close();
    this.listener = server;
    return port;
  }

  /** Remembers PORT/EPRT's target; the connection is made by `open()`. */
  setActive(host: string, port: number): void {
    this.reset();
    this.activeTarget = { host, port };
  }

  /**
   * Returns the connected (and, when `tls` is set, TLS-established) socket. Waits for the passive
   * client or connects to the active target, bounded by the timeout.
   */
  async open(): Promise<DataSocket> {
    const deadline = Date.now() + this.settings.timeoutMs;
    let socket: DataSocket;
    if (this.activeTarget) {
      const target = this.activeTarget;
      this.activeTarget = undefined;
      const raw = await this.connectActive(target, deadline);
      const protection = this.settings.protection();
      socket = protection ? this.wrapTls(raw, protection) : raw;
    } else if (this.listener || this.accepted) {
      socket = await this.waitForPassive(deadline);
    } else {
      throw new DataChannelError('closed', 'Use PORT or PASV first');
    }
    this.current = socket;
    if (this.disposed) {
      socket.destroy();
      throw new DataChannelError('closed', 'Data connection closed');
    }
    const protection = this.settings.protection();
    if (socket instanceof tls.TLSSocket && protection) await this.waitForHandshake(socket, deadline, protection);
    return socket;
  }

  /** Closes the listener and any connection (ABOR, REIN, QUIT, session end). */
  reset(): void {
    const cancel = this.cancelPending;
    this.cancelPending = undefined;
    cancel?.();
    this.listener?.close();
    this.listener = undefined;
    this.activeTarget = undefined;
    this.accepted?.destroy();
    this.accepted = undefined;
    this.acceptWaiter = undefined;
    this.current?.destroy();
    this.current = undefined;
  }

  /** Closes everything for good (the session ended): a PASV or connect still in flight is closed when it lands. */
  dispose(): void {
    this.disposed = true;
    this.reset();
  }

  /** Forgets the finished transfer's socket without destroying it (its owner closes it gracefully). */
  release(socket: DataSocket): void {
    if (this.current === socket) this.current = undefined;
  }

  private onPassiveConnection(server: net.Server, socket: net.Socket): void {
    if (this.settings.sameAddressOnly && !sameHost(socket.remoteAddress, this.settings.peerAddress)) {
      socket.destroy(); // a stranger racing the client for the port (RFC 2577 "port stealing")
      return;
    }
    // A second connection accepted in the same tick as the first, or one that lands after a
    // reset: the listener is spent, and the socket would otherwise be kept by nobody.
    if (this.listener !== server || this.disposed) {
      socket.destroy();
      return;
    }
    server.close();
    if (this.listener === server) this.listener = undefined;
    socket.setNoDelay(true);
    // Wrap at once so a client that starts TLS right after connecting (curl) and one that waits
    // for the 150 reply (ftplib) both work.
    const protection = this.settings.protection();
    const ready = protection ? this.wrapTls(socket, protection) : socket;
    ready.on('error', () => undefined); // errors surface through the transfer's pipeline
    if (this.acceptWaiter) {
      const waiter = this.acceptWaiter;
      this.acceptWaiter = undefined;
      waiter(ready);
    } else {
      this.accepted = ready;
    }
  }

  private waitForPassive(deadline: number): Promise<DataSocket> {
    if (this.accepted) {
      const socket = this.accepted;
      this.accepted = undefined;
      return Promise.resolve(socket);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acceptWaiter = undefined;
        this.cancelPending = undefined;
        this.reset();
        reject(new DataChannelError('timeout', "Can't open data connection: the client did not connect"));
      }, Math.max(0, deadline - Date.now()));
      this.acceptWaiter = (socket) => {
        clearTimeout(timer);
        this.cancelPending = undefined;
        resolve(socket);
      };
      this.cancelPending = () => {
        clearTimeout(timer);
        this.acceptWaiter = undefined;
        reject(new DataChannelError('closed', 'Data connection closed'));
      };
    });
  }

  private connectActive(target: { host: string; port: number }, deadline: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
      const timer = setTimeout(() => {
        this.cancelPending = undefined;
        socket.destroy();
        reject(new DataChannelError('timeout', "Can't open data connection: connection timed out"));
      }, Math.max(0, deadline - Date.now()));
      this.cancelPending = () => {
        clearTimeout(timer);
        socket.destroy();
        reject(new DataChannelError('closed', 'Data connection closed'));
      };
      socket.once('connect', () => {
        clearTimeout(timer);
        this.cancelPending = undefined;
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(socket);
      });
      socket.once('error', () => {
        clearTimeout(timer);
        this.cancelPending = undefined;
        reject(new DataChannelError('connect-failed', "Can't open data connection: connection refused"));
      });
    });
  }

  private wrapTls(socket: net.Socket, options: DataTls): tls.TLSSocket {
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: options.dataSecureContext,
      requestCert: options.requestCert,
      rejectUnauthorized: options.rejectUnauthorized,
    });
    secure.on('error', () => undefined);
    secure.once('secure', () => handshakeDone.add(secure));
    return secure;
  }

  private waitForHandshake(socket: tls.TLSSocket, deadline: number, options: DataTls): Promise<void> {
    const check = (): void => {
      const refused = options.rejectUnauthorized ? peerCertificateError(socket) : undefined;
      if (refused) {
        socket.destroy();
        throw new DataChannelError('tls-failed', `TLS client certificate not accepted on the data connection (${refused})`);
      }
      if (options.requireSessionReuse && !socket.isSessionReused()) {
        socket.destroy();
        throw new DataChannelError('session-not-reused', 'TLS session of the data connection must resume the control connection');
      }
    };
    if (handshakeDone.has(socket)) {
      check();
      return Promise.resolve();
    }
    // A client that starts TLS as soon as it connects (curl) may have failed its handshake
    // before the transfer command came: say so now instead of waiting for the timeout.
    if (socket.destroyed) {
      return Promise.reject(new DataChannelError('tls-failed', 'TLS negotiation on the data connection failed'));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(new DataChannelError('timeout', "Can't open data connection: TLS handshake timed out"));
      }, Math.max(0, deadline - Date.now()));
      const onSecure = () => {
        cleanup();
        try {
          check();
          resolve();
        } catch (err) {
          reject(err);
        }
      };
      const onFail = () => {
        cleanup();
        socket.destroy();
        reject(new DataChannelError('tls-failed', 'TLS negotiation on the data connection failed'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('secure', onSecure);
        socket.off('error', onFail);
        socket.off('close', onFail);
      };
      socket.on('secure', onSecure);
      socket.on('error', onFail);
      socket.on('close', onFail);
    });
  }

  /**
   * Binds to a free port of the configured range (random start so sessions spread out). Without a
   * range, Linux gets random ports of `defaults.dynamicPassivePorts` and a few retries before port 0:
   * its search for a free port 0 walks past every port that finished data connections hold in
   * TIME_WAIT, and a session fetching many small files leaves thousands of them (measured, 2,000
   * 4 KiB files fetched twice: 3.2-4.3 ms of server CPU per file with port 0, mostly in the kernel,
   * 0.8-0.9 ms with these). An explicit port is bound at once, TIME_WAIT or not (libuv sets SO_REUSEADDR),
   * and Linux refuses one that any socket listens on, wildcard included, so no other service can be
   * shadowed. BSD and Windows let a specific address shadow a wildcard listener: port 0 there.
   */
  private async bindPassivePort(server: net.Server, host: string): Promise<number> {
    const range = this.settings.passivePorts;
    if (!range && process.platform !== 'linux') return bindPassive(server, host, 0);
    const { min, max } = range ?? defaults.dynamicPassivePorts;
    const size = max - min + 1;
    const offset = Math.floor(Math.random() * size);
    // A configured range is all the firewall lets through: every port of it is worth a try.
    const attempts = range ? size : Math.min(size, defaults.dynamicPassivePortAttempts);
    for (let i = 0; i < attempts; i++) {
      const port = range ? min + ((offset + i) % size) : min + Math.floor(Math.random() * size);
      try {
        return await bindPassive(server, host, port);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
      }
    }
    if (!range) return bindPassive(server, host, 0);
    throw new DataChannelError('no-ports', "Can't open data connection: no free passive port");
  }
}

/** Listens for one session's data connection; resolves the port (only port 0 asks which it got: a getsockname). */
async function bindPassive(server: net.Server, host: string, port: number): Promise<number> {
  await listen(server, { port, host, backlog: 8, exclusive: true });
  return port || (server.address() as net.AddressInfo).port;
}
