/**
 * The `ftp-share` CLI as a real process (core/cli.ts through tsx): JSON events, login modes,
 * read-only, several folders, clean exit on SIGTERM/SIGINT, and one-line errors with exit code 2.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { cliCommand, repoRoot, run, startProcess, type RunningProcess } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { freePortRange } from '../helpers/loopback.js';
import { OPTIONS } from '../../core/cli/options.js';

/** The CLI with FTP_SHARE_PASSWORD taken from `env` only, never from the test's environment. */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  const inherited = { ...process.env };
  delete inherited.FTP_SHARE_PASSWORD;
  const [command, argv] = cliCommand(args);
  return startProcess(command, argv, { cwd: repoRoot, env: { ...inherited, ...env }, killAfterMs: 30_000 });
}

/** The first line, parsed: the `listening` event with --json. */
async function listening(cliProcess: RunningProcess): Promise<{ type: string; port: number; addresses: string[] }> {
  const line = await cliProcess.waitForLine(() => true, 30_000);
  assert.ok(line, `no output; stderr: ${cliProcess.stderr()}`);
  return JSON.parse(line) as { type: string; port: number; addresses: string[] };
}

/** Runs the CLI to completion (for the error cases). */
async function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cliProcess = startCli(args, env);
  const { code } = await cliProcess.exited;
  return { code, stdout: cliProcess.lines.join('\n'), stderr: cliProcess.stderr() };
}

async function login(port: number, user: string, password: string): Promise<number> {
  const raw = await ControlClient.connect(port);
  await raw.reply();
  await raw.command(`USER ${user}`);
  const reply = await raw.command(`PASS ${password}`);
  raw.close();
  return reply.code;
}

/** The port in a banner's first URL. */
async function bannerPort(cliProcess: RunningProcess): Promise<number> {
  const url = await cliProcess.waitForLine(/^ {2}ftp:\/\/\S+:\d+\//, 10_000);
  return Number(/:(\d+)\//.exec(url)![1]);
}

describe('ftp-share CLI', () => {
  let dir: string;
  let folder: string;

  before(async () => {
    dir = await makeTempDir('ftp-share-cli-');
    folder = path.join(dir, 'shared');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'hello.txt'), 'hello from the cli\n');
    await fs.writeFile(path.join(dir, 'uploaded.txt'), 'uploaded\n');
  });
  after(() => removeTempDir(dir));

  test('--port 0 --json: the first line is listening; events follow as JSON lines; SIGTERM exits 0', async () => {
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--json', folder]);
    const first = await listening(server);
    assert.equal(first.type, 'listening');
    assert.ok(Number.isInteger(first.port) && first.port > 0);
    assert.deepEqual(first.addresses, ['127.0.0.1']);
    const download = await run('curl', ['-sS', '--max-time', '10', `ftp://127.0.0.1:${first.port}/hello.txt`]);
    assert.equal(download.code, 0, download.stderr);
    assert.equal(download.stdout, 'hello from the cli\n');
    assert.equal(await server.stop('SIGTERM'), 0);
    const events = server.lines.map((l) => JSON.parse(l) as { type: string; [key: string]: unknown });
    const types = events.map((e) => e.type);
    for (const type of ['session-opened', 'login', 'transfer-started', 'transfer-completed', 'session-closed', 'stopped']) {
      assert.ok(types.includes(type), `${type} in ${types.join(',')}`);
    }
    assert.equal(types.at(-1), 'stopped');
    assert.ok(!types.includes('command') && !types.includes('reply'), 'commands and replies only with --verbose');
    const completed = events.find((e) => e.type === 'transfer-completed')!;
    assert.equal(completed.bytes, 19);
    assert.equal(completed.path, '/hello.txt');
  });

  test('SIGINT stops cleanly too, and connected clients get 421', async () => {
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--json', folder]);
    const { port } = await listening(server);
    const raw = await ControlClient.connect(port);
    assert.equal((await raw.reply()).code, 220);
    server.child.kill('SIGINT');
    assert.equal((await raw.reply()).code, 421);
    assert.equal((await server.exited).code, 0);
    raw.close();
  });

  test('anonymous by default; --user/--password require the pair', async () => {
    const anonymous = startCli(['--port', '0', '--host', '127.0.0.1', '--json', folder]);
    const open = await listening(anonymous);
    assert.equal(await login(open.port, 'anonymous', 'x@y'), 230);
    assert.equal(await anonymous.stop(), 0);

    const secured = startCli(['--port', '0', '--host', '127.0.0.1', '--json', '--user', 'alice', '--password', 'wonder land', folder]);
    const { port } = await listening(secured);
    assert.equal(await login(port, 'anonymous', 'x@y'), 530);
    assert.equal(await login(port, 'alice', 'wrong'), 530);
    assert.equal(await login(port, 'alice', 'wonder land'), 230);
    assert.equal(await secured.stop(), 0);
    assert.ok(!secured.lines.join('\n').includes('wonder land'), 'the password is never printed');
  });

  test('FTP_SHARE_PASSWORD sets the password', async () => {
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--json', folder], { FTP_SHARE_PASSWORD: 'from-env' });
    const { port } = await listening(server);
    assert.equal(await login(port, 'anyone', 'nope'), 530);
    assert.equal(await login(port, 'anyone', 'from-env'), 230);
    assert.equal(await server.stop(), 0);
    assert.ok(!server.lines.join('\n').includes('from-env'));
    // An empty variable is the same as none: anonymous.
    const cleared = startCli(['--port', '0', '--host', '127.0.0.1', '--json', folder], { FTP_SHARE_PASSWORD: '' });
    assert.equal(await login((await listening(cleared)).port, 'anyone', 'anything'), 230);
    assert.equal(await cleared.stop(), 0);
    // --password wins over the variable.
    const both = startCli(['--port', '0', '--host', '127.0.0.1', '--json', '--password', 'flag', folder], { FTP_SHARE_PASSWORD: 'from-env' });
    const bothPort = (await listening(both)).port;
    assert.equal(await login(bothPort, 'anyone', 'from-env'), 530);
    assert.equal(await login(bothPort, 'anyone', 'flag'), 230);
    assert.equal(await both.stop(), 0);
  });

  test('--read-only refuses uploads; several folders make a virtual root', async () => {
    const second = path.join(dir, 'second');
    await fs.mkdir(second, { recursive: true });
    await fs.writeFile(path.join(second, 'two.txt'), 'two');
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--json', '--read-only', folder, second]);
    const { port } = await listening(server);
    const list = await run('curl', ['-sS', '--max-time', '10', '-l', `ftp://127.0.0.1:${port}/`]);
    assert.deepEqual(list.stdout.split(/\r?\n/).filter(Boolean).sort(), ['second', 'shared']);
    const two = await run('curl', ['-sS', '--max-time', '10', `ftp://127.0.0.1:${port}/second/two.txt`]);
    assert.equal(two.stdout, 'two');
    const src = path.join(dir, 'upload.txt');
    await fs.writeFile(src, 'upload');
    const upload = await run('curl', ['-sS', '--max-time', '10', '-T', src, `ftp://127.0.0.1:${port}/shared/upload.txt`]);
    assert.notEqual(upload.code, 0);
    await assert.rejects(fs.stat(path.join(folder, 'upload.txt')));
    assert.equal(await server.stop(), 0);
  });

  test('--passive-ports is honoured', async () => {
    const base = await freePortRange(2);
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--json', '--passive-ports', `${base}-${base + 1}`, folder]);
    const { port } = await listening(server);
    const raw = await ControlClient.connect(port);
    await raw.reply();
    await raw.login();
    const { port: dataPort } = await raw.pasv();
    assert.ok(dataPort === base || dataPort === base + 1, `${dataPort}`);
    raw.close();
    assert.equal(await server.stop(), 0);
  });

  test('human-readable output without --json shows where to connect', async () => {
    const server = startCli(['--port', '0', '--host', '127.0.0.1', folder]);
    const first = await server.waitForLine(() => true, 30_000);
    assert.match(first, /^FTP Share is sharing /);
    await sleep(200);
    assert.ok(server.lines.some((l) => /^ {2}ftp:\/\/127\.0\.0\.1:\d+\/$/.test(l)), server.lines.join('\n'));
    assert.equal(await server.stop(), 0);
  });

  test('bad flags, missing or wrong folders, a busy port: one line on stderr, exit code 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    try {
      const cases: Array<{ args: string[]; message: RegExp }> = [
        { args: ['--bogus', folder], message: /^ftp-share: unknown option --bogus \(see ftp-share --help\)$/ },
        { args: ['--port', '-1', folder], message: /^ftp-share: --port must be a number from 0 to 65535, got "-1"$/ },
        { args: ['--port', folder], message: /^ftp-share: --port needs a value \(N\), but ".*shared" looks like a folder$/ },
        { args: ['--ftps', folder], message: /^ftp-share: --ftps needs a value \(explicit\|implicit\), but ".*shared" looks like a folder$/ },
        { args: ['--host', folder], message: /^ftp-share: --host needs a value \(ADDR\), but ".*shared" looks like a folder$/ },
        { args: ['--user', '--password', 'x', folder], message: /^ftp-share: --user needs a value \(NAME\) before --password$/ },
        { args: ['--json=yes', folder], message: /^ftp-share: --json takes no value$/ },
        { args: ['--ui-port', '8080', folder], message: /^ftp-share: --ui-port only applies with --ui$/ },
        { args: ['--writable', '--read-only', folder], message: /^ftp-share: --writable and --read-only contradict each other/ },
        {
          args: ['--user', 'alice', folder],
          message: /^ftp-share: --user alice needs a password: add --password PW, set FTP_SHARE_PASSWORD, or add --generate-password to get a strong one$/,
        },
        { args: ['--port', '0', '--ftps', 'explicit', '--cert-dir', path.join(folder, 'hello.txt'), folder], message: /^ftp-share: --cert-dir .*hello\.txt is a file, not a folder$/ },
        { args: ['--port', 'abc', folder], message: /^ftp-share: --port must be a number/ },
        { args: ['--port', '70000', folder], message: /^ftp-share: --port must be a number/ },
        { args: ['--port', '0'], message: /^ftp-share: no folder to share/ },
        // A folder typed on the command line was never shared: no "was it moved?" guess.
        { args: ['--port', '0', path.join(dir, 'does-not-exist')], message: /^ftp-share: The folder .*does-not-exist doesn't exist$/ },
        { args: ['--port', '0', path.join(folder, 'hello.txt')], message: /^ftp-share: .*hello\.txt is not a folder$/ },
        { args: ['--port', '0', '--ftps', 'sometimes', folder], message: /^ftp-share: --ftps must be/ },
        { args: ['--port', '0', '--passive-ports', '9-1', folder], message: /^ftp-share: --passive-ports must look like/ },
        { args: ['--port', '0', '--cert', 'c.pem', folder], message: /^ftp-share: --cert and --key go together/ },
        { args: ['--port', '0', '--password', '', folder], message: /^ftp-share: the password is empty/ },
        // The app's words, with a free port to use instead.
        {
          args: ['--port', String(busyPort), '--host', '127.0.0.1', folder],
          message: new RegExp(`^ftp-share: Port ${busyPort} is in use\\. Another program \\(or another copy of FTP Share\\) is using port ${busyPort}\\. Use port \\d+ instead, or quit that program\\.$`),
        },
      ];
      // Each case is a separate process: two at a time (more only compete for the CPU).
      const results: Array<Awaited<ReturnType<typeof runCli>>> = [];
      for (let i = 0; i < cases.length; i += 2) results.push(...(await Promise.all(cases.slice(i, i + 2).map(({ args }) => runCli(args)))));
      for (const [i, { args, message }] of cases.entries()) {
        const result = results[i]!;
        assert.equal(result.code, 2, `${args.join(' ')}: exit ${result.code}, stderr ${result.stderr}`);
        const lines = result.stderr.split('\n').filter(Boolean);
        assert.equal(lines.length, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.match(lines[0]!, message);
        assert.equal(result.stdout, '', `${args.join(' ')} printed nothing on stdout`);
      }
    } finally {
      blocker.close();
    }
  });

  test('an unreadable folder: one line, exit code 2', { skip: process.getuid?.() === 0 ? 'root can read any folder' : process.platform === 'win32' }, async () => {
    const locked = path.join(dir, 'locked');
    await fs.mkdir(locked, { recursive: true });
    await fs.chmod(locked, 0o000);
    try {
      const result = await runCli(['--port', '0', locked]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^ftp-share: FTP Share can't read .*locked \(permission denied\)\n$/);
    } finally {
      await fs.chmod(locked, 0o755);
    }
  });

  test('--help prints usage and exits 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: ftp-share /);
  });

  test('--help: every option in one line, with its default where it has one; the README shows the same', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    const optionLines = result.stdout.split('\n').filter((l) => /^ {2}(-h, )?--/.test(l));
    assert.equal(optionLines.length, OPTIONS.length, result.stdout);
    for (const option of OPTIONS) {
      const line = optionLines.find((l) => l.includes(`--${option.name}${option.value ? ` ${option.value}` : ''} `) || l.endsWith(`--${option.name}`));
      assert.ok(line, `--${option.name} in the help`);
      assert.ok(line.includes(option.help), line);
      if (option.default !== undefined) assert.ok(line.includes(`(default: ${option.default})`), line);
    }
    assert.match(result.stdout, /--port N +FTP port, 0 for any free one \(default: 2121\)/);
    assert.match(result.stdout, /--writable +allow uploads, renames and deletes \(default: read-only\)/);
    const readme = await fs.readFile(path.join(repoRoot, 'README.md'), 'utf8');
    // The README's command-line section shows the help as it is, word for word.
    assert.ok(readme.includes(`## The command line\n\n\`\`\`\n${result.stdout}\n\`\`\`\n`), 'README.md shows ftp-share --help verbatim');
  });

  test('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `ftp-share ${version}`);
  });

  test('read-only by default: an upload is refused; --writable allows it', async () => {
    const source = path.join(dir, 'uploaded.txt');
    const readOnly = startCli(['--port', '0', '--host', '127.0.0.1', '--json', folder]);
    const { port } = await listening(readOnly);
    const refused = await run('curl', ['-sS', '--max-time', '10', '-T', source, `ftp://127.0.0.1:${port}/default.txt`]);
    assert.notEqual(refused.code, 0);
    await assert.rejects(fs.stat(path.join(folder, 'default.txt')));
    assert.equal(await readOnly.stop(), 0);

    const writable = startCli(['--port', '0', '--host', '127.0.0.1', '--json', '--writable', folder]);
    const open = await listening(writable);
    const upload = await run('curl', ['-sS', '--max-time', '10', '-T', source, `ftp://127.0.0.1:${open.port}/allowed.txt`]);
    assert.equal(upload.code, 0, upload.stderr);
    assert.equal(await fs.readFile(path.join(folder, 'allowed.txt'), 'utf8'), 'uploaded\n');
    assert.equal(await writable.stop(), 0);
  });

  test('the banner says who can do what in each of the four access configurations', async () => {
    const configurations: Array<{ args: string[]; env?: NodeJS.ProcessEnv; line: string }> = [
      { args: [], line: 'Anyone on your network can download (read-only). Use --user/--password to require a login, --writable to allow uploads.' },
      { args: ['--writable'], line: 'Warning: anyone on your network can download, upload, rename and delete files, without a password. Use --user/--password to require a login.' },
      { args: ['--user', 'alice', '--password', 'pw-one'], line: 'Only user "alice", with the password, can download (read-only). Use --writable to allow uploads.' },
      { args: ['--user', 'alice', '--writable'], env: { FTP_SHARE_PASSWORD: 'pw-two' }, line: 'Only user "alice", with the password, can download, upload, rename and delete files.' },
      { args: ['--password', 'pw-three'], line: 'Anyone with the password (and any user name) can download (read-only). Use --writable to allow uploads.' },
    ];
    for (const { args, env, line } of configurations) {
      const server = startCli(['--port', '0', '--host', '127.0.0.1', ...args, folder], env);
      await server.waitForLine(/^Press Ctrl\+C to stop\.$/, 10_000);
      assert.ok(server.lines.includes(line), `${args.join(' ')}:\n${server.lines.join('\n')}`);
      assert.equal(server.lines[0], `FTP Share is sharing ${folder}${args.includes('--writable') ? '' : ' (read-only)'}`);
      assert.ok(!server.lines.join('\n').includes('pw-'), 'no password is printed');
      assert.equal(await server.stop(), 0);
    }
  });

  test('--generate-password prints a strong password once, and it is the one that logs in', async () => {
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--user', 'bob', '--generate-password', folder]);
    const shown = await server.waitForLine(/^Password: /, 10_000);
    const password = /^Password: ([a-z0-9]{20}) \(generated/.exec(shown)?.[1];
    assert.ok(password, shown);
    const port = await bannerPort(server);
    assert.ok(server.lines.includes(`  ftp://bob@127.0.0.1:${port}/`), server.lines.join('\n'));
    assert.equal(await login(port, 'bob', 'guess'), 530);
    assert.equal(await login(port, 'bob', password), 230);
    assert.equal(await server.stop(), 0);

    const json = startCli(['--port', '0', '--host', '127.0.0.1', '--json', '--generate-password', folder]);
    const first = JSON.parse(await json.waitForLine(() => true, 30_000)) as { port: number; password?: string; access: { password: boolean; writable: boolean } };
    assert.match(first.password ?? '', /^[a-z0-9]{20}$/);
    assert.deepEqual(first.access, { password: true, writable: false });
    assert.equal(await login(first.port, 'anyone', first.password!), 230);
    assert.equal(await json.stop(), 0);
    assert.equal(json.lines.filter((l) => l.includes(first.password!)).length, 1, 'only the listening line carries it');
  });

  test('on every address the banner lists them ranked and labelled, as the window does', async () => {
    const server = startCli(['--port', '0', folder]);
    await server.waitForLine(/^Press Ctrl\+C to stop\.$/, 10_000);
    const urls = server.lines.filter((l) => /^ {2}ftps?:\/\//.test(l));
    assert.ok(urls.length >= 1, server.lines.join('\n'));
    for (const line of urls) assert.match(line, /^ {2}ftp:\/\/\S+\/ +(Local network|This computer only|Link-local|Virtual adapter|VPN|Public address): \S/);
    assert.ok(urls.some((l) => /ftp:\/\/127\.0\.0\.1:\d+\/ +This computer only: /.test(l)), urls.join('\n'));
    // Loopback comes after every address another device could use.
    const loopback = urls.findIndex((l) => l.includes('This computer only'));
    assert.ok(urls.slice(loopback).every((l) => l.includes('This computer only')), urls.join('\n'));
    assert.equal(await server.stop(), 0);
  });

  test('a client killed mid-upload: the CLI says the upload failed, and the original stays', async () => {
    const original = Buffer.alloc(100_000, 5);
    await fs.writeFile(path.join(folder, 'kept.bin'), original);
    const source = path.join(dir, 'big-upload.bin');
    await fs.writeFile(source, Buffer.alloc(8 * 1024 * 1024, 1));
    const server = startCli(['--port', '0', '--host', '127.0.0.1', '--writable', folder]);
    const port = await bannerPort(server);
    const curl = startProcess('curl', ['-sS', '--limit-rate', '1M', '-T', source, `ftp://127.0.0.1:${port}/kept.bin`]);
    // Bytes are flowing once the temp file beside the target has grown (killed after 15 s at the latest).
    const tempSize = async () => {
      const names = (await fs.readdir(folder)).filter((n) => n.endsWith('.part'));
      return names.length === 1 ? (await fs.stat(path.join(folder, names[0]!))).size : 0;
    };
    await waitFor(async () => (await tempSize()) >= 256 * 1024, 'upload bytes to flow', 15_000).catch(() => undefined);
    await curl.stop('SIGKILL');
    await server.waitForLine(/s\d+ warning: Upload of \/kept\.bin failed: client disconnected during upload/, 10_000);
    assert.ok(!server.lines.some((l) => /Received \/kept\.bin/.test(l)), server.lines.join('\n'));
    assert.deepEqual(await fs.readFile(path.join(folder, 'kept.bin')), original);
    assert.deepEqual((await fs.readdir(folder)).filter((n) => n.endsWith('.part')), []);
    assert.equal(await server.stop(), 0);
    await fs.rm(path.join(folder, 'kept.bin'));
  });

  test('the log says every change to the files, and every refusal, with session and address; commands only with --debug', async () => {
    const source = path.join(dir, 'uploaded.txt');
    const writable = startCli(['--port', '0', '--host', '127.0.0.1', '--writable', folder]);
    const port = await bannerPort(writable);
    const raw = await ControlClient.connect(port);
    await raw.reply();
    await raw.login();
    assert.equal((await raw.command('MKD made')).code, 257);
    assert.equal((await raw.command('RNFR made')).code, 350);
    assert.equal((await raw.command('RNTO renamed')).code, 250);
    assert.equal((await raw.command('RMD renamed')).code, 250);
    raw.close();
    const upload = await run('curl', ['-sS', '--max-time', '10', '-T', source, `ftp://127.0.0.1:${port}/logged.txt`]);
    assert.equal(upload.code, 0, upload.stderr);
    const del = await run('curl', ['-sS', '--max-time', '10', '-Q', '-DELE logged.txt', `ftp://127.0.0.1:${port}/`]);
    assert.equal(del.code, 0, del.stderr);
    const stamp = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
    await writable.waitForLine(new RegExp(`^${stamp} s\\d+ Deleted /logged\\.txt \\(from 127\\.0\\.0\\.1\\)$`), 10_000);
    for (const text of [
      'Connection from 127\\.0\\.0\\.1',
      'Logged in as anonymous',
      'Made the folder /made \\(from 127\\.0\\.0\\.1\\)',
      'Renamed /made to /renamed \\(from 127\\.0\\.0\\.1\\)',
      'Removed the folder /renamed \\(from 127\\.0\\.0\\.1\\)',
      'Received /logged\\.txt from 127\\.0\\.0\\.1 \\(9 bytes in [\\d.]+ s\\)',
    ]) {
      assert.ok(writable.lines.some((l) => new RegExp(`^${stamp} s\\d+ ${text}$`).test(l)), `${text} in:\n${writable.lines.join('\n')}`);
    }
    assert.ok(!writable.lines.some((l) => /MKD|RNFR|STOR/.test(l)), 'no raw commands without --debug');
    assert.equal(await writable.stop(), 0);

    const guarded = startCli(['--port', '0', '--host', '127.0.0.1', '--debug', '--user', 'alice', '--password', 'open-sesame-9', folder]);
    const guardedPort = await bannerPort(guarded);
    assert.equal(await login(guardedPort, 'mallory', 'wrong-guess-5'), 530);
    assert.equal(await login(guardedPort, 'open-sesame-9', 'x'), 530);
    const session = await ControlClient.connect(guardedPort);
    await session.reply();
    await session.login('alice', 'open-sesame-9');
    assert.equal((await session.command('DELE hello.txt')).code, 550);
    session.close();
    await guarded.waitForLine(/s\d+ warning: Refused to delete \/hello\.txt \(from 127\.0\.0\.1\): the share is read-only$/, 10_000);
    await guarded.waitForLine(/s\d+ warning: Login failed for user "mallory" from 127\.0\.0\.1$/, 10_000);
    await guarded.waitForLine(/s\d+ warning: Login failed for user "\*\*\*" from 127\.0\.0\.1$/, 10_000);
    await guarded.waitForLine(/s\d+ PASS \*\*\*$/, 10_000);
    await guarded.waitForLine(/s\d+ DELE hello\.txt$/, 10_000);
    const printed = guarded.lines.join('\n');
    assert.ok(!printed.includes('open-sesame-9') && !printed.includes('wrong-guess-5'), 'no password in the log');
    assert.equal(await guarded.stop(), 0);
  });
});
