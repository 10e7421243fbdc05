/**
 * The Electron main process: wires the ShareService to the window (IPC), the tray, the
 * application menu, desktop notifications, launch at login and the app's lifecycle. It holds no
 * business logic; every decision lives in a small module next to it that Node tests cover (ipc,
 * preload-api, tray, window, share-host, notifications, receive-notifier, lifecycle, login-item,
 * tray-host, app-menu, app-identity, smoke-test, secret-encryptor). This file is the only one
 * that imports Electron's run-time objects.
 */
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  safeStorage,
  session,
  shell,
  Tray,
  type NotificationConstructorOptions,
} from 'electron';
import type { LogLevel, PushEvents, ShareState, ShareStatus } from '../core/share/contract.js';
import type { ShareSettings } from '../core/share/settings-types.js';
import { defaultConfigDir, SettingsStore } from '../core/share/settings-store.js';
import { appMenuTemplate } from './app-menu.js';
import { applyAppIdentity, APP_NAME } from './app-identity.js';
import type { ShareBackend } from './backend.js';
import { EVENT_CHANNEL } from './channels.js';
import { createAppFrameCheck, bindRequestHandlers, forwardPushEvents } from './ipc.js';
import { closeAction, launchedHidden, QuitController, shutdownInOrder, trayHint } from './lifecycle.js';
import { LoginItem, openedAtLoginHidden } from './login-item.js';
import { ShareNotifier, type NotificationContent } from './notifications.js';
import { appPaths } from './paths.js';
import { ReceiveNotifier, type ReceiveNotification } from './receive-notifier.js';
import { createSafeStorageEncryptor } from './secret-encryptor.js';
import { createShareBackend } from './share-backend.js';
import { createShareHost } from './share-host.js';
import {
  createSmokeWorkspace,
  removeSmokeWorkspace,
  runSmokeSteps,
  smokeFailureLine,
  smokeSteps,
  SMOKE_TEST_ARG,
  SMOKE_TEST_TIMEOUT_MS,
  type SmokeWorkspace,
} from './smoke-test.js';
import { TrayService, trayStateFrom, type TrayAction } from './tray.js';
import { createElectronTrayFactory } from './tray-electron.js';
import { detectTrayVisibility, type TrayVisibility } from './tray-host.js';
import { createAppWindow, RendererRecovery, secureSession, showWindow, windowBackground, type RendererTrouble } from './window.js';

/** Set for `--smoke-test`: the run's temporary folders (smoke-test.ts). */
const smoke: SmokeWorkspace | undefined = process.argv.includes(SMOKE_TEST_ARG) ? createSmokeWorkspace() : undefined;
if (smoke) {
  // Whatever hangs, the smoke test ends within its time, with a failure.
  setTimeout(() => {
    console.error(`FTP Share smoke test failed: no result within ${SMOKE_TEST_TIMEOUT_MS / 1000} s`);
    removeSmokeWorkspace(smoke);
    app.exit(1);
  }, SMOKE_TEST_TIMEOUT_MS);
}

// The app's name and data folder before anything reads them: the single-instance lock lives in
// the data folder, and safeStorage's keychain entry is named after the app (app-identity.ts).
applyAppIdentity(app, process.platform, smoke?.userData);

// Single-instance lock next: a second launch (double-click on the icon again, the login item
// while the app runs) hands over to the running app, which shows its window, and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  runApp();
}

function runApp(): void {
  const platform = process.platform;
  const paths = appPaths(__dirname, platform);
  const shareNotifier = new ShareNotifier();
  const receiveNotifier = new ReceiveNotifier({ show: (notification) => notifyReceived(notification), platform });
  const loginItem = new LoginItem({
    platform,
    isPackaged: app.isPackaged,
    setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
    getLoginItemSettings: (options) => app.getLoginItemSettings(options),
    execPath: process.env['APPIMAGE'] || process.execPath,
  });
  const recovery = new RendererRecovery();

  let window: BrowserWindow | null = null;
  let backend: ShareBackend | undefined;
  let tray: TrayService | undefined;
  let status: ShareStatus | undefined;
  let shareUrl: string | undefined;
  let settings: ShareSettings | undefined;
  let trayVisibility: TrayVisibility = 'shown';
  let trayHintShown = true; // until the settings say otherwise
  // Started at login (`--hidden`; macOS 12's login item is known after `ready`) or for the smoke test.
  let startHidden = smoke !== undefined || launchedHidden(process.argv, false);
  // A second launch before start-up finished still gets its window.
  let openAsked = false;
  const clients = new Map<string, string>();
  let approvalNoticeShown = false;
  const teardown: Array<() => void> = [];
  // Shown notifications, kept referenced until dismissed: a collected Notification loses its
  // click handler (electron/electron#16922).
  const liveNotifications = new Set<Notification>();

  const liveWindow = (): BrowserWindow | null => (window && !window.isDestroyed() ? window : null);
  const windowInFront = (): boolean => Boolean(liveWindow()?.isVisible() && liveWindow()?.isFocused());

  const quitter = new QuitController({
    shutdown: () =>
      shutdownInOrder({
        hideWindow: () => liveWindow()?.hide(),
        destroyTray: () => {
          // Gone for good: states pushed while sharing stops must not bring it back.
          tray?.destroy();
          tray = undefined;
        },
        shutdownShare: async () => {
          receiveNotifier.dispose();
          await backend?.shutdown();
        },
        removeHandlers: () => {
          for (const undo of teardown.splice(0)) undo();
        },
      }),
    exit: (code) => {
      if (smoke) removeSmokeWorkspace(smoke);
      app.exit(code);
    },
    onShutdownProblem: (problem) => console.error('FTP Share: sharing did not stop cleanly:', problem),
  });

  app.on('second-instance', () => {
    if (!smoke) openWindow();
  });
  // macOS: a click on the Dock icon (once running; at a hidden login launch it must not open).
  app.on('activate', () => {
    if (backend && !smoke) openWindow();
  });
  // Back in the app: show launch at login as the OS has it now (changed in System Settings…).
  app.on('browser-window-focus', () => void syncLoginItem());
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

  // The window's background before its page paints follows the system's theme.
  nativeTheme.on('updated', () => liveWindow()?.setBackgroundColor(windowBackground(nativeTheme.shouldUseDarkColors)));

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      if (smoke) {
        console.error(smokeFailureLine({ ok: false, step: 'start-up', error: error instanceof Error ? error.message : String(error) }));
        removeSmokeWorkspace(smoke);
        app.exit(1);
        return;
      }
      console.error('FTP Share could not start:', error);
      dialog.showErrorBox('FTP Share could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });

  async function start(): Promise<void> {
    // macOS 12 and earlier: the login item passes no `--hidden`; Electron knows after `ready`
    // whether this was a login launch (electron/electron#42302, #42411).
    if (!startHidden && platform === 'darwin' && app.isPackaged) {
      startHidden = openedAtLoginHidden(platform, os.release(), app.getLoginItemSettings());
    }
    secureSession(session.defaultSession);
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ platform, appName: APP_NAME, isPackaged: app.isPackaged })));

    // After `ready`: safeStorage reports unavailable on Linux before it. The app's settings file
    // is the one in defaultConfigDir(); `ftp-share --ui` keeps its own in the `web-ui` folder
    // below it (core/web/ui-command.ts: the CLI can't reach the keychain that encrypts this one's
    // password), and plain `ftp-share` saves no settings. By default all three use the
    // certificates folder below it (share-backend.ts). The smoke test keeps everything in its
    // temporary folder, without the keychain.
    const store = smoke
      ? new SettingsStore({ dir: smoke.config })
      : new SettingsStore({ dir: defaultConfigDir(), encryptor: createSafeStorageEncryptor(safeStorage) });
    const host = createShareHost({
      showOpenDialog: (options) => {
        const parent = liveWindow();
        return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
      },
      openPath: (folder) => shell.openPath(folder),
      writeText: (text) => clipboard.writeText(text),
    });
    const share = await createShareBackend({ store, host, ...(smoke ? { certificateDir: path.join(smoke.config, 'certificates') } : {}) });
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
        else if (event === 'sessions') onSessions(payload as PushEvents['sessions']);
        else if (event === 'transfers') onTransfers(payload as PushEvents['transfers']);
      }),
    );

    // Linux: is there a tray to hide the window into? Decides what closing the window does.
    trayVisibility = await detectTrayVisibility(platform);
    tray = new TrayService(createElectronTrayFactory({ Tray, Menu, nativeImage }, { iconDir: paths.trayIconDir }), onTrayAction);
    const [state, loaded, transfers] = await Promise.all([share.getState(undefined), share.getSettings(undefined), share.getTransfers(undefined)]);
    if (state.ok) onState(state.value);
    else tray.render({ status: 'stopped', clients: 0 });
    if (transfers.ok) receiveNotifier.prime(transfers.value);
    if (loaded.ok) onSettings(loaded.value);

    if (smoke) {
      void runSmokeTest(share, smoke);
      return;
    }
    if (!startHidden || openAsked) openWindow();
  }

  function onState(state: ShareState): void {
    status = state.status;
    shareUrl = state.status === 'running' ? state.url : undefined;
    tray?.render(trayStateFrom(state));
    // Notifications are for when the window is not in front; there, the page says it all.
    const inFront = windowInFront();
    for (const content of shareNotifier.next(state)) if (!inFront) notify(content);
  }

  function onSettings(next: ShareSettings): void {
    const previous = settings;
    settings = next;
    trayHintShown = next.trayHintShown;
    if (smoke) return; // the smoke test never touches the user's login items
    if (!loginItem.supported) {
      // A development run can't register itself: turned on here, the switch goes back off.
      // Left alone otherwise: the settings file is the installed app's too.
      if (next.launchAtLogin && previous && !previous.launchAtLogin) {
        void backend?.updateSettings({ launchAtLogin: false });
        sendNotice('info', 'Launch at login works in the installed app, not in a development run.');
      }
      return;
    }
    loginItem
      .apply(next.launchAtLogin)
      .then(() => syncLoginItem())
      .catch((error: unknown) => console.error('FTP Share: could not change launch at login:', error));
  }

  /** Makes the setting say what the OS will really do at login, and says when macOS waits for approval. */
  async function syncLoginItem(): Promise<void> {
    if (smoke || !loginItem.supported || !settings || !backend) return;
    try {
      const real = await loginItem.read();
      if (real.needsApproval && !approvalNoticeShown) {
        approvalNoticeShown = sendNotice('warn', 'macOS asks you to allow FTP Share in System Settings → General → Login Items before it can open at login.');
      }
      if (real.enabled !== settings.launchAtLogin) await backend.updateSettings({ launchAtLogin: real.enabled });
    } catch (error) {
      console.error('FTP Share: could not read launch at login:', error);
    }
  }

  function onSessions(rows: PushEvents['sessions']): void {
    clients.clear();
    for (const row of rows) if (row.client) clients.set(row.sessionId, row.client);
  }

  function onTransfers(snapshot: PushEvents['transfers']): void {
    receiveNotifier.next(snapshot, {
      enabled: !smoke && (settings?.notifyOnReceive ?? true) && !windowInFront(),
      folders: settings?.folders ?? [],
      clientOf: (sessionId) => clients.get(sessionId),
    });
  }

  /** A toast in the window (the renderer shows pushed `notice` events); false without a window. */
  function sendNotice(level: LogLevel, text: string): boolean {
    const contents = liveWindow()?.webContents;
    if (!contents || contents.isDestroyed()) return false;
    contents.send(EVENT_CHANNEL, 'notice', { level, text });
    return true;
  }

  function notify(content: NotificationContent, options: { onClick?(): void; action?: { text: string; run(): void } } = {}): void {
    if (smoke || !Notification.isSupported()) return;
    const init: NotificationConstructorOptions = { title: content.title, body: content.body };
    // Buttons: macOS and Windows; elsewhere the click does the same.
    if (options.action && platform !== 'linux') init.actions = [{ type: 'button', text: options.action.text }];
    const notification = new Notification(init);
    liveNotifications.add(notification);
    const forget = () => liveNotifications.delete(notification);
    notification.on('click', () => {
      forget();
      (options.onClick ?? openWindow)();
    });
    notification.on('action', () => {
      forget();
      options.action?.run();
    });
    notification.on('close', forget);
    notification.show();
  }

  function notifyReceived(received: ReceiveNotification): void {
    const showPath = received.showPath;
    if (!showPath) {
      notify(received);
      return;
    }
    const showInFolder = () => shell.showItemInFolder(showPath);
    notify(received, { onClick: showInFolder, action: { text: 'Show in folder', run: showInFolder } });
  }

  function openWindow(options: { hidden?: boolean } = {}): BrowserWindow | null {
    const existing = liveWindow();
    if (existing) {
      if (!options.hidden) showWindow(existing);
      return existing;
    }
    if (!backend) {
      openAsked = true; // still starting; start() opens it
      return null;
    }
    const created = createAppWindow({
      BrowserWindow,
      preloadPath: paths.preload,
      indexHtmlPath: paths.indexHtml,
      ...(platform === 'darwin' ? {} : { iconPath: paths.windowIcon }),
      ...(options.hidden ? { hidden: true } : {}),
      darkMode: nativeTheme.shouldUseDarkColors,
      openExternal: (url) => void shell.openExternal(url),
      // Load failures also arrive as did-fail-load, handled by onRendererTrouble.
      onLoadError: () => undefined,
    });
    window = created;
    created.on('close', onWindowClose);
    const contents = created.webContents;
    contents.on('render-process-gone', (_event, details) =>
      onRendererTrouble(created, { kind: 'gone', reason: details.reason, exitCode: details.exitCode }),
    );
    contents.on('did-fail-load', (_event, errorCode, description, url, isMainFrame) => {
      if (isMainFrame) onRendererTrouble(created, { kind: 'load-failed', errorCode, description, url });
    });
    contents.on('unresponsive', () => console.error('FTP Share: the window is not responding.'));
    return created;
  }

  /** A crashed or unloadable page: reloaded once; if that fails too, the window is closed and the user told. */
  function onRendererTrouble(target: BrowserWindow, trouble: RendererTrouble): void {
    if (quitter.quitting || target.isDestroyed()) return;
    const step = recovery.next(trouble);
    if (step.action === 'ignore') return;
    console.error(step.message);
    if (step.action === 'reload') {
      target.loadFile(paths.indexHtml).catch(() => undefined); // a failure comes back as did-fail-load
      return;
    }
    if (window === target) window = null;
    target.destroy();
    notify({
      title: 'The FTP Share window stopped working',
      body: 'Sharing goes on. Open FTP Share again to get a new window.',
    });
  }

  function onWindowClose(event: Electron.Event): void {
    if (quitter.quitting) return;
    event.preventDefault();
    const trayShown = trayVisibility === 'shown';
    const action = closeAction(status, platform, trayShown);
    if (action === 'quit') {
      void quitter.quit();
      return;
    }
    if (action === 'minimize') liveWindow()?.minimize();
    else liveWindow()?.hide();
    const sharing = status === 'running' || status === 'starting';
    if (sharing && !trayHintShown) {
      trayHintShown = true;
      notify(trayHint(platform, trayShown));
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

  /** Opens the window hidden, waits for its page, and runs `code` in it. */
  async function runInPage(code: string): Promise<unknown> {
    const target = openWindow({ hidden: true });
    if (!target) throw new Error('the window could not be created');
    const contents = target.webContents;
    if (contents.isLoading() || contents.getURL() === '') {
      await new Promise<void>((resolve, reject) => {
        contents.once('did-finish-load', () => resolve());
        contents.once('did-fail-load', (_event, errorCode, description) => reject(new Error(`the page did not load: ${description} (${errorCode})`)));
      });
    }
    return contents.executeJavaScript(code, true);
  }

  async function runSmokeTest(share: ShareBackend, workspace: SmokeWorkspace): Promise<void> {
    const outcome = await runSmokeSteps(
      smokeSteps({ share, workspace, trayModel: () => tray?.model, runInPage }),
      { log: (line) => console.log(line) },
    );
    if (outcome.ok) console.log('FTP Share smoke test passed');
    else console.error(smokeFailureLine(outcome));
    await quitter.quit(outcome.ok ? 0 : 1);
  }
}
