/**
 * A minimal FTP client for the smoke test (smoke-test.ts): logs in, fetches one file in binary
 * over a passive connection, and quits. Just enough to prove, from inside the packaged app,
 * that the share answers as a client sees it; the real client coverage is in test/ftp/.
 */
import net from 'node:net';

/** A reply: its code and its text (every line, joined). */
interface Reply {
  code: number;
  text: string;
}

/** Reads replies from the control connection, multi-line ones (`150-…` … `150 …`) whole. */
class ReplyReader {
  readonly #waiting: Array<(reply: Reply) => void> = [];
  readonly #ready: Reply[] = [];
  #buffer = '';
  #lines: string[] = [];
  #failure: Error | undefined;
  readonly #failed: Array<(error: Error) => void> = [];

  constructor(socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#take(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the server closed the connection')));
  }

  #take(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, end).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(end + 1);
      this.#lines.push(line);
      const first = /^(\d{3})([- ])/.exec(this.#lines[0]!);
      const last = /^(\d{3}) /.exec(line);
      if (first && (first[2] === ' ' || (last && last[1] === first[1]))) {
        const reply = { code: Number(first[1]), text: this.#lines.join('\n') };
        this.#lines = [];
        const waiter = this.#waiting.shift();
        if (waiter) waiter(reply);
        else this.#ready.push(reply);
      }
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const reject of this.#failed.splice(0)) reject(error);
    this.#waiting.length = 0;
  }

  next(): Promise<Reply> {
    const ready = this.#ready.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      this.#failed.push(reject);
    });
  }
}

/** The data port of an EPSV (229) or PASV (227) reply. */
export function passivePort(reply: string): number | undefined {
  const epsv = /\(\|\|\|(\d+)\|\)/.exec(reply);
  if (epsv) return Number(epsv[1]);
  const pasv = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply);
  if (pasv) return Number(pasv[5]) * 256 + Number(pasv[6]);
  return undefined;
}

/** Where and what to fetch. */
export interface FtpFetch {
  host: string;
  port: number;
  path: string;
  user?: string;
  password?: string;
  /** Per connection and per reply. */
  timeoutMs?: number;
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Downloads `path` and returns its bytes; throws with the reply that went wrong. */
export async function ftpFetch(options: FtpFetch): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const control = await connect(options.host, options.port, timeoutMs);
  const replies = new ReplyReader(control);
  const expect = async (codes: number[], command?: string): Promise<Reply> => {
    if (command) control.write(`${command}\r\n`);
    const reply = await replies.next();
    if (!codes.includes(reply.code)) throw new Error(`${command?.split(' ')[0] ?? 'greeting'}: ${reply.text}`);
    return reply;
  };
  try {
    await expect([220]);
    const user = await expect([230, 331], `USER ${options.user ?? 'anonymous'}`);
    if (user.code === 331) await expect([230], `PASS ${options.password ?? 'smoke-test@'}`);
    await expect([200], 'TYPE I');
    const passive = await expect([229], 'EPSV').catch(() => expect([227], 'PASV'));
    const port = passivePort(passive.text);
    if (port === undefined) throw new Error(`no data port in "${passive.text}"`);
    const data = await connect(options.host, port, timeoutMs);
    const chunks: Buffer[] = [];
    const received = new Promise<void>((resolve, reject) => {
      data.on('data', (chunk: Buffer) => chunks.push(chunk));
      data.on('end', () => resolve());
      data.on('error', reject);
    });
    await expect([125, 150], `RETR ${options.path}`);
    await received;
    await expect([226, 250]);
    control.write('QUIT\r\n');
    return Buffer.concat(chunks);
  } finally {
    control.end();
    control.destroy();
  }
}
