/**
 * The single path resolver: every FTP path a client sends goes through here before it can reach
 * the host file system. Pure functions, no I/O (the real-path checks live in physical.ts).
 *
 * An FTP path is absolute POSIX-style (`/a/b`), normalised (no `.`, `..`, empty components) and
 * confined to `/`. A host path is what `path.join(root, …)` produces for it.
 */
import path from 'node:path';
import { defaults } from '../defaults.js';
import { FsError } from './fs-error.js';

/** The name rules a host applies: Windows is strict, POSIX only forbids `/` and NUL. */
export type HostPlatform = 'win32' | 'posix';

/** The platform whose name rules apply when none is given: the one this process runs on. */
export const hostPlatform: HostPlatform = process.platform === 'win32' ? 'win32' : 'posix';

/** The `path` implementation matching a platform (`path.win32` for Windows joins and comparisons). */
export function pathFor(platform: HostPlatform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

// Device names Windows reserves in every directory, with or without an extension ("con.txt" is
// still the console). The superscript digits are reserved too:
// https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file#naming-conventions
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]|conin\$|conout\$)$/i;
// Characters Windows refuses in names, plus the control characters 1-31 (NUL is refused everywhere).
const WINDOWS_FORBIDDEN_CHARS = /[<>:"|?*\u0000-\u001f]/;
// "C:" (or "c:foo") would be read by Windows as a drive-relative path.
const DRIVE_LETTER = /^[a-z]:/i;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * Why `name` can't be a file name on `platform`, or `null` when it can.
 *
 * `name` is one path component, never `.` or `..` (the resolver consumes those). The checks are the
 * ones every platform shares (NUL, separators, byte length, well-formed UTF-16 so the name survives
 * the trip to UTF-8) plus, on Windows, reserved device names, forbidden characters, trailing dots
 * or spaces (which Windows silently strips, so `a.` would alias `a`) and drive letters.
 */
export function nameProblem(name: string, platform: HostPlatform = hostPlatform): string | null {
  if (name.length === 0) return 'Empty file name';
  if (name.includes('\0')) return 'File name contains a NUL byte';
  if (name.includes('/') || name.includes('\\')) return 'File name contains a path separator';
  if (name === '.' || name === '..') return 'File name is reserved';
  // A lone surrogate would be written as U+FFFD, silently naming a different file.
  if (LONE_SURROGATE.test(name)) return 'File name is not valid Unicode';
  if (utf8Bytes(name) > defaults.maxNameBytes) return 'File name too long';
  if (platform === 'win32') {
    if (DRIVE_LETTER.test(name)) return 'File name looks like a drive letter';
    if (WINDOWS_FORBIDDEN_CHARS.test(name)) return 'File name contains a character Windows does not allow';
    if (/[. ]$/.test(name)) return 'File name ends with a dot or a space';
    // Windows reads "con.txt" and "con .txt" as the device: compare the part before the first dot.
    const stem = name.split('.')[0]!.trimEnd();
    if (WINDOWS_RESERVED.test(stem)) return 'File name is reserved by Windows';
  }
  return null;
}

/**
 * Throws FsError('invalid-name') when `name` can't be a file name on `platform`.
 *
 * See `nameProblem` for the rules.
 */
export function validateName(name: string, platform: HostPlatform = hostPlatform): void {
  const problem = nameProblem(name, platform);
  if (problem !== null) throw new FsError('invalid-name', problem);
}

/**
 * Normalises a client path against `cwd` into an absolute FTP path.
 *
 * `\` is a separator as well as `/`, repeated separators collapse, `.` is dropped and `..` pops a
 * component but never climbs above `/`. Everything else is literal: `%2e%2e` is a file name, not
 * `..`. Throws FsError('invalid-name') for NUL bytes, an input or result longer than
 * `defaults.maxPathBytes` UTF-8 bytes, or a component `platform` can't hold (see `nameProblem`).
 * `cwd` is trusted to come from this function already, but is normalised again all the same.
 */
export function resolveFtpPath(cwd: string, input: string, platform: HostPlatform = hostPlatform): string {
  if (input.includes('\0')) throw new FsError('invalid-name', 'Path contains a NUL byte');
  // Checked before splitting so a huge input costs nothing more than this length check.
  if (input.length > defaults.maxPathBytes || utf8Bytes(input) > defaults.maxPathBytes) {
    throw new FsError('invalid-name', 'Path too long');
  }
  const parts: string[] = [];
  const push = (component: string, validate: boolean): void => {
    if (component === '' || component === '.') return;
    if (component === '..') {
      parts.pop();
      return;
    }
    if (validate) validateName(component, platform);
    parts.push(component);
  };
  const absolute = input.startsWith('/') || input.startsWith('\\');
  if (!absolute) for (const c of cwd.split(/[\\/]+/)) push(c, false);
  for (const c of input.split(/[\\/]+/)) push(c, true);
  const result = '/' + parts.join('/');
  if (utf8Bytes(result) > defaults.maxPathBytes) throw new FsError('invalid-name', 'Path too long');
  return result;
}

/**
 * The components of a normalised FTP path (`/a/b` → `['a', 'b']`, `/` → `[]`).
 *
 * Throws FsError('invalid-name') if `ftpPath` is not absolute or holds `.`/`..`/`\`, so a caller
 * that skipped `resolveFtpPath` fails closed instead of escaping.
 */
export function ftpComponents(ftpPath: string): string[] {
  if (!ftpPath.startsWith('/')) throw new FsError('invalid-name', 'Path is not absolute');
  const parts = ftpPath.split('/').filter((c) => c !== '');
  for (const c of parts) {
    if (c === '.' || c === '..' || c.includes('\\') || c.includes('\0')) {
      throw new FsError('invalid-name', 'Path is not normalised');
    }
  }
  return parts;
}

/** The parent FTP path and last component of a normalised FTP path (`/a/b` → `['/a', 'b']`); `/` has no parent. */
export function splitFtpPath(ftpPath: string): { parent: string; name: string } | null {
  const parts = ftpComponents(ftpPath);
  const name = parts.pop();
  if (name === undefined) return null;
  return { parent: '/' + parts.join('/'), name };
}

/**
 * Maps a normalised FTP path to a host path under `root`.
 *
 * `pathImpl` is `path.win32` or `path.posix` (the host's `path` by default) so both can be tested
 * anywhere. Throws FsError('invalid-name') if the result would not be inside `root`, which only a
 * non-normalised input (or a component that is a separator for `pathImpl`) could cause.
 */
export function toHostPath(root: string, ftpPath: string, pathImpl: path.PlatformPath = path): string {
  const parts = ftpComponents(ftpPath);
  const host = pathImpl.join(root, ...parts);
  if (!isInside(root, host, pathImpl)) throw new FsError('invalid-name', 'Path outside the share');
  return host;
}

/**
 * True when `candidate` is `root` itself or lies below it.
 *
 * The comparison stops at a separator boundary, so `/share_secret` is not inside `/share`. On
 * win32 the comparison is case-insensitive, as NTFS is by default. Both paths are made absolute
 * and normalised with `pathImpl` first.
 */
export function isInside(root: string, candidate: string, pathImpl: path.PlatformPath = path): boolean {
  let r = pathImpl.resolve(root);
  let c = pathImpl.resolve(candidate);
  if (pathImpl.sep === '\\') {
    r = r.toLowerCase();
    c = c.toLowerCase();
  }
  if (c === r) return true;
  // A root like "/" or "C:\" already ends with the separator.
  const prefix = r.endsWith(pathImpl.sep) ? r : r + pathImpl.sep;
  return c.startsWith(prefix);
}
