/**
 * Why a file-system operation failed, independent of the host OS. The FTP layer maps
 * each code to a reply (see core/ftp/replies.ts); the message never contains host paths.
 */
export type FsErrorCode =
  | 'not-found' // 550
  | 'exists' // 550 (553 for a name clash on STOU/MKD is also acceptable)
  | 'not-a-directory' // 550
  | 'is-a-directory' // 550
  | 'not-empty' // 550
  | 'permission-denied' // 550: the host OS refused
  | 'read-only' // 550: the share or account is read-only
  | 'invalid-name' // 553: NUL, too long, a name the host can't hold, a path outside the root
  | 'no-space' // 452 (552 on STOR/APPE): ENOSPC / EDQUOT
  | 'busy' // 450: transient, e.g. EBUSY
  | 'io'; // 451: anything else

export class FsError extends Error {
  override readonly name = 'FsError';
  constructor(
    readonly code: FsErrorCode,
    message: string,
    /**
     * The path asked for, when it was refused because it leads outside the share (a symlink out):
     * for the log of the person sharing. The client is told only `code`, as for a missing file.
     */
    readonly outsidePath?: string,
  ) {
    super(message);
  }
}

/** True when `err` is an FsError (optionally with one of `codes`). */
export function isFsError(err: unknown, ...codes: FsErrorCode[]): err is FsError {
  return err instanceof FsError && (codes.length === 0 || codes.includes(err.code));
}

/** The short, host-path-free message of each code. */
export const FS_ERROR_MESSAGES: Record<FsErrorCode, string> = {
  'not-found': 'No such file or directory',
  exists: 'File exists',
  'not-a-directory': 'Not a directory',
  'is-a-directory': 'Is a directory',
  'not-empty': 'Directory not empty',
  'permission-denied': 'Permission denied',
  'read-only': 'Read-only share',
  'invalid-name': 'Invalid file name',
  'no-space': 'No space left on device',
  busy: 'Resource busy, try again',
  io: 'Input/output error',
};

/** Host errno codes by the FsError code they mean; any other errno is 'io'. */
const ERRNO_CODES: Record<string, FsErrorCode> = {
  ENOENT: 'not-found',
  EEXIST: 'exists',
  ENOTDIR: 'not-a-directory',
  EISDIR: 'is-a-directory',
  ENOTEMPTY: 'not-empty',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  // File larger than the process or file system allows: the client exceeded a storage allocation.
  EFBIG: 'no-space',
  EBUSY: 'busy',
  // Out of file descriptors is transient too: 450 invites the client to retry.
  EMFILE: 'busy',
  ENFILE: 'busy',
  EAGAIN: 'busy',
  ENAMETOOLONG: 'invalid-name',
  EINVAL: 'invalid-name',
  // A read-only host volume (a mounted image, a locked card) is a read-only share to the client.
  EROFS: 'read-only',
};

/** Messages for errno codes that all fall into 'io' but deserve a word of their own. */
const IO_MESSAGES: Record<string, string> = {
  ELOOP: 'Too many levels of symbolic links',
  EXDEV: 'Cannot move across devices',
  EIO: 'Input/output error',
};

/**
 * Turns anything thrown by `fs` into an FsError with a short message free of host paths.
 *
 * `op` adjusts the few codes whose meaning depends on the call: `rmdir` reports EEXIST as
 * 'not-empty' (some systems use it for a non-empty directory). FsErrors pass through unchanged.
 */
export function toFsError(err: unknown, op?: 'rmdir'): FsError {
  if (err instanceof FsError) return err;
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  const fail = (code: FsErrorCode, message = FS_ERROR_MESSAGES[code]) => new FsError(code, message);
  if (typeof errno !== 'string') return fail('io');
  if (op === 'rmdir' && errno === 'EEXIST') return fail('not-empty');
  const code = ERRNO_CODES[errno];
  if (code === 'read-only') return fail('read-only', 'Read-only file system');
  if (code !== undefined) return fail(code);
  return fail('io', IO_MESSAGES[errno] ?? FS_ERROR_MESSAGES.io);
}
