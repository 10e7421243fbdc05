/**
 * Runs the real main-process bundle (dist/electron/main.cjs, built into a temp dir) under plain
 * Node with a recording stand-in for the 'electron' module (fixtures/fake-electron.cjs): the
 * wiring of main.ts, with the real ShareService and FTP server, without the Electron binary.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REQUEST_NAMES } from '../../core/share/contract.js';
import { REFUSED_SENDER } from '../../electron/ipc.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const fake = path.join(here, 'fixtures', 'fake-electron.cjs');

interface Report {
  log: unknown[];
  handlers: string[];
  windows: { options: Record<string, any>; calls: unknown[] }[];
  sent: [string, string, any][];
  trays: { images: string[]; tooltips: string[]; menus: string[][]; destroyed?: boolean }[];
  notifications: { title: string; body: string }[];
  results: Record<string, any>;
  exitCode: number | null;
  closePrevented?: boolean;
  cspListener?: string;
  applicationMenu?: string[];
  failure?: string;
}

describe('main.cjs with a stand-in Electron', { timeout: 120_000 }, () => {
  let temp: string;
  let bundleDir: string;

  before(async () => {
    temp = await makeTempDir('ftp-share-main-');
    bundleDir = path.join(temp, 'dist', 'electron');
    await run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs'), '--outdir', bundleDir], { cwd: root, timeout: 90_000 });
  });
  after(async () => {
    await removeTempDir(temp);
  });

  async function runMain(scenario: string, extraEnv: Record<string, string> = {}, args: string[] = []) {
    const home = path.join(temp, `home-${scenario}`);
    await mkdir(home, { recursive: true });
    const reportFile = path.join(temp, `report-${scenario}.json`);
    const tmp = path.join(temp, `tmp-${scenario}`);
    await mkdir(tmp, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      // The smoke test's temporary folders go here, where the test can see them.
      TMPDIR: tmp,
      FAKE_ELECTRON_SCENARIO: scenario,
      FAKE_ELECTRON_REPORT: reportFile,
      FTP_SHARE_NO_MDNS: '1',
      ...extraEnv,
    };
    let exitCode = 0;
    let stdout = '';
    let stderr = '';
    try {
      ({ stdout, stderr } = await run(process.execPath, ['-r', fake, path.join(bundleDir, 'main.cjs'), ...args], { cwd: temp, env, timeout: 70_000 }));
    } catch (error) {
      ({ code: exitCode, stdout, stderr } = error as { code: number; stdout: string; stderr: string });
    }
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    return { report, exitCode, home, stdout, stderr, tmp };
  }

  it('a second instance quits at once, before doing anything', async () => {
    const { report, exitCode, home } = await runMain('locked');
    assert.equal(exitCode, 0);
    // The name and data folder first: the lock lives in the data folder, which must not be
    // "Electron"'s in a development run (app-identity.ts).
    assert.deepEqual(report.log, [
      ['setName', 'FTP Share'],
      ['setPath', 'userData', path.join(home, '.config', 'FTP Share')],
      'requestSingleInstanceLock',
      'app.quit',
      'app.exit(0)',
    ]);
    assert.equal(report.windows.length, 0);
    assert.equal(report.handlers.length, 0);
  });

  it('wires the window, IPC, tray, notifications and a clean quit', async () => {
    const shared = path.join(temp, 'shared folder');
    await mkdir(shared);
    const { report, exitCode, home } = await runMain('basic', { FAKE_ELECTRON_PICK: shared });
    assert.equal(report.failure, undefined);
    assert.equal(exitCode, 0);

    // The app's name, then the single-instance lock, before the app is ready.
    assert.deepEqual(report.log.slice(0, 4), [['setName', 'FTP Share'], ['setPath', 'userData', path.join(home, '.config', 'FTP Share')], 'requestSingleInstanceLock', 'whenReady']);
    // A minimal menu of our own (a development run keeps the developer tools in View).
    assert.deepEqual(report.applicationMenu, ['&File', '&Edit', '&View']);

    // One handler per request, on ftp-share:<name>.
    assert.deepEqual([...report.handlers].sort(), REQUEST_NAMES.map((n) => `ftp-share:${n}`).sort());

    // The window: locked down, loading the renderer next to the bundle.
    assert.equal(report.windows.length, 1);
    const window = report.windows[0]!;
    const prefs = window.options['webPreferences'];
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.preload, path.join(bundleDir, 'preload.cjs'));
    assert.equal(window.options['backgroundColor'], '#f6f7f9', 'light theme: the page’s light background');
    assert.deepEqual(window.calls[0], ['loadFile', path.join(temp, 'dist', 'renderer', 'index.html')]);
    assert.ok(window.calls.includes('show'));
    assert.equal(report.cspListener, 'function');
    assert.ok(report.log.includes('setPermissionRequestHandler'));

    // Requests from the page work; from anything else they are refused.
    const r = report.results;
    assert.equal(r['getState'].ok, true);
    assert.equal(r['getState'].value.status, 'stopped');
    assert.deepEqual(r['foreignFrame'], REFUSED_SENDER);
    assert.deepEqual(r['subFrame'], REFUSED_SENDER);
    // The native picker, modal to the window, for several folders.
    assert.deepEqual(r['pickFolders'], { ok: true, value: [shared] });
    assert.ok(report.log.some((e) => JSON.stringify(e) === JSON.stringify(['showOpenDialog', 'modal', ['openDirectory', 'multiSelections', 'createDirectory', 'dontAddToRecent']])));
    assert.equal(r['addFolder'].ok, true);
    assert.deepEqual(r['addFolder'].value.folders, [shared]);
    // Only shared folders are opened.
    assert.deepEqual(r['openFolder'], { ok: true });
    assert.ok(report.log.some((e) => JSON.stringify(e) === JSON.stringify(['openPath', shared])));
    assert.equal(r['openOther'].ok, false);
    assert.ok(!report.log.some((e) => JSON.stringify(e) === JSON.stringify(['openPath', '/etc'])));
    assert.ok(report.log.some((e) => JSON.stringify(e) === JSON.stringify(['clipboard', 'ftp://example:2121'])));
    assert.equal(r['start'].ok, true, JSON.stringify(r['start']));

    // Pushed events reach the window.
    assert.ok(report.sent.some(([channel, event]) => channel === 'ftp-share:event' && event === 'settings'));
    assert.ok(report.sent.some(([channel, event, payload]) => channel === 'ftp-share:event' && event === 'state' && payload.status === 'running'));

    const port = r['port'].value as number;
    // The tray: off, then on while sharing; a menu every time; destroyed on quit.
    assert.equal(report.trays.length, 1);
    const tray = report.trays[0]!;
    assert.equal(path.basename(tray.images[0]!), 'tray-off.png');
    assert.equal(path.dirname(tray.images[0]!), path.join(bundleDir, 'tray'));
    assert.ok(tray.images.some((i) => path.basename(i) === 'tray-on.png'));
    assert.deepEqual(tray.menus[0], ['Not sharing (disabled)', '---', 'Start sharing', 'Copy address (disabled)', '---', 'Open FTP Share', '---', 'Quit']);
    assert.ok(
      tray.menus.some((m) => new RegExp(`^Sharing at ftp://\\S+:${port}/? — 0 clients \\(disabled\\)$`).test(m[0]!) && m[2] === 'Stop sharing' && m[3] === 'Copy address'),
      JSON.stringify(tray.menus),
    );
    assert.ok(tray.tooltips.some((t) => t.includes(`:${port}`)));
    assert.equal(tray.destroyed, true);

    // Closing the window while sharing hid it, with the one-time hint, remembered in the settings.
    assert.equal(report.closePrevented, true);
    assert.ok(window.calls.includes('hide'));
    assert.deepEqual(report.notifications.map((n) => n.title), ['FTP Share is still sharing', 'A device connected']);
    const copied = report.log.filter((e) => Array.isArray(e) && e[0] === 'clipboard').map((e) => (e as string[])[1]);
    assert.ok(copied.some((text) => new RegExp(`^ftp://\\S+:${port}/?$`).test(text!)), JSON.stringify(copied));
    const settings = JSON.parse(await readFile(path.join(home, '.config', 'ftp-share', 'settings.json'), 'utf8'));
    assert.equal(settings.trayHintShown, true);
    assert.deepEqual(settings.folders, [shared]);
    assert.equal(settings.port, port);

    // Quit: the window hid first, the IPC handlers went last, then the process exited.
    const quitAt = report.log.lastIndexOf('app.quit');
    const hiddenAt = report.log.indexOf('window.hide', quitAt);
    const removedAt = report.log.indexOf('ipcMain: all handlers removed');
    assert.ok(quitAt >= 0 && hiddenAt > quitAt && removedAt > hiddenAt, JSON.stringify(report.log.slice(quitAt)));
    assert.deepEqual(report.log.slice(-2), ['ipcMain: all handlers removed', 'app.exit(0)']);
    // Sharing stopped before exiting: the port is free again.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        reject(new Error('the FTP server still listens after quit'));
      });
      socket.once('error', () => resolve());
    });
  });
  it('--smoke-test: hidden, in a temporary folder, shares, downloads over FTP, checks tray and page, exits 0', async () => {
    const started = Date.now();
    const { report, exitCode, stdout, stderr, home, tmp } = await runMain('smoke', { FAKE_ELECTRON_SCENARIO: '' }, ['--smoke-test']);
    assert.equal(exitCode, 0, stderr);
    assert.ok(Date.now() - started < 60_000);
    for (const step of [
      'share a temporary folder on a free port',
      'download a file from the share over FTP',
      'download the file from the web page',
      'the tray shows the share',
      'the window loads its page with the preload API',
    ]) {
      assert.ok(stdout.includes(`FTP Share smoke test: ${step}: ok`), stdout);
    }
    assert.match(stdout, /FTP Share smoke test passed\n$/);
    assert.equal(report.exitCode, 0);
    // Its own data folder, not the user's; removed at the end, with its settings.
    const userData = report.log.find((e) => Array.isArray(e) && e[0] === 'setPath') as string[];
    assert.ok(userData[2]!.startsWith(path.join(tmp, 'ftp-share-smoke-')), userData[2]);
    assert.deepEqual(await readdir(tmp), [], 'the temporary folders are gone');
    await assert.rejects(readFile(path.join(home, '.config', 'ftp-share', 'settings.json')), { code: 'ENOENT' });
    // Hidden all along: the window was made and its page ran, but it was never shown.
    assert.equal(report.windows.length, 1);
    assert.ok(!report.windows[0]!.calls.includes('show'));
    assert.ok(report.log.includes('executeJavaScript'));
    // No notifications, no login item touched.
    assert.deepEqual(report.notifications, []);
    assert.ok(!report.log.some((e) => Array.isArray(e) && e[0] === 'setLoginItemSettings'));
  });

  it('--smoke-test: a failing step exits 1 and names the step on stderr', async () => {
    const { exitCode, stderr, tmp } = await runMain('smoke-no-preload', { FAKE_ELECTRON_SCENARIO: '', FAKE_ELECTRON_NO_PRELOAD: '1' }, ['--smoke-test']);
    assert.equal(exitCode, 1);
    assert.match(stderr, /^FTP Share smoke test failed at "the window loads its page with the preload API": window\.ftpShare is missing/m);
    assert.deepEqual(await readdir(tmp), []);
  });
});
