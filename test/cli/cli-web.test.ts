/**
 * The CLI's web page (core/cli/share-command.ts): on by default; the banner leads with its address
 * and draws its QR code, which carries the sign-in token only when there is an account; `--json`'s
 * `listening` has webPort, webUrls and (with an account) signInUrl, which signs a browser in;
 * `--no-web`, `--web-port`, `--verbose` (commands and replies only then), the connection limits;
 * `--ui` saves --web-port/--no-web as settings; and the built CLI (dist/) serves the page's assets.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import QRCode from 'qrcode';
import { cliCommand, repoRoot, startProcess, type RunningProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor, sleep } from '../helpers/wait.js';
import { connectAndLogin, connectOnly } from '../helpers/ftp-flows.js';
import { browserHeaders, cookieOf, request } from '../http/web-fixture.js';

/** The CLI from source on 127.0.0.1; stopped after the test. */
function cli(t: TestContext, args: string[], command: [string, string[]] = cliCommand(args)): RunningProcess {
  const running = startProcess(command[0], command[1], { cwd: repoRoot, env: { ...process.env, FTP_SHARE_NO_MDNS: '1' } });
  t.after(() => running.stop());
  return running;
}

async function folder(t: TestContext): Promise<string> {
  const dir = await tempDir(t, 'ftp-share-cli-web-');
  await writeFile(path.join(dir, 'a.txt'), 'hello');
  return dir;
}

interface Listening {
  port: number;
  webPort?: number;
  webUrls?: { url: string }[];
  signInUrl?: string;
}

async function listening(running: RunningProcess): Promise<Listening> {
  return JSON.parse(await running.waitForLine((l) => l.includes('"type":"listening"'), 15_000)) as Listening;
}

/** The QR code as the CLI draws it, line by line. */
async function drawn(url: string): Promise<string[]> {
  return (await QRCode.toString(url, { type: 'terminal', small: true })).replace(/\n+$/, '').split('\n');
}

describe('the CLI serves the web page', () => {
  test('the banner leads with the web address and its QR code (the plain address when anonymous); then the ftp:// addresses', async (t) => {
    const dir = await folder(t);
    const running = cli(t, ['--port', '0', '--host', '127.0.0.1', dir]);
    await running.waitForLine(/^Press Ctrl\+C to stop\.$/, 15_000);
    const lines = running.lines;
    const webLine = lines.findIndex((l) => l.startsWith('On a phone or in a browser: '));
    const ftpLine = lines.findIndex((l) => /^ {2}ftp:\/\//.test(l));
    assert.ok(webLine >= 1 && webLine < ftpLine, lines.join('\n'));
    const url = /^On a phone or in a browser: (http:\/\/127\.0\.0\.1:(\d+)\/)$/.exec(lines[webLine]!);
    assert.ok(url, lines[webLine]);
    const qr = await drawn(url[1]!);
    assert.deepEqual(lines.slice(webLine + 1, webLine + 1 + qr.length), qr, 'the QR code of the plain address follows');
    assert.equal(lines[webLine + 1 + qr.length], 'Scan the code to open the page.');
    const page = await request(Number(url[2]), '/', { headers: browserHeaders(Number(url[2])) });
    assert.equal(page.status, 200);
    assert.match(page.text, /a\.txt/);
  });

  test('with an account the QR code carries the sign-in token, which --json gives as signInUrl and which signs a browser in', async (t) => {
    const dir = await folder(t);
    const banner = cli(t, ['--port', '0', '--host', '127.0.0.1', '--user', 'ann', '--password', 'pw-of-ann', dir]);
    await banner.waitForLine(/^Press Ctrl\+C to stop\.$/, 15_000);
    const webLine = banner.lines.findIndex((l) => l.startsWith('On a phone or in a browser: '));
    const plain = banner.lines[webLine]!.slice('On a phone or in a browser: '.length);
    assert.doesNotMatch(plain, /token/, 'the printed address carries no token');
    const plainQr = await drawn(plain);
    assert.notDeepEqual(banner.lines.slice(webLine + 1, webLine + 1 + plainQr.length), plainQr, 'the QR code is not the plain address');
    assert.ok(banner.lines.includes('Scan the code to open the page signed in: anyone who scans it can get in.'));

    const json = cli(t, ['--port', '0', '--host', '127.0.0.1', '--user', 'ann', '--password', 'pw-of-ann', '--json', dir]);
    const info = await listening(json);
    assert.ok(info.webPort && info.webPort !== info.port);
    assert.equal(info.webUrls?.[0]?.url, `http://127.0.0.1:${info.webPort}/`);
    assert.match(info.signInUrl ?? '', new RegExp(`^http://127\\.0\\.0\\.1:${info.webPort}/\\?token=[\\w-]{20,}$`));
    const scanned = await request(info.webPort, new URL(info.signInUrl!).search ? `/${new URL(info.signInUrl!).search}` : '/', { headers: browserHeaders(info.webPort) });
    assert.equal(scanned.status, 303);
    assert.ok(cookieOf(scanned), 'the QR code signs the browser in');
  });

  test('--json: webPort and webUrls, no signInUrl when anonymous; --no-web: none; --web-port N is used', async (t) => {
    const dir = await folder(t);
    const anonymous = await listening(cli(t, ['--port', '0', '--host', '127.0.0.1', '--json', dir]));
    assert.equal(typeof anonymous.webPort, 'number');
    assert.equal(anonymous.signInUrl, undefined);

    const off = cli(t, ['--port', '0', '--host', '127.0.0.1', '--no-web', dir]);
    await off.waitForLine(/^Press Ctrl\+C to stop\.$/, 15_000);
    assert.ok(!off.lines.some((l) => l.includes('http://')), off.lines.join('\n'));
    const offJson = await listening(cli(t, ['--port', '0', '--host', '127.0.0.1', '--no-web', '--json', dir]));
    assert.equal(offJson.webPort, undefined);
    assert.equal(offJson.webUrls, undefined);

    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const chosen = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const fixed = await listening(cli(t, ['--port', '0', '--web-port', String(chosen), '--host', '127.0.0.1', '--json', dir]));
    assert.equal(fixed.webPort, chosen);
    const free = await listening(cli(t, ['--port', '0', '--web-port', '0', '--host', '127.0.0.1', '--json', dir]));
    assert.ok(free.webPort! > 0);
  });

  test('a busy --web-port stops the CLI with the fix; --web-port with --no-web is refused', async (t) => {
    const dir = await folder(t);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((r) => blocker.close(r)));
    const busy = (blocker.address() as net.AddressInfo).port;
    const failed = cli(t, ['--port', '0', '--web-port', String(busy), '--host', '127.0.0.1', dir]);
    assert.equal((await failed.exited).code, 2);
    assert.match(failed.stderr(), new RegExp(`^ftp-share: Port ${busy} \\(the web page's\\) is in use\\. .*the web page's port\\. Use port \\d+ for the web page instead`));
    const both = cli(t, ['--no-web', '--web-port', '8081', dir]);
    assert.equal((await both.exited).code, 2);
    assert.match(both.stderr(), /--web-port and --no-web contradict each other/);
  });

  test('--json prints commands and replies only with --verbose', async (t) => {
    const dir = await folder(t);
    for (const verbose of [false, true]) {
      const running = cli(t, ['--port', '0', '--host', '127.0.0.1', '--json', ...(verbose ? ['--verbose'] : []), dir]);
      const info = await listening(running);
      const client = await connectAndLogin(info.port);
      await client.command('PWD');
      client.close();
      await running.waitForLine((l) => l.includes('"type":"login"'), 10_000);
      await waitFor(() => running.lines.some((l) => l.includes('"type":"session-closed"')), 'the session to close');
      const commands = running.lines.filter((l) => l.includes('"type":"command"') || l.includes('"type":"reply"'));
      if (verbose) assert.ok(commands.some((l) => l.includes('"command":"PWD"')), running.lines.join('\n'));
      else assert.deepEqual(commands, []);
    }
  });

  test('--max-connections-per-address applies to FTP and to the web page', async (t) => {
    const dir = await folder(t);
    const running = cli(t, ['--port', '0', '--host', '127.0.0.1', '--json', '--max-connections-per-address', '1', '--max-connections', '50', dir]);
    const info = await listening(running);
    const first = await connectOnly(info.port);
    t.after(() => first.close());
    await running.waitForLine((l) => l.includes('"type":"session-opened"'), 10_000);
    const second = net.connect(info.port, '127.0.0.1');
    second.on('error', () => undefined);
    await running.waitForLine((l) => l.includes('"type":"connection-refused"') && l.includes('"limit":1'), 10_000);
    second.destroy();
    const held = net.connect(info.webPort!, '127.0.0.1');
    held.on('error', () => undefined);
    t.after(() => held.destroy());
    await new Promise((resolve) => held.once('connect', resolve));
    await sleep(50);
    await assert.rejects(request(info.webPort!, '/'), 'a second web connection from the address is closed');
  });

  test('--ui saves the connection limits as the window\'s settings, where a device can\'t have more than the total; over 10,000 is refused', async (t) => {
    const dir = await folder(t);
    const configDir = path.join(dir, 'config');
    const saved = async (): Promise<unknown> => {
      try {
        const { maxConnections, maxConnectionsPerAddress } = JSON.parse(await readFile(path.join(configDir, 'settings.json'), 'utf8')) as Record<string, unknown>;
        return { maxConnections, maxConnectionsPerAddress };
      } catch {
        return undefined;
      }
    };
    const running = cli(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, '--max-connections', '1000', '--max-connections-per-address', '600', dir]);
    const want = { maxConnections: 1000, maxConnectionsPerAddress: 600 };
    await waitFor(async () => JSON.stringify(await saved()) === JSON.stringify(want), 'the limits saved', 15_000).catch(async () => {
      assert.deepEqual(await saved(), want);
    });
    await running.stop();
    const above = cli(t, ['--ui', '--no-open', '--json', '--config-dir', configDir, '--max-connections', '500']);
    assert.equal((await above.exited).code, 2);
    assert.equal(above.stderr(), "ftp-share: --max-connections-per-address: Connection limit per device can't be more than the connection limit (500)\n");
    const typo = cli(t, ['--port', '0', '--max-connections', '10001', dir]);
    assert.equal((await typo.exited).code, 2);
    assert.equal(typo.stderr(), 'ftp-share: --max-connections must be a number from 1 to 10000, got "10001"\n');
  });

  test('--ui saves --web-port and --no-web as the window\'s settings; --web-port 0 is refused there', async (t) => {
    const dir = await folder(t);
    const configDir = path.join(dir, 'config');
    const settingsFile = path.join(configDir, 'settings.json');
    const web = async (): Promise<{ enabled: boolean; port: number } | undefined> => {
      try {
        return (JSON.parse(await readFile(settingsFile, 'utf8')) as { web?: { enabled: boolean; port: number } }).web;
      } catch {
        return undefined;
      }
    };
    const first = cli(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, '--web-port', '9099', dir]);
    await waitFor(async () => (await web())?.port === 9099, 'web.port saved', 15_000);
    assert.equal((await web())?.enabled, true);
    await first.stop();
    const second = cli(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, '--no-web']);
    await waitFor(async () => (await web())?.enabled === false, 'web.enabled saved off', 15_000);
    assert.equal((await web())?.port, 9099);
    await second.stop();
    const bad = cli(t, ['--ui', '--no-open', '--json', '--config-dir', configDir, '--web-port', '0']);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /^ftp-share: --web-port: /);
  });

  const built = path.join(repoRoot, 'dist', 'core', 'cli.js');
  const isBuilt = existsSync(built);
  test('the built CLI (node dist/core/cli.js) serves the page and its assets', { skip: isBuilt ? false : 'run npm run build:core first' }, async (t) => {
    const dir = await folder(t);
    await mkdir(path.join(dir, 'sub'));
    const running = cli(t, [], [process.execPath, [built, '--port', '0', '--host', '127.0.0.1', '--json', dir]]);
    const info = await listening(running);
    const css = await request(info.webPort!, '/?asset=page.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.ok(css.body.length > 100);
    const script = await request(info.webPort!, '/?asset=page.js');
    assert.equal(script.status, 200);
    assert.equal((await request(info.webPort!, '/', { headers: browserHeaders(info.webPort!) })).status, 200);
  });
});
