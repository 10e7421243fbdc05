/**
 * Where the shell's files are, relative to the bundle (dist/electron/main.cjs), the same in a
 * development run and inside the packaged app.asar:
 *
 * ```
 * dist/electron/main.cjs · preload.cjs · icon.png · icon.ico · tray/*.png, *.ico
 *                                                              (scripts/build-electron.mjs)
 * dist/renderer/index.html + assets                              (Vite)
 * ```
 */
import path from 'node:path';

/** The files the main process loads. */
export interface AppPaths {
  preload: string;
  indexHtml: string;
  trayIconDir: string;
  /** The window's icon: an .ico on Windows (sharp at 125 % and 150 %), a PNG on Linux. macOS uses the bundle's. */
  windowIcon: string;
}

/** The paths for a bundle in `bundleDir` (the main bundle's `__dirname`). */
export function appPaths(bundleDir: string, platform: NodeJS.Platform = process.platform): AppPaths {
  return {
    preload: path.join(bundleDir, 'preload.cjs'),
    indexHtml: path.join(bundleDir, '..', 'renderer', 'index.html'),
    trayIconDir: path.join(bundleDir, 'tray'),
    windowIcon: path.join(bundleDir, platform === 'win32' ? 'icon.ico' : 'icon.png'),
  };
}
