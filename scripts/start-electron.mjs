#!/usr/bin/env node
// `npm start`: builds what the app runs (core, the renderer when it has a build, the Electron
// bundles) and starts Electron on dist/electron/main.cjs. Arguments after `npm start --` go to
// the app.
//
// Where the Electron binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1), it says how to
// run the same UI in a browser instead, and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NO_BINARY =
  'The Electron binary is not installed here; run the UI in a browser with: npx ftp-share --ui <folder>';

/** The Electron executable, or undefined when the package has no binary. */
function electronBinary() {
  try {
    // The electron package exports the binary's path, and throws when it was never downloaded.
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const binary = electronBinary();
if (!binary) {
  console.error(NO_BINARY);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
run(npm, ['run', '--silent', 'build:core']);
if (pkg.scripts?.['build:renderer']) run(npm, ['run', '--silent', 'build:renderer']);
run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')]);

const env = { ...process.env };
// Set, it would make Electron run main.cjs as plain Node.
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(binary, [path.join(root, 'dist', 'electron', 'main.cjs'), ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
// Ctrl+C reaches Electron through the terminal's process group: wait for it to quit cleanly.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
