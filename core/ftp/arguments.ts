import net from 'node:net';
import { MLST_FACTS, type MlstFact } from './listing-format.js';
import type { TransferType } from './session.js';

/**
 * Command arguments, parsed: pure functions from the text a client sent after the verb to what it
 * asks for, or why that can't be understood. They never throw and never reply; the handlers in
 * commands/ choose the reply. Unit tests: test/ftp/arguments.test.ts; properties of PORT, EPRT and
 * EPSV: test/ftp/parser-properties.test.ts.
 */

/** A byte count of at most 16 digits that is a safe integer (REST, ALLO). */
function byteCount(text: string): number | undefined {
  return /^\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
}

/** REST's restart offset; undefined unless a non-negative byte count. */
export function parseRestOffset(argument: string): number | undefined {
  return byteCount(argument.trim());
}

/**
 * ALLO's `<bytes> [R <size>]` (RFC 959): the size announced for the next upload, no size for an
 * empty argument, or `ok: false` when malformed.
 */
export function parseAlloArgument(argument: string): { ok: true; size?: number } | { ok: false } {
  if (argument.trim() === '') return { ok: true };
  const match = /^\s*(\d{1,16})(?:\s+R\s+\d{1,16})?\s*$/i.exec(argument);
  const size = match ? byteCount(match[1]!) : undefined;
  return size === undefined ? { ok: false } : { ok: true, size };
}

/** What TYPE asks for: a type this server keeps, one it doesn't implement (504), or nonsense (501). */
export type TypeArgument = { kind: 'set'; type: TransferType } | { kind: 'unsupported' } | { kind: 'syntax' };

/** TYPE `I`, `L 8`, `L`, `L8` (binary) and `A`, `A N` (ASCII); `E` and other forms of A and L are unsupported. */
export function parseTypeArgument(argument: string): TypeArgument {
  const words = argument.trim().toUpperCase().split(/\s+/);
  const [kind, format] = words;
  const alone = words.length === 1;
  if ((kind === 'I' && alone) || (kind === 'L' && (format === '8' || alone)) || (kind === 'L8' && alone)) return { kind: 'set', type: 'I' };
  if (kind === 'A' && (alone || format === 'N')) return { kind: 'set', type: 'A' };
  if (kind === 'A' || kind === 'E' || kind === 'L') return { kind: 'unsupported' };
  return { kind: 'syntax' };
}

/** Parses `YYYYMMDDHHMMSS[.sss]` (UTC); undefined when malformed or not a real date. */
export function parseFtpTimestamp(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as number[];
  // The fraction is optional: Number(undefined) would be NaN and make the whole date invalid.
  const ms = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0'));
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms));
  const valid =
    date.getUTCFullYear() === y && date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d && h! < 24 && mi! < 60 && s! < 61;
  return valid ? date : undefined;
}

/** A request to set a file's modification time; `when` is undefined for a timestamp that is no date. */
export interface SetTimeArgument {
  when: Date | undefined;
  path: string;
}

/**
 * MDTM's setting form, `YYYYMMDDHHMMSS[.sss] path`, which some clients send instead of MFMT;
 * undefined when the argument is a plain path (MDTM then reads the time).
 */
export function parseMdtmSetForm(argument: string): SetTimeArgument | undefined {
  const match = /^(\d{14}(?:\.\d{1,3})?) (.+)$/.exec(argument);
  return match ? { when: parseFtpTimestamp(match[1]!), path: match[2]! } : undefined;
}

/** MFMT's `YYYYMMDDHHMMSS path` (draft-somers-ftp-mfxx); undefined without both parts. */
export function parseMfmtArgument(argument: string): SetTimeArgument | undefined {
  const match = /^(\S+) (.+)$/.exec(argument);
  return match ? { when: parseFtpTimestamp(match[1]!), path: match[2]! } : undefined;
}

/** What SITE asks for: its help, a CHMOD (octal mode, permission bits only), or an unknown command. */
export type SiteArgument =
  | { kind: 'help' }
  | { kind: 'chmod'; mode: number; path: string }
  | { kind: 'chmod-syntax' }
  | { kind: 'unknown'; name: string };

/** SITE `HELP` and `CHMOD <octal mode> <path>`; the sub-command's name is case-insensitive. */
export function parseSiteArgument(argument: string): SiteArgument {
  const [name = '', ...rest] = argument.trim().split(' ');
  const verb = name.toUpperCase();
  if (verb === 'HELP') return { kind: 'help' };
  if (verb !== 'CHMOD') return { kind: 'unknown', name };
  const modeText = rest[0] ?? '';
  const path = rest.slice(1).join(' ');
  if (!/^[0-7]{3,4}$/.test(modeText) || path === '') return { kind: 'chmod-syntax' };
  return { kind: 'chmod', mode: parseInt(modeText, 8) & 0o777, path };
}

/** What OPTS sets (RFC 2389): UTF-8 on or off, the MLST facts shown, the HASH algorithm. */
export type OptsArgument =
  | { option: 'UTF8'; on: boolean }
  | { option: 'MLST'; facts: MlstFact[] }
  /** `algorithm` is upper-cased, and '' when the client asks which one is selected. */
  | { option: 'HASH'; algorithm: string }
  | { option: 'unknown' };

/** OPTS `UTF8 [ON|OFF]` (or UTF-8), `MLST fact;fact;…` (unknown facts dropped), `HASH [algorithm]`. */
export function parseOptsArgument(argument: string): OptsArgument {
  const [name = '', ...rest] = argument.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (name.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      return { option: 'UTF8', on: value === '' || value.toUpperCase() === 'ON' };
    case 'MLST': {
      const facts = value
        .split(';')
        .map((fact) => fact.trim().toLowerCase())
        .filter((fact): fact is MlstFact => (MLST_FACTS as readonly string[]).includes(fact));
      return { option: 'MLST', facts };
    }
    case 'HASH':
      return { option: 'HASH', algorithm: value.toUpperCase() };
    default:
      return { option: 'unknown' };
  }
}

/** PROT's level (RFC 4217): P and C are served; S and E exist but are not offered (536). */
export function parseProtLevel(argument: string): 'P' | 'C' | 'unsupported' | undefined {
  const level = argument.trim().toUpperCase();
  if (level === 'P' || level === 'C') return level;
  return level === 'S' || level === 'E' ? 'unsupported' : undefined;
}

/** Parses PORT's `h1,h2,h3,h4,p1,p2`; undefined when malformed. */
export function parsePortArgument(argument: string): { host: string; port: number } | undefined {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p.trim()))) return undefined;
  const numbers = parts.map((p) => Number(p.trim()));
  if (numbers.some((n) => n > 255)) return undefined;
  const port = numbers[4]! * 256 + numbers[5]!;
  if (port === 0) return undefined;
  return { host: numbers.slice(0, 4).join('.'), port };
}

/** Result of parsing EPRT's `|proto|address|port|`. */
export type EprtResult =
  | { ok: true; host: string; port: number; family: 4 | 6 }
  | { ok: false; reason: 'syntax' | 'protocol' };

/** Parses EPRT (RFC 2428): the first character is the delimiter. */
export function parseEprtArgument(argument: string): EprtResult {
  const text = argument.trim();
  const delimiter = text[0];
  if (!delimiter || delimiter.charCodeAt(0) < 33 || delimiter.charCodeAt(0) > 126) return { ok: false, reason: 'syntax' };
  const parts = text.split(delimiter);
  // ['', proto, address, port, '']
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return { ok: false, reason: 'syntax' };
  const [, proto, host, portText] = parts as [string, string, string, string];
  if (proto !== '1' && proto !== '2') return /^\d+$/.test(proto) ? { ok: false, reason: 'protocol' } : { ok: false, reason: 'syntax' };
  if (!/^\d{1,5}$/.test(portText)) return { ok: false, reason: 'syntax' };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, reason: 'syntax' };
  const family = proto === '1' ? 4 : 6;
  if (family === 4 ? !net.isIPv4(host) : !net.isIPv6(host)) return { ok: false, reason: 'syntax' };
  return { ok: true, host, port, family };
}

/** Parses EPSV's optional argument: '' (any), '1', '2', or 'ALL'. */
export function parseEpsvArgument(argument: string): { kind: 'all' } | { kind: 'open'; family?: 4 | 6 } | { kind: 'protocol' } | { kind: 'syntax' } {
  const text = argument.trim().toUpperCase();
  if (text === '') return { kind: 'open' };
  if (text === 'ALL') return { kind: 'all' };
  if (text === '1') return { kind: 'open', family: 4 };
  if (text === '2') return { kind: 'open', family: 6 };
  return /^\d+$/.test(text) ? { kind: 'protocol' } : { kind: 'syntax' };
}

/**
 * Splits LIST/NLST/STAT arguments into options and path: leading `-a`, `-l`, `-la`… tokens are
 * ls options that clients add (ignored: listings always show every entry in long form).
 */
export function splitListArguments(argument: string): { options: string; path: string } {
  const match = /^((?:-[a-zA-Z]+\s*)+)(?:\s|$)/.exec(argument);
  if (!match) return { options: '', path: argument };
  return { options: match[1]!.trim(), path: argument.slice(match[0].length) };
}
