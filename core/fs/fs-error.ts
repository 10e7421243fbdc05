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
