import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { OpenDialogOptions, Settings } from 'electron';
import type { ShareState } from '../../core/share/contract.js';
import { closeAction, HIDDEN_ARG, launchedHidden, QuitController, trayHint } from '../../electron/lifecycle.js';
import { AUTOSTART_FILE_NAME, autostartDir, autostartEntry, LoginItem, quoteExecArg } from '../../electron/login-item.js';
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
    }
  });

  it('names where the icon is, per platform', () => {
    assert.match(trayHint('darwin').body, /menu bar/);
    assert.match(trayHint('win32').body, /notification area/);
    assert.match(trayHint('linux').body, /system tray/);
    assert.equal(trayHint('linux').title, 'FTP Share is still sharing');
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

describe('launch at login', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('uses setLoginItemSettings on macOS and Windows (Windows starts hidden), idempotently', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const calls: Settings[] = [];
      const item = new LoginItem({ platform, isPackaged: true, execPath: 'x', setLoginItemSettings: (s) => calls.push(s) });
      assert.equal(await item.apply(true), true);
      assert.equal(await item.apply(true), true);
      assert.equal(await item.apply(false), true);
      const expectedOn: Settings = platform === 'win32' ? { openAtLogin: true, args: [HIDDEN_ARG] } : { openAtLogin: true };
      const expectedOff: Settings = platform === 'win32' ? { openAtLogin: false, args: [HIDDEN_ARG] } : { openAtLogin: false };
      assert.deepEqual(calls, [expectedOn, expectedOff]);
    }
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ftp-share-autostart-'));
    dirs.push(dir);
    const autostart = path.join(dir, 'autostart');
    const item = new LoginItem({
      platform: 'linux',
      isPackaged: true,
      execPath: '/home/me/Apps/FTP Share.AppImage',
      setLoginItemSettings: () => assert.fail('not used on Linux'),
      autostartDir: autostart,
    });
    await item.apply(true);
    const file = path.join(autostart, AUTOSTART_FILE_NAME);
    const text = await readFile(file, 'utf8');
    assert.match(text, /^\[Desktop Entry\]\n/);
    assert.match(text, /\nExec="\/home\/me\/Apps\/FTP Share.AppImage" --hidden\n/);
    assert.match(text, /\nType=Application\n/);
    await item.apply(false);
    await assert.rejects(stat(file), { code: 'ENOENT' });
    await item.apply(false);
  });

  it('does nothing in a development run', async () => {
    const item = new LoginItem({ platform: 'win32', isPackaged: false, execPath: 'x', setLoginItemSettings: () => assert.fail('dev run') });
    assert.equal(item.supported, false);
    assert.equal(await item.apply(true), false);
  });

  it('quotes Exec arguments as the Desktop Entry spec says', () => {
    assert.equal(quoteExecArg('/usr/bin/ftp-share'), '/usr/bin/ftp-share');
    assert.equal(quoteExecArg('/opt/My App/run'), '"/opt/My App/run"');
    assert.equal(quoteExecArg('/opt/a"b$c`d'), '"/opt/a\\\\"b\\\\$c\\\\`d"');
    assert.equal(quoteExecArg('/opt/back\\slash'), '"/opt/back\\\\\\\\slash"');
    assert.equal(quoteExecArg('/opt/100%'), '/opt/100%%');
    assert.match(autostartEntry('/usr/bin/ftp-share'), /\nExec=\/usr\/bin\/ftp-share --hidden\n/);
  });

  it('finds the autostart directory from XDG_CONFIG_HOME, ignoring a relative one', () => {
    assert.equal(autostartDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/me'), '/x/cfg/autostart');
    assert.equal(autostartDir({ XDG_CONFIG_HOME: 'rel' }, '/home/me'), '/home/me/.config/autostart');
    assert.equal(autostartDir({}, '/home/me'), '/home/me/.config/autostart');
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
    const paths = appPaths('/opt/FTP Share/resources/app.asar/dist/electron');
    assert.equal(paths.preload, '/opt/FTP Share/resources/app.asar/dist/electron/preload.cjs');
    assert.equal(paths.indexHtml, '/opt/FTP Share/resources/app.asar/dist/renderer/index.html');
    assert.equal(paths.trayIconDir, '/opt/FTP Share/resources/app.asar/dist/electron/tray');
    assert.equal(paths.windowIcon, '/opt/FTP Share/resources/app.asar/dist/electron/icon.png');
  });
});
