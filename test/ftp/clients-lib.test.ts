/**
 * Client libraries end to end: Python's ftplib (login, nlst, mlsd, retrbinary, storbinary,
 * rename, delete, mkd, rmd, size, MDTM, Unicode and spaces, abort) and basic-ftp (list, uploadFrom,
 * downloadTo, ensureDir, rename, remove, size, lastMod). Every transferred file is compared by SHA-256.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { runPython } from '../helpers/processes.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';

describe('Python ftplib', () => {
  let f: ServerFixture;
  const payload = pseudoRandomBytes(1_500_000, 101);

  before(async () => {
    f = await startServer({ username: 'py', password: 'thon', files: { 'payload.bin': payload, 'dir/x.txt': 'x' } });
    await fs.utimes(path.join(f.root, 'payload.bin'), new Date(Date.UTC(2023, 4, 6, 7, 8, 9)), new Date(Date.UTC(2023, 4, 6, 7, 8, 9)));
    // Large enough that the download is still running when the client aborts it.
    const sparse = await fs.open(path.join(f.root, 'sparse.bin'), 'w');
    await sparse.truncate(256 * 1024 * 1024);
    await sparse.close();
  });
  after(() => f.close());

  test('a full session: every common call, with checksums', async () => {
    const script = `
import ftplib, hashlib, io, os, json
out = {}
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['PORT']), timeout=20)
out['welcome'] = ftp.getwelcome()
out['login'] = ftp.login('py', 'thon')
out['pwd'] = ftp.pwd()
out['nlst'] = sorted(ftp.nlst())
out['mlsd'] = {name: facts for name, facts in ftp.mlsd(facts=['type', 'size', 'modify'])}
buf = io.BytesIO()
out['retr'] = ftp.retrbinary('RETR payload.bin', buf.write)
out['retr_sha'] = hashlib.sha256(buf.getvalue()).hexdigest()
data = bytes((i * 31 + 7) % 256 for i in range(333333))
out['stor'] = ftp.storbinary('STOR stored.bin', io.BytesIO(data))
out['stor_sha'] = hashlib.sha256(data).hexdigest()
out['size'] = ftp.size('stored.bin')
out['mdtm'] = ftp.voidcmd('MDTM payload.bin')
out['mkd'] = ftp.mkd('made dir')
out['cwd'] = ftp.cwd('made dir')
out['pwd2'] = ftp.pwd()
unicode_name = 'größe 日本 ✓.txt'
ftp.storbinary('STOR ' + unicode_name, io.BytesIO('unicode body'.encode()))
out['unicode_nlst'] = ftp.nlst()
ubuf = io.BytesIO()
ftp.retrbinary('RETR ' + unicode_name, ubuf.write)
out['unicode_body'] = ubuf.getvalue().decode()
out['delete_unicode'] = ftp.delete(unicode_name)
ftp.cwd('/')
out['rename'] = ftp.rename('stored.bin', 'renamed.bin')
out['rmd'] = ftp.rmd('made dir')
lines = []
ftp.retrlines('LIST', lines.append)
out['list'] = lines
# Abort a download half-way through (ftplib sends ABOR as TCP urgent data), then keep using the
# session: the RETR is answered 426 (read by abort()) and ABOR itself 226.
conn = ftp.transfercmd('RETR sparse.bin')
conn.recv(1000)
out['abort'] = ftp.abort()
out['abort_done'] = ftp.voidresp()
conn.close()
out['after_abort'] = ftp.voidcmd('NOOP')
out['delete'] = ftp.delete('renamed.bin')
try:
    ftp.size('renamed.bin')
    out['size_missing'] = 'no error'
except ftplib.error_perm as e:
    out['size_missing'] = str(e)[:3]
out['quit'] = ftp.quit()
print(json.dumps(out))
`;
    const result = await runPython(script, f.port);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(out.welcome, '220 FTP Share ready');
    assert.equal(out.login, '230 Login successful');
    assert.equal(out.pwd, '/');
    assert.deepEqual(out.nlst, ['dir', 'payload.bin', 'sparse.bin']);
    const mlsd = out.mlsd as Record<string, Record<string, string>>;
    assert.deepEqual(mlsd['payload.bin'], { type: 'file', size: '1500000', modify: '20230506070809' });
    assert.equal(mlsd.dir!.type, 'dir');
    assert.equal(out.retr, '226 Transfer complete');
    assert.equal(out.retr_sha, sha256(payload));
    assert.equal(out.stor, '226 Transfer complete');
    assert.equal(out.size, 333333);
    assert.equal(out.mdtm, '213 20230506070809');
    assert.equal(out.mkd, '/made dir');
    assert.equal(out.pwd2, '/made dir');
    assert.deepEqual(out.unicode_nlst, ['größe 日本 ✓.txt']);
    assert.equal(out.unicode_body, 'unicode body');
    assert.equal(out.delete_unicode, '250 File deleted');
    assert.equal(out.rename, '250 Rename successful');
    assert.equal(out.rmd, '250 Directory removed');
    assert.ok((out.list as string[]).some((l) => / renamed\.bin$/.test(l)));
    assert.equal(out.abort, '426 Connection closed; transfer aborted');
    assert.equal(out.abort_done, '226 ABOR successful');
    assert.equal(out.after_abort, '200 NOOP ok');
    assert.equal(out.delete, '250 File deleted');
    assert.equal(out.size_missing, '550');
    assert.equal(out.quit, '221 Goodbye');
    // The checksum of what landed on disk before the rename and delete.
    const stored = f.events.find((e) => e.type === 'transfer-completed' && e.path === '/stored.bin');
    assert.ok(stored && stored.type === 'transfer-completed' && stored.bytes === 333333);
    assert.equal(out.stor_sha, sha256(Buffer.from(Array.from({ length: 333333 }, (_, i) => (i * 31 + 7) % 256))));
  });

  test('ftplib wrong password gets error_perm 530', async () => {
    const script = `
import ftplib, os
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['PORT']), timeout=10)
try:
    ftp.login('py', 'wrong')
except ftplib.error_perm as e:
    print(str(e))
`;
    const result = await runPython(script, f.port);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '530 Login incorrect');
  });
});

describe('basic-ftp', () => {
  let f: ServerFixture;
  let local: string;
  let client: Client;
  const payload = pseudoRandomBytes(2_000_000, 111);

  before(async () => {
    f = await startServer({ files: { 'payload.bin': payload, 'folder/one.txt': 'one', 'folder/sub/two.txt': 'two' } });
    local = await makeTempDir('ftp-share-basic-');
    client = new Client(20_000);
    await client.access({ host: '127.0.0.1', port: f.port, user: 'anonymous', password: 'guest' });
  });
  after(async () => {
    client.close();
    await f.close();
    await removeTempDir(local);
  });

  test('list parses names, sizes, types and dates (MLSD)', async () => {
    const list = await client.list();
    const byName = new Map(list.map((i) => [i.name, i]));
    assert.equal(byName.get('payload.bin')?.size, payload.length);
    assert.ok(byName.get('payload.bin')?.isFile);
    assert.ok(byName.get('folder')?.isDirectory);
    assert.ok(byName.get('payload.bin')?.modifiedAt instanceof Date);
  });

  test('downloadTo, uploadFrom (file and stream), size, lastMod', async () => {
    const out = path.join(local, 'payload.bin');
    await client.downloadTo(out, 'payload.bin');
    assert.equal(await fileSha256(out), sha256(payload));
    // Resume a download from an offset.
    const chunks: Buffer[] = [];
    await client.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => void (chunks.push(c), cb()) }), 'payload.bin', 1_234_567);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(payload.subarray(1_234_567)));
    const up = pseudoRandomBytes(900_001, 112);
    const src = path.join(local, 'up.bin');
    await fs.writeFile(src, up);
    await client.uploadFrom(src, 'uploaded.bin');
    assert.equal(await fileSha256(path.join(f.root, 'uploaded.bin')), sha256(up));
    await client.uploadFrom(Readable.from([Buffer.from('streamed '), Buffer.from('body')]), 'streamed.txt');
    assert.equal(await fs.readFile(path.join(f.root, 'streamed.txt'), 'utf8'), 'streamed body');
    await client.appendFrom(Readable.from([Buffer.from(' appended')]), 'streamed.txt');
    assert.equal(await fs.readFile(path.join(f.root, 'streamed.txt'), 'utf8'), 'streamed body appended');
    assert.equal(await client.size('uploaded.bin'), up.length);
    const when = new Date(Date.UTC(2022, 1, 3, 4, 5, 6));
    await fs.utimes(path.join(f.root, 'uploaded.bin'), when, when);
    assert.equal((await client.lastMod('uploaded.bin')).getTime(), when.getTime());
  });

  test('ensureDir, rename, remove, removeDir, downloadToDir', async () => {
    await client.ensureDir('/made/by/basic ftp');
    assert.equal(await client.pwd(), '/made/by/basic ftp');
    assert.ok((await fs.stat(path.join(f.root, 'made/by/basic ftp'))).isDirectory());
    await client.uploadFrom(Readable.from([Buffer.from('in a new dir')]), 'file.txt');
    await client.cd('/');
    await client.rename('/made/by/basic ftp/file.txt', '/made/moved.txt');
    assert.equal(await fs.readFile(path.join(f.root, 'made/moved.txt'), 'utf8'), 'in a new dir');
    await client.remove('/made/moved.txt');
    await assert.rejects(fs.stat(path.join(f.root, 'made/moved.txt')));
    await client.removeDir('/made');
    await assert.rejects(fs.stat(path.join(f.root, 'made')));
    await assert.rejects(client.remove('/no-such-file'), /550/);
    await client.downloadToDir(path.join(local, 'folder-copy'), '/folder');
    assert.equal(await fs.readFile(path.join(local, 'folder-copy/one.txt'), 'utf8'), 'one');
    assert.equal(await fs.readFile(path.join(local, 'folder-copy/sub/two.txt'), 'utf8'), 'two');
    await client.cd('/');
  });
});
