import type { FileInfo } from '../fs/file-system.js';
import { AT_DIR, AT_MODE, AT_MODIFIED, AT_SIZE, ENTRY_FIELDS, type EntryBatch } from '../fs/entry-batch.js';
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

/** Owner and group columns, both `defaults.listingOwner`. */
const OWNER_GROUP = `${defaults.listingOwner.padEnd(8)} ${defaults.listingOwner.padEnd(8)}`;

/** The columns before the size, `drwxr-xr-x   2 ftp      ftp      `, by `(isDir << 9) | permission bits`. */
const lineHeads = new FormatCache<number>();

function lineHead(key: number): string {
  let out = key & 0o1000 ? 'd' : '-';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const triple = (key >> shift) & 7;
    out += (triple & 4 ? 'r' : '-') + (triple & 2 ? 'w' : '-') + (triple & 1 ? 'x' : '-');
  }
  return `${out} ${key & 0o1000 ? '  2' : '  1'} ${OWNER_GROUP} `;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** LIST dates by minute: with the time of day (recent files), with the year (the others). */
const recentDates = new FormatCache<number>();
const olderDates = new FormatCache<number>();

const monthDay = (date: Date) => `${MONTHS[date.getUTCMonth()]!} ${`${date.getUTCDate()}`.padStart(2, ' ')}`;
const withTime = (ms: number) => {
  const date = new Date(ms);
  return `${monthDay(date)} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}`;
};
const withYear = (ms: number) => {
  const date = new Date(ms);
  return `${monthDay(date)}  ${date.getUTCFullYear()}`;
};

/** `Nov 22 20:31` for the last six months, `Nov 22  2025` otherwise (UTC, like vsftpd's default). */
function listingDate(ms: number, now: number): string {
  const minute = Math.floor(ms / 60_000);
  const age = now - ms;
  if (age >= 0 && age < defaults.recentListingWindowMs) return recentDates.get(minute, ms, withTime);
  return olderDates.get(minute, ms, withYear);
}

/** One `ls -l` line (without CRLF), the form FileZilla, WinSCP, Explorer and Android clients parse. */
export function listLine(info: FileInfo, now = Date.now()): string {
  return listRow(info.type === 'dir', info.size, info.modified.getTime(), info.mode, info.name, now);
}

function listRow(dir: boolean, size: number, modifiedMs: number, mode: number, name: string, now: number): string {
  const key = (dir ? 0o1000 : 0) | (mode & 0o777);
  return `${lineHeads.get(key, key, lineHead)}${`${size}`.padStart(12)} ${listingDate(modifiedMs, now)} ${sanitize(name)}`;
}

/** Picks the entries a listing shows (a glob's matches); undefined shows them all. */
export type NameFilter = ((name: string) => boolean) | undefined;

/** The `ls -l` lines of a batch's entries, each ended by CRLF. */
export function listLines(batch: EntryBatch, now: number, shown: NameFilter): string {
  const { names, numbers } = batch;
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (shown !== undefined && !shown(name)) continue;
    const at = i * ENTRY_FIELDS;
    out += listRow(numbers[at + AT_DIR] === 1, numbers[at + AT_SIZE]!, numbers[at + AT_MODIFIED]!, numbers[at + AT_MODE]!, name, now) + '\r\n';
  }
  return out;
}

/** NLST lines: a batch's names after `prefix` (the client's directory part of a glob), each ended by CRLF. */
export function nameLines(batch: EntryBatch, prefix: string, shown: NameFilter): string {
  let out = '';
  for (const name of batch.names) if (shown === undefined || shown(name)) out += sanitize(prefix + name) + '\r\n';
  return out;
}

/** `YYYYMMDDHHMMSS` by second. */
const timestamps = new FormatCache<number>();

const timestamp = (ms: number) => {
  const date = new Date(ms);
  return (
    `${date.getUTCFullYear()}`.padStart(4, '0') +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds())
  );
};

const timestampOf = (ms: number) => timestamps.get(Math.floor(ms / 1000), ms, timestamp);

/** `YYYYMMDDHHMMSS` in UTC (MDTM, MFMT, MLSD `modify`). */
export function ftpTimestamp(date: Date): string {
  return timestampOf(date.getTime());
}

/** RFC 3659 `perm` fact: what this session may do with the entry. */
function permFact(dir: boolean, writable: boolean): string {
  if (dir) return writable ? 'perm=flcdmpe;' : 'perm=el;';
  return writable ? 'perm=adfrw;' : 'perm=r;';
}

/** `unix.mode=0644;` by permission bits. */
const unixModes = new FormatCache<number>();
const unixModeFact = (bits: number) => `unix.mode=0${bits.toString(8).padStart(3, '0')};`;

/** Which facts a session asked for, looked up once per batch rather than six times per entry. */
interface FactChoice {
  type: boolean;
  size: boolean;
  modify: boolean;
  perm: boolean;
  unique: boolean;
  mode: boolean;
}

const factChoice = (facts: ReadonlySet<MlstFact>): FactChoice => ({
  type: facts.has('type'),
  size: facts.has('size'),
  modify: facts.has('modify'),
  perm: facts.has('perm'),
  unique: facts.has('unique'),
  mode: facts.has('unix.mode'),
});

function factsRow(
  facts: FactChoice,
  dir: boolean,
  size: number,
  modifiedMs: number,
  writable: boolean,
  unique: string,
  mode: number,
  name: string,
): string {
  let out = '';
  if (facts.type) out += dir ? 'type=dir;' : 'type=file;';
  if (facts.size) out += `size=${size};`;
  if (facts.modify) out += `modify=${timestampOf(modifiedMs)};`;
  if (facts.perm) out += permFact(dir, writable);
  if (facts.unique) out += `unique=${unique};`;
  if (facts.mode) out += unixModes.get(mode & 0o777, mode & 0o777, unixModeFact);
  return `${out} ${sanitize(name)}`;
}

/** An MLSD/MLST facts line: `type=file;size=3;modify=…;perm=…; name` (name as given). */
export function factsLine(info: FileInfo, facts: ReadonlySet<MlstFact>, name: string): string {
  const dir = info.type === 'dir';
  return factsRow(factChoice(facts), dir, info.size, info.modified.getTime(), info.writable, info.unique, info.mode, name);
}

/** The MLSD lines of a batch's entries, each ended by CRLF. */
export function factsLines(batch: EntryBatch, facts: ReadonlySet<MlstFact>): string {
  const { names, numbers } = batch;
  const choice = factChoice(facts);
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const at = i * ENTRY_FIELDS;
    const unique = choice.unique ? batch.unique(i) : '';
    out += factsRow(choice, numbers[at + AT_DIR] === 1, numbers[at + AT_SIZE]!, numbers[at + AT_MODIFIED]!, batch.writable(i), unique, numbers[at + AT_MODE]!, names[i]!) + '\r\n';
  }
  return out;
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
