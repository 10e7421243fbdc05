#!/usr/bin/env node
// `npm start`: makes sure the Electron binary is there (downloading it on first use with
// Electron's own installer, since installing the project never does), checks that Chromium's
// sandbox can start on this Linux, builds what the app runs (core, the renderer, the Electron
// bundles) and starts Electron on dist/electron/main.cjs. Arguments after `npm start --` go to
// the app.
//
// Everything it runs is decided by the pure functions below (tested in
// test/electron/start-electron.test.ts): no shell anywhere except for `npm.cmd`, which Windows
// can only run through cmd.exe, and then with arguments that need no quoting.
import { spawn as nodeSpawn, spawnSync as nodeSpawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What to use meanwhile when Electron can't run: the CLI's window needs no Electron. */
export const FALLBACK_HINT = 'Meanwhile, the same window runs in your browser without Electron: npx ftp-share --ui FOLDER';

/** The path module of `platform`, so that a plan for Windows can be checked anywhere. */
function pathOf(platform) {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** npm's executable: a batch file on Windows, which only cmd.exe can run. */
export function npmCommand(platform) {
  return platform === 'win32' ? 'npm.cmd' : 'npm';
}

// What cmd.exe passes through untouched: no spaces, quotes or metacharacters.
const SHELL_SAFE = /^[A-Za-z0-9_.:=@+\/-]+$/;

/**
 * One process to run. `shell` is true only for Windows' npm.cmd (Node refuses to spawn a .cmd
 * without a shell since the CVE-2024-27980 fix), and then every argument must pass through
 * cmd.exe unquoted: a path with a space never goes through a shell.
 */
export function step(label, command, args, { platform, cwd, env }) {
  const shell = platform === 'win32' && /\.(cmd|bat)$/i.test(command);
  if (shell) {
    for (const part of [command, ...args]) {
      if (!SHELL_SAFE.test(part)) throw new Error(`"${part}" would need quoting for cmd.exe; run it without a shell`);
    }
  }
  return { label, command, args, options: { cwd, shell, stdio: 'inherit', ...(env ? { env } : {}) } };
}

/**
 * The builds before a launch: core and the renderer through their npm scripts. The Electron
 * bundles are built in-process (scripts/build-electron.mjs), with no child process at all.
 */
export function buildPlan({ platform, root, scripts }) {
  const npm = npmCommand(platform);
  const plan = [step('build core', npm, ['run', '--silent', 'build:core'], { platform, cwd: root })];
  if (scripts?.['build:renderer']) plan.push(step('build the window', npm, ['run', '--silent', 'build:renderer'], { platform, cwd: root }));
  return plan;
}

/**
 * Electron's own installer (node_modules/electron/install.js), run by this Node without a shell:
 * it downloads the binary for this platform, with its progress bar, from Electron's releases
 * (or ELECTRON_MIRROR). `ELECTRON_SKIP_BINARY_DOWNLOAD` is dropped: `npm start` is asking for
 * the binary.
 */
export function installPlan({ platform, execPath, root, env }) {
  const installEnv = { ...env };
  delete installEnv.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return step('download Electron', execPath, [pathOf(platform).join(root, 'node_modules', 'electron', 'install.js')], {
    platform,
    cwd: root,
    env: installEnv,
  });
}

/** Electron on the main bundle, without a shell; ELECTRON_RUN_AS_NODE would make it plain Node. */
export function launchPlan({ platform, binary, root, argv, env }) {
  const launchEnv = { ...env };
  delete launchEnv.ELECTRON_RUN_AS_NODE;
  return step('start Electron', binary, [pathOf(platform).join(root, 'dist', 'electron', 'main.cjs'), ...argv], {
    platform,
    cwd: root,
    env: launchEnv,
  });
}

/** Why the download failed, for people: Electron's installer prints a stack trace. */
export function installFailedMessage(version) {
  return [
    `Electron${version ? ` ${version}` : ''} could not be downloaded (see the error above), so the desktop app can't start yet.`,
    'Check the connection to github.com, or set ELECTRON_MIRROR to a mirror you can reach, then run npm start again.',
    FALLBACK_HINT,
  ].join('\n');
}

/**
 * What Linux says about Chromium's sandbox. `sysctl` maps a name under /proc/sys
 * (`kernel/apparmor_restrict_unprivileged_userns`) to its value, or undefined where the file
 * doesn't exist; `sandboxHelper` is the stat of Electron's chrome-sandbox, or undefined.
 *
 * Chromium's sandbox needs unprivileged user namespaces or a setuid-root chrome-sandbox helper.
 * Ubuntu 24.04 and later restrict the namespaces through AppArmor for programs without a profile
 * (node_modules/electron has none; the .deb installs one), and a checkout's chrome-sandbox is
 * never setuid, so Electron aborts with "The SUID sandbox helper binary was found, but is not
 * configured correctly" (electron/electron#42510).
 *
 * @returns the advice to print, or undefined when the sandbox can start (or `--no-sandbox` was
 *   given by the user: it is never added here).
 */
export function sandboxAdvice({ platform, sysctl, sandboxHelper, sandboxHelperPath, argv }) {
  if (platform !== 'linux' || argv.includes('--no-sandbox')) return undefined;
  const setuidRoot = sandboxHelper !== undefined && sandboxHelper.uid === 0 && (sandboxHelper.mode & 0o4755) === 0o4755;
  if (setuidRoot) return undefined;
  const restrictions = [];
  if (sysctl('kernel/apparmor_restrict_unprivileged_userns') === '1') {
    restrictions.push({ what: 'kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu 24.04 and later)', fix: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' });
  }
  if (sysctl('kernel/unprivileged_userns_clone') === '0') {
    restrictions.push({ what: 'kernel.unprivileged_userns_clone=0', fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1' });
  }
  if (sysctl('user/max_user_namespaces') === '0') {
    restrictions.push({ what: 'user.max_user_namespaces=0', fix: 'sudo sysctl -w user.max_user_namespaces=15000' });
  }
  if (restrictions.length === 0) return undefined;
  const helper = sandboxHelperPath;
  return [
    `Electron's sandbox can't start here: unprivileged user namespaces are restricted (${restrictions.map((r) => r.what).join(', ')})`,
    `and ${helper} is not owned by root with mode 4755, so Electron would stop at once.`,
    'Any one of these fixes it:',
    '  - make the sandbox helper setuid root (again after each npm ci):',
    `      sudo chown root:root "${helper}" && sudo chmod 4755 "${helper}"`,
    '  - or allow user namespaces until the next reboot:',
    ...restrictions.map((r) => `      ${r.fix}`),
    '  - or, for development only, start without the sandbox: npm start -- --no-sandbox',
    'The installed app (.deb) is not affected: it installs an AppArmor profile of its own.',
    FALLBACK_HINT,
  ].join('\n');
}

/** The Electron binary, or undefined when the package has none downloaded yet. */
export function findElectronBinary(root) {
  try {
    // The package exports the binary's path and throws when it was never downloaded. A module
    // that throws while loading is not cached, so asking again after the download works.
    const binary = createRequire(path.join(root, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function readSysctl(name) {
  try {
    return readFileSync(path.join('/proc/sys', name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function statOrUndefined(file) {
  try {
    const info = statSync(file);
    return { uid: info.uid, mode: info.mode };
  } catch {
    return undefined;
  }
}

/**
 * Runs `npm start`. Every effect is injected (tests pass fakes); the defaults are the real ones.
 * @returns the exit code for this process, or a promise of it (Electron's).
 */
export async function start({
  platform = process.platform,
  execPath = process.execPath,
  root = ROOT,
  argv = process.argv.slice(2),
  env = process.env,
  spawnSync = nodeSpawnSync,
  spawn = nodeSpawn,
  log = (line) => console.error(line),
  findElectron = findElectronBinary,
  buildElectron = async () => (await import('./build-electron.mjs')).buildElectron(),
  sysctl = readSysctl,
  stat = statOrUndefined,
} = {}) {
  const runStep = (s) => {
    const result = spawnSync(s.command, s.args, s.options);
    if (result.error) log(`Could not ${s.label}: ${result.error.message}`);
    return result.status === 0 && !result.error;
  };

  let binary = findElectron(root);
  if (!binary) {
    const version = readJson(path.join(root, 'node_modules', 'electron', 'package.json'))?.version;
    log(`Downloading Electron${version ? ` ${version}` : ''} for the desktop app (once; about 100 MB, a progress bar appears after 30 s)…`);
    if (!runStep(installPlan({ platform, execPath, root, env })) || !(binary = findElectron(root))) {
      log(installFailedMessage(version));
      return 1;
    }
  }

  const advice = sandboxAdvice({
    platform,
    sysctl,
    sandboxHelperPath: path.join(path.dirname(binary), 'chrome-sandbox'),
    sandboxHelper: platform === 'linux' ? stat(path.join(path.dirname(binary), 'chrome-sandbox')) : undefined,
    argv,
  });
  if (advice) {
    log(advice);
    return 1;
  }

  const pkg = readJson(path.join(root, 'package.json')) ?? {};
  for (const s of buildPlan({ platform, root, scripts: pkg.scripts })) {
    if (!runStep(s)) return 1;
  }
  await buildElectron();

  const launch = launchPlan({ platform, binary, root, argv, env });
  const child = spawn(launch.command, launch.args, launch.options);
  return new Promise((resolve) => {
    // Ctrl+C reaches Electron through the terminal's process group: wait for it to quit cleanly.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.on('error', (error) => {
      log(`Could not start Electron: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await start();
}
