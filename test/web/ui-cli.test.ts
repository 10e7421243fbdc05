import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { ServerFrame, ShareState } from '../../core/share/contract.js';
import type { ShareSettings } from '../../core/share/settings.js';
import { tempDir } from '../share/share-service-fixture.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(repo, 'core', 'cli.ts');

interface Run {
  child: ChildProcess;
  /** Resolves with the next stdout line. */
  line(): Promise<string>;
  exited: Promise<number | null>;
  stderr(): string;
}

function run(t: TestContext, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  const waiting: (() => void)[] = [];
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    waiting.splice(0).forEach((w) => w());
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    waiting.splice(0).forEach((w) => w());
    resolve(code);
  }));
  return {
    child,
    exited,
    stderr: () => err,
    async line() {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          const first = out.slice(0, nl);
          out = out.slice(nl + 1);
          return first;
        }
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no output line (stderr: ${err})`);
        await new Promise<void>((r) => {
          waiting.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

async function call(ws: WebSocket, id: number, name: string): Promise<ServerFrame & { kind: 'response' }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response to ${name}`)), 10_000);
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if (frame.kind === 'response' && frame.id === id) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, name }));
  });
}

test('ftp-share --ui --json prints the UI URL; its WebSocket answers', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'ftp-share-cli-ui-');
  const configDir = path.join(dir, 'config');
  const folder = path.join(dir);
  const cliRun = run(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, folder]);
  const first = JSON.parse(await cliRun.line()) as { type: string; url: string };
  assert.equal(first.type, 'ui');
  const match = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/.exec(first.url);
  assert.ok(match, first.url);

  const ws = new WebSocket(`ws://127.0.0.1:${match[1]}/ws?token=${match[2]}`);
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const state = await call(ws, 1, 'getState');
  assert.equal(state.result.ok, true);
  assert.equal((state.result as { value: ShareState }).value.status, 'stopped');
  const settings = await call(ws, 2, 'getSettings');
  assert.deepEqual((settings.result as { value: ShareSettings }).value.folders, [folder]);
  // The folder was saved to the settings file in --config-dir.
  assert.deepEqual((JSON.parse(await readFile(path.join(configDir, 'settings.json'), 'utf8')) as ShareSettings).folders, [folder]);

  cliRun.child.kill('SIGTERM');
  assert.equal(await cliRun.exited, 0);
});

test('ftp-share --ui with a missing folder exits 2 with a message', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t, 'ftp-share-cli-ui-');
  const cliRun = run(t, ['--ui', '--no-open', '--json', '--config-dir', dir, path.join(dir, 'nope')]);
  assert.equal(await cliRun.exited, 2);
  assert.match(cliRun.stderr(), /ftp-share: The folder .*nope doesn't exist/);
});

test('ftp-share --ui rejects options that only apply without it', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t, 'ftp-share-cli-ui-');
  // The share's options (--port, --read-only, …) become the window's settings (tested below);
  // --host has no setting: the window shares on every address.
  const cliRun = run(t, ['--ui', '--no-open', '--host', '127.0.0.1', '--config-dir', dir]);
  assert.equal(await cliRun.exited, 2);
  assert.equal(cliRun.stderr(), "ftp-share: --host doesn't apply with --ui (the window shares on every address)\n");
});

test('without --ui the CLI still needs a folder and documents --ui in its help', { timeout: 30_000 }, async (t) => {
  const none = run(t, []);
  assert.equal(await none.exited, 2);
  assert.match(none.stderr(), /no folder to share/);
  const help = run(t, ['--help']);
  assert.match(await help.line(), /^Usage: ftp-share /);
  let text = '';
  for (let i = 0; i < 4; i++) text += `${await help.line()}\n`;
  assert.match(text, /ftp-share --ui \[--ui-port N\] \[--no-open\]/);
  assert.equal(await help.exited, 0);
});

/** Connects to the page's WebSocket of a `--json` run. */
async function connectPage(t: TestContext, cliRun: Run): Promise<WebSocket> {
  const first = JSON.parse(await cliRun.line()) as { type: string; url: string; opened: boolean };
  assert.equal(first.type, 'ui');
  assert.equal(first.opened, false);
  const match = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/.exec(first.url);
  assert.ok(match, first.url);
  const ws = new WebSocket(`ws://127.0.0.1:${match[1]}/ws?token=${match[2]}`);
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

test('ftp-share --ui --port 2999 --read-only --user … FOLDER: the options become the window\'s settings, saved', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'ftp-share-cli-ui-');
  const configDir = path.join(dir, 'config');
  const first = run(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, '--port', '2999', '--read-only', '--user', 'alice', '--password', 'pw-of-alice', '--passive-ports', '50000-50010', dir]);
  const ws = await connectPage(t, first);
  const shown = (await call(ws, 1, 'getSettings')).result as { value: ShareSettings };
  assert.equal(shown.value.port, 2999);
  assert.equal(shown.value.readOnly, true);
  assert.deepEqual(shown.value.access, { mode: 'password', username: 'alice', password: 'pw-of-alice' });
  assert.deepEqual(shown.value.passivePorts, { min: 50000, max: 50010 });
  assert.deepEqual(shown.value.folders, [dir]);
  const saved = JSON.parse(await readFile(path.join(configDir, 'settings.json'), 'utf8')) as ShareSettings;
  assert.equal(saved.port, 2999);
  assert.equal(saved.readOnly, true);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  // The next run keeps what was saved and changes only what it names.
  const second = run(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, '--writable']);
  const again = (await call(await connectPage(t, second), 2, 'getSettings')).result as { value: ShareSettings };
  assert.equal(again.value.readOnly, false);
  assert.equal(again.value.port, 2999);
  assert.equal(again.value.access.mode === 'password' && again.value.access.username, 'alice');
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);

  // A value the settings can't hold is refused with the option's name.
  const bad = run(t, ['--ui', '--no-open', '--json', '--config-dir', configDir, '--port', '0']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr(), /^ftp-share: --port: Port must be between 1 and 65535\n$/);
});

test('ftp-share --ui says "Open this address" unless a browser really opened', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'ftp-share-cli-ui-');
  const configDir = path.join(dir, 'config');
  const firstLine = async (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> => {
    const cliRun = run(t, ['--ui', '--ui-port', '0', '--config-dir', configDir, ...args], env);
    const line = await cliRun.line();
    const url = await cliRun.line();
    cliRun.child.kill('SIGTERM');
    assert.equal(await cliRun.exited, 0);
    assert.match(url, /^ {2}http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    return line;
  };
  assert.equal(await firstLine(['--no-open']), 'Open this address in your browser:');

  // No opener at all (a server without a desktop).
  const empty = path.join(dir, 'no-opener');
  await mkdir(empty);
  assert.equal(await firstLine([], { ...process.env, PATH: empty }), 'Open this address in your browser:');

  // An opener that fails (no browser) and one that works.
  const failing = path.join(dir, 'failing');
  const working = path.join(dir, 'working');
  const opened = path.join(dir, 'opened.txt');
  for (const [folder, script] of [[failing, '#!/bin/sh\nexit 3\n'], [working, `#!/bin/sh\necho "$1" > '${opened}'\n`]] as const) {
    await mkdir(folder);
    for (const name of ['xdg-open', 'open']) {
      await writeFile(path.join(folder, name), script);
      await chmod(path.join(folder, name), 0o755);
    }
  }
  assert.equal(await firstLine([], { ...process.env, PATH: failing }), 'Open this address in your browser:');
  assert.equal(await firstLine([], { ...process.env, PATH: working }), 'FTP Share is open in your browser at:');
  assert.match(await readFile(opened, 'utf8'), /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
});

test('ftp-share --ui --cert-dir naming a file: "is a file, not a folder"', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t, 'ftp-share-cli-ui-');
  const file = path.join(dir, 'file.txt');
  await writeFile(file, 'x');
  const cliRun = run(t, ['--ui', '--no-open', '--config-dir', path.join(dir, 'config'), '--cert-dir', file]);
  assert.equal(await cliRun.exited, 2);
  assert.equal(cliRun.stderr(), `ftp-share: --cert-dir ${file} is a file, not a folder\n`);
});
