import net from 'node:net';

/**
 * A minimal line-based FTP control client over a real socket, for asserting exact reply lines
 * and sending malformed input that well-behaved clients never send.
 */
export class RawClient {
  private buffer = '';
  private readonly waiters: Array<() => void> = [];
  readonly socket: net.Socket;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Reads one complete reply (multi-line aware). Returns its lines; throws on timeout or close. */
  async reply(timeoutMs = 5000): Promise<{ code: number; lines: string[]; text: string }> {
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

  private tryParse(): { code: number; lines: string[]; text: string } | undefined {
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
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) break;
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

  /** Sends a command and reads its reply. */
  async command(line: string, timeoutMs?: number): Promise<{ code: number; lines: string[]; text: string }> {
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
