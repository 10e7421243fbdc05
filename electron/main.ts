/**
 * The Electron main process: wires the ShareService to the window (IPC), the tray, desktop
 * notifications and the app's lifecycle. It holds no business logic; every decision lives in a
 * small module next to it that Node tests cover (ipc, preload-api, tray, window, share-host,
 * notifications, lifecycle, login-item, secret-encryptor). This file is the only one that
 * imports Electron's run-time objects.
 */
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import type { PushEvents, ShareState, ShareStatus } from '../core/share/contract.js';
import { defaultConfigDir, SettingsStore } from '../core/share/settings-store.js';
import type { ShareBackend } from './backend.js';
import { createAppFrameCheck, bindRequestHandlers, forwardPushEvents } from './ipc.js';
import { closeAction, launchedHidden, QuitController, trayHint } from './lifecycle.js';
import { LoginItem } from './login-item.js';
import { ShareNotifier, type NotificationContent } from './notifications.js';
import { appPaths } from './paths.js';
import { createSafeStorageEncryptor } from './secret-encryptor.js';
import { createShareBackend } from './share-backend.js';
import { createShareHost } from './share-host.js';
import { TrayService, trayStateFrom, type TrayAction } from './tray.js';
import { createElectronTrayFactory } from './tray-electron.js';
import { createAppWindow, secureSession, showWindow } from './window.js';

/** The app id: Windows needs it for notifications; electron-builder.yml's `appId`. */
const APP_ID = 'app.ftpshare.desktop';

// Single-instance lock first: a second launch (double-click on the icon again, the login item
// while the app runs) hands over to the running app, which shows its window, and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  runApp();
}

function runApp(): void {
  const platform = process.platform;
  const paths = appPaths(__dirname);
  const notifier = new ShareNotifier();
  const loginItem = new LoginItem({
    platform,
    isPackaged: app.isPackaged,
    setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
    execPath: process.env['APPIMAGE'] || process.execPath,
  });
  const startHidden = launchedHidden(
    process.argv,
    platform === 'darwin' && app.isPackaged && app.getLoginItemSettings().wasOpenedAtLogin,
  );

  let window: BrowserWindow | null = null;
  let backend: ShareBackend | undefined;
  let tray: TrayService | undefined;
  let status: ShareStatus | undefined;
  let shareUrl: string | undefined;
  let trayHintShown = true; // until the settings say otherwise
  // A second launch before start-up finished still gets its window.
  let windowWanted = !startHidden;
  const teardown: Array<() => void> = [];
  // Shown notifications, kept referenced until dismissed: a collected Notification loses its
  // click handler (electron/electron#16922).
  const liveNotifications = new Set<Notification>();

  const liveWindow = (): BrowserWindow | null => (window && !window.isDestroyed() ? window : null);

  const quitter = new QuitController({
    async shutdown() {
      for (const undo of teardown.splice(0)) undo();
      tray?.destroy();
      await backend?.shutdown();
    },
    exit: (code) => app.exit(code),
    onShutdownProblem: (problem) => console.error('FTP Share: sharing did not stop cleanly:', problem),
  });

  if (platform === 'win32') app.setAppUserModelId(APP_ID);

  app.on('second-instance', () => openWindow());
  // macOS: a click on the Dock icon (once running; at a hidden login launch it must not open).
  app.on('activate', () => {
    if (backend) openWindow();
  });
  // The app lives on in the tray; quitting goes through the QuitController only.
  app.on('window-all-closed', () => undefined);
  // Every quit (tray Quit, Cmd+Q, the OS logging out) stops sharing first. `app.exit` at the end
  // does not emit before-quit again.
  app.on('before-quit', (event) => {
    event.preventDefault();
    void quitter.quit();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void quitter.quit());

  // Any other web contents (there should be none) gets the same lock-down as the window.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('FTP Share could not start:', error);
      dialog.showErrorBox('FTP Share could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });

  async function start(): Promise<void> {
    secureSession(session.defaultSession);

    // After `ready`: safeStorage reports unavailable on Linux before it. The app's settings file
    // is the one in defaultConfigDir(); `ftp-share --ui` keeps its own in the `web-ui` folder
    // below it (core/web/ui-command.ts: the CLI can't reach the keychain that encrypts this one's
    // password), and plain `ftp-share` saves no settings. By default all three use the
    // certificates folder below it (share-backend.ts).
    const store = new SettingsStore({ dir: defaultConfigDir(), encryptor: createSafeStorageEncryptor(safeStorage) });
    const host = createShareHost({
      showOpenDialog: (options) => {
        const parent = liveWindow();
        return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
      },
      openPath: (folder) => shell.openPath(folder),
      writeText: (text) => clipboard.writeText(text),
    });
    const share = await createShareBackend({ store, host });
    backend = share;

    teardown.push(
      bindRequestHandlers({
        ipcMain,
        requests: share,
        isTrustedSender: createAppFrameCheck({
          getAppContents: () => liveWindow()?.webContents ?? null,
          indexHtmlPath: paths.indexHtml,
        }),
        onHandlerError: (name, error) => console.error(`FTP Share: request ${name} failed:`, error),
      }),
      forwardPushEvents(share, () => liveWindow()?.webContents ?? null),
      share.onPush((event, payload) => {
        if (event === 'state') onState(payload as PushEvents['state']);
        else if (event === 'settings') onSettings(payload as PushEvents['settings']);
      }),
    );

    tray = new TrayService(createElectronTrayFactory({ Tray, Menu, nativeImage }, { iconDir: paths.trayIconDir }), onTrayAction);
    const [state, settings] = await Promise.all([share.getState(undefined), share.getSettings(undefined)]);
    if (state.ok) onState(state.value);
    else tray.render({ status: 'stopped', clients: 0 });
    if (settings.ok) onSettings(settings.value);

    if (windowWanted) openWindow();
  }

  function onState(state: ShareState): void {
    status = state.status;
    shareUrl = state.status === 'running' ? state.url : undefined;
    tray?.render(trayStateFrom(state));
    // Notifications are for when the window is not in front; there, the page says it all.
    const inFront = liveWindow()?.isVisible() && liveWindow()?.isFocused();
    for (const content of notifier.next(state)) if (!inFront) notify(content);
  }

  function onSettings(settings: PushEvents['settings']): void {
    trayHintShown = settings.trayHintShown;
    loginItem.apply(settings.launchAtLogin).catch((error: unknown) => {
      console.error('FTP Share: could not change launch at login:', error);
    });
  }

  function notify(content: NotificationContent): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: content.title, body: content.body });
    liveNotifications.add(notification);
    const forget = () => liveNotifications.delete(notification);
    notification.on('click', () => {
      forget();
      openWindow();
    });
    notification.on('close', forget);
    notification.show();
  }

  function openWindow(): void {
    const existing = liveWindow();
    if (existing) {
      showWindow(existing);
      return;
    }
    if (!backend) {
      windowWanted = true; // still starting; start() opens it
      return;
    }
    window = createAppWindow({
      BrowserWindow,
      preloadPath: paths.preload,
      indexHtmlPath: paths.indexHtml,
      ...(platform === 'darwin' ? {} : { iconPath: paths.windowIcon }),
      openExternal: (url) => void shell.openExternal(url),
      onLoadError: (error) => console.error('FTP Share: the window could not load its page:', error),
    });
    window.on('close', onWindowClose);
  }

  function onWindowClose(event: Electron.Event): void {
    if (quitter.quitting) return;
    event.preventDefault();
    if (closeAction(status, platform) === 'quit') {
      void quitter.quit();
      return;
    }
    liveWindow()?.hide();
    const sharing = status === 'running' || status === 'starting';
    if (sharing && !trayHintShown) {
      trayHintShown = true;
      notify(trayHint(platform));
      void backend?.updateSettings({ trayHintShown: true });
    }
  }

  function onTrayAction(action: TrayAction): void {
    switch (action) {
      case 'start':
        void backend?.start(undefined).then((result) => {
          // No folder, a busy port…: the window shows what to fix.
          if (!result.ok) openWindow();
        });
        break;
      case 'stop':
        void backend?.stop(undefined);
        break;
      case 'copy-address':
        if (shareUrl) clipboard.writeText(shareUrl);
        break;
      case 'open':
        openWindow();
        break;
      case 'quit':
        app.quit();
        break;
    }
  }
}
