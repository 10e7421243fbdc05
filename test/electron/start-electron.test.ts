/**
 * `npm start` (scripts/start-electron.mjs): what it spawns, on Windows and POSIX, with paths that
 * hold spaces; the first-use download of Electron and what it says when that fails; the Linux
 * sandbox check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  buildPlan,
  FALLBACK_HINT,
  findElectronBinary,
  installPlan,
  launchPlan,
  sandboxAdvice,
  start,
  step,
  type StartDependencies,
  type Step,
} from '../../scripts/start-electron.mjs';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const WIN = {
  platform: 'win32' as const,
  execPath: 'C:\\Program Files\\nodejs\\node.exe',
  root: 'C:\\Users\\Ann Lee\\My Projects\\ftp share',
  binary: 'C:\\Users\\Ann Lee\\My Projects\\ftp share\\node_modules\\electron\\dist\\electron.exe',
};
const POSIX = {
  platform: 'linux' as const,
  execPath: '/opt/node 20/bin/node',
  root: '/home/ann/My Projects/ftp share',
  binary: '/home/ann/My Projects/ftp share/node_modules/electron/dist/electron',
};
const SCRIPTS = { 'build:core': 'tsc', 'build:renderer': 'vite build' };

/** Every step of a whole `npm start` (download, builds, launch), as start() would run them. */
function fullPlan(p: typeof WIN | typeof POSIX): Step[] {
  return [
    installPlan({ platform: p.platform, execPath: p.execPath, root: p.root, env: {} }),
    ...buildPlan({ platform: p.platform, root: p.root, scripts: SCRIPTS }),
    launchPlan({ platform: p.platform, binary: p.binary, root: p.root, argv: ['--hidden'], env: {} }),
  ];
}

describe('the spawn plan', () => {
  it('Windows: a shell only for npm.cmd, whose arguments need no quoting; node and Electron run directly', () => {
    const plan = fullPlan(WIN);
    for (const s of plan) {
      assert.equal(s.options.shell, s.command === 'npm.cmd', `${s.label}: shell only for npm.cmd`);
      assert.equal(s.options.cwd, WIN.root, `${s.label}: cwd is the checkout, spaces and all`);
      if (s.options.shell) for (const arg of s.args) assert.match(arg, /^[\w.:=@+/-]+$/, `${s.label}: ${arg} is shell-safe`);
    }
    const [install, core, renderer, launch] = plan;
    // The bug this replaces: `C:\Program Files\nodejs\node.exe` joined unquoted into a cmd.exe line.
    assert.deepEqual([install!.command, install!.args], [WIN.execPath, [`${WIN.root}\\node_modules\\electron\\install.js`]]);
    assert.deepEqual([core!.command, core!.args], ['npm.cmd', ['run', '--silent', 'build:core']]);
    assert.deepEqual([renderer!.command, renderer!.args], ['npm.cmd', ['run', '--silent', 'build:renderer']]);
    assert.deepEqual([launch!.command, launch!.args], [WIN.binary, [`${WIN.root}\\dist\\electron\\main.cjs`, '--hidden']]);
  });

  it('POSIX: no shell at all, paths with spaces passed as single arguments', () => {
    const plan = fullPlan(POSIX);
    assert.ok(plan.every((s) => s.options.shell === false));
    assert.deepEqual(plan.map((s) => s.command), [POSIX.execPath, 'npm', 'npm', POSIX.binary]);
    assert.equal(plan[0]!.args[0], '/home/ann/My Projects/ftp share/node_modules/electron/install.js');
    assert.equal(plan[3]!.args[0], '/home/ann/My Projects/ftp share/dist/electron/main.cjs');
  });

  it('refuses to put anything that needs quoting through cmd.exe', () => {
    assert.throws(() => step('x', 'npm.cmd', ['run', 'C:\\Program Files\\x'], { platform: 'win32', cwd: 'C:\\' }), /quoting/);
    assert.throws(() => step('x', 'npm.cmd', ['run', 'a&b'], { platform: 'win32', cwd: 'C:\\' }), /quoting/);
    // Not a batch file: no shell, so anything goes.
    assert.equal(step('x', WIN.execPath, ['a & b'], { platform: 'win32', cwd: 'C:\\' }).options.shell, false);
  });

  it('without a renderer build script there is no renderer step', () => {
    assert.deepEqual(buildPlan({ platform: 'linux', root: '/r', scripts: { 'build:core': 'tsc' } }).map((s) => s.args[2]), ['build:core']);
  });

  it('the download runs without ELECTRON_SKIP_BINARY_DOWNLOAD; Electron without ELECTRON_RUN_AS_NODE', () => {
    const env = { PATH: '/bin', ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_RUN_AS_NODE: '1' };
    const install = installPlan({ platform: 'linux', execPath: '/n', root: '/r', env });
    assert.equal(install.options.env?.['ELECTRON_SKIP_BINARY_DOWNLOAD'], undefined);
    assert.equal(install.options.env?.['PATH'], '/bin');
    const launch = launchPlan({ platform: 'linux', binary: '/e', root: '/r', argv: [], env });
    assert.equal(launch.options.env?.['ELECTRON_RUN_AS_NODE'], undefined);
    assert.equal(env.ELECTRON_SKIP_BINARY_DOWNLOAD, '1', 'the caller’s env is not changed');
  });
});

/** start() with every effect recorded. */
function fakeStart(overrides: Partial<StartDependencies> & { electronAfterInstall?: boolean; installOk?: boolean } = {}) {
  const spawned: { command: string; args: string[]; shell: unknown; env: NodeJS.ProcessEnv | undefined }[] = [];
  const lines: string[] = [];
  let installed = false;
  let bundles = 0;
  const launched: { command: string; args: string[]; shell: unknown }[] = [];
  const deps: Partial<StartDependencies> = {
    platform: 'linux',
    execPath: POSIX.execPath,
    root: root,
    argv: [],
    env: { PATH: '/bin' },
    log: (line) => lines.push(line),
    // Nothing downloaded until the installer ran (and, unless told otherwise, left a binary).
    findElectron: () => (installed && overrides.electronAfterInstall !== false ? POSIX.binary : undefined),
    spawnSync: (command, args, options) => {
      spawned.push({ command, args, shell: options.shell, env: options.env });
      if (args[0]?.endsWith('install.js')) {
        installed = overrides.installOk ?? false;
        return { status: installed ? 0 : 1, error: undefined };
      }
      return { status: 0, error: undefined };
    },
    spawn: (command, args, options) => {
      launched.push({ command, args, shell: options.shell });
      return {
        on(event: string, listener: (...a: unknown[]) => void) {
          if (event === 'exit') setImmediate(() => listener(0, null));
          return this;
        },
        kill: () => true,
      } as never;
    },
    buildElectron: async () => {
      bundles++;
    },
    sysctl: () => undefined,
    stat: () => undefined,
    ...overrides,
  };
  return { deps, spawned, lines, launched, bundles: () => bundles };
}

describe('npm start', () => {
  it('downloads Electron on first use with its own installer, then builds and starts it', async () => {
    const f = fakeStart({ installOk: true, env: { PATH: '/bin', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, argv: ['--hidden'] });
    assert.equal(await start(f.deps), 0);
    assert.match(f.lines[0]!, /^Downloading Electron \d+\.\d+\.\d+ for the desktop app/);
    assert.equal(f.spawned[0]!.command, POSIX.execPath);
    assert.equal(f.spawned[0]!.args[0], path.join(root, 'node_modules', 'electron', 'install.js'));
    assert.equal(f.spawned[0]!.env?.['ELECTRON_SKIP_BINARY_DOWNLOAD'], undefined);
    assert.deepEqual(f.spawned.slice(1).map((s) => s.args.join(' ')), ['run --silent build:core', 'run --silent build:renderer']);
    assert.equal(f.bundles(), 1, 'the Electron bundles are built in-process');
    assert.deepEqual(f.launched, [{ command: POSIX.binary, args: [path.join(root, 'dist', 'electron', 'main.cjs'), '--hidden'], shell: false }]);
  });

  it('when the download fails: why, what to try, and the CLI window meanwhile; nothing is built', async () => {
    const f = fakeStart({ installOk: false });
    assert.equal(await start(f.deps), 1);
    const text = f.lines.join('\n');
    assert.match(text, /could not be downloaded/);
    assert.match(text, /ELECTRON_MIRROR/);
    assert.ok(text.endsWith(FALLBACK_HINT), text);
    assert.match(FALLBACK_HINT, /npx ftp-share --ui FOLDER/);
    assert.equal(f.spawned.length, 1, 'only the installer ran');
    assert.equal(f.bundles(), 0);
    assert.deepEqual(f.launched, []);
  });

  it('an installer that exits 0 without a binary is a failure too', async () => {
    const f = fakeStart({ installOk: true, electronAfterInstall: false });
    assert.equal(await start(f.deps), 1);
    assert.ok(f.lines.join('\n').includes(FALLBACK_HINT));
  });

  it('a binary already there: no download', async () => {
    const f = fakeStart({ findElectron: () => POSIX.binary });
    assert.equal(await start(f.deps), 0);
    assert.ok(!f.spawned.some((s) => s.args[0]?.endsWith('install.js')));
    assert.equal(f.launched.length, 1);
  });

  it('stops with advice, before building, where the sandbox can’t start', async () => {
    const f = fakeStart({
      findElectron: () => POSIX.binary,
      sysctl: (name) => (name === 'kernel/apparmor_restrict_unprivileged_userns' ? '1' : undefined),
      stat: () => ({ uid: 1000, mode: 0o100755 }),
    });
    assert.equal(await start(f.deps), 1);
    assert.match(f.lines.join('\n'), /sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/);
    assert.deepEqual(f.spawned, []);
    assert.deepEqual(f.launched, []);
  });

  it('the real script, with Electron’s host unreachable: the installer fails and the message says what to do', { skip: findElectronBinary(root) ? 'the Electron binary is installed here' : false, timeout: 60_000 }, async () => {
    const cache = await makeTempDir('ftp-share-electron-cache-');
    try {
      const env = {
        ...process.env,
        // Port 9 (discard) on loopback refuses at once: no download is attempted anywhere.
        ELECTRON_MIRROR: 'http://127.0.0.1:9/',
        electron_config_cache: cache,
        ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      };
      const result = await run(process.execPath, [path.join(root, 'scripts', 'start-electron.mjs')], { cwd: root, env, timeout: 50_000 }).then(
        () => assert.fail('start-electron.mjs should fail without the binary'),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^Downloading Electron \d/);
      // Electron's installer ran (it ignores ELECTRON_SKIP_BINARY_DOWNLOAD only because the script dropped it).
      assert.match(result.stderr, /ECONNREFUSED|RequestError/);
      assert.ok(result.stderr.trimEnd().endsWith(FALLBACK_HINT), result.stderr);
    } finally {
      await removeTempDir(cache);
    }
  });
});

describe('the Linux sandbox check', () => {
  const helperPath = '/x/node_modules/electron/dist/chrome-sandbox';
  const restricted = (name: string) => (name === 'kernel/apparmor_restrict_unprivileged_userns' ? '1' : undefined);
  const notSetuid = { uid: 1000, mode: 0o100755 };

  it('Ubuntu 24.04: names the sysctl and the helper, offers the three fixes, never adds --no-sandbox itself', () => {
    const advice = sandboxAdvice({ platform: 'linux', sysctl: restricted, sandboxHelper: notSetuid, sandboxHelperPath: helperPath, argv: [] });
    assert.ok(advice);
    assert.match(advice, /kernel\.apparmor_restrict_unprivileged_userns=1/);
    assert.ok(advice.includes(`sudo chown root:root "${helperPath}" && sudo chmod 4755 "${helperPath}"`));
    assert.match(advice, /sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/);
    assert.match(advice, /npm start -- --no-sandbox/);
    assert.match(advice, /\.deb\) is not affected/);
  });

  it('no advice with a setuid-root helper, without the restriction, with --no-sandbox, or off Linux', () => {
    const base = { sysctl: restricted, sandboxHelperPath: helperPath, argv: [] as string[] };
    assert.equal(sandboxAdvice({ ...base, platform: 'linux', sandboxHelper: { uid: 0, mode: 0o104755 } }), undefined);
    assert.equal(sandboxAdvice({ ...base, platform: 'linux', sandboxHelper: notSetuid, sysctl: () => undefined }), undefined);
    assert.equal(sandboxAdvice({ ...base, platform: 'linux', sandboxHelper: notSetuid, sysctl: (n) => (n.endsWith('restrict_unprivileged_userns') ? '0' : undefined) }), undefined);
    assert.equal(sandboxAdvice({ ...base, platform: 'linux', sandboxHelper: notSetuid, argv: ['--no-sandbox'] }), undefined);
    assert.equal(sandboxAdvice({ ...base, platform: 'darwin', sandboxHelper: undefined }), undefined);
  });

  it('older Debian kernels: unprivileged_userns_clone=0', () => {
    const advice = sandboxAdvice({ platform: 'linux', sysctl: (n) => (n === 'kernel/unprivileged_userns_clone' ? '0' : undefined), sandboxHelper: undefined, sandboxHelperPath: helperPath, argv: [] });
    assert.match(advice ?? '', /sudo sysctl -w kernel\.unprivileged_userns_clone=1/);
  });
});
