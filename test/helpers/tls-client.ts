import net from 'node:net';
import tls from 'node:tls';

/** One FTP reply as read from the control connection. */
export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

/**
 * A minimal FTPS control client over real sockets: plain text until `authTls()` (explicit) or
 * TLS from the first byte (`implicit`). It records every TLS session ticket the server sends
 * (Node's client emits 'session' once per NewSessionTicket in TLS 1.3), so tests can check
 * what the server sends on control and data connections.
 */
export class TlsRawClient {
  private buffer = '';
  private readonly waiters: Array<() => void> = [];
  private socket: net.Socket | tls.TLSSocket;
  /** Tickets (sessions) received on the control connection, newest last. */
  readonly sessions: Buffer[] = [];
  closed = false;

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

  private readonly onData = (chunk: string): void => {
    this.buffer += chunk;
    this.wake();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.wake();
  };

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

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Reads one complete reply (multi-line aware); throws on timeout or close. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed) return parsed;
      if (this.closed) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.buffer)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for a reply; buffer: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private tryParse(): Reply | undefined {
    const lines: string[] = [];
    let offset = 0;
    let first: string | undefined;
    for (;;) {
      const end = this.buffer.indexOf('\r\n', offset);
      if (end === -1) return undefined;
      const line = this.buffer.slice(offset, end);
      offset = end + 2;
      lines.push(line);
      if (first === undefined) {
        first = line;
        if (!/^\d{3}-/.test(line)) break;
      } else if (line.startsWith(first.slice(0, 3) + ' ')) {
        break;
      }
    }
    this.buffer = this.buffer.slice(offset);
    return { code: Number(lines[0]!.slice(0, 3)), lines, text: lines.join('\n') };
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
