import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { requestsFromCall } from '../../core/share/contract-calls.js';
import type { FtpShareBackend, PushListener, ServerFrame, ShareState } from '../../core/share/contract.js';
import { startWebHost, type WebHost } from '../../core/web/web-host.js';
import { startService, tempDir, unwrap, waitFor } from '../share/share-service-fixture.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes out exactly as given (no normalisation of `..`). */
function request(port: number, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves it open, or the HTTP status of a refused upgrade. */
function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 5000, ...options });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Sends request frames and collects every frame received. */
class FrameClient {
  readonly frames: ServerFrame[] = [];
  #id = 0;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as ServerFrame));
  }
  async call(name: string, params?: unknown): Promise<ServerFrame & { kind: 'response' }> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ kind: 'request', id, name, params }));
    return waitFor(() => this.frames.find((f): f is ServerFrame & { kind: 'response' } => f.kind === 'response' && f.id === id), `the response to ${name}`);
  }
}

interface HostFixture {
  host: WebHost;
  renderer: string;
  service: Awaited<ReturnType<typeof startService>>['service'];
}

async function startHost(t: TestContext, withIndex = true): Promise<HostFixture> {
  const f = await startService(t, { settings: { access: { mode: 'anonymous' } } });
  const base = await tempDir(t, 'ftp-share-web-');
  const renderer = path.join(base, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  if (withIndex) await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>FTP Share</title><script type="module" src="/assets/app.js"></script>');
  await writeFile(path.join(renderer, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(path.join(renderer, 'assets', 'app.css'), 'body{}');
  await writeFile(path.join(renderer, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(path.join(base, 'secret.txt'), 'outside the renderer');
  await symlink(path.join(base, 'secret.txt'), path.join(renderer, 'link.txt'));
  const host = await startWebHost({ backend: f.service, rendererDir: renderer });
  t.after(() => host.close());
  return { host, renderer, service: f.service };
}

test('the URL carries a 32-byte base64url token; the host binds 127.0.0.1 only', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t);
  assert.match(host.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(host.url, `http://127.0.0.1:${host.port}/?token=${host.token}`);
  assert.equal(host.wsUrl, `ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
  const refused = async (address: string): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect({ host: address, port: host.port, timeout: 2000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(true);
      });
    });
  const others = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && a.family === 'IPv4')
    .map((a) => a.address);
  for (const address of [...others, '::1']) assert.ok(await refused(address), `not reachable on ${address}`);
  assert.equal(await refused('127.0.0.1'), false);
});

test('the index needs the token, sets the cookie, and carries the security headers', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t);
  const missing = await request(host.port, '/');
  assert.equal(missing.status, 403);
  assert.equal((await request(host.port, '/?token=wrong')).status, 403);
  assert.equal((await request(host.port, `/?token=${host.token}x`)).status, 403);
  assert.equal((await request(host.port, '/', { Cookie: 'ftp_share_token=nope' })).status, 403);

  const page = await request(host.port, `/?token=${host.token}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>FTP Share<\/title>/);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.deepEqual(page.headers['set-cookie'], [`ftp_share_token=${host.token}; HttpOnly; SameSite=Strict; Path=/`]);
  const csp = page.headers['content-security-policy'] ?? '';
  for (const directive of [
    "default-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${host.port}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ]) {
    assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
  }
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(missing.headers['x-content-type-options'], 'nosniff', 'refusals carry the headers too');

  // Other files: the cookie or the token, else 403; correct content types.
  const cookie = { Cookie: `other=1; ftp_share_token=${host.token}` };
  assert.equal((await request(host.port, '/assets/app.js')).status, 403);
  const js = await request(host.port, '/assets/app.js', cookie);
  assert.equal(js.status, 200);
  assert.equal(js.body, 'console.log("app");');
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await request(host.port, `/assets/app.css?token=${host.token}`)).headers['content-type'], 'text/css; charset=utf-8');
  assert.equal((await request(host.port, '/logo.svg', cookie)).headers['content-type'], 'image/svg+xml');
  assert.equal((await request(host.port, '/index.html', cookie)).status, 200);
  assert.equal((await request(host.port, '/index.html', cookie)).headers['set-cookie'], undefined);
  assert.equal((await request(host.port, '/missing.js', cookie)).status, 404);
  assert.equal((await request(host.port, '/assets', cookie)).status, 404);
  const head = await request(host.port, '/assets/app.js', cookie, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await request(host.port, '/assets/app.js', cookie, 'POST')).status, 405);
  // DNS rebinding: a foreign Host header is refused even with the token.
  assert.equal((await request(host.port, `/?token=${host.token}`, { Host: `evil.example:${host.port}` })).status, 403);
  assert.equal((await request(host.port, `/?token=${host.token}`, { Host: `localhost:${host.port}` })).status, 200);
});

test('/ping tells a holder of the token (204) from a page of an earlier run (403)', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t);
  const ping = await request(host.port, `/ping?token=${host.token}`);
  assert.equal(ping.status, 204);
  assert.equal(ping.body, '');
  assert.equal(ping.headers['cache-control'], 'no-store');
  assert.equal((await request(host.port, '/ping', { Cookie: `ftp_share_token=${host.token}` })).status, 204);
  assert.equal((await request(host.port, '/ping?token=from-an-earlier-run')).status, 403);
  assert.equal((await request(host.port, '/ping')).status, 403);
});

test('no path leaves the renderer folder', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t);
  const cookie = { Cookie: `ftp_share_token=${host.token}` };
  for (const raw of [
    '/../package.json',
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..\\secret.txt',
    '/assets/%5c..%5c..%5csecret.txt',
    '/%00',
    '/%E0%A4%A',
    `/../package.json?token=${host.token}`,
  ]) {
    const reply = await request(host.port, raw, cookie);
    assert.ok(reply.status === 403 || reply.status === 404, `${raw} → ${reply.status}`);
    assert.ok(!reply.body.includes('outside the renderer') && !reply.body.includes('"name"'), `${raw} leaked a file`);
  }
  const link = await request(host.port, '/link.txt', cookie);
  assert.equal(link.status, 403, 'a symlink leading out is refused');
});

test('without a built renderer, a page says how to build it', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t, false);
  const page = await request(host.port, `/?token=${host.token}`);
  assert.equal(page.status, 503);
  assert.match(page.body, /npm run build/);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.ok(page.headers['set-cookie']);
});

test('the WebSocket refuses a missing or wrong token, a foreign Origin, another path', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t);
  const base = `ws://127.0.0.1:${host.port}`;
  assert.equal(await openSocket(`${base}/ws`), 403);
  assert.equal(await openSocket(`${base}/ws?token=`), 403);
  assert.equal(await openSocket(`${base}/ws?token=${host.token.slice(1)}`), 403);
  assert.equal(await openSocket(host.wsUrl, { origin: 'http://evil.example' }), 403);
  assert.equal(await openSocket(host.wsUrl, { origin: `http://127.0.0.1:${host.port + 1}` }), 403);
  assert.equal(await openSocket(host.wsUrl, { origin: 'null' }), 403);
  assert.equal(await openSocket(`${base}/other?token=${host.token}`), 404);
  for (const origin of [`http://127.0.0.1:${host.port}`, `http://localhost:${host.port}`]) {
    const ws = await openSocket(host.wsUrl, { origin });
    assert.ok(ws instanceof WebSocket, `${origin} is allowed`);
    ws.close();
  }
  // The page's cookie is as good as the token (a reload after the URL lost its query).
  const viaCookie = await openSocket(`${base}/ws`, { headers: { Cookie: `ftp_share_token=${host.token}` }, origin: `http://127.0.0.1:${host.port}` });
  assert.ok(viaCookie instanceof WebSocket);
  viaCookie.close();
});

test('requests and pushes over the WebSocket; bad frames never crash it', { timeout: 30_000 }, async (t) => {
  const { host, service } = await startHost(t);
  const ws = await openSocket(host.wsUrl, { origin: `http://127.0.0.1:${host.port}` });
  assert.ok(ws instanceof WebSocket);
  t.after(() => ws.terminate());
  const client = new FrameClient(ws);

  const state = await client.call('getState');
  assert.equal(state.result.ok, true);
  assert.equal((state.result as { value: ShareState }).value.status, 'stopped');

  // A request that changes state: the response, then the pushed event.
  const started = await client.call('start');
  assert.equal(started.result.ok, true);
  const running = await waitFor(
    () => client.frames.find((f) => f.kind === 'event' && f.event === 'state' && (f.payload as ShareState).status === 'running'),
    'a pushed state event',
  );
  assert.equal(running.kind, 'event');
  await waitFor(() => client.frames.some((f) => f.kind === 'event' && f.event === 'log'), 'a pushed log batch');

  const unknown = await client.call('formatDisk', {});
  assert.deepEqual(unknown.result, { ok: false, code: 'unsupported', message: 'Unknown request "formatDisk"' });
  const proto = await client.call('__proto__', {});
  assert.equal(!proto.result.ok && proto.result.code, 'unsupported');
  const picked = await client.call('pickFolders');
  assert.equal(!picked.result.ok && picked.result.code, 'unsupported');
  const badParams = await client.call('addFolder', 'not an object');
  assert.equal(!badParams.result.ok && badParams.result.code, 'invalid-settings');
  const stillThere = await client.call('getSettings');
  assert.equal(stillThere.result.ok, true);
  unwrap(await service.stop());

  // Malformed JSON closes that socket with 1003; the host keeps serving others.
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('{not json');
  assert.equal(await closed, 1003);
  for (const bad of ['[1,2]', '{"kind":"request","name":"getState"}', '{"kind":"event","id":1}']) {
    const other = await openSocket(host.wsUrl);
    assert.ok(other instanceof WebSocket);
    const code = new Promise<number>((resolve) => other.once('close', (c) => resolve(c)));
    other.send(bad);
    assert.equal(await code, 1003, bad);
  }
  const binary = await openSocket(host.wsUrl);
  assert.ok(binary instanceof WebSocket);
  const binaryClosed = new Promise<number>((resolve) => binary.once('close', (c) => resolve(c)));
  binary.send(Buffer.from([1, 2, 3]));
  assert.equal(await binaryClosed, 1003);

  const fresh = await openSocket(host.wsUrl);
  assert.ok(fresh instanceof WebSocket);
  t.after(() => fresh.terminate());
  const again = await new FrameClient(fresh).call('getState');
  assert.equal(again.result.ok, true);
});

test('close() ends the sockets and frees the port', { timeout: 20_000 }, async (t) => {
  const { host } = await startHost(t);
  const ws = await openSocket(host.wsUrl);
  assert.ok(ws instanceof WebSocket);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await host.close();
  assert.equal(await closed, 1001);
  await host.close();
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(host.port, '127.0.0.1', resolve));
  await new Promise((r) => probe.close(r));
});

test('one backpressure rule: a client that stops reading is dropped, a reading one keeps its pushes', { timeout: 30_000 }, async (t) => {
  // A backend whose pushes the test makes; its requests all answer null.
  const listeners = new Set<PushListener>();
  const backend: FtpShareBackend = {
    ...requestsFromCall(async () => ({ ok: true, value: null })),
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const host = await startWebHost({ backend, rendererDir: await tempDir(t, 'ftp-share-web-') });
  t.after(() => host.close());
  const stuck = await openSocket(host.wsUrl);
  const reader = await openSocket(host.wsUrl);
  assert.ok(stuck instanceof WebSocket && reader instanceof WebSocket);
  t.after(() => {
    stuck.terminate();
    reader.terminate();
  });
  let received = 0;
  reader.on('message', () => received++);
  let stuckReceived = 0;
  stuck.on('message', () => stuckReceived++);
  const stuckClosed = new Promise<number>((resolve) => stuck.once('close', (code) => resolve(code)));
  // A tab that reads nothing: what the host sends it piles up, past what the kernel's buffers
  // hold, in the host's own buffer.
  const stuckSocket = (stuck as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  stuckSocket.pause();

  // 1 MiB pushes, each read by the reader before the next, so only the stuck client falls behind.
  const PUSHES = 48;
  const text = 'x'.repeat(1024 * 1024);
  for (let pushed = 1; pushed <= PUSHES; pushed++) {
    for (const listener of listeners) listener('notice', { level: 'info', text });
    await waitFor(() => received === pushed, `the reader to read push ${pushed}`);
  }
  stuckSocket.resume();
  assert.equal(await stuckClosed, 1006, 'the stuck client is terminated (no close frame)');
  assert.ok(stuckReceived < PUSHES, `the stuck client got ${stuckReceived} of ${PUSHES} pushes before it was dropped`);
  assert.equal(reader.readyState, WebSocket.OPEN, 'the reading client stays');
});
