import net from 'node:net';
import tls from 'node:tls';

import { ReplyReader, type Reply } from './reply-reader.js';

export type { Reply } from './reply-reader.js';

/**
 * A minimal FTPS control client over real sockets: plain text until `authTls()` (explicit) or
 * TLS from the first byte (`implicit`). It records every TLS session ticket the server sends
 * (Node's client emits 'session' once per NewSessionTicket in TLS 1.3), so tests can check
 * what the server sends on control and data connections.
 */
export class TlsRawClient {
  private readonly reader = new ReplyReader();
  private socket: net.Socket | tls.TLSSocket;
  /** Tickets (sessions) received on the control connection, newest last. */
  readonly sessions: Buffer[] = [];

  private constructor(socket: net.Socket | tls.TLSSocket) {
    this.socket = socket;
    this.listen(socket);
  }

  /** Connects; with `implicit` the TLS handshake runs first. */
  static async connect(port: number, options: { implicit?: boolean; host?: string } = {}): Promise<TlsRawClient> {
    const host = options.host ?? '127.0.0.1';
    if (options.implicit) {
      const socket = tls.connect({ port, host, rejectUnauthorized: false });
      const client = new TlsRawClient(socket);
      socket.on('session', (s: Buffer) => client.sessions.push(s));
      await once(socket, 'secureConnect');
      return client;
    }
    const socket = net.connect({ port, host });
    await once(socket, 'connect');
    return new TlsRawClient(socket);
  }

  private listen(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', () => undefined);
  }

  private readonly onData = (chunk: string): void => this.reader.push(chunk);

  private readonly onClose = (): void => this.reader.close();

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.reader.closed;
  }

  /** The TLS socket of the control connection (after AUTH TLS or in implicit mode). */
  get tlsSocket(): tls.TLSSocket {
    if (!(this.socket instanceof tls.TLSSocket)) throw new Error('control connection is not TLS');
    return this.socket;
  }

  /** AUTH TLS, then the handshake on the same socket. Returns the 234 reply. */
  async authTls(mechanism = 'TLS', options: tls.ConnectionOptions = {}): Promise<Reply> {
    const reply = await this.command(`AUTH ${mechanism}`);
    if (reply.code !== 234) return reply;
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, ...options });
    secure.on('session', (s: Buffer) => this.sessions.push(s));
    this.socket = secure;
    this.listen(secure);
    await once(secure, 'secureConnect');
    return reply;
  }

  /** Reads one complete reply (multi-line aware); throws on timeout or close. */
  reply(timeoutMs = 5000): Promise<Reply> {
    return this.reader.reply(timeoutMs);
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  async command(line: string, timeoutMs?: number): Promise<Reply> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  /** USER + PASS; throws unless 230. */
  async login(user: string, password: string): Promise<void> {
    const first = await this.command(`USER ${user}`);
    if (first.code === 230) return;
    if (first.code !== 331) throw new Error(`USER refused: ${first.text}`);
    const pass = await this.command(`PASS ${password}`);
    if (pass.code !== 230) throw new Error(`login failed: ${pass.text}`);
  }

  /** EPSV; returns the data port. */
  async epsv(): Promise<number> {
    const reply = await this.command('EPSV');
    const match = /\(\|\|\|(\d+)\|\)/.exec(reply.text);
    if (!match) throw new Error(`bad EPSV reply: ${reply.text}`);
    return Number(match[1]);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A TLS data connection opened by the test, with what the server sent on it. */
export interface TlsDataConnection {
  socket: tls.TLSSocket;
  /** Tickets received on this data connection so far. */
  tickets: Buffer[];
  /** Whether the handshake resumed the given session. */
  reused: boolean;
  /** Negotiated protocol and cipher (IANA name). */
  protocol: string;
  cipher: string;
  /** Resolves with every byte received once the server ends the connection. */
  received: Promise<Buffer>;
}

/**
 * Opens a TLS data connection to a passive port, resuming `session` when given (as curl and
 * FileZilla do) or with a fresh handshake (as Python's ftplib does).
 */
export async function connectTlsData(port: number, session?: Buffer, options: tls.ConnectionOptions = {}): Promise<TlsDataConnection> {
  const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...(session ? { session } : {}), ...options });
  const tickets: Buffer[] = [];
  socket.on('session', (s: Buffer) => tickets.push(s));
  const chunks: Buffer[] = [];
  const received = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  received.catch(() => undefined);
  await once(socket, 'secureConnect');
  return { socket, tickets, received, reused: socket.isSessionReused(), protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().standardName };
}

function once(emitter: net.Socket, event: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      emitter.off('error', onError);
      emitter.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onEvent = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error(`closed before ${event}`));
    emitter.once(event, onEvent);
    emitter.once('error', onError);
    emitter.once('close', onClose);
  });
}
