/**
 * Opens a URL in the user's browser with the OS's own opener, fire-and-forget: a missing opener
 * (a server without a desktop) is not an error, the URL is printed anyway.
 */
import { spawn } from 'node:child_process';

/** The command that opens `url` on `platform`. */
export function openerCommand(url: string, platform: NodeJS.Platform = process.platform): { file: string; args: string[]; verbatim: boolean } {
  if (platform === 'darwin') return { file: 'open', args: [url], verbatim: false };
  // `start` is a cmd built-in; its first quoted argument is the window title. The URL holds no
  // characters cmd treats specially except `&`, escaped anyway.
  if (platform === 'win32') return { file: 'cmd', args: ['/c', 'start', '""', `"${url.replace(/&/g, '^&')}"`], verbatim: true };
  return { file: 'xdg-open', args: [url], verbatim: false };
}

/** Opens `url` in the default browser; errors are ignored. */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const { file, args, verbatim } = openerCommand(url, platform);
  try {
    const child = spawn(file, args, { detached: true, stdio: 'ignore', windowsHide: true, windowsVerbatimArguments: verbatim });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the user has the printed URL.
  }
}
