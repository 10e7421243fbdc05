/**
 * The app's name and data folder, set before anything reads them.
 *
 * Electron names an app after the package.json next to its main script (`productName`, else
 * `name`). The packaged app's package.json says "ftp-share"; a development run
 * (`electron dist/electron/main.cjs`) has none beside it and is called "Electron". The name
 * picks the data folder (`userData`: Chromium's own files and the Windows key that encrypts
 * saved passwords), the single-instance lock, the macOS keychain entry and the Linux secret
 * service entry behind `safeStorage` ("<name> Safe Storage"). With two names, `npm start` and
 * the installed app would each hold their own key while sharing one settings file, and each
 * would find the other's saved password undecryptable.
 *
 * So main.ts calls {@link applyAppIdentity} first thing: before the single-instance lock (which
 * lives in `userData`) and long before `ready`, where Electron reads the name for the keychain
 * (electron/electron#40430: safeStorage's key is tied to the name at start-up).
 */
import path from 'node:path';

/** The product's name, as people see it: electron-builder.yml's `productName`. */
export const APP_NAME = 'FTP Share';

/** The app id: electron-builder.yml's `appId`; Windows needs it for notifications and the taskbar. */
export const APP_ID = 'app.ftpshare.desktop';

/** The part of Electron's `app` this module uses. */
export interface AppIdentityTarget {
  setName(name: string): void;
  getPath(name: 'appData'): string;
  setPath(name: 'userData', path: string): void;
  setAppUserModelId(id: string): void;
}

/**
 * Names the app "FTP Share" and puts its data in `<appData>/FTP Share` (or `userDataDir`, the
 * smoke test's temporary folder), the same in development and packaged runs.
 */
export function applyAppIdentity(app: AppIdentityTarget, platform: NodeJS.Platform, userDataDir?: string): void {
  app.setName(APP_NAME);
  app.setPath('userData', userDataDir ?? path.join(app.getPath('appData'), APP_NAME));
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
}
