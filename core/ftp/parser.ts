/**
 * Untrusted control-channel input is parsed here and nowhere else (vsftpd's rule): bytes are
 * buffered across TCP packets, split at CRLF (or a lone LF), stripped of Telnet IAC sequences,
 * decoded as UTF-8 and split into a verb and its argument.
 */

const CR = 0x0d;
const LF = 0x0a;
const IAC = 0xff;

/** A parsed command line. `verb` is upper-cased; `argument` is everything after the first space. */
export interface CommandLine {
  verb: string;
  argument: string;
}

/** Splits a decoded line into verb and argument. Never throws. */
export function parseCommandLine(line: string): CommandLine {
  const trimmed = line.replace(/^[ \t]+/, '');
  const space = trimmed.indexOf(' ');
  if (space === -1) return { verb: trimmed.toUpperCase(), argument: '' };
  return { verb: trimmed.slice(0, space).toUpperCase(), argument: trimmed.slice(space + 1) };
}

/**
 * Removes Telnet IAC sequences (clients send `IAC IP IAC DM` before ABOR) from one line's bytes.
 * `IAC IAC` is an escaped 0xFF data byte.
 */
function stripTelnet(bytes: Buffer): Buffer {
  if (!bytes.includes(IAC)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte !== IAC) {
      out[length++] = byte;
      continue;
    }
    const next = bytes[i + 1];
    if (next === IAC) {
      out[length++] = IAC;
      i++;
    } else if (next !== undefined && next >= 251 && next <= 254) {
      i += 2; // WILL/WONT/DO/DONT carry an option byte
    } else {
      i++;
    }
  }
  return out.subarray(0, length);
}

export type LineEvent = { kind: 'line'; line: string } | { kind: 'too-long' };

/**
 * Accumulates control-channel bytes and yields complete lines. A line longer than `maxBytes`
 * (excluding the terminator) yields one `too-long` and the splitter stops buffering, so a flood
 * without CRLF never grows memory past `maxBytes`.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(private readonly maxBytes: number) {}

  /** Feeds a chunk; returns the events it completes, in order. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    if (this.overflowed) return events;
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) break;
      const piece = chunk.subarray(start, lf);
      start = lf + 1;
      if (this.pendingBytes + piece.length > this.maxBytes + 1) {
        this.overflow(events);
        return events;
      }
      let bytes = this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
      if (bytes.length > this.maxBytes) {
        this.overflow(events);
        return events;
      }
      events.push({ kind: 'line', line: stripTelnet(bytes).toString('utf8') });
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.pendingBytes + rest.length > this.maxBytes + 1) {
        this.overflow(events);
        return events;
      }
      // Copy: the socket may reuse the chunk's memory.
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return events;
  }

  private overflow(events: LineEvent[]): void {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    events.push({ kind: 'too-long' });
  }
}
