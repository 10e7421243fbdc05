import os from 'node:os';
import path from 'node:path';

/**
 * The app's configuration folder, as each desktop's conventions want it. Settings live in it,
 * certificates in its `certificates` subfolder.
 *
 * Linux and other Unixes: `$XDG_CONFIG_HOME/ftp-share` (only when absolute, as the XDG spec
 * requires) or `~/.config/ftp-share`; macOS: `~/Library/Application Support/FTP Share`; Windows:
 * `%APPDATA%\FTP Share`. The macOS and Windows paths equal Electron's `userData` for a product
 * named "FTP Share"; on Linux Electron would use `~/.config/FTP Share`, so the shell passes this
 * folder explicitly. The arguments exist for tests; callers normally pass none.
 */
export function defaultConfigDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    const appData = env['APPDATA'] || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'FTP Share');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'FTP Share');
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
  return path.posix.join(base, 'ftp-share');
}
