/**
 * Real command-line clients end to end: curl (list, download, upload, --ftp-create-dirs, -Q quote
 * commands, EPSV and PASV, -C - resume both ways, Unicode and spaces), lftp (ls, get, put,
 * mirror both ways) and rclone (copy both ways, check, moveto, purge). Every transferred file is
 * compared by SHA-256.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { run } from '../helpers/processes.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

describe('curl', () => {
  let f: ServerFixture;
  let local: string;
  let url: string;
  const payload = pseudoRandomBytes(2 * 1024 * 1024 + 3, 81);

  before(async () => {
    f = await startServer({
      files: {
        'payload.bin': payload,
        'naïve файл 😀.txt': 'unicode content\n',
        'with space.txt': 'space content\n',
        'sub/inner.txt': 'inner\n',
      },
    });
    local = await makeTempDir('ftp-share-curl-');
    url = `ftp://127.0.0.1:${f.port}`;
  });
  after(async () => {
    await f.close();
    await removeTempDir(local);
  });

  const curl = async (...args: string[]) => {
    const result = await run('curl', ['-sS', '--max-time', '30', ...args]);
    assert.equal(result.code, 0, `curl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const commandsSince = (from: number) => f.events.slice(from).flatMap((e) => (e.type === 'command' ? [e.command] : []));

  test('list a directory (LIST) and names only (NLST)', async () => {
    const list = await curl(`${url}/`);
    assert.match(list, /^-rw-r--r-- +1 ftp +ftp +2097155 .* payload\.bin\r?$/m);
    assert.match(list, /^d[-rwx]{9} .* sub\r?$/m);
    assert.match(list, / naïve файл 😀\.txt\r?$/m);
    assert.match(list, / with space\.txt\r?$/m);
    const names = (await curl('-l', `${url}/sub/`)).split(/\r?\n/).filter(Boolean);
    assert.deepEqual(names, ['inner.txt']);
  });

  test('download with EPSV (default) and with PASV (--disable-epsv)', async () => {
    for (const flags of [['--ftp-pasv'], ['--ftp-pasv', '--disable-epsv']]) {
      const from = f.events.length;
      const out = path.join(local, 'payload.bin');
      await curl(...flags, '-o', out, `${url}/payload.bin`);
      assert.equal(await fileSha256(out), sha256(payload));
      const used = commandsSince(from);
      assert.ok(used.includes(flags.includes('--disable-epsv') ? 'PASV' : 'EPSV'), used.join(' '));
      assert.ok(used.includes('TYPE'));
    }
  });

  test('Unicode and space-containing names, both ways', async () => {
    const out = path.join(local, 'u.txt');
    await curl('-o', out, `${url}/na%C3%AFve%20%D1%84%D0%B0%D0%B9%D0%BB%20%F0%9F%98%80.txt`);
    assert.equal(await fs.readFile(out, 'utf8'), 'unicode content\n');
    await curl('-o', out, `${url}/with%20space.txt`);
    assert.equal(await fs.readFile(out, 'utf8'), 'space content\n');
    const src = path.join(local, 'src.bin');
    await fs.writeFile(src, pseudoRandomBytes(70_000, 82));
    await curl('-T', src, `${url}/%C3%A9t%C3%A9%20%E6%97%A5%E6%9C%AC.bin`);
    assert.equal(await fileSha256(path.join(f.root, 'été 日本.bin')), await fileSha256(src));
  });

  test('upload, --ftp-create-dirs, and resume with -C - (download and upload)', async () => {
    const src = path.join(local, 'upload.bin');
    const data = pseudoRandomBytes(1024 * 1024 + 99, 83);
    await fs.writeFile(src, data);
    await curl('-T', src, `${url}/uploaded.bin`);
    assert.equal(await fileSha256(path.join(f.root, 'uploaded.bin')), sha256(data));
    await curl('--ftp-create-dirs', '-T', src, `${url}/new/deep/dir/placed.bin`);
    assert.equal(await fileSha256(path.join(f.root, 'new/deep/dir/placed.bin')), sha256(data));

    // Download resume: the local file holds the first part; curl sends REST.
    const partial = path.join(local, 'partial.bin');
    await fs.writeFile(partial, payload.subarray(0, 700_001));
    let from = f.events.length;
    await curl('-C', '-', '-o', partial, `${url}/payload.bin`);
    assert.equal(await fileSha256(partial), sha256(payload));
    assert.ok(commandsSince(from).includes('REST'));

    // Upload resume: the server holds the first part; curl asks SIZE and appends the rest.
    await fs.writeFile(path.join(f.root, 'resume-up.bin'), data.subarray(0, 300_000));
    from = f.events.length;
    await curl('-C', '-', '-T', src, `${url}/resume-up.bin`);
    assert.equal(await fileSha256(path.join(f.root, 'resume-up.bin')), sha256(data));
    const used = commandsSince(from);
    assert.ok(used.includes('SIZE') && (used.includes('APPE') || used.includes('REST')), used.join(' '));
  });

  test('-Q quote commands: MKD, RNFR/RNTO, DELE (before and after the transfer)', async () => {
    await fs.writeFile(path.join(f.root, 'to-rename.txt'), 'r');
    await fs.writeFile(path.join(f.root, 'to-delete.txt'), 'd');
    await curl('-Q', 'MKD quoted-dir', '-Q', 'RNFR to-rename.txt', '-Q', 'RNTO renamed.txt', '-Q', '-DELE to-delete.txt', `${url}/`);
    assert.ok((await fs.stat(path.join(f.root, 'quoted-dir'))).isDirectory());
    assert.equal(await fs.readFile(path.join(f.root, 'renamed.txt'), 'utf8'), 'r');
    await assert.rejects(fs.stat(path.join(f.root, 'to-rename.txt')));
    await assert.rejects(fs.stat(path.join(f.root, 'to-delete.txt')));
    // A quote command the server refuses makes curl fail.
    const refused = await run('curl', ['-sS', '--max-time', '10', '-Q', 'RMD /no/such/dir', `${url}/`]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /550/);
    // A quote command curl does not know the reply of is passed through (SITE CHMOD).
    await curl('-Q', 'SITE CHMOD 600 renamed.txt', `${url}/`);
    assert.equal((await fs.stat(path.join(f.root, 'renamed.txt'))).mode & 0o777, 0o600);
  });

  test('a missing file is an error for curl (550), and a download with user and password', async () => {
    const missing = await run('curl', ['-sS', '--max-time', '10', '-o', path.join(local, 'x'), `${url}/does-not-exist.bin`]);
    assert.notEqual(missing.code, 0);
    const secured = await startServer({ username: 'user', password: 'p@ss word', files: { 'f.txt': 'with credentials\n' } });
    try {
      const ok = await run('curl', ['-sS', '--max-time', '10', '-u', 'user:p@ss word', `ftp://127.0.0.1:${secured.port}/f.txt`]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'with credentials\n');
      const denied = await run('curl', ['-sS', '--max-time', '10', '-u', 'user:wrong', `ftp://127.0.0.1:${secured.port}/f.txt`]);
      assert.equal(denied.code, 67, denied.stderr); // CURLE_LOGIN_DENIED
    } finally {
      await secured.close();
    }
  });
});

describe('lftp', () => {
  let f: ServerFixture;
  let local: string;
  const tree: Record<string, Buffer> = {
    'tree/a.bin': pseudoRandomBytes(300_000, 91),
    'tree/b.txt': Buffer.from('bee\n'),
    'tree/nested/c.bin': pseudoRandomBytes(1_000_001, 92),
    'tree/nested/with space é.txt': Buffer.from('unicode and space\n'),
    'get-me.bin': pseudoRandomBytes(500_000, 93),
  };

  before(async () => {
    f = await startServer({ username: 'user', password: 'secret', files: tree });
    local = await makeTempDir('ftp-share-lftp-');
  });
  after(async () => {
    await f.close();
    await removeTempDir(local);
  });

  const lftp = async (script: string) => {
    const settings = 'set ftp:ssl-allow no; set ftp:passive-mode on; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes';
    const result = await run('lftp', ['-u', 'user,secret', '-p', String(f.port), '-e', `${settings}; ${script}; quit`, '127.0.0.1'], {
      cwd: local,
      env: { ...process.env, HOME: local, LC_ALL: 'C.UTF-8' },
    });
    assert.equal(result.code, 0, `lftp ${script}: ${result.stderr}\n${result.stdout}`);
    return result.stdout;
  };

  test('ls, get, put', async () => {
    const listing = await lftp('ls');
    assert.match(listing, / get-me\.bin$/m);
    assert.match(listing, / tree$/m);
    await lftp('get get-me.bin');
    assert.equal(await fileSha256(path.join(local, 'get-me.bin')), sha256(tree['get-me.bin']!));
    const put = pseudoRandomBytes(777_777, 94);
    await fs.writeFile(path.join(local, 'put-me.bin'), put);
    await lftp('put put-me.bin');
    assert.equal(await fileSha256(path.join(f.root, 'put-me.bin')), sha256(put));
    // lftp with a wrong password fails.
    const denied = await run('lftp', ['-u', 'user,wrong', '-p', String(f.port), '-e', 'set ftp:ssl-allow no; set net:max-retries 1; ls; quit', '127.0.0.1'], {
      cwd: local,
      env: { ...process.env, HOME: local },
      timeoutMs: 20_000,
    });
    assert.notEqual(denied.code, 0);
  });

  test('mirror (download a tree) and mirror -R (upload a tree)', async () => {
    await lftp('mirror tree mirrored');
    for (const [name, content] of Object.entries(tree)) {
      if (!name.startsWith('tree/')) continue;
      assert.equal(await fileSha256(path.join(local, 'mirrored', name.slice(5))), sha256(content), name);
    }
    await lftp('mirror -R mirrored uploaded-tree');
    for (const [name, content] of Object.entries(tree)) {
      if (!name.startsWith('tree/')) continue;
      assert.equal(await fileSha256(path.join(f.root, 'uploaded-tree', name.slice(5))), sha256(content), name);
    }
    // lftp saw MLST in FEAT and used MLSD for the listings.
    assert.ok(f.events.some((e) => e.type === 'command' && e.command === 'MLSD'));
  });
});

describe('rclone', () => {
  test('copy down and up, check, moveto, delete (Go FTP client, EPSV/MLSD)', async () => {
    const tree = { 'a.bin': pseudoRandomBytes(400_000, 141), 'sub dir/ü ñ.txt': Buffer.from('unicode\n') };
    const f = await startServer({ username: 'rc', password: 'lone', files: tree });
    const local = await makeTempDir('ftp-share-rclone-');
    try {
      const rclone = async (...args: string[]) => {
        const result = await run('rclone', ['--config', path.join(local, 'none.conf'), '--retries', '1', '--low-level-retries', '1', '--contimeout', '10s', ...args], { timeoutMs: 30_000 });
        assert.equal(result.code, 0, `rclone ${args.join(' ')}: ${result.stderr}`);
        return result.stdout;
      };
      const pass = (await rclone('obscure', 'lone')).trim();
      const remote = `:ftp,host=127.0.0.1,port=${f.port},user=rc,pass=${pass}:`;
      const listing = await rclone('lsf', '-R', remote);
      assert.deepEqual(listing.trim().split('\n').sort(), ['a.bin', 'sub dir/', 'sub dir/ü ñ.txt']);
      await rclone('copy', remote, path.join(local, 'down'));
      for (const [name, content] of Object.entries(tree)) assert.equal(await fileSha256(path.join(local, 'down', name)), sha256(content), name);
      await rclone('copy', path.join(local, 'down'), `${remote}back`);
      for (const [name, content] of Object.entries(tree)) assert.equal(await fileSha256(path.join(f.root, 'back', name)), sha256(content), name);
      await rclone('check', path.join(local, 'down'), `${remote}back`);
      await rclone('moveto', `${remote}a.bin`, `${remote}moved/a.bin`);
      assert.equal(await fileSha256(path.join(f.root, 'moved/a.bin')), sha256(tree['a.bin']));
      await rclone('purge', `${remote}back`);
      await assert.rejects(fs.stat(path.join(f.root, 'back')));
    } finally {
      await f.close();
      await removeTempDir(local);
    }
  });
});
