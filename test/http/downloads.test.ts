/**
 * Downloads from the web page with real clients: curl with and without Range (a sparse file over
 * 4 GiB included), HEAD, conditional requests, types and names, the folder page's sort, wget -r
 * mirroring a folder, a folder .zip unpacked and compared with the tree, and 100 downloads at
 * once, with descriptors back to their baseline after each.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { run } from '../helpers/processes.js';
import { expectBackToBaseline, takeBaseline } from '../helpers/resource-baseline.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { request, startWeb } from './web-fixture.js';

const BIG = 4 * 1024 ** 3 + 4096 + 7; // past 4 GiB, so 32-bit offsets would wrap

async function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('curl', ['-sS', '--max-time', '60', ...args]);
}

/** curl -i output split into status, headers (lower-case names) and body. */
function parseCurl(out: string): { status: number; headers: Record<string, string>; body: string } {
  const end = out.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = out.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: out.slice(end + 4) };
}

describe('downloads with curl', () => {
  test('whole file, first bytes, a middle range, the last bytes, an unsatisfiable range, HEAD', async (t) => {
    const data = pseudoRandomBytes(300_000, 7);
    const f = await startWeb(t, { files: { 'data.bin': data } });
    const whole = await run('curl', ['-sS', '-o', '-', f.url('/data.bin')], { timeoutMs: 30_000 });
    assert.equal(whole.code, 0);
    const file = path.join(await tempDir(t), 'out.bin');
    assert.equal((await curl(['-o', file, f.url('/data.bin')])).code, 0);
    assert.equal(await fileSha256(file), sha256(data));

    for (const [range, start, end] of [['0-99', 0, 99], ['123456-200000', 123456, 200000], ['-1000', data.length - 1000, data.length - 1], ['299990-', 299990, data.length - 1]] as const) {
      const r = await request(f.port, '/data.bin', { headers: { Range: `bytes=${range}` } });
      assert.equal(r.status, 206, range);
      assert.equal(r.headers['content-range'], `bytes ${start}-${end}/${data.length}`);
      assert.deepEqual(r.body, data.subarray(start, end + 1), range);
    }
    const out = parseCurl((await curl(['-i', '-r', '400000-500000', f.url('/data.bin')])).stdout);
    assert.equal(out.status, 416);
    assert.equal(out.headers['content-range'], `bytes */${data.length}`);

    const head = parseCurl((await curl(['-I', f.url('/data.bin')])).stdout);
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(data.length));
    assert.equal(head.headers['accept-ranges'], 'bytes');
    assert.match(head.headers.etag ?? '', /^"[\w-]+"$/);
    assert.ok(head.headers['last-modified']);
    assert.equal(head.body, '');
  });

  test('a sparse file over 4 GiB: its first bytes, bytes across the 4 GiB mark and its last bytes', async (t) => {
    const root = await tempDir(t);
    const tail = Buffer.from('the end of a big file\n');
    const marker = Buffer.from('past-4GiB');
    const fh = await fs.open(path.join(root, 'big.iso'), 'w');
    await fh.write(Buffer.from('start'), 0, 5, 0);
    await fh.write(marker, 0, marker.length, 2 ** 32 - 4);
    await fh.write(tail, 0, tail.length, BIG - tail.length);
    await fh.close();
    const f = await startWeb(t, { root });
    const head = parseCurl((await curl(['-I', f.url('/big.iso')])).stdout);
    assert.equal(head.headers['content-length'], String(BIG));
    const first = await curl(['-r', '0-4', f.url('/big.iso')]);
    assert.equal(first.stdout, 'start');
    const across = await curl(['-r', `${2 ** 32 - 4}-${2 ** 32 + 4}`, f.url('/big.iso')]);
    assert.equal(across.stdout, marker.toString());
    const last = parseCurl((await curl(['-i', '-r', `-${tail.length}`, f.url('/big.iso')])).stdout);
    assert.equal(last.status, 206);
    assert.equal(last.headers['content-range'], `bytes ${BIG - tail.length}-${BIG - 1}/${BIG}`);
    assert.equal(last.body, tail.toString());
  });

  test('conditional requests: If-None-Match and If-Modified-Since answer 304; If-Range sends all when stale', async (t) => {
    const f = await startWeb(t, { files: { 'a.txt': 'abcdefghij' } });
    const first = await request(f.port, '/a.txt');
    const etag = first.headers.etag!;
    const lastModified = first.headers['last-modified']!;
    const inm = await request(f.port, '/a.txt', { headers: { 'If-None-Match': etag } });
    assert.equal(inm.status, 304);
    assert.equal(inm.body.length, 0);
    assert.equal((await request(f.port, '/a.txt', { headers: { 'If-None-Match': '"other"' } })).status, 200);
    assert.equal((await request(f.port, '/a.txt', { headers: { 'If-Modified-Since': lastModified } })).status, 304);
    assert.equal((await request(f.port, '/a.txt', { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } })).status, 200);
    const fresh = await request(f.port, '/a.txt', { headers: { Range: 'bytes=2-4', 'If-Range': etag } });
    assert.equal(fresh.status, 206);
    assert.equal(fresh.text, 'cde');
    const stale = await request(f.port, '/a.txt', { headers: { Range: 'bytes=2-4', 'If-Range': '"stale"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.text, 'abcdefghij');
    // The file changes: the old validator no longer matches.
    await fs.writeFile(path.join(f.root, 'a.txt'), 'changed!!!!');
    await fs.utimes(path.join(f.root, 'a.txt'), new Date(), new Date(Date.now() + 5000));
    assert.equal((await request(f.port, '/a.txt', { headers: { 'If-None-Match': etag } })).status, 200);
  });

  test('types and names: media inline, active files as sandboxed attachments, UTF-8 names per RFC 5987', async (t) => {
    const f = await startWeb(t, { files: { 'photo.jpg': 'jpeg', 'page.html': '<script>alert(1)</script>', 'icon.svg': '<svg/>', 'Grüße ✓.txt': 'hi', 'blob.unknownext': 'x' } });
    const photo = await request(f.port, '/photo.jpg');
    assert.equal(photo.headers['content-type'], 'image/jpeg');
    assert.match(photo.headers['content-disposition']!, /^inline; filename="photo.jpg"$/);
    for (const name of ['page.html', 'icon.svg', 'blob.unknownext']) {
      const r = await request(f.port, `/${name}`);
      assert.match(r.headers['content-disposition']!, /^attachment/, name);
      assert.match(String(r.headers['content-security-policy']), /^sandbox/, name);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
    const utf8 = await request(f.port, `/${encodeURIComponent('Grüße ✓.txt')}`);
    assert.equal(utf8.text, 'hi');
    assert.match(utf8.headers['content-disposition']!, /filename\*=UTF-8''Gr%C3%BC%C3%9Fe%20%E2%9C%93\.txt/);
  });

  test('a folder without its slash redirects; the page sorts on the server, folders first', async (t) => {
    const f = await startWeb(t, { files: { 'b/x.txt': '1', 'a.txt': '22', 'c.txt': '333', 'B2.txt': '1' } });
    const moved = await request(f.port, '/b');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, '/b/');
    await fs.utimes(path.join(f.root, 'c.txt'), new Date(), new Date(Date.now() - 86_400_000));
    const order = (html: string) => ['b/', 'a.txt', 'B2.txt', 'c.txt'].map((n) => [n, html.indexOf(`href="/${n}"`)] as const).sort((x, y) => x[1] - y[1]).map((x) => x[0]);
    const byName = await request(f.port, '/', { headers: { Accept: 'text/html' } });
    assert.equal(byName.status, 200);
    assert.deepEqual(order(byName.text), ['b/', 'a.txt', 'B2.txt', 'c.txt']);
    const bySize = await request(f.port, '/?sort=size&order=desc', { headers: { Accept: 'text/html' } });
    assert.deepEqual(order(bySize.text), ['b/', 'c.txt', 'a.txt', 'B2.txt']);
    const byDate = await request(f.port, '/?sort=modified&order=asc', { headers: { Accept: 'text/html' } });
    assert.equal(order(byDate.text)[1], 'c.txt');
  });

  test('a download is a transfer of a web session named after its client', async (t) => {
    const f = await startWeb(t, { files: { 'a.bin': pseudoRandomBytes(70_000) } });
    assert.equal((await curl(['-o', '/dev/null', f.url('/a.bin')])).code, 0);
    const opened = f.events.find((e) => e.type === 'session-opened');
    assert.ok(opened && opened.type === 'session-opened');
    assert.equal(opened.protocol, 'web');
    assert.equal(opened.client, 'curl');
    const done = await waitFor(() => f.events.find((e) => e.type === 'transfer-completed'), 'transfer-completed');
    assert.ok(done.type === 'transfer-completed');
    assert.equal(done.protocol, 'web');
    assert.equal(done.bytes, 70_000);
    assert.equal(done.path, '/a.bin');
    assert.equal(done.sessionId, opened.sessionId);
  });
});

describe('mirrors and archives', () => {
  const tree: Record<string, Buffer> = {
    'top.txt': pseudoRandomBytes(1234, 1),
    'photos/2024/beach.jpg': pseudoRandomBytes(400_000, 2),
    'photos/2024/ünïcödé name.jpg': pseudoRandomBytes(999, 3),
    'photos/notes #1 & more%.txt': pseudoRandomBytes(10, 4),
    'docs/empty.txt': Buffer.alloc(0),
    'docs/deep/er/still.bin': pseudoRandomBytes(70_000, 5),
  };

  async function digestsOf(dir: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      out[path.relative(dir, full).split(path.sep).join('/')] = await fileSha256(full);
    }
    return out;
  }

  test('wget -r mirrors a folder and every SHA-256 matches', async (t) => {
    const f = await startWeb(t, { files: tree });
    const into = await tempDir(t);
    const result = await run('wget', ['-q', '-r', '-np', '-nH', '--restrict-file-names=nocontrol', '-R', 'index.html*', '-e', 'robots=off', '-P', into, f.url('/')], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    const got = await digestsOf(into);
    for (const name of Object.keys(got)) if (name.includes('?') || name.endsWith('index.html')) delete got[name];
    const expected = Object.fromEntries(Object.entries(tree).map(([name, data]) => [name, sha256(data)]));
    assert.deepEqual(got, expected);
  });

  test('the folder .zip unpacks to the same tree (python3 zipfile), with empty folders kept', async (t) => {
    const f = await startWeb(t, { files: tree });
    await fs.mkdir(path.join(f.root, 'photos/empty folder'));
    const work = await tempDir(t);
    const zipFile = path.join(work, 'photos.zip');
    const got = await curl(['-D', '-', '-o', zipFile, f.url('/photos/?zip')]);
    assert.match(got.stdout, /content-disposition: attachment; filename="photos.zip"/i);
    assert.match(got.stdout, /content-length: \d+/i);
    const out = path.join(work, 'out');
    const unzip = await run('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])', zipFile, out]);
    assert.equal(unzip.code, 0, unzip.stderr);
    const expected = Object.fromEntries(Object.entries(tree).filter(([n]) => n.startsWith('photos/')).map(([n, d]) => [n.slice('photos/'.length), sha256(d)]));
    assert.deepEqual(await digestsOf(out), expected);
    assert.ok((await fs.stat(path.join(out, 'empty folder'))).isDirectory());
  });

  test('a zip whose client goes away stops and closes every file', async (t) => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`f${i}.bin`] = pseudoRandomBytes(512 * 1024, i + 1);
    const f = await startWeb(t, { files });
    const baseline = await takeBaseline();
    const socket = net.connect(f.port, '127.0.0.1');
    socket.write(`GET /?zip HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\n\r\n`);
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (c: Buffer) => {
        received += c.length;
        // Stop reading after 2 MiB (the server is then blocked mid-file), then reset.
        if (received > 2 * 1024 * 1024) {
          socket.pause();
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 100);
        }
      });
    });
    const failed = await waitFor(() => f.events.find((e) => e.type === 'transfer-failed'), 'the zip transfer to fail');
    assert.ok(failed.type === 'transfer-failed' && failed.path === '/');
    await expectBackToBaseline(baseline, 'after a zip cut short');
  });
});

describe('load', () => {
  test('100 concurrent downloads all arrive whole, and descriptors come back', async (t) => {
    const data = pseudoRandomBytes(1024 * 1024, 11);
    const f = await startWeb(t, { files: { 'one.bin': data } });
    const baseline = await takeBaseline();
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 100 }, () => request(f.port, '/one.bin')));
    const ms = Date.now() - started;
    for (const r of replies) {
      assert.equal(r.status, 200);
      assert.equal(sha256(r.body), sha256(data));
    }
    assert.ok(ms < 30_000, `100 × 1 MiB took ${ms} ms`);
    t.diagnostic(`100 concurrent 1 MiB downloads in ${ms} ms`);
    await expectBackToBaseline(baseline, 'after 100 downloads');
  });
});
