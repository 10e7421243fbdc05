/**
 * The CLI's bandwidth caps: `--max-download`/`--max-upload` in MB/s cap a real download, the
 * banner and `--json`'s `listening` say them, a bad value is refused with a line that says what
 * to type, and `--ui` saves them as the window's settings.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliCommand, repoRoot, startProcess, type RunningProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { connectAndLogin, downloadOk } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';

function cli(t: TestContext, args: string[]): RunningProcess {
  const [command, argv] = cliCommand(args);
  const running = startProcess(command, argv, { cwd: repoRoot, env: { ...process.env, FTP_SHARE_NO_MDNS: '1' } });
  t.after(() => running.stop());
  return running;
}

const SIZE = 3_000_000;

async function folder(t: TestContext): Promise<string> {
  const dir = await tempDir(t, 'ftp-share-cli-bw-');
  await writeFile(path.join(dir, 'three-mb.bin'), pseudoRandomBytes(SIZE, 3));
  return dir;
}

describe('the CLI caps bandwidth', () => {
  test('--max-download caps a download; --json says the caps', { timeout: 30_000 }, async (t) => {
    const dir = await folder(t);
    const running = cli(t, ['--port', '0', '--host', '127.0.0.1', '--json', '--max-download', '1.5', '--max-upload', '0.5', dir]);
    const info = JSON.parse(await running.waitForLine((l) => l.includes('"type":"listening"'), 15_000)) as { port: number; bandwidth?: unknown };
    assert.deepEqual(info.bandwidth, { downloadMBps: 1.5, uploadMBps: 0.5 });
    const client = await connectAndLogin(info.port);
    t.after(() => client.close());
    await client.command('TYPE I');
    const begun = performance.now();
    const data = await downloadOk(client, 'RETR three-mb.bin');
    const seconds = (performance.now() - begun) / 1000;
    assert.equal(data.length, SIZE);
    // 3 MB at 1.5 MB/s: 2 s, less the 0.1 s burst the limiter allows.
    assert.ok(seconds > 1.7 && seconds < 4, `3 MB took ${seconds.toFixed(2)} s`);
  });

  test('the banner says the caps; without them it says nothing about bandwidth', { timeout: 30_000 }, async (t) => {
    const dir = await folder(t);
    const capped = cli(t, ['--port', '0', '--no-web', '--host', '127.0.0.1', '--max-upload', '2', dir]);
    await capped.waitForLine(/^Press Ctrl\+C to stop\.$/, 15_000);
    assert.ok(capped.lines.includes('Bandwidth: downloads unlimited, uploads up to 2 MB/s (everyone on FTP and the web page together)'), capped.lines.join('\n'));
    await capped.stop();
    const free = cli(t, ['--port', '0', '--no-web', '--host', '127.0.0.1', dir]);
    await free.waitForLine(/^Press Ctrl\+C to stop\.$/, 15_000);
    assert.ok(!free.lines.some((l) => l.startsWith('Bandwidth')), free.lines.join('\n'));
  });

  test('a cap that is not a number of MB/s is refused', { timeout: 15_000 }, async (t) => {
    for (const value of ['fast', '-1', '10001', '1e3']) {
      const bad = cli(t, ['--port', '0', '--max-download', value, '/tmp']);
      assert.equal((await bad.exited).code, 2, value);
      assert.match(bad.stderr(), new RegExp(`^ftp-share: --max-download must be a number of MB/s from 0 \\(unlimited\\) to 10000, got "${value}"`), value);
    }
  });

  test('--ui saves the caps as the window\'s settings', { timeout: 30_000 }, async (t) => {
    const dir = await folder(t);
    const configDir = path.join(dir, 'config');
    const saved = async (): Promise<unknown> => {
      try {
        return (JSON.parse(await readFile(path.join(configDir, 'settings.json'), 'utf8')) as { bandwidth?: unknown }).bandwidth;
      } catch {
        return undefined;
      }
    };
    const running = cli(t, ['--ui', '--no-open', '--ui-port', '0', '--json', '--config-dir', configDir, '--max-download', '5', '--max-upload', '1', dir]);
    // The folder is saved first, then the command line's settings.
    const want = { downloadMBps: 5, uploadMBps: 1, perDeviceMBps: 0 };
    await waitFor(async () => JSON.stringify(await saved()) === JSON.stringify(want), 'the caps saved', 15_000).catch(async () => {
      assert.deepEqual(await saved(), want);
    });
    await running.stop();
  });
});
