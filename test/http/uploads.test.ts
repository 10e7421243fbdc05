/**
 * Uploads and the page's other writes: curl -T (201 new, 204 replaced, Basic auth, 401 without),
 * the page's multipart uploads (several files, a folder with its subfolders, a name taken becomes
 * `name (1).ext`), new folder, rename and delete, read-only refusals, and uploads cut mid-body
 * (a killed curl, a destroyed socket) that leave the original untouched and no temp file.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileDigest, digestOf } from '../helpers/digests.js';
import { tempFilesIn } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { expectBackToBaseline, takeBaseline } from '../helpers/resource-baseline.js';
import { run } from '../helpers/processes.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { tempDir } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { browserHeaders, cookieOf, csrfOf, request, startWeb, type WebFixture } from './web-fixture.js';

/** A signed-in browser: its cookie and CSRF token, taken from the folder page. */
async function browser(f: WebFixture): Promise<Record<string, string>> {
  const page = await request(f.port, '/', { headers: browserHeaders(f.port) });
  assert.equal(page.status, 200);
  const cookie = cookieOf(page);
  const csrf = csrfOf(page.text);
  assert.ok(cookie && csrf, 'the page sets a cookie and carries a CSRF token');
  return browserHeaders(f.port, { Cookie: cookie, 'X-CSRF-Token': csrf, Accept: '*/*' });
}

/** A multipart body of `files` (name → bytes), as a browser's FormData sends it. */
function multipart(files: Array<[string, Buffer | string]>, fields: Array<[string, string]> = []): { body: Buffer; type: string } {
  const boundary = '----ftpsharetest' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [name, value] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [filename, data] of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`, 'utf8'));
    parts.push(Buffer.isBuffer(data) ? data : Buffer.from(data));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

async function curlUpload(args: string[]): Promise<number> {
  const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', ...args], { timeoutMs: 30_000 });
  return Number(r.stdout);
}

describe('PUT with curl -T', () => {
  test('201 for a new file, 204 when it replaces one; the bytes land whole', async (t) => {
    const f = await startWeb(t, { files: { 'old.bin': 'old content' } });
    const work = await tempDir(t);
    const data = pseudoRandomBytes(3 * 1024 * 1024 + 17, 3);
    await fs.writeFile(path.join(work, 'new.bin'), data);
    assert.equal(await curlUpload(['-T', path.join(work, 'new.bin'), f.url('/new.bin')]), 201);
    assert.deepEqual(await fileDigest(path.join(f.root, 'new.bin')), digestOf(data));
    assert.equal(await curlUpload(['-T', path.join(work, 'new.bin'), f.url('/old.bin')]), 204);
    assert.deepEqual(await fileDigest(path.join(f.root, 'old.bin')), digestOf(data));
    assert.deepEqual(await tempFilesIn(f.root), []);
    const done = f.events.filter((e) => e.type === 'transfer-completed');
    assert.equal(done.length, 2);
    assert.ok(done.every((e) => e.type === 'transfer-completed' && e.direction === 'upload' && e.protocol === 'web' && e.bytes === data.length));
  });

  test('an account: 401 with a Basic challenge without credentials, 201 with -u, 401 with a wrong password', async (t) => {
    const f = await startWeb(t, { username: 'ann', password: 'secret' });
    const work = await tempDir(t);
    await fs.writeFile(path.join(work, 'a.txt'), 'hello');
    const challenge = await run('curl', ['-sS', '-i', f.url('/')]);
    assert.match(challenge.stdout, /^HTTP\/1\.1 401/);
    assert.match(challenge.stdout, /WWW-Authenticate: Basic realm="FTP Share", charset="UTF-8"/i);
    assert.equal(await curlUpload(['-T', path.join(work, 'a.txt'), f.url('/a.txt')]), 401);
    assert.equal(await curlUpload(['-u', 'ann:wrong', '-T', path.join(work, 'a.txt'), f.url('/a.txt')]), 401);
    assert.equal(await fs.stat(path.join(f.root, 'a.txt')).catch(() => null), null);
    assert.equal(await curlUpload(['-u', 'ann:secret', '-T', path.join(work, 'a.txt'), f.url('/a.txt')]), 201);
    assert.equal(await fs.readFile(path.join(f.root, 'a.txt'), 'utf8'), 'hello');
    const got = await run('curl', ['-sS', '-u', 'ann:secret', f.url('/a.txt')]);
    assert.equal(got.stdout, 'hello');
    assert.ok(f.events.some((e) => e.type === 'login-failed' && e.user === 'ann'));
  });

  test('a read-only share refuses every write with 403 and reports it', async (t) => {
    const f = await startWeb(t, { readOnly: true, files: { 'a.txt': 'keep', 'd/x.txt': 'x' } });
    const before = await snapshotTree(f.root);
    const h = await browser(f);
    assert.equal((await request(f.port, '/a.txt', { method: 'PUT', body: 'new' })).status, 403);
    const up = multipart([['b.txt', 'b']]);
    assert.equal((await request(f.port, '/?upload', { method: 'POST', headers: { ...h, 'Content-Type': up.type }, body: up.body })).status, 403);
    const json = { ...h, 'Content-Type': 'application/json' };
    assert.equal((await request(f.port, '/?mkdir', { method: 'POST', headers: json, body: '{"name":"n"}' })).status, 403);
    assert.equal((await request(f.port, '/a.txt?rename', { method: 'POST', headers: json, body: '{"to":"b.txt"}' })).status, 403);
    assert.equal((await request(f.port, '/a.txt?delete', { method: 'POST', headers: json, body: '{}' })).status, 403);
    assert.equal((await request(f.port, '/d/?delete', { method: 'POST', headers: json, body: '{}' })).status, 403);
    assert.deepEqual(await snapshotTree(f.root), before);
    assert.equal(f.events.filter((e) => e.type === 'access-refused' && e.reason === 'read-only').length, 6);
  });
});

describe('the page’s uploads and actions', () => {
  test('several files in one upload; a taken name becomes "name (1).ext"; a folder upload makes its folders', async (t) => {
    const f = await startWeb(t, { files: { 'photo.jpg': 'original' } });
    const h = await browser(f);
    const big = pseudoRandomBytes(2 * 1024 * 1024, 9);
    const up = multipart([['photo.jpg', 'second'], ['photo.jpg', 'third'], ['notes.txt', big], ['Trip/day 1/ünï.txt', 'deep'], ['Trip/b.txt', 'b']]);
    const r = await request(f.port, '/?upload', { method: 'POST', headers: { ...h, 'Content-Type': up.type }, body: up.body });
    assert.equal(r.status, 201, r.text);
    const reply = JSON.parse(r.text) as { files: Array<{ name: string; path: string; size: number }> };
    assert.deepEqual(reply.files.map((x) => x.path), ['/photo (1).jpg', '/photo (2).jpg', '/notes.txt', '/Trip/day 1/ünï.txt', '/Trip/b.txt']);
    assert.equal(reply.files[2]!.size, big.length);
    assert.equal(await fs.readFile(path.join(f.root, 'photo.jpg'), 'utf8'), 'original');
    assert.equal(await fs.readFile(path.join(f.root, 'photo (1).jpg'), 'utf8'), 'second');
    assert.equal(await fs.readFile(path.join(f.root, 'photo (2).jpg'), 'utf8'), 'third');
    assert.deepEqual(await fileDigest(path.join(f.root, 'notes.txt')), digestOf(big));
    assert.equal(await fs.readFile(path.join(f.root, 'Trip/day 1/ünï.txt'), 'utf8'), 'deep');
    assert.ok(f.events.some((e) => e.type === 'file-changed' && e.change === 'folder-created' && e.path === '/Trip/day 1'));
  });

  test('a file name that climbs out of the folder is refused and nothing is written', async (t) => {
    const outside = await tempDir(t);
    const root = path.join(outside, 'share');
    await fs.mkdir(root);
    const f = await startWeb(t, { root });
    const h = await browser(f);
    const before = await snapshotTree(outside);
    for (const name of ['../escape.txt', 'a/../../escape.txt', '..', 'x/./y.txt']) {
      const up = multipart([[name, 'evil']]);
      const r = await request(f.port, '/?upload', { method: 'POST', headers: { ...h, 'Content-Type': up.type }, body: up.body });
      assert.equal(r.status, 400, `${name}: ${r.text}`);
    }
    assert.deepEqual(await snapshotTree(outside), before);
  });

  test('new folder 201, rename 200, delete 200; a taken name and a non-empty folder are 409', async (t) => {
    const f = await startWeb(t, { files: { 'a.txt': 'a', 'b.txt': 'b', 'full/x.txt': 'x' } });
    const h = { ...(await browser(f)), 'Content-Type': 'application/json' };
    const post = (target: string, body: unknown) => request(f.port, target, { method: 'POST', headers: h, body: JSON.stringify(body) });
    assert.equal((await post('/?mkdir', { name: 'New folder' })).status, 201);
    assert.ok((await fs.stat(path.join(f.root, 'New folder'))).isDirectory());
    assert.equal((await post('/?mkdir', { name: 'New folder' })).status, 409);
    assert.equal((await post('/?mkdir', { name: 'a/b' })).status, 400);
    assert.equal((await post('/?mkdir', { name: '..' })).status, 400);
    assert.equal((await post('/a.txt?rename', { to: 'b.txt' })).status, 409);
    assert.equal(await fs.readFile(path.join(f.root, 'b.txt'), 'utf8'), 'b');
    assert.equal((await post('/a.txt?rename', { to: '../a.txt' })).status, 400);
    const renamed = await post('/a.txt?rename', { to: 'c.txt' });
    assert.equal(renamed.status, 200);
    assert.deepEqual(JSON.parse(renamed.text), { name: 'c.txt', path: '/c.txt', type: 'file' });
    assert.equal(await fs.readFile(path.join(f.root, 'c.txt'), 'utf8'), 'a');
    assert.equal((await post('/full/?delete', {})).status, 409);
    assert.ok((await fs.stat(path.join(f.root, 'full/x.txt'))).isFile());
    assert.equal((await post('/c.txt?delete', {})).status, 200);
    assert.equal((await post('/New%20folder/?delete', {})).status, 200);
    assert.deepEqual((await fs.readdir(f.root)).sort(), ['b.txt', 'full']);
    assert.equal((await post('/gone.txt?delete', {})).status, 404);
    const changes = f.events.filter((e) => e.type === 'file-changed').map((e) => e.type === 'file-changed' && `${e.change} ${e.path}`);
    assert.deepEqual(changes, ['folder-created /New folder', 'renamed /c.txt', 'deleted /c.txt', 'folder-removed /New folder']);
  });
});

describe('a browser upload under way', () => {
  test('is never visible under its name: it takes the name, or the next free one, only once complete', async (t) => {
    const f = await startWeb(t, {});
    const h = await browser(f);
    const clip = pseudoRandomBytes(256 * 1024, 11);
    const up = multipart([['clip.mov', clip]]);
    const post = net.connect(f.port, '127.0.0.1');
    t.after(() => post.destroy());
    const head = Object.entries({ ...h, 'Content-Type': up.type, 'Content-Length': String(up.body.length) }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    post.write(`POST /?upload HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\n${head}\r\n`);
    post.write(up.body.subarray(0, 128 * 1024));
    await waitFor(() => f.events.some((e) => e.type === 'transfer-started'), 'the upload to start');
    await sleep(100);
    // Half-way: only the hidden temp file exists, and the name is free for someone else.
    assert.deepEqual((await tempFilesIn(f.root)).length, 1);
    await assert.rejects(fs.stat(path.join(f.root, 'clip.mov')), { code: 'ENOENT' });
    await fs.writeFile(path.join(f.root, 'clip.mov'), 'taken meanwhile');
    const replied = new Promise<string>((resolve) => {
      let text = '';
      post.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('"files"')) resolve(text);
      });
    });
    post.write(up.body.subarray(128 * 1024));
    assert.match(await replied, /"path":"\/clip \(1\)\.mov"/);
    assert.equal(await fs.readFile(path.join(f.root, 'clip.mov'), 'utf8'), 'taken meanwhile');
    assert.deepEqual(digestOf(await fs.readFile(path.join(f.root, 'clip (1).mov'))), digestOf(clip));
    assert.deepEqual(await tempFilesIn(f.root), []);
  });
});

describe('uploads cut mid-body change nothing', () => {
  test('a curl -T killed mid-upload leaves the original and no temp file', async (t) => {
    const original = pseudoRandomBytes(1000, 1);
    const f = await startWeb(t, { files: { 'target.bin': original }, bandwidth: { upload: 2 * 1024 * 1024 } });
    const work = await tempDir(t);
    await fs.writeFile(path.join(work, 'big.bin'), pseudoRandomBytes(20 * 1024 * 1024, 2));
    const child = spawn('curl', ['-sS', '-T', path.join(work, 'big.bin'), f.url('/target.bin')], { stdio: 'ignore' });
    await waitFor(() => f.events.some((e) => e.type === 'transfer-progress' && e.bytes > 1024 * 1024), 'the upload to be under way', 10_000);
    child.kill('SIGKILL');
    const failed = await waitFor(() => f.events.find((e) => e.type === 'transfer-failed'), 'the upload to fail', 10_000);
    assert.ok(failed.type === 'transfer-failed' && failed.direction === 'upload');
    assert.deepEqual(await fileDigest(path.join(f.root, 'target.bin')), digestOf(original));
    assert.deepEqual(await tempFilesIn(f.root), []);
  });

  test('a socket destroyed mid-body (PUT and multipart) leaves the original and no temp file', async (t) => {
    const original = Buffer.from('the original');
    const f = await startWeb(t, { files: { 'keep.txt': original } });
    const h = await browser(f);
    const before = await snapshotTree(f.root);
    const baseline = await takeBaseline();
    // PUT announcing 1 MiB, sending half.
    const put = net.connect(f.port, '127.0.0.1');
    put.write(`PUT /keep.txt HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\nContent-Length: 1048576\r\n\r\n`);
    put.write(pseudoRandomBytes(512 * 1024));
    await waitFor(() => f.events.some((e) => e.type === 'transfer-started'), 'the PUT to start');
    await sleep(50);
    put.destroy();
    await waitFor(() => f.events.some((e) => e.type === 'transfer-failed'), 'the PUT to fail');
    // Chunked PUT cut before its last chunk.
    const chunked = net.connect(f.port, '127.0.0.1');
    chunked.write(`PUT /keep.txt HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n`);
    await waitFor(() => f.events.filter((e) => e.type === 'transfer-started').length === 2, 'the chunked PUT to start');
    await sleep(50);
    chunked.destroy();
    await waitFor(() => f.events.filter((e) => e.type === 'transfer-failed').length === 2, 'the chunked PUT to fail');
    // A multipart upload cut inside its file part.
    const up = multipart([['new.txt', pseudoRandomBytes(256 * 1024)]]);
    const post = net.connect(f.port, '127.0.0.1');
    const head = Object.entries({ ...h, 'Content-Type': up.type, 'Content-Length': String(up.body.length) }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    post.write(`POST /?upload HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\n${head}\r\n`);
    post.write(up.body.subarray(0, 128 * 1024));
    await waitFor(() => f.events.filter((e) => e.type === 'transfer-started').length === 3, 'the multipart upload to start');
    await sleep(50);
    post.destroy();
    await waitFor(() => f.events.filter((e) => e.type === 'transfer-failed').length === 3, 'the multipart upload to fail');
    await sleep(100);
    assert.deepEqual(await snapshotTree(f.root), before);
    assert.equal(await fs.readFile(path.join(f.root, 'keep.txt'), 'utf8'), 'the original');
    await expectBackToBaseline(baseline, 'after three cut uploads');
  });
});
