/**
 * Runs the real main-process bundle (dist/electron/main.cjs, built into a temp dir) under plain
 * Node with a recording stand-in for the 'electron' module (fixtures/fake-electron.cjs): the
 * wiring of main.ts, with the real ShareService and FTP server, without the Electron binary.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
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

  async function runMain(scenario: string, extraEnv: Record<string, string> = {}) {
    const home = path.join(temp, `home-${scenario}`);
    await mkdir(home, { recursive: true });
    const reportFile = path.join(temp, `report-${scenario}.json`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      FAKE_ELECTRON_SCENARIO: scenario,
      FAKE_ELECTRON_REPORT: reportFile,
      ...extraEnv,
    };
    let exitCode = 0;
    try {
      await run(process.execPath, ['-r', fake, path.join(bundleDir, 'main.cjs')], { cwd: temp, env, timeout: 60_000 });
    } catch (error) {
      exitCode = (error as { code: number }).code;
    }
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    return { report, exitCode, home };
  }

  it('a second instance quits at once, before doing anything', async () => {
    const { report, exitCode } = await runMain('locked');
    assert.equal(exitCode, 0);
    assert.deepEqual(report.log, ['requestSingleInstanceLock', 'app.quit', 'app.exit(0)']);
    assert.equal(report.windows.length, 0);
    assert.equal(report.handlers.length, 0);
  });

  it('wires the window, IPC, tray, notifications and a clean quit', async () => {
    const shared = path.join(temp, 'shared folder');
    await mkdir(shared);
    const { report, exitCode, home } = await runMain('basic', { FAKE_ELECTRON_PICK: shared });
    assert.equal(report.failure, undefined);
    assert.equal(exitCode, 0);

    // Single-instance lock first, before the app is ready.
    assert.deepEqual(report.log.slice(0, 2), ['requestSingleInstanceLock', 'whenReady']);

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

    // Quit stopped sharing before exiting: the port is free again.
    assert.deepEqual(report.log.slice(-2), ['app.quit', 'app.exit(0)']);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        reject(new Error('the FTP server still listens after quit'));
      });
      socket.once('error', () => resolve());
    });
  });
});
