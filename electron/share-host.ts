/**
 * The ShareService's {@link ShareHost}: what only the desktop can do. The service validates the
 * requests (only shared folders are opened, text length) and turns a throw into a failed result;
 * this module only talks to the desktop.
 */
import type { OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { ShareHost } from '../core/share/share-service.js';

/** The desktop services behind the host (main.ts passes `dialog`, `shell`, `clipboard`). */
export interface DesktopServices {
  /** `dialog.showOpenDialog`, modal to the app window when there is one. */
  showOpenDialog(options: OpenDialogOptions): Promise<Pick<OpenDialogReturnValue, 'canceled' | 'filePaths'>>;
  /** `shell.openPath`: resolves to '' on success, or an error message. */
  openPath(folder: string): Promise<string>;
  /** `clipboard.writeText`. */
  writeText(text: string): void;
}

/** The folder picker's options: several folders at once. */
export const PICK_FOLDERS_OPTIONS: OpenDialogOptions = {
  title: 'Choose folders to share',
  buttonLabel: 'Share',
  // createDirectory: macOS; dontAddToRecent: Windows. Each platform ignores the other's.
  properties: ['openDirectory', 'multiSelections', 'createDirectory', 'dontAddToRecent'],
};

/**
 * Makes the host. A cancelled picker gives `[]` (nothing to add is not an error); the window
 * adds each chosen folder with `addFolder`, which checks it.
 */
export function createShareHost(desktop: DesktopServices): Required<ShareHost> {
  return {
    async pickFolders() {
      const result = await desktop.showOpenDialog(PICK_FOLDERS_OPTIONS);
      return result.canceled ? [] : [...result.filePaths];
    },
    async openFolder(folder) {
      const error = await desktop.openPath(folder);
      // The service reports a throw as a failed request with this message.
      if (error) throw new Error(`the folder could not be opened (${error})`);
    },
    async copyText(text) {
      desktop.writeText(text);
    },
  };
}
