/**
 * "Launch at login" (settings `launchAtLogin`). macOS and Windows: Electron's
 * `app.setLoginItemSettings`. Linux, where Electron has no such API: an XDG autostart entry,
 * `~/.config/autostart/ftp-share.desktop` (the freedesktop Desktop Application Autostart spec).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from 'electron';
import { HIDDEN_ARG } from './lifecycle.js';

/** Name of the Linux autostart file. */
export const AUTOSTART_FILE_NAME = 'ftp-share.desktop';

/** The XDG autostart directory: `$XDG_CONFIG_HOME/autostart` or `~/.config/autostart`. */
export function autostartDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return path.posix.join(xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config'), 'autostart');
}

/**
 * Quotes one argument of a desktop entry's `Exec` key, as the Desktop Entry spec says: an
 * argument with reserved characters (a space in an AppImage's path) goes in double quotes, with
 * `"`, `` ` ``, `$` and `\` escaped by a backslash; then the key's own string escaping doubles
 * every backslash once more.
 */
export function quoteExecArg(arg: string): string {
  // `%` starts a field code (%f, %u…) anywhere in Exec, quoted or not: a literal one is `%%`.
  const literal = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(literal)) return literal;
  const quoted = `"${literal.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/\\/g, '\\\\');
}

/** The autostart entry that runs `execPath --hidden`. */
export function autostartEntry(execPath: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=FTP Share',
    'Comment=Share folders on the local network over FTP',
    `Exec=${quoteExecArg(execPath)} ${HIDDEN_ARG}`,
    'Icon=ftp-share',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** What {@link LoginItem} uses. */
export interface LoginItemDependencies {
  platform: NodeJS.Platform;
  /** `app.isPackaged`: a development run has no stable program to start at login. */
  isPackaged: boolean;
  /** `app.setLoginItemSettings` (macOS, Windows). */
  setLoginItemSettings(settings: Settings): void;
  /** Linux: the program to start, `$APPIMAGE` for an AppImage, else `process.execPath`. */
  execPath: string;
  /** Linux: where the entry goes; defaults to {@link autostartDir}. */
  autostartDir?: string;
}

/**
 * Applies the `launchAtLogin` setting. `apply` is idempotent: it touches the system only when the
 * wanted value differs from the last one applied (the settings push arrives on every change).
 */
export class LoginItem {
  readonly #deps: LoginItemDependencies;
  #applied: boolean | undefined;

  constructor(deps: LoginItemDependencies) {
    this.#deps = deps;
  }

  /** Whether this build can launch at login at all. */
  get supported(): boolean {
    return this.#deps.isPackaged && ['darwin', 'win32', 'linux'].includes(this.#deps.platform);
  }

  /** Turns launching at login on or off. Returns false when unsupported here (nothing done). */
  async apply(enabled: boolean): Promise<boolean> {
    if (!this.supported) return false;
    if (this.#applied === enabled) return true;
    const { platform } = this.#deps;
    if (platform === 'linux') {
      const dir = this.#deps.autostartDir ?? autostartDir();
      const file = path.join(dir, AUTOSTART_FILE_NAME);
      if (enabled) {
        await mkdir(dir, { recursive: true });
        await writeFile(file, autostartEntry(this.#deps.execPath), { mode: 0o644 });
      } else {
        await rm(file, { force: true });
      }
    } else if (platform === 'win32') {
      this.#deps.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
    } else {
      this.#deps.setLoginItemSettings({ openAtLogin: enabled });
    }
    this.#applied = enabled;
    return true;
  }
}
