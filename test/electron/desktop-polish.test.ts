/**
 * The shell's smaller decisions, each a pure function or class: the app's name and data folder,
 * the application menu, whether a Linux desktop shows a tray icon, the window's background per
 * theme, recovering a crashed page, notifications for received files, and the Windows .ico files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MenuItemConstructorOptions } from 'electron';
import type { TransferRow, TransfersSnapshot } from '../../core/share/contract.js';
import { appMenuTemplate } from '../../electron/app-menu.js';
import { APP_ID, APP_NAME, applyAppIdentity } from '../../electron/app-identity.js';
import { hostPathOf, receiveNotification, ReceiveNotifier, type ReceiveNotification } from '../../electron/receive-notifier.js';
import { detectTrayVisibility, linuxTrayVisibility, parseNameHasOwner, type CommandRunner } from '../../electron/tray-host.js';
import { RendererRecovery, WINDOW_BACKGROUND, createAppWindow, windowBackground, type AppWindow } from '../../electron/window.js';
import { decodeIco, encodeIco, pngSize } from '../../scripts/ico.mjs';
import { pngHeader } from './png.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the app’s name and data folder', () => {
  function fakeApp() {
    const calls: unknown[][] = [];
    return {
      calls,
      setName: (name: string) => calls.push(['setName', name]),
      getPath: (name: 'appData') => (calls.push(['getPath', name]), '/home/ann/.config'),
      setPath: (name: 'userData', value: string) => calls.push(['setPath', name, value]),
      setAppUserModelId: (id: string) => calls.push(['setAppUserModelId', id]),
    };
  }

  it('is "FTP Share" in every run, with its data in <appData>/FTP Share', () => {
    const app = fakeApp();
    applyAppIdentity(app, 'linux');
    assert.deepEqual(app.calls, [
      ['setName', 'FTP Share'],
      ['getPath', 'appData'],
      ['setPath', 'userData', path.join('/home/ann/.config', 'FTP Share')],
    ]);
  });

  it('Windows also gets the app id (notifications, taskbar); the smoke test its own folder', () => {
    const app = fakeApp();
    applyAppIdentity(app, 'win32', '/tmp/smoke/user-data');
    assert.deepEqual(app.calls, [
      ['setName', APP_NAME],
      ['setPath', 'userData', '/tmp/smoke/user-data'],
      ['setAppUserModelId', APP_ID],
    ]);
  });

  it('matches electron-builder.yml’s productName and appId', () => {
    const yaml = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    assert.match(yaml, new RegExp(`^productName: ${APP_NAME}$`, 'm'));
    assert.match(yaml, new RegExp(`^appId: ${APP_ID.replace(/\./g, '\\.')}$`, 'm'));
  });
});

describe('the application menu', () => {
  /** Every role and label in a template, submenus included. */
  function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
    return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
  }
  const roles = (items: MenuItemConstructorOptions[]) => flatten(items).map((i) => i.role).filter(Boolean);

  it('Windows and Linux release builds: File, Edit, View; no developer tools, no reload, no links', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const menu = appMenuTemplate({ platform, appName: 'FTP Share', isPackaged: true });
      assert.deepEqual(menu.map((m) => m.label), ['&File', '&Edit', '&View']);
      const all = roles(menu);
      for (const dev of ['toggleDevTools', 'reload', 'forceReload', 'help']) assert.ok(!all.includes(dev as never), `${platform}: no ${dev}`);
      assert.ok(all.includes('quit') && all.includes('copy') && all.includes('paste'));
      assert.ok(!flatten(menu).some((i) => typeof i.click === 'function'), 'roles only: nothing opens a website');
    }
  });

  it('development runs keep Reload and the developer tools', () => {
    assert.ok(roles(appMenuTemplate({ platform: 'linux', appName: 'FTP Share', isPackaged: false })).includes('toggleDevTools'));
  });

  it('macOS: the standard menus under the app’s name', () => {
    const menu = appMenuTemplate({ platform: 'darwin', appName: 'FTP Share', isPackaged: true });
    assert.equal(menu[0]!.label, 'FTP Share');
    const appItems = flatten([menu[0]!]).map((i) => i.label ?? i.role);
    assert.ok(appItems.includes('About FTP Share') && appItems.includes('Quit FTP Share') && appItems.includes('Hide FTP Share'));
    assert.ok(roles(menu).includes('windowMenu') && roles(menu).includes('paste'));
    assert.ok(!roles(menu).includes('toggleDevTools'));
  });
});

describe('is there a tray icon on this Linux desktop?', () => {
  it('reads the bus’s answer from gdbus and dbus-send', () => {
    assert.equal(parseNameHasOwner('(true,)\n'), true);
    assert.equal(parseNameHasOwner('(false,)\n'), false);
    assert.equal(parseNameHasOwner('method return time=1 sender=org.freedesktop.DBus\n   boolean true\n'), true);
    assert.equal(parseNameHasOwner('   boolean false\n'), false);
    assert.equal(parseNameHasOwner('Error: no bus'), undefined);
  });

  it('no StatusNotifier watcher on GNOME or Wayland: hidden; elsewhere or unknown: shown', () => {
    assert.equal(linuxTrayVisibility(false, { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }), 'hidden');
    assert.equal(linuxTrayVisibility(false, { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'sway' }), 'hidden');
    assert.equal(linuxTrayVisibility(false, { XDG_SESSION_TYPE: 'x11', XDG_CURRENT_DESKTOP: 'XFCE' }), 'shown', 'XEmbed tray');
    assert.equal(linuxTrayVisibility(true, { XDG_CURRENT_DESKTOP: 'GNOME' }), 'shown', 'AppIndicator extension');
    assert.equal(linuxTrayVisibility(undefined, { XDG_CURRENT_DESKTOP: 'GNOME' }), 'shown', 'could not ask');
  });

  it('asks gdbus, then dbus-send, without a shell; not at all off Linux', async () => {
    const asked: string[] = [];
    const run: CommandRunner = async (command) => {
      asked.push(command);
      return command === 'gdbus' ? undefined : 'boolean false';
    };
    assert.equal(await detectTrayVisibility('linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, run), 'hidden');
    assert.deepEqual(asked, ['gdbus', 'dbus-send']);
    assert.equal(await detectTrayVisibility('win32', {}, () => assert.fail('not asked')), 'shown');
  });
});

describe('the window’s background', () => {
  it('follows the system theme, in the page’s own colours (no flash before the first paint)', () => {
    const css = readFileSync(path.join(root, 'renderer', 'styles.css'), 'utf8');
    const light = /:root\s*{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
    const dark = /prefers-color-scheme:\s*dark\)\s*{\s*:root\s*{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
    assert.equal(WINDOW_BACKGROUND.light, light);
    assert.equal(WINDOW_BACKGROUND.dark, dark);
    assert.equal(windowBackground(true), WINDOW_BACKGROUND.dark);
    assert.equal(windowBackground(false), WINDOW_BACKGROUND.light);
  });

  it('is set when the window is created', () => {
    const made: Record<string, unknown>[] = [];
    class Fake {
      webContents = { on() {}, setWindowOpenHandler() {} };
      constructor(options: Record<string, unknown>) {
        made.push(options);
      }
      once() {}
      loadFile() {
        return Promise.resolve();
      }
    }
    const BrowserWindow = Fake as unknown as new (o: unknown) => AppWindow;
    createAppWindow({ BrowserWindow, preloadPath: '/p', indexHtmlPath: '/i', darkMode: true });
    createAppWindow({ BrowserWindow, preloadPath: '/p', indexHtmlPath: '/i', darkMode: false });
    assert.deepEqual(made.map((o) => o['backgroundColor']), [WINDOW_BACKGROUND.dark, WINDOW_BACKGROUND.light]);
  });
});

describe('a page that crashes or fails to load', () => {
  it('is reloaded once, then given up on if it fails again within a minute', () => {
    let now = 0;
    const recovery = new RendererRecovery({ now: () => now });
    const crash = { kind: 'gone', reason: 'crashed', exitCode: 11 } as const;
    const first = recovery.next(crash);
    assert.equal(first.action, 'reload');
    assert.match(first.message, /stopped \(crashed, exit code 11\); reloading it/);
    now = 5_000;
    const second = recovery.next({ kind: 'load-failed', errorCode: -6, description: 'ERR_FILE_NOT_FOUND', url: 'file:///app/index.html' });
    assert.equal(second.action, 'give-up');
    assert.match(second.message, /could not be loaded \(ERR_FILE_NOT_FOUND, -6\).*Sharing goes on/);
    now = 200_000;
    assert.equal(recovery.next(crash).action, 'reload', 'a crash long after is reloaded again');
  });

  it('ignores a clean exit and an aborted load (a reload replacing a load)', () => {
    const recovery = new RendererRecovery();
    assert.equal(recovery.next({ kind: 'gone', reason: 'clean-exit', exitCode: 0 }).action, 'ignore');
    assert.equal(recovery.next({ kind: 'load-failed', errorCode: -3, description: 'ERR_ABORTED', url: 'x' }).action, 'ignore');
    assert.equal(recovery.next({ kind: 'gone', reason: 'oom', exitCode: 0 }).action, 'reload');
  });
});

describe('notifications for received files', () => {
  let nextId = 1;
  function upload(patch: Partial<TransferRow> = {}): TransferRow {
    return {
      transferId: `t${nextId++}`,
      sessionId: 's1',
      protocol: 'ftp',
      remoteAddress: '192.168.1.23',
      path: '/photos/IMG_0001.jpg',
      direction: 'upload',
      bytes: 10,
      bytesPerSecond: 0,
      startedAt: 0,
      secure: false,
      result: 'done',
      finishedAt: 1,
      ...patch,
    };
  }
  const snapshot = (finished: TransferRow[]): TransfersSnapshot => ({
    active: [],
    finished,
    totals: { downloadedBytes: 0, uploadedBytes: 0, completed: 0, failed: 0 },
  });

  /** A notifier with a manual timer. */
  function notifier() {
    const shown: ReceiveNotification[] = [];
    let pending: (() => void) | undefined;
    const n = new ReceiveNotifier({
      show: (x) => shown.push(x),
      platform: 'linux',
      setTimer: (callback) => {
        pending = callback;
        return 1;
      },
      clearTimer: () => {
        pending = undefined;
      },
    });
    return { n, shown, fire: () => pending?.(), timerSet: () => pending !== undefined };
  }
  const context = { enabled: true, folders: ['/home/ann/Inbox'] };

  it('names the file and the device, and shows it in its folder', () => {
    const { n, shown, fire } = notifier();
    n.next(snapshot([upload()]), { ...context, clientOf: () => 'FileZilla' });
    assert.deepEqual(shown, [], 'waits for more files');
    fire();
    assert.deepEqual(shown, [
      { title: 'File received', body: 'IMG_0001.jpg from FileZilla (192.168.1.23)', showPath: '/home/ann/Inbox/photos/IMG_0001.jpg' },
    ]);
  });

  it('groups files that arrive together: "5 files received from 192.168.1.23"', () => {
    const { n, shown, fire } = notifier();
    const rows = [1, 2, 3, 4, 5].map((i) => upload({ path: `/p${i}.jpg` }));
    // Newest first, as the snapshot lists them; in two pushes.
    n.next(snapshot([rows[1]!, rows[0]!]), context);
    n.next(snapshot([rows[4]!, rows[3]!, rows[2]!, rows[1]!, rows[0]!]), context);
    fire();
    assert.deepEqual(shown, [
      { title: '5 files received from 192.168.1.23', body: 'p1.jpg, p2.jpg, p3.jpg and 2 more', showPath: '/home/ann/Inbox/p5.jpg' },
    ]);
  });

  it('several devices are counted; downloads, failures and files seen before are not announced', () => {
    const { n, shown, fire } = notifier();
    const old = upload();
    n.prime(snapshot([old]));
    n.next(
      snapshot([
        upload({ remoteAddress: '192.168.1.40', path: '/b.txt' }),
        upload({ path: '/a.txt' }),
        upload({ direction: 'download' }),
        upload({ result: 'failed' }),
        old,
      ]),
      context,
    );
    fire();
    assert.deepEqual(shown.map((s) => [s.title, s.body]), [['2 files received from 2 devices', 'a.txt and b.txt']]);
  });

  it('the setting turns it off, and files that arrived meanwhile are not announced later', () => {
    const { n, shown, fire, timerSet } = notifier();
    const quiet = upload();
    n.next(snapshot([quiet]), { ...context, enabled: false });
    assert.equal(timerSet(), false);
    n.next(snapshot([upload({ path: '/new.txt' }), quiet]), context);
    fire();
    assert.deepEqual(shown.map((s) => s.body), ['new.txt from 192.168.1.23']);
  });

  it('finds a file on disk under one folder or under the folder its top-level name is', () => {
    assert.equal(hostPathOf('/a/b.txt', ['/srv/share'], 'linux'), '/srv/share/a/b.txt');
    assert.equal(hostPathOf('/Music/x.mp3', ['/home/a/Photos', '/home/a/Music'], 'linux'), '/home/a/Music/x.mp3');
    assert.equal(hostPathOf('/Nope/x.mp3', ['/home/a/Photos', '/home/a/Music'], 'linux'), undefined);
    assert.equal(hostPathOf('/x/../../etc/passwd', ['/srv/share'], 'linux'), undefined);
    assert.equal(hostPathOf('/a.txt', [], 'linux'), undefined);
    assert.equal(hostPathOf('/Docs/a.txt', ['C:\\Users\\ann\\Docs', 'D:\\Docs'], 'win32'), 'C:\\Users\\ann\\Docs\\a.txt');
    assert.equal(hostPathOf('/Docs (2)/a.txt', ['C:\\Users\\ann\\Docs', 'D:\\Docs'], 'win32'), 'D:\\Docs\\a.txt');
  });

  it('one notification’s words for two files', () => {
    assert.deepEqual(receiveNotification([{ name: 'a', device: 'd' }, { name: 'b', device: 'd' }]), { title: '2 files received from d', body: 'a and b' });
  });
});

describe('the Windows icons (.ico with PNG images)', () => {
  const png = (size: number) => readFileSync(path.join(root, 'assets', 'icons', `${size}x${size}.png`));

  it('encodes and decodes: sizes, 256 written as 0, the PNGs byte for byte', () => {
    const ico = encodeIco([png(256), png(16), png(32)]);
    assert.deepEqual([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)], [0, 1, 3]);
    assert.equal(ico.readUInt8(6 + 16 * 2), 0, '256 px is written as 0');
    const images = decodeIco(ico);
    assert.deepEqual(images.map((i) => i.width), [16, 32, 256]);
    assert.ok(images[2]!.png.equals(png(256)));
    assert.throws(() => encodeIco([png(512)]), /at most 256/);
    assert.throws(() => decodeIco(Buffer.from('not an icon')), /not an icon/);
  });

  for (const [file, sizes] of [
    ['assets/icon.ico', [16, 20, 24, 32, 40, 48, 64, 256]],
    ['assets/tray/tray-on.ico', [16, 20, 24, 32, 40, 48]],
    ['assets/tray/tray-off.ico', [16, 20, 24, 32, 40, 48]],
  ] as const) {
    it(`${file} holds every size for 100–300 % scaling, each a real PNG of that size`, () => {
      const images = decodeIco(readFileSync(path.join(root, file)));
      assert.deepEqual(images.map((i) => i.width), sizes);
      for (const image of images) {
        assert.deepEqual(pngSize(image.png), { width: image.width, height: image.height });
        const header = pngHeader(image.png);
        assert.equal(header.colorType, 6, 'RGBA');
        assert.equal(image.bitCount, 32);
      }
    });
  }
});
