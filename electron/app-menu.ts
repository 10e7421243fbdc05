/**
 * The application menu. Electron's default menu has "Toggle Developer Tools", "Reload" and links
 * to electronjs.org, which have no place in a release build; this replaces it.
 *
 * - macOS: the standard menus under the app's name (About, Hide, Quit…), Edit (copy and paste in
 *   text fields only work through it on macOS) and Window.
 * - Windows and Linux: File (Close window, Quit), Edit and View (zoom). The window hides its menu
 *   bar until Alt is pressed (`autoHideMenuBar`); the shortcuts work either way.
 * - Development runs (not packaged) add Reload and the developer tools.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu needs to know. */
export interface AppMenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  /** `app.isPackaged`: only development runs get Reload and the developer tools. */
  isPackaged: boolean;
}

/** The template for `Menu.buildFromTemplate`. */
export function appMenuTemplate({ platform, appName, isPackaged }: AppMenuOptions): MenuItemConstructorOptions[] {
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(isPackaged ? [] : ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  if (platform === 'darwin') {
    return [
      {
        label: appName,
        submenu: [
          { role: 'about', label: `About ${appName}` },
          { type: 'separator' },
          { role: 'services' },
          { type: 'separator' },
          { role: 'hide', label: `Hide ${appName}` },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          { role: 'quit', label: `Quit ${appName}` },
        ],
      },
      edit,
      view,
      { role: 'windowMenu' },
    ];
  }
  return [{ label: '&File', submenu: [{ role: 'close', label: 'Close window' }, { role: 'quit', label: 'Quit' }] }, { ...edit, label: '&Edit' }, { ...view, label: '&View' }];
}
