/**
 * The request target, parsed in one place: the path is percent-decoded exactly once, segment by
 * segment, and refused (400) when it holds anything a path inside the share can't: `%2F` or `%5C`
 * within a segment, `\`, NUL, `.` or `..` segments, malformed escapes, invalid UTF-8, or more bytes
 * than any share path may have. What passes is then normalised and confined only by the share's
 * own resolver (FileSystem.resolve), the one door every FTP path goes through too.
 */
import { defaults } from '../defaults.js';
import type { FileSystem } from '../fs/file-system.js';

/** A request target split into its parts; its path is decoded only by `resolveTargetPath`. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded). */
  rawPath: string;
  /** The URL path ended with `/` (a folder's URL). */
  trailingSlash: boolean;
  /** The query, decoded leniently (it names an action; paths never come from it). */
  query: URLSearchParams;
  /** The authority of an absolute-form target (`GET http://host/path`), to be checked like Host. */
  authority?: string;
}

/** Why a target was refused; never echoes the target back. */
export class BadRequestTarget extends Error {
  constructor(readonly status: 400 | 414, message: string) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = /^[0-9a-fA-F]{2}$/;

/** Decodes one raw segment's percent escapes once; throws BadRequestTarget for anything unsafe. */
function decodeSegment(raw: string): string {
  if (/%(2f|5c)/i.test(raw)) throw new BadRequestTarget(400, 'A slash may not be encoded inside a name');
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new BadRequestTarget(400, 'Malformed percent-encoding');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Node keeps a raw non-ASCII target as latin1 code units; a client must encode it.
      throw new BadRequestTarget(400, 'Unencoded non-ASCII character in the address');
    }
  }
  let text: string;
  try {
    text = utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new BadRequestTarget(400, 'The address is not valid UTF-8');
  }
  if (text.includes('\0')) throw new BadRequestTarget(400, 'NUL in the address');
  if (text.includes('\\')) throw new BadRequestTarget(400, 'Backslash in the address');
  if (text === '.' || text === '..') throw new BadRequestTarget(400, 'Dot segments are not allowed');
  return text;
}

/** The path and query of an absolute-form target, with its authority, or the target itself. */
function splitAbsoluteForm(target: string): { rest: string; authority?: string } {
  const match = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
  if (!match) return { rest: target };
  return { rest: match[2] === '' ? '/' : match[2]!, authority: match[1]! };
}

/** Splits `req.url` into its raw path and query. Throws BadRequestTarget. */
export function parseRequestTarget(target: string): RequestTarget {
  if (target.length > defaults.webMaxTargetBytes) throw new BadRequestTarget(414, 'The address is too long');
  const { rest, authority } = splitAbsoluteForm(target);
  if (!rest.startsWith('/')) throw new BadRequestTarget(400, 'The address must start with /');
  const hash = rest.indexOf('#');
  const withoutFragment = hash === -1 ? rest : rest.slice(0, hash);
  const q = withoutFragment.indexOf('?');
  const rawPath = q === -1 ? withoutFragment : withoutFragment.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : withoutFragment.slice(q + 1));
  return { rawPath, trailingSlash: rawPath.endsWith('/'), query, ...(authority !== undefined ? { authority } : {}) };
}

/**
 * The share path a target names: each segment decoded once and checked, then normalised and
 * checked for the host (Windows reserved names and so on) by `fs.resolve` alone, whose refusal is
 * a 400 too. Throws BadRequestTarget.
 */
export function resolveTargetPath(target: RequestTarget, fs: FileSystem): string {
  const segments = target.rawPath.split('/').filter((s) => s !== '').map(decodeSegment);
  const joined = '/' + segments.join('/');
  if (Buffer.byteLength(joined, 'utf8') > defaults.maxPathBytes) throw new BadRequestTarget(414, 'The path is too long');
  try {
    return fs.resolve('/', joined);
  } catch {
    throw new BadRequestTarget(400, 'The address names a file this computer cannot hold');
  }
}

/** The URL of a share path: each name percent-encoded (`?`, `#`, `%` and non-ASCII included). */
export function hrefFor(path: string, folder: boolean): string {
  const encoded = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => encodeURIComponent(s))
    .join('/');
  if (encoded === '') return '/';
  return `/${encoded}${folder ? '/' : ''}`;
}

/** The last name of a share path (`/` for the root). */
export function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}

/** The folder holding a share path (`/` for the root and its entries). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
