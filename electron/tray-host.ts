/**
 * Whether a tray icon can be seen on this Linux desktop.
 *
 * Electron draws the Linux tray as a StatusNotifierItem over D-Bus (electron/electron#36333) and
 * falls back to an X11 tray icon (XEmbed) when no `org.kde.StatusNotifierWatcher` owns its bus
 * name. GNOME Shell has neither without the AppIndicator extension, so there the icon is
 * invisible, and a window hidden "into the tray" could only come back by launching the app again.
 *
 * Electron has no API for this, so main.ts asks the session bus with `gdbus` (GLib's tool, on
 * every GNOME desktop) or `dbus-send`: NameHasOwner(org.kde.StatusNotifierWatcher).
 */
import { execFile } from 'node:child_process';

/** What is known about the tray: shown, or surely not shown. Unknown counts as shown. */
export type TrayVisibility = 'shown' | 'hidden';

/** The bus name a StatusNotifier host owns. */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** The commands that ask the session bus whether a name has an owner, in the order tried. */
export const NAME_HAS_OWNER_COMMANDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    'gdbus',
    ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', STATUS_NOTIFIER_WATCHER],
  ],
  [
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${STATUS_NOTIFIER_WATCHER}`],
  ],
];

/** Reads the answer of `gdbus` (`(true,)`) or `dbus-send --print-reply` (`boolean true`). */
export function parseNameHasOwner(output: string): boolean | undefined {
  if (/\(true,?\)|boolean true/.test(output)) return true;
  if (/\(false,?\)|boolean false/.test(output)) return false;
  return undefined;
}

/**
 * Decides from the bus's answer and the session: no watcher on a Wayland session or on GNOME
 * (whose shell shows no XEmbed icons either) means no visible tray. Without a watcher on another
 * X11 desktop (Xfce, MATE, Cinnamon panels show XEmbed icons) the icon is assumed shown, as it
 * is when the bus could not be asked.
 */
export function linuxTrayVisibility(watcher: boolean | undefined, env: NodeJS.ProcessEnv): TrayVisibility {
  if (watcher !== false) return 'shown';
  const wayland = env['XDG_SESSION_TYPE'] === 'wayland' || Boolean(env['WAYLAND_DISPLAY']);
  const gnome = /(^|:)GNOME($|:)/i.test(env['XDG_CURRENT_DESKTOP'] ?? '');
  return wayland || gnome ? 'hidden' : 'shown';
}

/** Runs a command and gives its stdout, or undefined when it failed or took too long. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string | undefined>;

/** The real runner: no shell, 2 s at most. */
export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, [...args], { timeout: 2000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : String(stdout)));
  });

/** Asks the bus (first command that answers wins) and decides; 'shown' off Linux. */
export async function detectTrayVisibility(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv = process.env,
  run: CommandRunner = runCommand,
): Promise<TrayVisibility> {
  if (platform !== 'linux') return 'shown';
  let watcher: boolean | undefined;
  for (const [command, args] of NAME_HAS_OWNER_COMMANDS) {
    const output = await run(command, args);
    watcher = output === undefined ? undefined : parseNameHasOwner(output);
    if (watcher !== undefined) break;
  }
  return linuxTrayVisibility(watcher, env);
}
