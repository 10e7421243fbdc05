import net from 'node:net';
import { sameHost } from './peer-address.js';
import { defaults } from '../defaults.js';
import { listen } from '../net/listen.js';

export interface PassiveListenerOptions {
  /** The configured passive range (all the firewall lets through); without one, see `bindPort`. */
  passivePorts: { min: number; max: number } | undefined;
  /** Only this address may connect (RFC 2577 port stealing); undefined lets any address through. */
  peerAddress: string | undefined;
  /** An unarmed listener closes once one to two of these periods have passed since the last PASV (ms). */
  idleMs: number;
  /** Receives the one connection an arming lets through. */
  onConnection(socket: net.Socket): void;
}

/**
 * Open listeners of a configured range that no PASV has armed, least recently used first. When a
 * range runs out, a PASV takes one of their ports over (their owner binds again at its next PASV):
 * ports kept open for reuse never cost another session its transfer.
 */
const reclaimable = new Set<PassiveListener>();

/**
 * A session's passive data listener (PASV/EPSV), kept open across commands: a client fetching many
 * files pays for one bind, not one per file (a listener per PASV cost ~50-60 µs of main-thread CPU
 * per 4 KiB file, measured: socket, bind, listen, close, two epoll_ctl and a setsockopt, the
 * `listening` turn, a net.Server). Each `arm()` lets exactly one connection through, from
 * `peerAddress` when set; a connection while unarmed (stale, duplicate, late) or from another
 * address is destroyed as it is accepted.
 */
export class PassiveListener {
  private server?: net.Server;
  private host = '';
  private port = 0;
  private isArmed = false;
  /** Armed since the idle timer last looked. */
  private usedSinceCheck = false;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly options: PassiveListenerOptions) {}

  /** True between `arm()` and the connection it lets through (or `disarm`). */
  get armed(): boolean {
    return this.isArmed;
  }

  /**
   * Lets the next connection through and returns the port, first binding one unless the listener is
   * already open on `host`. Undefined when every port of the configured range is taken.
   */
  async arm(host: string): Promise<number | undefined> {
    if (!this.server || this.host !== host) {
      this.close();
      const server = net.createServer({ noDelay: true });
      server.on('connection', (socket) => this.admit(socket));
      const port = await this.bindPort(server, host); // a failed bind leaves nothing listening
      if (port === undefined) return undefined;
      server.on('error', () => (this.server === server ? this.close() : server.close()));
      this.server = server;
      this.host = host;
      this.port = port;
      this.idleTimer = setInterval(this.closeIfIdle, this.options.idleMs).unref();
    }
    reclaimable.delete(this);
    this.isArmed = true;
    this.usedSinceCheck = true;
    return this.port;
  }

  /** Lets no connection through until the next `arm()`; the listener stays open for it. */
  disarm(): void {
    if (!this.isArmed) return;
    this.isArmed = false;
    if (this.options.passivePorts) reclaimable.add(this);
  }

  /** Stops listening (idle, session end, a reclaimed port); the next `arm()` binds again. */
  close(): void {
    reclaimable.delete(this);
    clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    this.server?.close();
    this.server = undefined;
    this.isArmed = false;
  }

  private admit(socket: net.Socket): void {
    const peer = this.options.peerAddress;
    if (!this.isArmed || (peer !== undefined && !sameHost(socket.remoteAddress, peer))) {
      socket.destroy();
      return;
    }
    this.disarm();
    this.options.onConnection(socket);
  }

  private readonly closeIfIdle = (): void => {
    if (this.isArmed || this.usedSinceCheck) this.usedSinceCheck = false;
    else this.close();
  };

  /**
   * Binds to a free port of the configured range (random start so sessions spread out), or else
   * takes over an unarmed listener's (see `reclaimable`). Without a range, Linux gets random ports
   * of `defaults.dynamicPassivePorts` and a few retries before port 0: its search for a free port 0
   * walks past every port that finished data connections hold in TIME_WAIT, and a session fetching
   * many small files leaves thousands of them (measured, 2,000 4 KiB files fetched twice with a
   * listener per PASV: 3.2-4.3 ms of server CPU per file with port 0, mostly in the kernel, 0.8-0.9 ms
   * with these). An explicit port is bound at once, TIME_WAIT or not (libuv sets SO_REUSEADDR), and
   * Linux refuses one that any socket listens on, wildcard included, so no other service can be
   * shadowed. BSD and Windows let a specific address shadow a wildcard listener: port 0 there.
   */
  private async bindPort(server: net.Server, host: string): Promise<number | undefined> {
    const range = this.options.passivePorts;
    if (!range && process.platform !== 'linux') return bindPassive(server, host, 0);
    const { min, max } = range ?? defaults.dynamicPassivePorts;
    const size = max - min + 1;
    const offset = Math.floor(Math.random() * size);
    // Ports of this range that unarmed listeners hold: known to be taken, so tried only as a last resort.
    const idle = [...reclaimable].filter((other) => other.host === host && other.port >= min && other.port <= max);
    const idlePorts = new Set(idle.map((other) => other.port));
    // A configured range is all the firewall lets through: every port of it is worth a try.
    const attempts = range ? size : Math.min(size, defaults.dynamicPassivePortAttempts);
    for (let i = 0; i < attempts; i++) {
      const port = range ? min + ((offset + i) % size) : min + Math.floor(Math.random() * size);
      if (idlePorts.has(port)) continue;
      const bound = await tryBind(server, host, port);
      if (bound !== undefined) return bound;
    }
    if (!range) return bindPassive(server, host, 0);
    for (const other of idle) {
      if (!reclaimable.has(other)) continue; // armed (or closed) since
      const port = other.port;
      other.close();
      const bound = await tryBind(server, host, port);
      if (bound !== undefined) return bound;
    }
    return undefined;
  }
}

/** Binds `port`, or undefined when it is taken (or privileged); other errors are thrown. */
async function tryBind(server: net.Server, host: string, port: number): Promise<number | undefined> {
  try {
    return await bindPassive(server, host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') return undefined;
    throw err;
  }
}

/** Listens for one session's data connections; resolves the port (only port 0 asks which it got: a getsockname). */
async function bindPassive(server: net.Server, host: string, port: number): Promise<number> {
  await listen(server, { port, host, backlog: 8, exclusive: true });
  return port || (server.address() as net.AddressInfo).port;
}
