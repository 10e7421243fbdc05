/**
 * Untrusted control-channel input is parsed here and nowhere else (vsftpd's rule): bytes are
 * buffered across TCP packets, split at CRLF (or a lone LF or CR), stripped of Telnet IAC sequences,
 * decoded as UTF-8 and split into a verb and its argument.
 */

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;
const IAC = 0xff;
/** Telnet Data Mark, the end of a Synch (RFC 854). */
const DM = 0xf2;

/** A parsed command line. `verb` is upper-cased; `argument` is everything after the first space. */
export interface CommandLine {
  verb: string;
  argument: string;
}

/** Splits a decoded line into verb and argument. Never throws. */
export function parseCommandLine(line: string): CommandLine {
  const trimmed = line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09 ? line.replace(/^[ \t]+/, '') : line;
  const space = trimmed.indexOf(' ');
  if (space === -1) return { verb: trimmed.toUpperCase(), argument: '' };
  return { verb: trimmed.slice(0, space).toUpperCase(), argument: trimmed.slice(space + 1) };
}

/**
 * Removes Telnet IAC sequences (clients send `IAC IP IAC DM` before ABOR) from one line's bytes.
 * `IAC IAC` is an escaped 0xFF data byte.
 *
 * BSD-derived clients (tnftp, inetutils-ftp, and their kin) send `IAC IP IAC` with MSG_OOB, then
 * `DM ABOR`: the urgent byte, that second IAC, is taken out of the stream (Node can't set
 * SO_OOBINLINE), which leaves a bare DM in front of the verb. It is dropped there: no command
 * starts with 0xF2.
 */
function stripTelnet(bytes: Buffer): Buffer {
  if (!bytes.includes(IAC) && bytes[0] !== DM) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte !== IAC) {
      if (byte !== DM || length > 0) out[length++] = byte;
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
 *
 * CRLF, a lone LF and a lone CR all end a line. The lone CR matters for ABOR: Python's ftplib sends
 * `ABOR\r\n` as TCP urgent data, and without SO_OOBINLINE (which Node can't set) the urgent final
 * LF never reaches us, so waiting for it would leave the client hanging. The LF of a CRLF (or the
 * NUL of Telnet's CR NUL) is consumed with the CR, even when it arrives in the next chunk.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;
  /** The previous chunk ended with a CR: a LF or NUL starting the next chunk belongs to it. */
  private afterCr = false;

  constructor(private readonly maxBytes: number) {}

  /** Feeds a chunk; returns the events it completes, in order. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    if (this.overflowed || chunk.length === 0) return events;
    let start = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (chunk[0] === LF || chunk[0] === NUL) start = 1;
    }
    // Positions of the next CR and LF, searched again only once passed, so a chunk is scanned once.
    let cr = chunk.indexOf(CR, start);
    let lf = chunk.indexOf(LF, start);
    // Without IAC in the chunk (nearly always) a line is decoded straight from it, with no copy.
    const telnet = chunk.includes(IAC, start);
    for (;;) {
      if (cr !== -1 && cr < start) cr = chunk.indexOf(CR, start);
      if (lf !== -1 && lf < start) lf = chunk.indexOf(LF, start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      const from = start;
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) this.afterCr = true;
        else if (chunk[start] === LF || chunk[start] === NUL) start++;
      }
      if (this.pendingBytes + (end - from) > this.maxBytes) {
        this.overflow(events);
        return events;
      }
      let line: string;
      if (this.pendingBytes === 0 && !telnet && chunk[from] !== DM) {
        line = chunk.toString('utf8', from, end);
      } else {
        const piece = chunk.subarray(from, end);
        line = stripTelnet(this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece])).toString('utf8');
        this.pending = [];
        this.pendingBytes = 0;
      }
      events.push({ kind: 'line', line });
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.pendingBytes + rest.length > this.maxBytes) {
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
