/**
 * Where the shell's files are, relative to the bundle (dist/electron/main.cjs), the same in a
 * development run and inside the packaged app.asar:
 *
 * ```
 * dist/electron/main.cjs · preload.cjs · icon.png · tray/*.png    (scripts/build-electron.mjs)
 * dist/renderer/index.html + assets                              (Vite)
 * ```
 */
import path from 'node:path';

/** The files the main process loads. */
export interface AppPaths {
  preload: string;
  indexHtml: string;
  trayIconDir: string;
  windowIcon: string;
}

/** The paths for a bundle in `bundleDir` (the main bundle's `__dirname`). */
export function appPaths(bundleDir: string): AppPaths {
  return {
    preload: path.join(bundleDir, 'preload.cjs'),
    indexHtml: path.join(bundleDir, '..', 'renderer', 'index.html'),
    trayIconDir: path.join(bundleDir, 'tray'),
    windowIcon: path.join(bundleDir, 'icon.png'),
  };
}
