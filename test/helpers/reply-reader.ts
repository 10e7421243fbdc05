/** One FTP reply as read from the control connection. */
export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

/**
 * Collects control-connection text and hands out complete replies (RFC 959 multi-line aware),
 * for the test clients that assert exact reply lines.
 */
export class ReplyReader {
  private buffer = '';
  private readonly waiters: Array<() => void> = [];
  closed = false;

  /** Adds received text. */
  push(chunk: string): void {
    this.buffer += chunk;
    this.wake();
  }

  /** The connection closed: pending and later reads fail once the buffer holds no reply. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Reads one complete reply; throws on timeout or close. */
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

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
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
}
