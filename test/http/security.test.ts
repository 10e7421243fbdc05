/**
 * The web page faces the whole LAN. Over raw sockets (curl would normalise the paths): a table
 * of traversal payloads on GET, HEAD, PUT, zip, rename and delete, with the tree outside the
 * share unchanged and nothing of it revealed; script-bearing names escaped; foreign Origin and
 * Host refused; the security headers on every response; wrong passwords until the throttle
 * (shared with FTP) holds.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { LoginThrottle } from '../../core/auth/login-throttle.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { FtpServer } from '../../core/ftp/server.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { tempDir } from '../helpers/temp.js';
import { basic, browserHeaders, cookieOf, csrfOf, rawExchange, request, startWeb, statusOf } from './web-fixture.js';

const SECRET = 'TOPSECRET-outside-the-share';

describe('traversal payloads', () => {
  test('no payload reaches, reveals or changes anything outside the share, whatever the method', async (t) => {
    const outside = await tempDir(t, 'ftp-share-outside-');
    await fs.writeFile(path.join(outside, 'secret.txt'), SECRET);
    await fs.mkdir(path.join(outside, 'private'));
    await fs.writeFile(path.join(outside, 'private', 'secret.txt'), SECRET);
    const root = path.join(outside, 'share');
    await fs.mkdir(path.join(root, 'a'), { recursive: true });
    await fs.writeFile(path.join(root, 'ok.txt'), 'inside');
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link-out'));
    await fs.symlink(path.join(outside, 'private'), path.join(root, 'dir-out'));
    const f = await startWeb(t, { root });
    const before = await snapshotTree(outside);
    const host = `127.0.0.1:${f.port}`;
    const payloads = [
      '/../secret.txt',
      '/a/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/%252e%252e/secret.txt',
      // Decoded once, these are literal names (`%2e%2e`), of folders that don't exist.
      '/a/%252e%252e/%252e%252e/secret.txt',
      '/%252e%252e%252f/secret.txt',
      '/ok.txt%00.jpg',
      '/%00',
      '/%c0%ae%c0%ae/secret.txt',
      '/%ff',
      `http://${host}/../secret.txt`,
      `http://${host}/%2e%2e/secret.txt`,
      '//../secret.txt',
      '/./../secret.txt',
      '/link-out',
      '/dir-out/secret.txt',
      '/dir-out/',
      '/a/' + 'x/'.repeat(3000) + 'y',
    ];
    const requests: Array<[string, (target: string) => string]> = [
      ['GET', (p) => `GET ${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
      ['HEAD', (p) => `HEAD ${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
      ['PUT', (p) => `PUT ${p} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 4\r\nConnection: close\r\n\r\nevil`],
      ['zip', (p) => `GET ${p}${p.includes('?') ? '&' : '?'}zip HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
      ['rename', (p) => `POST ${p}?rename HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{"to":"got.txt"}`.replace('Content-Length: 15', 'Content-Length: 16')],
      ['delete', (p) => `POST ${p}?delete HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`],
    ];
    const seen: string[] = [];
    for (const payload of payloads) {
      for (const [name, build] of requests) {
        const response = await rawExchange(f.port, build(payload));
        const status = statusOf(response);
        seen.push(`${name} ${payload.slice(0, 40)} → ${status}`);
        assert.ok(status >= 400 && status < 500, `${name} ${payload.slice(0, 60)} answered ${status}`);
        assert.ok(!response.includes(SECRET), `${name} ${payload.slice(0, 60)} revealed the secret`);
        assert.ok(!response.includes(outside), `${name} ${payload.slice(0, 60)} revealed a host path`);
      }
    }
    assert.deepEqual(await snapshotTree(outside), before, 'nothing outside (or inside) the share changed');
    t.diagnostic(`${seen.length} requests refused`);
    // A path a link inside the share leads out through is logged for the person sharing, as FTP does.
    assert.ok(f.events.some((e) => e.type === 'access-refused' && e.reason === 'outside-share'));
    // And the share itself still serves.
    assert.equal((await request(f.port, '/ok.txt')).text, 'inside');
  });
});

describe('names, origins and hosts', () => {
  test('script-bearing names come back escaped in the page, in JSON and in headers', async (t) => {
    const evil = '<img src=x onerror=alert(1)>.html';
    const quoted = 'say "hi"; x=1.txt';
    const f = await startWeb(t, { files: { [evil]: '<script>alert(1)</script>', [quoted]: 'q' } });
    const page = await request(f.port, '/', { headers: browserHeaders(f.port) });
    assert.ok(!page.text.includes('<img src=x onerror'), 'the name is not markup in the page');
    assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;.html'));
    const file = await request(f.port, `/${encodeURIComponent(evil)}`);
    assert.match(file.headers['content-disposition']!, /^attachment; filename="<img src=x onerror=alert\(1\)>\.html"$/);
    assert.match(String(file.headers['content-security-policy']), /^sandbox/);
    const q = await request(f.port, `/${encodeURIComponent(quoted)}`);
    assert.equal(q.headers['content-disposition'], 'inline; filename="say \\"hi\\"; x=1.txt"');
    const rename = await request(f.port, `/${encodeURIComponent(quoted)}?rename`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to: '<b onclick=x>bold<b>.txt' }) });
    assert.equal(rename.status, 200);
    assert.deepEqual(JSON.parse(rename.text), { name: '<b onclick=x>bold<b>.txt', path: '/<b onclick=x>bold<b>.txt', type: 'file' });
    assert.match(rename.headers['content-type']!, /^application\/json/);
  });

  test('a POST or PUT with a foreign Origin or Referer is refused; a browser needs its CSRF token', async (t) => {
    const f = await startWeb(t, { files: { 'a.txt': 'a' } });
    const page = await request(f.port, '/', { headers: browserHeaders(f.port) });
    const cookie = cookieOf(page)!;
    const csrf = csrfOf(page.text)!;
    const json = { 'Content-Type': 'application/json', Cookie: cookie };
    const mkdir = (headers: Record<string, string>) => request(f.port, '/?mkdir', { method: 'POST', headers: { ...json, ...headers }, body: '{"name":"x"}' });
    assert.equal((await mkdir({ Origin: 'http://evil.example', 'X-CSRF-Token': csrf })).status, 403);
    assert.equal((await mkdir({ Referer: 'http://evil.example/page', 'X-CSRF-Token': csrf })).status, 403);
    assert.equal((await mkdir({ Origin: `http://127.0.0.1:${f.port}` })).status, 403, 'no token');
    assert.equal((await mkdir({ Origin: `http://127.0.0.1:${f.port}`, 'X-CSRF-Token': 'wrong' })).status, 403);
    assert.equal((await mkdir({ 'X-CSRF-Token': csrf })).status, 403, 'a cookie request must say its origin');
    assert.equal((await request(f.port, '/b.txt', { method: 'PUT', headers: { Origin: 'http://evil.example' }, body: 'x' })).status, 403);
    // A form field carries the token too (JavaScript off).
    const form = await request(f.port, '/?mkdir', { method: 'POST', headers: { Cookie: cookie, Origin: `http://127.0.0.1:${f.port}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `name=formed&csrf=${csrf}` });
    assert.equal(form.status, 201);
    assert.equal((await mkdir({ Origin: `http://127.0.0.1:${f.port}`, 'X-CSRF-Token': csrf })).status, 201);
    assert.deepEqual((await fs.readdir(f.root)).sort(), ['a.txt', 'formed', 'x']);
    // Sign-in from a foreign page (login CSRF) is refused too.
    assert.equal((await request(f.port, '/?signin', { method: 'POST', headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=a&password=b' })).status, 403);
  });

  test('a Host that is not this computer is refused (DNS rebinding); ours are served', async (t) => {
    const f = await startWeb(t, { files: { 'a.txt': 'a' } });
    for (const host of ['evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', '192.0.2.1', '[::2]:80']) {
      const r = await rawExchange(f.port, `GET /a.txt HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(r), 421, host);
      assert.ok(!r.endsWith('\r\n\r\na'), host);
    }
    assert.equal(statusOf(await rawExchange(f.port, 'GET /a.txt HTTP/1.0\r\n\r\n')), 421, 'no Host at all');
    assert.equal(statusOf(await rawExchange(f.port, `GET http://evil.example/a.txt HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\nConnection: close\r\n\r\n`)), 421);
    for (const host of [`127.0.0.1:${f.port}`, `localhost:${f.port}`, 'LOCALHOST', `[::1]:${f.port}`]) {
      assert.equal(statusOf(await rawExchange(f.port, `GET /a.txt HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)), 200, host);
    }
  });

  test('every response carries the security headers, and none a stack trace or host path', async (t) => {
    const f = await startWeb(t, { username: 'u', password: 'p', files: { 'a.txt': 'a' } });
    const auth = { Authorization: basic('u', 'p') };
    const replies = [
      await request(f.port, '/', { headers: { ...auth, Accept: 'text/html' } }),
      await request(f.port, '/a.txt', { headers: auth }),
      await request(f.port, '/missing', { headers: auth }),
      await request(f.port, '/missing', { headers: { ...auth, Accept: 'text/html' } }),
      await request(f.port, '/'),
      await request(f.port, '/?asset=page.css'),
      await request(f.port, '/?mkdir', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{' }),
      await request(f.port, '/a.txt', { method: 'DELETE', headers: auth }),
      await request(f.port, '/%ff', { headers: auth }),
    ];
    for (const r of replies) {
      assert.match(String(r.headers['content-security-policy'] ?? ''), /frame-ancestors 'none'/, `${r.status}`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.ok(!r.text.includes(f.root) && !/\bat .*\(.*:\d+:\d+\)/.test(r.text), `${r.status} leaks`);
    }
    assert.equal(replies[0]!.headers['content-security-policy'], "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 404, 404, 401, 200, 400, 405, 400]);
  });
});

describe('the login throttle', () => {
  test('wrong passwords until the throttle holds: then even a right one waits, and FTP shares the count', async (t) => {
    const throttle = new LoginThrottle({ limit: 3, windowMs: 60_000, delayMs: 400, maxDelayMs: 2000, maxTracked: 100 });
    const f = await startWeb(t, { username: 'ann', password: 'right', loginThrottle: throttle });
    const wrong = async () => (await request(f.port, '/', { headers: { Authorization: basic('ann', 'wrong') } })).status;
    for (let i = 0; i < 3; i++) assert.equal(await wrong(), 401);
    assert.ok(f.events.some((e) => e.type === 'address-throttled' && e.remoteAddress === '127.0.0.1' && e.delayMs === 400));
    let started = Date.now();
    assert.equal((await request(f.port, '/', { headers: { Authorization: basic('ann', 'right') } })).status, 200);
    assert.ok(Date.now() - started >= 350, `a throttled address waited only ${Date.now() - started} ms`);
    started = Date.now();
    assert.equal((await request(f.port, '/?signin', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=ann&password=nope' })).status, 403);
    assert.ok(Date.now() - started >= 350);
    // The FTP server given the same throttle greets this address late too.
    const ftpRoot = await tempDir(t);
    const ftp = new FtpServer({ authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root: ftpRoot }) }), host: '127.0.0.1', port: 0, loginThrottle: throttle });
    const { port } = await ftp.start();
    t.after(() => ftp.stop());
    started = Date.now();
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.match(greeting, /^220/);
    assert.ok(Date.now() - started >= 350, `FTP greeted after ${Date.now() - started} ms`);
  });
});
