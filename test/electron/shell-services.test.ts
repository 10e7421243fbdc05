import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { OpenDialogOptions } from 'electron';
import type { ShareState } from '../../core/share/contract.js';
import { closeAction, HIDDEN_ARG, launchedHidden, QuitController, shutdownInOrder, trayHint } from '../../electron/lifecycle.js';
import { ShareNotifier } from '../../electron/notifications.js';
import { appPaths } from '../../electron/paths.js';
import { createSafeStorageEncryptor, type SafeStorageLike } from '../../electron/secret-encryptor.js';
import { createShareHost, PICK_FOLDERS_OPTIONS } from '../../electron/share-host.js';

describe('closing the window', () => {
  it('hides while sharing or starting, on every platform', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      assert.equal(closeAction('running', platform), 'hide');
      assert.equal(closeAction('starting', platform), 'hide');
    }
  });

  it('quits when not sharing on Windows and Linux, stays on macOS', () => {
    for (const status of ['stopped', 'error', 'stopping', undefined] as const) {
      assert.equal(closeAction(status, 'win32'), 'quit');
      assert.equal(closeAction(status, 'linux'), 'quit');
      assert.equal(closeAction(status, 'darwin'), 'hide');
      assert.equal(closeAction(status, 'linux', false), 'quit');
    }
  });

  it('minimises instead of hiding where no tray icon can be shown', () => {
    assert.equal(closeAction('running', 'linux', false), 'minimize');
    assert.equal(closeAction('starting', 'linux', false), 'minimize');
    assert.equal(closeAction('running', 'linux', true), 'hide');
  });

  it('names where the icon is, per platform; on Linux, opening the app again always works', () => {
    assert.match(trayHint('darwin').body, /menu bar/);
    assert.match(trayHint('win32').body, /notification area/);
    assert.match(trayHint('linux').body, /Open FTP Share again to show the window/);
    assert.match(trayHint('linux').body, /system tray/);
    assert.equal(trayHint('linux').title, 'FTP Share is still sharing');
    // Without a tray host the hint must not send people looking for an icon that isn't there.
    const noTray = trayHint('linux', false);
    assert.match(noTray.body, /minimised\. Open FTP Share again to show the window\.$/);
    assert.doesNotMatch(noTray.body, /tray|icon/i);
  });

  it('starts hidden when launched at login', () => {
    assert.equal(launchedHidden(['/usr/bin/ftp-share', HIDDEN_ARG], false), true);
    assert.equal(launchedHidden(['/Applications/FTP Share.app/Contents/MacOS/FTP Share'], true), true);
    assert.equal(launchedHidden(['/usr/bin/ftp-share'], false), false);
  });
});

describe('QuitController', () => {
  it('awaits shutdown before exit, once, however often quit is asked', async () => {
    const order: string[] = [];
    let release!: () => void;
    const quitter = new QuitController({
      shutdown: () =>
        new Promise<void>((resolve) => {
          order.push('shutdown');
          release = () => {
            order.push('stopped');
            resolve();
          };
        }),
      exit: (code) => order.push(`exit(${code})`),
    });
    assert.equal(quitter.quitting, false);
    const first = quitter.quit();
    const second = quitter.quit();
    assert.equal(first, second);
    assert.equal(quitter.quitting, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['shutdown'], 'no exit before shutdown finished');
    release();
    await first;
    assert.deepEqual(order, ['shutdown', 'stopped', 'exit(0)']);
  });

  it('exits anyway when shutdown fails, and reports it', async () => {
    const problems: unknown[] = [];
    const exits: number[] = [];
    const failure = new Error('port stuck');
    await new QuitController({
      shutdown: () => Promise.reject(failure),
      exit: (code) => exits.push(code),
      onShutdownProblem: (p) => problems.push(p),
    }).quit();
    assert.deepEqual(exits, [0]);
    assert.deepEqual(problems, [failure]);
  });

  it('exits with the code of the first quit', async () => {
    const exits: number[] = [];
    const quitter = new QuitController({ shutdown: async () => undefined, exit: (code) => exits.push(code) });
    const first = quitter.quit(1);
    await quitter.quit(0);
    await first;
    assert.deepEqual(exits, [1]);
  });

  it('exits after the timeout when shutdown hangs', async () => {
    const problems: unknown[] = [];
    const exits: number[] = [];
    const started = Date.now();
    await new QuitController({
      shutdown: () => new Promise<void>(() => undefined),
      exit: (code) => exits.push(code),
      onShutdownProblem: (p) => problems.push(p),
      timeoutMs: 50,
    }).quit();
    assert.deepEqual(exits, [0]);
    assert.match(String(problems[0]), /longer than 50 ms/);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('shutdownInOrder', () => {
  function steps(order: string[], fail = false) {
    return {
      hideWindow: () => order.push('hide window'),
      destroyTray: () => order.push('destroy tray'),
      shutdownShare: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        order.push('share stopped');
        if (fail) throw new Error('stuck');
      },
      removeHandlers: () => order.push('remove IPC handlers'),
    };
  }

  it('hides the window first and removes the IPC handlers last', async () => {
    const order: string[] = [];
    await shutdownInOrder(steps(order));
    assert.deepEqual(order, ['hide window', 'destroy tray', 'share stopped', 'remove IPC handlers']);
  });

  it('removes the handlers even when stopping failed', async () => {
    const order: string[] = [];
    await assert.rejects(shutdownInOrder(steps(order, true)), /stuck/);
    assert.equal(order.at(-1), 'remove IPC handlers');
  });
});

describe('ShareNotifier', () => {
  const state = (patch: Partial<ShareState>): ShareState => ({ status: 'stopped', urls: [], sessionCount: 0, ...patch });

  it('notifies when the first client connects, once per sharing run', () => {
    const notifier = new ShareNotifier();
    assert.deepEqual(notifier.next(state({ status: 'starting' })), []);
    assert.deepEqual(notifier.next(state({ status: 'running', url: 'ftp://10.0.0.2:2121' })), []);
    assert.deepEqual(notifier.next(state({ status: 'running', url: 'ftp://10.0.0.2:2121', sessionCount: 1 })), [
      { title: 'A device connected', body: 'Someone is connected to ftp://10.0.0.2:2121.' },
    ]);
    assert.deepEqual(notifier.next(state({ status: 'running', sessionCount: 2 })), []);
    assert.deepEqual(notifier.next(state({ status: 'running', sessionCount: 0 })), []);
    assert.deepEqual(notifier.next(state({ status: 'running', sessionCount: 1 })), [], 'not again in the same run');
    notifier.next(state({ status: 'stopped' }));
    assert.equal(notifier.next(state({ status: 'running', sessionCount: 1 })).length, 1, 'again after a restart');
  });

  it('notifies once when sharing stops on an error, with the reason and the fix', () => {
    const notifier = new ShareNotifier();
    notifier.next(state({ status: 'running' }));
    const error = { code: 'folder-unavailable' as const, message: 'The folder was removed.', fix: 'Add it again.' };
    assert.deepEqual(notifier.next(state({ status: 'error', error })), [
      { title: 'Sharing stopped', body: 'The folder was removed. Add it again.' },
    ]);
    assert.deepEqual(notifier.next(state({ status: 'error', error })), []);
    assert.deepEqual(notifier.next(state({ status: 'stopped' })), [], 'a normal stop is not notified');
  });
});

describe('the safeStorage encryptor', () => {
  function fakeSafeStorage(available: boolean, backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']>) {
    let backendAsked = 0;
    const storage: SafeStorageLike = {
      isEncryptionAvailable: () => available,
      getSelectedStorageBackend: () => {
        backendAsked++;
        return backend;
      },
      encryptString: (plain) => Buffer.from(`enc:${plain}`),
      decryptString: (data) => {
        const text = data.toString();
        if (!text.startsWith('enc:')) throw new Error('bad key');
        return text.slice(4);
      },
    };
    return { storage, backendAsked: () => backendAsked };
  }

  it('is available with a real keychain, and round-trips', () => {
    const { storage } = fakeSafeStorage(true, 'gnome_libsecret');
    const encryptor = createSafeStorageEncryptor(storage, 'linux');
    assert.equal(encryptor.isAvailable(), true);
    assert.equal(encryptor.decrypt(encryptor.encrypt('s3cret')), 's3cret');
    assert.throws(() => encryptor.decrypt(Buffer.from('other')), /bad key/);
  });

  it('is unavailable on Linux with the basic_text fallback (a fixed key is not encryption)', () => {
    assert.equal(createSafeStorageEncryptor(fakeSafeStorage(true, 'basic_text').storage, 'linux').isAvailable(), false);
    assert.equal(createSafeStorageEncryptor(fakeSafeStorage(true, 'unknown').storage, 'linux').isAvailable(), false);
    assert.equal(createSafeStorageEncryptor(fakeSafeStorage(false, 'kwallet5').storage, 'linux').isAvailable(), false);
  });

  it('does not ask for the Linux backend on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const fake = fakeSafeStorage(true, 'basic_text');
      assert.equal(createSafeStorageEncryptor(fake.storage, platform).isAvailable(), true);
      assert.equal(fake.backendAsked(), 0);
    }
  });
});

describe('the desktop ShareHost', () => {
  function desktop(dialogResult: { canceled: boolean; filePaths: string[] }, openError = '') {
    const log: unknown[] = [];
    const host = createShareHost({
      showOpenDialog: async (options: OpenDialogOptions) => {
        log.push(['dialog', options]);
        return dialogResult;
      },
      openPath: async (folder) => {
        log.push(['openPath', folder]);
        return openError;
      },
      writeText: (text) => log.push(['writeText', text]),
    });
    return { host, log };
  }

  it('picks several folders with the native picker; cancel gives none', async () => {
    const { host, log } = desktop({ canceled: false, filePaths: ['/a', '/b c'] });
    assert.deepEqual(await host.pickFolders(), ['/a', '/b c']);
    assert.deepEqual(log, [['dialog', PICK_FOLDERS_OPTIONS]]);
    assert.ok(PICK_FOLDERS_OPTIONS.properties!.includes('openDirectory'));
    assert.ok(PICK_FOLDERS_OPTIONS.properties!.includes('multiSelections'));
    assert.ok(!PICK_FOLDERS_OPTIONS.properties!.includes('openFile'));
    assert.deepEqual(await desktop({ canceled: true, filePaths: ['/ignored'] }).host.pickFolders(), []);
  });

  it('opens a folder with shell.openPath and throws its error message', async () => {
    const { host, log } = desktop({ canceled: true, filePaths: [] });
    await host.openFolder('/shared');
    assert.deepEqual(log, [['openPath', '/shared']]);
    await assert.rejects(desktop({ canceled: true, filePaths: [] }, 'Failed to open path').host.openFolder('/gone'), /Failed to open path/);
  });

  it('copies text to the clipboard', async () => {
    const { host, log } = desktop({ canceled: true, filePaths: [] });
    await host.copyText('ftp://10.0.0.2:2121');
    assert.deepEqual(log, [['writeText', 'ftp://10.0.0.2:2121']]);
  });
});

describe('appPaths', () => {
  it('finds the preload, the renderer and the images relative to the bundle', () => {
    const paths = appPaths('/opt/FTP Share/resources/app.asar/dist/electron', 'linux');
    assert.equal(paths.preload, '/opt/FTP Share/resources/app.asar/dist/electron/preload.cjs');
    assert.equal(paths.indexHtml, '/opt/FTP Share/resources/app.asar/dist/renderer/index.html');
    assert.equal(paths.trayIconDir, '/opt/FTP Share/resources/app.asar/dist/electron/tray');
    assert.equal(paths.windowIcon, '/opt/FTP Share/resources/app.asar/dist/electron/icon.png');
  });

  it('gives Windows the .ico window icon', () => {
    assert.equal(path.basename(appPaths('/app/dist/electron', 'win32').windowIcon), 'icon.ico');
  });
});
