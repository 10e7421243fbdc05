/**
 * Checking a folder before it is shared, with messages people can act on.
 *
 * The classic failure is macOS privacy: an app without "Files and Folders" access gets `EPERM`
 * for Desktop, Documents, Downloads and removable volumes, which reads as a stack trace unless it
 * is turned into "allow access in System Settings".
 */
import { opendir, stat } from 'node:fs/promises';

/** Why a folder can't be shared, for people. */
export interface FolderProblem {
  code: 'folder-unavailable';
  message: string;
}

/**
 * Turns a file-system error on `folder` into a message.
 *
 * `sharedBefore` says the folder was shared in an earlier run: only then can a missing folder have
 * been moved, renamed or left on a disk that is not connected (a mistyped one never existed).
 * `platform` exists for tests (the macOS wording is tested on every OS).
 */
export function describeFolderError(
  err: unknown,
  folder: string,
  platform: NodeJS.Platform = process.platform,
  sharedBefore = false,
): FolderProblem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return {
        code: 'folder-unavailable',
        message: sharedBefore
          ? `The folder ${folder} doesn't exist (was it moved, renamed or on a disk that is not connected?)`
          : `The folder ${folder} doesn't exist`,
      };
    case 'ENOTDIR':
      return { code: 'folder-unavailable', message: `${folder} is not a folder` };
    case 'EPERM':
    case 'EACCES':
      if (platform === 'darwin') {
        return {
          code: 'folder-unavailable',
          message: `FTP Share can't read ${folder}. Allow FTP Share to access this folder in System Settings → Privacy & Security → Files and Folders`,
        };
      }
      return { code: 'folder-unavailable', message: `FTP Share can't read ${folder} (permission denied)` };
    case 'ELOOP':
      return { code: 'folder-unavailable', message: `The folder ${folder} is a link that leads to itself` };
    case 'EIO':
    case 'ENXIO':
    case 'ENODEV':
      return { code: 'folder-unavailable', message: `The disk of ${folder} can't be read (was it disconnected?)` };
    default:
      return { code: 'folder-unavailable', message: `The folder ${folder} can't be read${code ? ` (${code})` : ''}` };
  }
}

/**
 * Resolves when `folder` exists, is a folder and can be listed; else returns the problem
 * (`sharedBefore`: see {@link describeFolderError}).
 */
export async function checkFolder(
  folder: string,
  platform: NodeJS.Platform = process.platform,
  sharedBefore = false,
): Promise<FolderProblem | undefined> {
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) return { code: 'folder-unavailable', message: `${folder} is not a folder` };
    // stat succeeds without read permission; listing is what the server needs.
    const dir = await opendir(folder);
    await dir.close();
    return undefined;
  } catch (err) {
    return describeFolderError(err, folder, platform, sharedBefore);
  }
}
