import net from 'node:net';
import tls from 'node:tls';
import { normalizeAddress } from './peer-address.js';
import { peerCertificateError } from './tls-contexts.js';
import { PassiveListener } from './passive-listener.js';
import { defaults } from '../defaults.js';

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
  /** How long an unused passive listener stays open (ms); `defaults.passiveListenerIdleMs` unless a test shortens it. */
  listenerIdleMs?: number;
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
 * One session's data channel: an armed passive listener (PASV/EPSV) or active target (PORT/EPRT),
 * turned into a connected socket by `open()` when a transfer command runs. The passive listener is
 * kept across commands (see PassiveListener); each PASV lets exactly one connection through, from
 * the client's own address when `sameAddressOnly`.
 */
export class DataChannel {
  /** Created at the first PASV: a session that never asks for one holds none. */
  private passive?: PassiveListener;
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
    return this.passive?.armed === true || this.activeTarget !== undefined || this.accepted !== undefined;
  }

  /**
   * Arms the passive listener on `localAddress` for one connection and returns its port (the same
   * port again while the listener stays open). Replaces any earlier preparation.
   */
  async listenPassive(localAddress: string): Promise<number> {
    this.reset();
    this.passive ??= new PassiveListener({
      passivePorts: this.settings.passivePorts,
      peerAddress: this.settings.sameAddressOnly ? this.settings.peerAddress : undefined,
      idleMs: this.settings.listenerIdleMs ?? defaults.passiveListenerIdleMs,
      onConnection: (socket) => this.onPassiveConnection(socket),
    });
    const port = await this.passive.arm(normalizeAddress(localAddress));
    // The session ended while binding: the listener is nobody's.
    if (this.disposed) {
      this.passive.close();
      throw new DataChannelError('closed', 'Data connection closed');
    }
    if (port === undefined) throw new DataChannelError('no-ports', "Can't open data connection: no free passive port");
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
    } else if (this.passive?.armed || this.accepted) {
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

  /**
   * Drops the preparation and closes any connection (a new PASV or PORT, ABOR, REIN, a refused
   * command, a timeout); the passive listener stays open, unarmed, for the next PASV.
   */
  reset(): void {
    const cancel = this.cancelPending;
    this.cancelPending = undefined;
    cancel?.();
    this.passive?.disarm();
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
    this.passive?.close();
  }

  /** Forgets the finished transfer's socket without destroying it (its owner closes it gracefully). */
  release(socket: DataSocket): void {
    if (this.current === socket) this.current = undefined;
  }

  /** The one connection a PASV let through (TCP_NODELAY already set by the listener). */
  private onPassiveConnection(socket: net.Socket): void {
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
}
