/**
 * `ftp-share --accounts FILE`: the file's format (folders by index or path), its checks with the
 * entry and field named, the one-line warning about a file others may read, the banner line, and
 * a real CLI process whose owner and guest sign in with their own rights.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readAccountsFile } from '../../core/cli/accounts-file.js';
import { accessLine } from '../../core/cli/banner.js';
import { UsageError, parseCommandLine, shareFlags } from '../../core/cli/options.js';
import { cliCommand, repoRoot, run, startProcess } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { connectAndLogin, downloadOk, listingLines } from '../helpers/ftp-flows.js';

describe('--accounts FILE', () => {
  let dir: string;
  let photos: string;
  let music: string;

  before(async () => {
    dir = await makeTempDir('ftp-share-accounts-file-');
    photos = path.join(dir, 'Photos');
    music = path.join(dir, 'Music');
    await fs.mkdir(photos);
    await fs.mkdir(music);
    await fs.writeFile(path.join(photos, 'beach.jpg'), 'photo\n');
    await fs.writeFile(path.join(music, 'song.mp3'), 'song\n');
  });
  after(() => removeTempDir(dir));

  /** Writes `content` (JSON unless a string) as an accounts file with `mode`; returns its path. */
  async function accountsFile(content: unknown, mode = 0o600, name = 'accounts.json'): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    await fs.chmod(file, mode);
    return file;
  }

  test('folders by index or path; readOnly; absent folders mean all; mode 0600 gives no warning', async () => {
    const file = await accountsFile([
      { user: 'me', password: 'Me-pass-1' },
      { user: 'guest', password: 'Guest-pass-2', readOnly: true, folders: [1] },
      { user: 'kid', password: 'Kid-pass-3', folders: [path.relative(process.cwd(), photos), music, 0] },
    ]);
    const read = await readAccountsFile(file, [photos, music], 'linux');
    assert.equal(read.warning, undefined);
    assert.deepEqual(read.accounts, [
      { username: 'me', password: 'Me-pass-1' },
      { username: 'guest', password: 'Guest-pass-2', readOnly: true, folders: [music] },
      { username: 'kid', password: 'Kid-pass-3', folders: [photos, music] },
    ]);
  });

  test('a file other users may read is warned about in one line, and still used; not on Windows', async () => {
    const file = await accountsFile([{ user: 'me', password: 'Me-pass-1' }], 0o644, 'loose.json');
    const read = await readAccountsFile(file, [photos], 'linux');
    assert.equal(read.warning, `${file} holds passwords but other users may read it (mode 644): run chmod 600 ${file}`);
    assert.ok(!read.warning.includes('\n'));
    assert.equal(read.accounts.length, 1);
    assert.equal((await readAccountsFile(file, [photos], 'win32')).warning, undefined);
  });

  test('every mistake is one line naming the entry and the field, never quoting a password', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /: not valid JSON$/],
      [{ user: 'me', password: 'x' }, /must be a JSON list of accounts/],
      [[], /must be a JSON list of accounts/],
      [['me'], /accounts\[0\] must be an object/],
      [[{ username: 'me', password: 'x' }], /accounts\[0\] has an unknown key "username" \(use user, password, readOnly, folders\)/],
      [[{ user: 'me', password: 'Secret-1' }, { user: 'ME', password: 'Secret-2' }], /accounts\[1\]\.user: Another account has this user name$/],
      [[{ user: 'me', password: '' }], /accounts\[0\]\.password: Password can't be empty$/],
      [[{ user: 'me', password: 'Secret-1', folders: [2] }], /accounts\[0\]\.folders\[0\]: no FOLDER 2 \(give 0 to 1, or a path\)$/],
      [[{ user: 'me', password: 'Secret-1', folders: ['/nowhere/else'] }], /accounts\[0\]\.folders\[0\]: Not a shared folder: \/nowhere\/else$/],
      [[{ user: 'me', password: 'Secret-1', readOnly: 'yes' }], /accounts\[0\]\.readOnly: Read-only must be true or false$/],
    ];
    for (const [content, expected] of cases) {
      const file = await accountsFile(content);
      await assert.rejects(readAccountsFile(file, [photos, music], 'linux'), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.ok(err.message.startsWith(`--accounts ${file}: `), err.message);
        assert.match(err.message, expected);
        assert.ok(!/Secret-/.test(err.message), err.message);
        return true;
      });
    }
    await assert.rejects(readAccountsFile(path.join(dir, 'missing.json'), [photos]), /: no such file$/);
  });

  test('--accounts contradicts --user, --password and --generate-password, and does not apply with --ui', async () => {
    for (const extra of [['--user', 'me', '--password', 'x'], ['--password', 'x'], ['--generate-password']]) {
      await assert.rejects(shareFlags(parseCommandLine(['--accounts', 'a.json', ...extra, 'dir']), () => 'generated'), /--accounts and --user\/--password\/--generate-password contradict each other/);
    }
    const flags = await shareFlags(parseCommandLine(['--accounts', 'a.json', 'dir']), () => 'generated', { FTP_SHARE_PASSWORD: 'from-env' });
    assert.equal(flags.accountsFile, 'a.json');
    assert.equal(flags.password, undefined, "FTP_SHARE_PASSWORD is --password's, not the accounts'");
    assert.throws(() => parseCommandLine(['--ui', '--accounts', 'a.json']), /--accounts doesn't apply with --ui \(add accounts in the window's Access card\)/);
  });

  test('the banner says what each account can do', () => {
    const accounts = [{ user: 'me', readOnly: false }, { user: 'guest', readOnly: true, folders: 1 }];
    assert.equal(
      accessLine({ password: true, writable: true, accounts }),
      'Only these accounts, each with its password: "me" can download, upload, rename and delete files; "guest" can download (read-only) in 1 folder.',
    );
    assert.equal(
      accessLine({ password: true, writable: false, accounts }),
      'Only these accounts, each with its password: "me" can download (read-only); "guest" can download (read-only) in 1 folder. Use --writable to allow uploads.',
    );
  });

  test('the CLI shares with the accounts: the guest sees its folder only and cannot write; the owner can', { timeout: 60_000 }, async () => {
    const file = await accountsFile(
      [
        { user: 'me', password: 'Me-pass-cli-1' },
        { user: 'guest', password: 'Guest-pass-cli-2', readOnly: true, folders: [1] },
      ],
      0o640,
      'cli.json',
    );
    const [command, args] = cliCommand(['--json', '--writable', '--port', '0', '--host', '127.0.0.1', '--accounts', file, photos, music]);
    const env = { ...process.env };
    delete env.FTP_SHARE_PASSWORD;
    const cli = startProcess(command, args, { cwd: repoRoot, env, killAfterMs: 50_000 });
    try {
      const first = JSON.parse(await cli.waitForLine(() => true, 30_000)) as { type: string; port: number; access: unknown; urls: { url: string }[] };
      assert.equal(first.type, 'listening');
      assert.deepEqual(first.access, { password: true, writable: true, accounts: [{ user: 'me', readOnly: false }, { user: 'guest', readOnly: true, folders: 1 }] });
      assert.ok(first.urls.every((u) => !u.url.includes('@')), 'no user name in the URLs when there are several accounts');
      assert.equal(cli.stderr(), `ftp-share: warning: ${file} holds passwords but other users may read it (mode 640): run chmod 600 ${file}\n`);

      const guest = await connectAndLogin(first.port, 'guest', 'Guest-pass-cli-2');
      const owner = await connectAndLogin(first.port, 'me', 'Me-pass-cli-1');
      try {
        const names = (data: Buffer) => listingLines(data).map((l) => l.slice(l.indexOf(' ') + 1)).sort();
        assert.deepEqual(names(await downloadOk(guest, 'MLSD /')), ['Music']);
        assert.deepEqual(names(await downloadOk(owner, 'MLSD /')), ['Music', 'Photos']);
        assert.equal((await guest.command('MKD /Music/new')).code, 550);
        assert.equal((await owner.command('MKD /Music/new')).code, 257);
      } finally {
        guest.close();
        owner.close();
      }
      assert.equal(await cli.stop(), 0);
      // Nothing it printed holds a password.
      const printed = cli.lines.join('\n') + cli.stderr();
      assert.ok(!printed.includes('Me-pass-cli-1') && !printed.includes('Guest-pass-cli-2'));
    } finally {
      await cli.stop('SIGKILL');
    }
    // A bad file is a usage error: exit code 2, one line.
    const bad = await accountsFile([{ user: 'me', password: '' }], 0o600, 'bad.json');
    const [badCommand, badArgs] = cliCommand(['--accounts', bad, photos]);
    const result = await run(badCommand, badArgs, { cwd: repoRoot });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `ftp-share: --accounts ${bad}: accounts[0].password: Password can't be empty\n`);
  });
});
