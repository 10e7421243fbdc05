import net from 'node:net';
import tls from 'node:tls';
import { ReplyReader, type Reply } from './reply-reader.js';
import { onceEvent } from './wait.js';

export type { Reply } from './reply-reader.js';

/** Where and how `ControlClient.connect` connects. */
export interface ControlConnectOptions {
  host?: string;
  /** Local address to connect from (127.0.0.2 plays a second machine on Linux). */
  localAddress?: string;
  /** Implicit FTPS: TLS from the first byte. */
  implicit?: boolean;
}

/**
 * A minimal line-based FTP control client over a real socket, for asserting exact reply lines
 * and sending what well-behaved clients never send. Plain text until `authTls()` (explicit
 * FTPS), or TLS from the first byte (`implicit`). It records every TLS session ticket the server
 * sends on the control connection (Node's client emits 'session' once per NewSessionTicket in
 * TLS 1.3), so tests can check what the server sends.
 */
export class ControlClient {
  private readonly reader = new ReplyReader();
  private current: net.Socket;
  /** Tickets (sessions) received on the control connection, newest last. */
  readonly sessions: Buffer[] = [];

  private constructor(socket: net.Socket) {
    this.current = socket;
    this.listen(socket);
  }

  /** Connects and resolves once connected (after the handshake with `implicit`). */
  static async connect(port: number, options: ControlConnectOptions = {}): Promise<ControlClient> {
    const target = { port, host: options.host ?? '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) };
    if (options.implicit) {
      const socket = tls.connect({ ...target, rejectUnauthorized: false });
      const client = new ControlClient(socket);
      socket.on('session', (s: Buffer) => client.sessions.push(s));
      await onceEvent(socket, 'secureConnect');
      return client;
    }
    const socket = net.connect(target);
    const client = new ControlClient(socket);
    await onceEvent(socket, 'connect');
    return client;
  }

  /** The control socket: the TLS one after AUTH TLS or in implicit mode. */
  get socket(): net.Socket {
    return this.current;
  }

  /** The TLS socket of the control connection; throws while it is plain. */
  get tlsSocket(): tls.TLSSocket {
    if (!(this.current instanceof tls.TLSSocket)) throw new Error('control connection is not TLS');
    return this.current;
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.reader.closed;
  }

  /** AUTH TLS, then the handshake on the same socket. Returns the AUTH reply (234 when accepted). */
  async authTls(mechanism = 'TLS', options: tls.ConnectionOptions = {}): Promise<Reply> {
    const reply = await this.command(`AUTH ${mechanism}`);
    if (reply.code !== 234) return reply;
    const plain = this.current;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, ...options });
    secure.on('session', (s: Buffer) => this.sessions.push(s));
    this.current = secure;
    this.listen(secure);
    await onceEvent(secure, 'secureConnect');
    return reply;
  }

  /** Reads one complete reply (multi-line aware); throws on timeout or close. */
  reply(timeoutMs = 5000): Promise<Reply> {
    return this.reader.reply(timeoutMs);
  }

  /** Sends one line (CRLF added). */
  send(line: string): void {
    this.current.write(line + '\r\n');
  }

  /** Sends a command and reads its reply. */
  async command(line: string, timeoutMs?: number): Promise<Reply> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  /** USER + PASS (anonymous by default); throws unless logged in. */
  async login(user = 'anonymous', password = 'guest'): Promise<void> {
    const first = await this.command(`USER ${user}`);
    if (first.code === 230) return;
    if (first.code !== 331) throw new Error(`USER refused: ${first.text}`);
    const pass = await this.command(`PASS ${password}`);
    if (pass.code !== 230) throw new Error(`login failed: ${pass.text}`);
  }

  /** PASV; returns the announced data address. */
  async pasv(): Promise<{ host: string; port: number }> {
    const reply = await this.command('PASV');
    const match = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply.text);
    if (!match) throw new Error(`bad PASV reply: ${reply.text}`);
    return { host: match.slice(1, 5).join('.'), port: Number(match[5]) * 256 + Number(match[6]) };
  }

  /** EPSV; returns the data port. */
  async epsv(): Promise<number> {
    return epsvPort(await this.command('EPSV'));
  }

  close(): void {
    this.current.destroy();
  }

  private listen(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', () => undefined);
  }

  private readonly onData = (chunk: string): void => this.reader.push(chunk);

  private readonly onClose = (): void => this.reader.close();
}

/** The port of a 229 (EPSV) reply; throws on any other text. */
export function epsvPort(reply: Reply): number {
  const match = /\(\|\|\|(\d+)\|\)/.exec(reply.text);
  if (!match) throw new Error(`bad EPSV reply: ${reply.text}`);
  return Number(match[1]);
}
