/**
 * Several accounts with real clients, through the share assembly: curl and lftp as the owner
 * (every folder, read-write) and as a read-only guest limited to one of three folders. The guest
 * lists only its folder at `/`, downloads from it, and every upload, delete and folder it tries is
 * refused with the tree left exactly as it was.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startShare, type RunningShare } from '../../core/share/share-assembly.js';
import { run } from '../helpers/processes.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

const OWNER = { username: 'owner', password: 'Owner-pw-4hq9' };
const GUEST = { username: 'guest', password: 'Guest-pw-8vz3' };

describe('several accounts with curl and lftp', () => {
  let dir: string;
  let base: string;
  let local: string;
  let share: RunningShare;
  let port: number;
  const song = pseudoRandomBytes(300_001, 161);

  before(async () => {
    dir = await makeTempDir('ftp-share-accounts-clients-');
    base = path.join(dir, 'shared');
    local = path.join(dir, 'local');
    await fs.mkdir(local);
    const folders = ['Photos', 'Music', 'Docs'].map((name) => path.join(base, name));
    for (const folder of folders) await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(base, 'Photos', 'beach.jpg'), 'a photo\n');
    await fs.writeFile(path.join(base, 'Music', 'song.bin'), song);
    await fs.writeFile(path.join(base, 'Docs', 'notes.txt'), 'notes\n');
    const started = await startShare({
      folders,
      readOnly: false,
      access: { accounts: [OWNER, { ...GUEST, readOnly: true, folders: [folders[1]!] }] },
      ftp: { host: '127.0.0.1', port: 0 },
    });
    assert.ok(started.ok);
    share = started.share;
    port = share.listening.port;
  });
  after(async () => {
    await share?.stop();
    await removeTempDir(dir);
  });

  const curl = (account: { username: string; password: string }, ...args: string[]) =>
    run('curl', ['-sS', '--max-time', '30', '--user', `${account.username}:${account.password}`, ...args]);
  const curlOk = async (account: { username: string; password: string }, ...args: string[]) => {
    const result = await curl(account, ...args);
    assert.equal(result.code, 0, `curl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const url = (p: string) => `ftp://127.0.0.1:${port}${p}`;

  const lftp = (account: { username: string; password: string }, script: string) =>
    run('lftp', ['-u', `${account.username},${account.password}`, '-p', String(port), '-e', `set ftp:ssl-allow no; set ftp:passive-mode on; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; ${script}; quit`, '127.0.0.1'], {
      cwd: local,
      env: { ...process.env, HOME: local, LC_ALL: 'C.UTF-8' },
      timeoutMs: 30_000,
    });

  test('curl: the owner lists every folder and uploads; the guest lists only Music and downloads from it', async () => {
    assert.deepEqual((await curlOk(OWNER, '-l', url('/'))).split(/\r?\n/).filter(Boolean).sort(), ['Docs', 'Music', 'Photos']);
    assert.deepEqual((await curlOk(GUEST, '-l', url('/'))).split(/\r?\n/).filter(Boolean), ['Music']);
    const out = path.join(local, 'song.bin');
    await curlOk(GUEST, '-o', out, url('/Music/song.bin'));
    assert.equal(await fileSha256(out), sha256(song));
    // Not there for the guest, though the owner sees it.
    assert.notEqual((await curl(GUEST, '-o', path.join(local, 'x'), url('/Photos/beach.jpg'))).code, 0);
    await curlOk(OWNER, '-o', path.join(local, 'beach.jpg'), url('/Photos/beach.jpg'));

    const upload = path.join(local, 'up.txt');
    await fs.writeFile(upload, 'from the owner\n');
    await curlOk(OWNER, '-T', upload, url('/Docs/up.txt'));
    assert.equal(await fs.readFile(path.join(base, 'Docs', 'up.txt'), 'utf8'), 'from the owner\n');
  });

  test("curl: the guest's upload, overwrite, delete and mkdir are refused and the tree is unchanged", async () => {
    const before = await snapshotTree(base);
    const upload = path.join(local, 'guest.txt');
    await fs.writeFile(upload, 'from the guest\n');
    for (const target of ['/Music/guest.txt', '/Music/song.bin', '/Docs/guest.txt']) {
      const result = await curl(GUEST, '-T', upload, url(target));
      assert.notEqual(result.code, 0, `upload to ${target} refused`);
    }
    const quoted = await curl(GUEST, '-Q', 'DELE /Music/song.bin', url('/'));
    assert.notEqual(quoted.code, 0);
    assert.match(quoted.stderr, /550/);
    assert.notEqual((await curl(GUEST, '--ftp-create-dirs', '-T', upload, url('/Music/new/guest.txt'))).code, 0);
    assert.deepEqual(await snapshotTree(base), before);
  });

  test('lftp: the guest sees Music alone, gets from it, and put, rm and mkdir fail; the owner puts', async () => {
    const listing = await lftp(GUEST, 'ls /');
    assert.equal(listing.code, 0, listing.stderr);
    assert.deepEqual(listing.stdout.split('\n').filter(Boolean).map((line) => line.split(' ').pop()), ['Music']);
    const got = await lftp(GUEST, 'get /Music/song.bin -o from-lftp.bin');
    assert.equal(got.code, 0, got.stderr);
    assert.equal(await fileSha256(path.join(local, 'from-lftp.bin')), sha256(song));

    const before = await snapshotTree(base);
    await fs.writeFile(path.join(local, 'put.txt'), 'put by lftp\n');
    for (const script of ['put put.txt -o /Music/put.txt', 'rm /Music/song.bin', 'mkdir /Music/sub', 'mv /Music/song.bin /Music/renamed.bin', 'cd /Photos']) {
      const result = await lftp(GUEST, script);
      assert.notEqual(result.code, 0, `${script} fails for the guest`);
    }
    assert.deepEqual(await snapshotTree(base), before, 'the tree is unchanged');

    const put = await lftp(OWNER, 'put put.txt -o /Music/put.txt');
    assert.equal(put.code, 0, put.stderr);
    assert.equal(await fs.readFile(path.join(base, 'Music', 'put.txt'), 'utf8'), 'put by lftp\n');
    // A wrong password, or the guest's password with the owner's name, fails.
    assert.notEqual((await lftp({ username: OWNER.username, password: GUEST.password }, 'ls /')).code, 0);
  });
});
