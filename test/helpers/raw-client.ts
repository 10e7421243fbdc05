import net from 'node:net';
import { ReplyReader, type Reply } from './reply-reader.js';

/**
 * A minimal line-based FTP control client over a real socket, for asserting exact reply lines
 * and sending malformed input that well-behaved clients never send.
 */
export class RawClient {
  private readonly reader = new ReplyReader();
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.reader.push(chunk));
    socket.on('close', () => this.reader.close());
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.reader.closed;
  }

  /** Reads one complete reply (multi-line aware). Returns its lines; throws on timeout or close. */
  reply(timeoutMs = 5000): Promise<Reply> {
    return this.reader.reply(timeoutMs);
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Sends a command and reads its reply. */
  async command(line: string, timeoutMs?: number): Promise<Reply> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  /** Logs in (anonymous by default). */
  async login(user = 'anonymous', password = 'guest'): Promise<void> {
    const user331 = await this.command(`USER ${user}`);
    if (user331.code === 230) return;
    const pass = await this.command(`PASS ${password}`);
    if (pass.code !== 230) throw new Error(`login failed: ${pass.text}`);
  }

  /** Sends PASV and returns the announced data port. */
  async pasv(): Promise<{ host: string; port: number }> {
    const reply = await this.command('PASV');
    const match = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply.text);
    if (!match) throw new Error(`bad PASV reply: ${reply.text}`);
    return { host: match.slice(1, 5).join('.'), port: Number(match[5]) * 256 + Number(match[6]) };
  }

  /** Connects to a passive data port and collects everything until the server closes it. */
  static collect(port: number, host = '127.0.0.1', localAddress?: string): { socket: net.Socket; done: Promise<Buffer> } {
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve, reject) => {
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    return { socket, done };
  }

  close(): void {
    this.socket.destroy();
  }
}
