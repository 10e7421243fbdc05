/**
 * Launch at login: how each OS is asked (every way passes `--hidden`), what the app reads back
 * as the OS's real state, and the macOS launch agent shipped in the bundle.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LoginItemSettings, LoginItemSettingsOptions, Settings } from 'electron';
import { HIDDEN_ARG, launchedHidden } from '../../electron/lifecycle.js';
import {
  AUTOSTART_FILE_NAME,
  autostartDir,
  autostartEntry,
  autostartEntryEnabled,
  LoginItem,
  MAC_LOGIN_AGENT,
  openedAtLoginHidden,
  quoteExecArg,
  usesServiceManagement,
  type LoginItemDependencies,
} from '../../electron/login-item.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A LoginItem over a recording stand-in for `app`'s login item API. */
function item(overrides: Partial<LoginItemDependencies> & { answer?: Partial<LoginItemSettings> } = {}) {
  const set: Settings[] = [];
  const asked: (LoginItemSettingsOptions | undefined)[] = [];
  const login = new LoginItem({
    platform: 'win32',
    isPackaged: true,
    execPath: 'C:\\Program Files\\FTP Share\\FTP Share.exe',
    env: {},
    osRelease: '24.1.0',
    setLoginItemSettings: (s) => set.push(s),
    getLoginItemSettings: (options) => {
      asked.push(options);
      return { openAtLogin: false, ...overrides.answer };
    },
    ...overrides,
  });
  return { login, set, asked };
}

describe('turning launch at login on and off', () => {
  it('macOS 13+: registers the bundled launch agent (which passes --hidden), idempotently', async () => {
    const { login, set } = item({ platform: 'darwin', osRelease: '22.6.0' });
    assert.equal(await login.apply(true), true);
    assert.equal(await login.apply(true), true);
    await login.apply(false);
    assert.deepEqual(set, [
      { openAtLogin: true, type: 'agentService', serviceName: MAC_LOGIN_AGENT },
      { openAtLogin: false, type: 'agentService', serviceName: MAC_LOGIN_AGENT },
    ]);
  });

  it('macOS 12: the classic login item, opened hidden', async () => {
    const { login, set } = item({ platform: 'darwin', osRelease: '21.6.0' });
    await login.apply(true);
    assert.deepEqual(set, [{ openAtLogin: true, openAsHidden: true }]);
  });

  it('Windows: the installed exe with --hidden', async () => {
    const { login, set } = item();
    await login.apply(true);
    assert.deepEqual(set, [{ openAtLogin: true, path: 'C:\\Program Files\\FTP Share\\FTP Share.exe', args: [HIDDEN_ARG] }]);
  });

  it('Windows portable: the portable .exe itself, not the temporary folder it unpacks into', async () => {
    const portable = 'D:\\Tools\\FTP Share 0.1.0.exe';
    const { login, set, asked } = item({
      execPath: 'C:\\Users\\ann\\AppData\\Local\\Temp\\2cXyz\\FTP Share.exe',
      env: { PORTABLE_EXECUTABLE_FILE: portable },
    });
    await login.apply(true);
    assert.deepEqual(set, [{ openAtLogin: true, path: portable, args: [HIDDEN_ARG] }]);
    await login.read();
    assert.deepEqual(asked, [{ path: portable, args: [HIDDEN_ARG] }]);
  });

  it('does nothing in a development run', async () => {
    const { login, set } = item({ isPackaged: false });
    assert.equal(login.supported, false);
    assert.equal(await login.apply(true), false);
    assert.deepEqual(await login.read(), { enabled: false, unsupported: true });
    assert.deepEqual(set, []);
  });
});

describe('the OS’s real state', () => {
  it('macOS 13+: enabled, waiting for approval in System Settings, or not registered', async () => {
    const cases: [LoginItemSettings['status'], { enabled: boolean; needsApproval?: boolean }][] = [
      ['enabled', { enabled: true }],
      ['requires-approval', { enabled: true, needsApproval: true }],
      ['not-registered', { enabled: false }],
      ['not-found', { enabled: false }],
    ];
    for (const [status, expected] of cases) {
      const { login, asked } = item({ platform: 'darwin', osRelease: '23.0.0', answer: { status } });
      assert.deepEqual(await login.read(), expected, status);
      assert.deepEqual(asked, [{ type: 'agentService', serviceName: MAC_LOGIN_AGENT }]);
    }
  });

  it('Windows: turned off in Task Manager reads as off, though the Run key is there', async () => {
    const { login } = item({ answer: { openAtLogin: true, executableWillLaunchAtLogin: false } });
    assert.deepEqual(await login.read(), { enabled: false });
    assert.deepEqual(await item({ answer: { openAtLogin: true, executableWillLaunchAtLogin: true } }).login.read(), { enabled: true });
  });

  it('after reading, applying the same value touches nothing; a different one is applied', async () => {
    const { login, set } = item({ answer: { openAtLogin: false, executableWillLaunchAtLogin: false } });
    await login.read();
    await login.apply(false);
    assert.deepEqual(set, []);
    await login.apply(true);
    assert.equal(set.length, 1);
  });

  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await removeTempDir(dir);
  });

  it('Linux: writes, reads and removes an XDG autostart entry; a deleted or disabled one reads as off', async () => {
    const dir = await makeTempDir('ftp-share-autostart-');
    dirs.push(dir);
    const autostart = path.join(dir, 'autostart');
    const { login } = item({
      platform: 'linux',
      execPath: '/home/me/Apps/FTP Share.AppImage',
      setLoginItemSettings: () => assert.fail('not used on Linux'),
      autostartDir: autostart,
    });
    await login.apply(true);
    const file = path.join(autostart, AUTOSTART_FILE_NAME);
    const text = await readFile(file, 'utf8');
    assert.match(text, /^\[Desktop Entry\]\n/);
    assert.match(text, /\nExec="\/home\/me\/Apps\/FTP Share.AppImage" --hidden\n/);
    assert.deepEqual(await login.read(), { enabled: true });

    // GNOME Tweaks turns it off in place.
    await writeFile(file, text.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    assert.deepEqual(await login.read(), { enabled: false });
    await login.apply(true);
    assert.deepEqual(await login.read(), { enabled: true }, 'turned on again: rewritten');

    await login.apply(false);
    await assert.rejects(stat(file), { code: 'ENOENT' });
    assert.deepEqual(await login.read(), { enabled: false });
  });

  it('reads Hidden=true and a broken file as off', () => {
    assert.equal(autostartEntryEnabled(autostartEntry('/usr/bin/ftp-share')), true);
    assert.equal(autostartEntryEnabled(`${autostartEntry('/usr/bin/ftp-share')}Hidden=true\n`), false);
    assert.equal(autostartEntryEnabled('garbage'), false);
  });
});

describe('starting hidden at login', () => {
  it('--hidden, or macOS 12’s login item as Electron reports it after ready', () => {
    assert.equal(launchedHidden(['/usr/bin/ftp-share', HIDDEN_ARG], false), true);
    assert.equal(launchedHidden(['/usr/bin/ftp-share'], false), false);
    assert.equal(launchedHidden(['/Applications/FTP Share.app/Contents/MacOS/FTP Share'], true), true);
    assert.equal(openedAtLoginHidden('darwin', '21.6.0', { wasOpenedAsHidden: true }), true);
    assert.equal(openedAtLoginHidden('darwin', '21.6.0', {}), false);
    assert.equal(openedAtLoginHidden('darwin', '23.0.0', { wasOpenedAtLogin: true }), true);
    assert.equal(openedAtLoginHidden('win32', '10.0.22631', { wasOpenedAtLogin: true }), false);
  });

  it('macOS 13 is Darwin 22', () => {
    assert.equal(usesServiceManagement('darwin', '22.0.0'), true);
    assert.equal(usesServiceManagement('darwin', '21.6.0'), false);
    assert.equal(usesServiceManagement('linux', '22.0.0'), false);
  });
});

describe('the macOS launch agent in the bundle', () => {
  const plistPath = path.join(root, 'assets', 'mac', MAC_LOGIN_AGENT);
  const plist = readFileSync(plistPath, 'utf8');
  /** The <string> values of an array key. */
  const strings = (key: string) =>
    [...(new RegExp(`<key>${key}</key>\\s*<array>([\\s\\S]*?)</array>`).exec(plist)?.[1] ?? '').matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]);
  const value = (key: string) => new RegExp(`<key>${key}</key>\\s*<(?:string>([^<]*)</string|(true)/)>`).exec(plist)?.slice(1).find(Boolean);

  it('runs the app’s executable with --hidden at load, for this bundle only', () => {
    assert.equal(value('Label'), MAC_LOGIN_AGENT.replace(/\.plist$/, ''));
    assert.equal(value('BundleProgram'), 'Contents/MacOS/FTP Share');
    assert.deepEqual(strings('ProgramArguments'), ['Contents/MacOS/FTP Share', HIDDEN_ARG]);
    assert.deepEqual(strings('AssociatedBundleIdentifiers'), ['app.ftpshare.desktop']);
    assert.equal(value('RunAtLoad'), 'true');
    // No "--" in an XML comment: a plist parser would refuse the file.
    for (const comment of plist.matchAll(/<!--([\s\S]*?)-->/g)) assert.ok(!comment[1]!.includes('--'));
  });

  it('electron-builder puts it in Contents/Library/LaunchAgents under its service name', () => {
    const yaml = createRequire(path.join(root, 'package.json'))('js-yaml') as { load(text: string): unknown };
    const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as { mac: { extraFiles: { from: string; to: string }[] } };
    assert.deepEqual(config.mac.extraFiles, [{ from: `assets/mac/${MAC_LOGIN_AGENT}`, to: `Library/LaunchAgents/${MAC_LOGIN_AGENT}` }]);
  });
});

describe('autostart entries', () => {
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
