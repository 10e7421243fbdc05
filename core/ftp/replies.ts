import { FsError } from '../fs/fs-error.js';

/**
 * Reply formatting (RFC 959 §4.2): single and multi-line replies, path quoting for 257, and the
 * mapping from file-system errors to reply codes. Reply text never carries raw control
 * characters, so a file name can't inject a reply line.
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\x00-\x1f\x7f]/g;

/** Replaces CR, LF, NUL and other control characters so text can't break the reply framing. */
export function sanitize(text: string): string {
  // Tested first: most texts have nothing to replace, and a test allocates nothing.
  return CONTROL_CHARACTER.test(text) ? text.replace(CONTROL_CHARACTERS, '?') : text;
}

/**
 * Makes untrusted text (a command argument, a user or file name) safe for one log line or a
 * terminal: C0 and C1 control characters, DEL and the bidirectional overrides become visible
 * `\xNN`/`\uNNNN` escapes, so CR/LF can't forge log lines, ESC can't drive a terminal and U+202E
 * can't disguise a name. Unlike `sanitize`, nothing is lost: `a\x1bb` still reads as what came.
 */
export function escapeForLog(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Formats a reply. Several lines become `code-first`, ` middle`, `code last` (RFC 959 multi-line). */
export function formatReply(code: number, text: string | readonly string[]): string {
  if (typeof text === 'string') return `${code} ${sanitize(text)}\r\n`;
  const lines = text.map(sanitize);
  if (lines.length <= 1) return `${code} ${lines[0] ?? ''}\r\n`;
  let out = `${code}-${lines[0]}\r\n`;
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!;
    // A middle line starting with digits could be mistaken for the end line; indent it.
    out += /^\d/.test(line) ? ` ${line}\r\n` : `${line.startsWith(' ') ? '' : ' '}${line}\r\n`;
  }
  return out + `${code} ${lines[lines.length - 1]}\r\n`;
}

/** Quotes a path for a 257 reply: the path between double quotes, each `"` inside doubled. */
export function quotePath(path: string): string {
  return `"${path.replace(/"/g, '""')}"`;
}

/** A reply code and text for a refused operation. */
export interface Refusal {
  code: number;
  text: string;
}

/**
 * Maps any error from a file-system call to a reply. Unknown errors become 451 without details,
 * so no host path or stack ever reaches a client.
 */
export function refusalFor(err: unknown, context: 'read' | 'write' = 'read'): Refusal {
  if (!(err instanceof FsError)) return { code: 451, text: 'Local error in processing' };
  switch (err.code) {
    case 'invalid-name':
      return { code: 553, text: err.message };
    case 'no-space':
      return { code: context === 'write' ? 552 : 452, text: err.message };
    case 'busy':
      return { code: 450, text: err.message };
    case 'io':
      return { code: 451, text: err.message };
    default:
      return { code: 550, text: err.message };
  }
}
