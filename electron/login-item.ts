/**
 * "Launch at login" (settings `launchAtLogin`): turning it on and off, and reading what the OS
 * really does, since people change it outside the app (System Settings, Task Manager, a deleted
 * autostart file).
 *
 * Every launch at login passes `--hidden`, so the app knows to start in the tray:
 * - macOS 13 and later: a launch agent registered with SMAppService (Electron's `agentService`),
 *   whose plist, shipped in the bundle (assets/mac/…plist, electron-builder.yml `extraFiles`),
 *   runs the app with `--hidden`. The main-app login item can't pass arguments, and
 *   `wasOpenedAtLogin` has not been reliable since Electron 29 (electron/electron#42302).
 * - macOS 12 and earlier: the classic login item, opened hidden (`wasOpenedAsHidden`).
 * - Windows: the Run key, with `--hidden`; the portable build registers its own .exe
 *   (`PORTABLE_EXECUTABLE_FILE`), not the temporary folder it unpacks into and deletes.
 * - Linux: an XDG autostart entry, `~/.config/autostart/ftp-share.desktop` (Electron has no API).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LoginItemSettings, LoginItemSettingsOptions, Settings } from 'electron';
import { HIDDEN_ARG } from './lifecycle.js';

/** Name of the Linux autostart file. */
export const AUTOSTART_FILE_NAME = 'ftp-share.desktop';

/**
 * The macOS launch agent's plist, in `FTP Share.app/Contents/Library/LaunchAgents/`: the
 * `serviceName` SMAppService.agent(plistName:) takes.
 */
export const MAC_LOGIN_AGENT = 'app.ftpshare.desktop.login.plist';

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

/**
 * Whether an autostart entry still starts the app: desktops turn one off by writing `Hidden=true`
 * (the spec's way to delete) or `X-GNOME-Autostart-enabled=false` (GNOME Tweaks) into it.
 */
export function autostartEntryEnabled(text: string): boolean {
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1]?.toLowerCase();
  if (!/^\[Desktop Entry\]/m.test(text)) return false;
  return value('Hidden') !== 'true' && value('X-GNOME-Autostart-enabled') !== 'false';
}

/** True on macOS 13 (Darwin 22) and later, where login items go through SMAppService. */
export function usesServiceManagement(platform: NodeJS.Platform, osRelease: string): boolean {
  return platform === 'darwin' && Number.parseInt(osRelease, 10) >= 22;
}

/** What the OS does at login, as far as it says. */
export interface LoginItemState {
  /** The app will be started at login. */
  enabled: boolean;
  /** macOS: registered, but waiting for the user's approval in System Settings → General → Login Items. */
  needsApproval?: boolean;
  /** Not available in this build (a development run). */
  unsupported?: boolean;
}

/** What {@link LoginItem} uses. */
export interface LoginItemDependencies {
  platform: NodeJS.Platform;
  /** `app.isPackaged`: a development run has no stable program to start at login. */
  isPackaged: boolean;
  /** `app.setLoginItemSettings` (macOS, Windows). */
  setLoginItemSettings(settings: Settings): void;
  /** `app.getLoginItemSettings` (macOS, Windows). */
  getLoginItemSettings(options?: LoginItemSettingsOptions): Pick<LoginItemSettings, 'openAtLogin'> & Partial<LoginItemSettings>;
  /** `process.execPath`; Linux: `$APPIMAGE` for an AppImage. */
  execPath: string;
  /** Where PORTABLE_EXECUTABLE_FILE (Windows portable build) comes from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** `os.release()`: tells macOS 13+ apart. */
  osRelease?: string;
  /** Linux: where the entry goes; defaults to {@link autostartDir}. */
  autostartDir?: string;
}

/**
 * Applies and reads the `launchAtLogin` setting. `apply` touches the system only when the wanted
 * value differs from what was last applied or read (the settings push arrives on every change).
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

  /**
   * The program Windows starts: the portable build's own .exe, not the copy it unpacks into a
   * temporary folder (electron-builder's portable launcher sets PORTABLE_EXECUTABLE_FILE).
   */
  get #windowsExe(): string {
    return (this.#deps.env ?? process.env)['PORTABLE_EXECUTABLE_FILE'] || this.#deps.execPath;
  }

  get #agent(): boolean {
    return usesServiceManagement(this.#deps.platform, this.#deps.osRelease ?? os.release());
  }

  #file(): string {
    return path.join(this.#deps.autostartDir ?? autostartDir(), AUTOSTART_FILE_NAME);
  }

  /** Turns launching at login on or off. Returns false when unsupported here (nothing done). */
  async apply(enabled: boolean): Promise<boolean> {
    if (!this.supported) return false;
    if (this.#applied === enabled) return true;
    const { platform } = this.#deps;
    if (platform === 'linux') {
      const file = this.#file();
      if (enabled) {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, autostartEntry(this.#deps.execPath), { mode: 0o644 });
      } else {
        await rm(file, { force: true });
      }
    } else if (platform === 'win32') {
      this.#deps.setLoginItemSettings({ openAtLogin: enabled, path: this.#windowsExe, args: [HIDDEN_ARG] });
    } else if (this.#agent) {
      this.#deps.setLoginItemSettings({ openAtLogin: enabled, type: 'agentService', serviceName: MAC_LOGIN_AGENT });
    } else {
      this.#deps.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true });
    }
    this.#applied = enabled;
    return true;
  }

  /**
   * What the OS will do at the next login. The app shows this, not what it last asked for: the
   * user may have turned it off in System Settings or Task Manager, or deleted the autostart file.
   */
  async read(): Promise<LoginItemState> {
    if (!this.supported) return { enabled: false, unsupported: true };
    const { platform } = this.#deps;
    let state: LoginItemState;
    if (platform === 'linux') {
      let text: string | undefined;
      try {
        text = await readFile(this.#file(), 'utf8');
      } catch {
        text = undefined;
      }
      state = { enabled: text !== undefined && autostartEntryEnabled(text) };
    } else if (platform === 'win32') {
      // executableWillLaunchAtLogin is false when the entry is turned off in Task Manager's
      // Startup apps (the StartupApproved key), which openAtLogin does not see.
      const settings = this.#deps.getLoginItemSettings({ path: this.#windowsExe, args: [HIDDEN_ARG] });
      state = { enabled: settings.executableWillLaunchAtLogin ?? settings.openAtLogin };
    } else if (this.#agent) {
      const { status } = this.#deps.getLoginItemSettings({ type: 'agentService', serviceName: MAC_LOGIN_AGENT });
      state = status === 'requires-approval' ? { enabled: true, needsApproval: true } : { enabled: status === 'enabled' };
    } else {
      state = { enabled: this.#deps.getLoginItemSettings().openAtLogin };
    }
    this.#applied = state.enabled;
    return state;
  }
}

/**
 * Whether this launch was a login launch, for what `--hidden` can't tell: macOS 12 and earlier,
 * whose login item passes no arguments. Read after `ready` (Electron fills it in while the app
 * finishes launching, electron/electron#42411).
 */
export function openedAtLoginHidden(
  platform: NodeJS.Platform,
  osRelease: string,
  settings: Pick<Partial<LoginItemSettings>, 'wasOpenedAtLogin' | 'wasOpenedAsHidden'>,
): boolean {
  if (platform !== 'darwin') return false;
  if (usesServiceManagement(platform, osRelease)) return settings.wasOpenedAtLogin === true;
  return settings.wasOpenedAsHidden === true || settings.wasOpenedAtLogin === true;
}
