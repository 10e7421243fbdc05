import type { FileInfo } from '../fs/file-system.js';
import { defaults } from '../defaults.js';
import { sanitize } from './replies.js';

/** Listing formats: `ls -l` lines for LIST, names for NLST, RFC 3659 facts for MLSD/MLST. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The MLST facts we implement, in FEAT order. */
export const MLST_FACTS = ['type', 'size', 'modify', 'perm', 'unique', 'unix.mode'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];

/**
 * Formatted strings by a number (a mode, a minute, a second), direct-mapped: a directory's entries
 * share a handful, so a listing formats each once; a miss costs one comparison and memory stays
 * fixed whatever is listed.
 */
class FormatCache<T> {
  private readonly keys = new Float64Array(256).fill(Number.NaN);
  private readonly values: string[] = [];

  /** The string for `key`; `format(item)` makes it on a miss (`item` is any value with that key). */
  get(key: number, item: T, format: (item: T) => string): string {
    const slot = key & 255;
    if (this.keys[slot] === key) return this.values[slot]!;
    const value = format(item);
    this.keys[slot] = key;
    this.values[slot] = value;
    return value;
  }
}

/** `drwxr-xr-x` by `(isDir << 9) | permission bits`. */
const permissions = new FormatCache<number>();

function permissionString(key: number): string {
  let out = key & 0o1000 ? 'd' : '-';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const triple = (key >> shift) & 7;
    out += (triple & 4 ? 'r' : '-') + (triple & 2 ? 'w' : '-') + (triple & 1 ? 'x' : '-');
  }
  return out;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** LIST dates by minute: with the time of day (recent files), with the year (the others). */
const recentDates = new FormatCache<Date>();
const olderDates = new FormatCache<Date>();

const monthDay = (date: Date) => `${MONTHS[date.getUTCMonth()]!} ${`${date.getUTCDate()}`.padStart(2, ' ')}`;
const withTime = (date: Date) => `${monthDay(date)} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}`;
const withYear = (date: Date) => `${monthDay(date)}  ${date.getUTCFullYear()}`;

/** `Nov 22 20:31` for the last six months, `Nov 22  2025` otherwise (UTC, like vsftpd's default). */
function listingDate(date: Date, now: number): string {
  const time = date.getTime();
  const minute = Math.floor(time / 60_000);
  const age = now - time;
  if (age >= 0 && age < defaults.recentListingWindowMs) return recentDates.get(minute, date, withTime);
  return olderDates.get(minute, date, withYear);
}

/** Owner and group columns, both `defaults.listingOwner`. */
const OWNER_GROUP = `${defaults.listingOwner.padEnd(8)} ${defaults.listingOwner.padEnd(8)}`;

/** One `ls -l` line (without CRLF), the form FileZilla, WinSCP, Explorer and Android clients parse. */
export function listLine(info: FileInfo, now = Date.now()): string {
  const dir = info.type === 'dir';
  const key = (dir ? 0o1000 : 0) | (info.mode & 0o777);
  const mode = permissions.get(key, key, permissionString);
  const size = `${info.size}`.padStart(12);
  return `${mode} ${dir ? '  2' : '  1'} ${OWNER_GROUP} ${size} ${listingDate(info.modified, now)} ${sanitize(info.name)}`;
}

/** `YYYYMMDDHHMMSS` by second. */
const timestamps = new FormatCache<Date>();

const timestamp = (date: Date) =>
  `${date.getUTCFullYear()}`.padStart(4, '0') +
  pad2(date.getUTCMonth() + 1) +
  pad2(date.getUTCDate()) +
  pad2(date.getUTCHours()) +
  pad2(date.getUTCMinutes()) +
  pad2(date.getUTCSeconds());

/** `YYYYMMDDHHMMSS` in UTC (MDTM, MFMT, MLSD `modify`). */
export function ftpTimestamp(date: Date): string {
  return timestamps.get(Math.floor(date.getTime() / 1000), date, timestamp);
}

/** RFC 3659 `perm` fact: what this session may do with the entry. */
function permFact(info: FileInfo): string {
  if (info.type === 'dir') return info.writable ? 'flcdmpe' : 'el';
  return info.writable ? 'adfrw' : 'r';
}

/** `unix.mode=0644;` by permission bits. */
const unixModes = new FormatCache<number>();
const unixModeFact = (bits: number) => `unix.mode=0${bits.toString(8).padStart(3, '0')};`;

/** An MLSD/MLST facts line: `type=file;size=3;modify=…;perm=…; name` (name as given). */
export function factsLine(info: FileInfo, facts: ReadonlySet<MlstFact>, name: string): string {
  let out = '';
  if (facts.has('type')) out += `type=${info.type};`;
  if (facts.has('size')) out += `size=${info.size};`;
  if (facts.has('modify')) out += `modify=${ftpTimestamp(info.modified)};`;
  if (facts.has('perm')) out += `perm=${permFact(info)};`;
  if (facts.has('unique')) out += `unique=${info.unique};`;
  if (facts.has('unix.mode')) out += unixModes.get(info.mode & 0o777, info.mode & 0o777, unixModeFact);
  return `${out} ${sanitize(name)}`;
}

/**
 * A matcher for a LIST/NLST/STAT glob (`*` any run, `?` one character, everything else literal),
 * in linear space and O(name × pattern) time at worst.
 *
 * The pattern comes from the client and runs on the loop every session shares, so no pattern may
 * cost more than that: a star only remembers the last place to retry (the classic two-pointer
 * wildcard match), never a backtracking RegExp, on which `*a*a*a*a*a*a*b` against a long name of
 * a's takes seconds to minutes. Held by test/hardening/fuzz.test.ts ('globMatcher: adversarial
 * patterns stay fast'). Characters are code points, so `?` matches one emoji as it matches one
 * letter.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  // Runs of stars are one star: `a***b` is `a*b`.
  const glob = Array.from(pattern.replace(/\*+/g, '*'));
  return (name: string): boolean => {
    const text = Array.from(name);
    let p = 0;
    let n = 0;
    let star = -1;
    let mark = 0;
    while (n < text.length) {
      const c = glob[p];
      if (c !== undefined && c !== '*' && (c === '?' || c === text[n])) {
        p++;
        n++;
      } else if (c === '*') {
        star = p++;
        mark = n;
      } else if (star !== -1) {
        p = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (glob[p] === '*') p++;
    return p === glob.length;
  };
}
