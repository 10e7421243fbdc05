/**
 * Several accounts on the web page, through the share assembly: the same accounts and rights as
 * FTP. curl as the owner sees every folder and may upload; as a read-only guest limited to one of
 * three folders it sees only that folder at `/`, downloads from it, and every write is 403 with
 * the tree left exactly as it was; a browser's sign-in form works for the guest too.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startShare, type RunningShare } from '../../core/share/share-assembly.js';
import { run } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

const OWNER = { username: 'owner', password: 'Owner-pw-4hq9' };
const GUEST = { username: 'guest', password: 'Guest-pw-8vz3' };

describe('several accounts on the web page', () => {
  let dir: string;
  let base: string;
  let share: RunningShare;
  let web: string;

  before(async () => {
    dir = await makeTempDir('ftp-share-accounts-web-');
    base = path.join(dir, 'shared');
    const folders = ['Photos', 'Music', 'Docs'].map((name) => path.join(base, name));
    for (const folder of folders) await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(base, 'Music', 'song.txt'), 'la la\n');
    await fs.writeFile(path.join(base, 'Docs', 'notes.txt'), 'notes\n');
    const started = await startShare({
      folders,
      readOnly: false,
      access: { accounts: [OWNER, { ...GUEST, readOnly: true, folders: [folders[1]!] }] },
      ftp: { host: '127.0.0.1', port: 0 },
      web: { host: '127.0.0.1', port: 0 },
    });
    assert.ok(started.ok, started.ok ? '' : started.failure.message);
    share = started.share;
    web = `http://127.0.0.1:${share.web!.port}`;
  });
  after(async () => {
    await share?.stop();
    await removeTempDir(dir);
  });

  const curl = (account: { username: string; password: string }, ...args: string[]) =>
    run('curl', ['-sS', '--max-time', '30', '-u', `${account.username}:${account.password}`, '-o', '-', '-w', '\n%{http_code}', ...args]);
  const status = (out: string) => Number(out.slice(out.lastIndexOf('\n') + 1));

  test('the owner sees every folder and may upload', async () => {
    const listing = await curl(OWNER, `${web}/`);
    assert.equal(status(listing.stdout), 200);
    for (const name of ['Photos', 'Music', 'Docs']) assert.match(listing.stdout, new RegExp(`>${name}<`));
    const source = path.join(dir, 'owner.txt');
    await fs.writeFile(source, 'from the owner\n');
    assert.equal(status((await curl(OWNER, '-T', source, `${web}/Docs/owner.txt`)).stdout), 201);
    assert.equal(await fs.readFile(path.join(base, 'Docs', 'owner.txt'), 'utf8'), 'from the owner\n');
  });

  test('the guest sees only its folder, downloads, and every write is 403 with the tree unchanged', async () => {
    const listing = await curl(GUEST, `${web}/`);
    assert.equal(status(listing.stdout), 200);
    assert.match(listing.stdout, />Music</);
    assert.doesNotMatch(listing.stdout, />Docs<|>Photos</);
    const song = await curl(GUEST, `${web}/Music/song.txt`);
    assert.equal(song.stdout, 'la la\n\n200');
    assert.equal(status((await curl(GUEST, `${web}/Docs/notes.txt`)).stdout), 404);
    const before = await snapshotTree(base);
    const source = path.join(dir, 'guest.txt');
    await fs.writeFile(source, 'from the guest\n');
    assert.equal(status((await curl(GUEST, '-T', source, `${web}/Music/guest.txt`)).stdout), 403);
    assert.equal(status((await curl(GUEST, '-T', source, `${web}/Music/song.txt`)).stdout), 403);
    assert.deepEqual(await snapshotTree(base), before);
  });

  test('a wrong password is 401, as on FTP', async () => {
    assert.equal(status((await curl({ username: 'guest', password: 'nope-nope' }, `${web}/`)).stdout), 401);
  });
});
