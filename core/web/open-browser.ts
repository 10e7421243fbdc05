/**
 * Opens a URL in the user's browser with the OS's own opener. A missing opener (a server without a
 * desktop) is not an error: the caller prints the URL and says to open it.
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

/** How long an opener may run before it counts as having opened the browser (ms). */
const OPENER_GRACE_MS = 3000;

/**
 * Opens `url` in the default browser. Resolves true when the opener succeeded (or is still running
 * after a moment, as `xdg-open` does when it runs the browser itself), false when there is no
 * opener or it failed (no desktop, no browser). Never rejects.
 */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const { file, args, verbatim } = openerCommand(url, platform);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { detached: true, stdio: 'ignore', windowsHide: true, windowsVerbatimArguments: verbatim });
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => resolve(true), OPENER_GRACE_MS);
    timer.unref();
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.unref();
  });
}
