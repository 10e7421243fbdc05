/**
 * The real {@link TrayFactory}: Electron's `Tray`, `Menu` and `nativeImage`, passed in by main.ts
 * (so the mapping from the model to Electron's menu template is checked by Node tests too).
 */
import path from 'node:path';
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { TrayAction, TrayFactory, TrayHandle, TrayIconName, TrayItem } from './tray.js';

/** The Electron modules the tray uses. */
export interface ElectronTrayModules {
  Tray: new (image: NativeImage) => Pick<Tray, 'setImage' | 'setToolTip' | 'setContextMenu' | 'destroy' | 'on'>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu };
  nativeImage: { createFromPath(path: string): NativeImage };
}

/** Where the tray images are, and for which platform. */
export interface ElectronTrayOptions {
  /** Directory with the images of assets/tray (copied next to main.cjs by the build). */
  iconDir: string;
  platform?: NodeJS.Platform;
}

/**
 * The image file of an icon. macOS gets template images (black with alpha, named `*Template`):
 * the menu bar tints them for light and dark mode and for the highlighted state. Windows gets
 * .ico files holding every size from 16 to 48 px, so the icon stays sharp at 125 % and 150 %
 * scaling (Electron's Tray docs recommend ICO there). Linux gets PNGs, with `@2x` variants that
 * `nativeImage` picks up on HiDPI screens.
 */
export function trayIconFile(icon: TrayIconName, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return icon === 'on' ? 'trayTemplate.png' : 'trayOffTemplate.png';
  const name = icon === 'on' ? 'tray-on' : 'tray-off';
  return platform === 'win32' ? `${name}.ico` : `${name}.png`;
}

/**
 * The menu template of the model's items. On Windows and Linux `&` marks a mnemonic in a label,
 * so a literal one (an error message, a URL) is doubled.
 */
export function trayMenuTemplate(
  items: readonly TrayItem[],
  onAction: (action: TrayAction) => void,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const text = (label: string) => (platform === 'darwin' ? label : label.replace(/&/g, '&&'));
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'status':
        return { label: text(item.label), enabled: false };
      case 'action':
        return { label: text(item.label), enabled: item.enabled, click: () => onAction(item.action) };
    }
  });
}

/** Makes the factory main.ts gives the {@link TrayService}. */
export function createElectronTrayFactory(electron: ElectronTrayModules, options: ElectronTrayOptions): TrayFactory {
  const platform = options.platform ?? process.platform;
  const image = (icon: TrayIconName) => electron.nativeImage.createFromPath(path.join(options.iconDir, trayIconFile(icon, platform)));
  return {
    create(icon, onAction): TrayHandle {
      const tray = new electron.Tray(image(icon));
      // A left click on the icon opens the window, the menu being on the right click: Windows,
      // and Linux hosts that send StatusNotifierItem's Activate (KDE Plasma, Xfce; Electron emits
      // it as 'click' since electron/electron#36333; hosts that open the menu on any click send
      // nothing). macOS shows the menu on click, as menu bar apps do.
      if (platform !== 'darwin') tray.on('click', () => onAction('open'));
      return {
        setIcon: (next) => tray.setImage(image(next)),
        setToolTip: (text) => tray.setToolTip(text),
        setMenu: (items) => tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(items, onAction, platform))),
        destroy: () => tray.destroy(),
      };
    },
  };
}
