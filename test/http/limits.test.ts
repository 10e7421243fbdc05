/**
 * What keeps slow or greedy clients from holding the web server, and HTTPS: the per-address
 * connection cap (as FTP's), the header timeout against trickled headers, and the page over TLS
 * with a Secure cookie and the certificate's fingerprint.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BandwidthBudget } from '../../core/net/throttle.js';
import { sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { run } from '../helpers/processes.js';
import { expectBackToBaseline, takeBaseline } from '../helpers/resource-baseline.js';
import { testCertificate } from '../helpers/test-certificate.js';
import { waitFor } from '../helpers/wait.js';
import { request, startWeb } from './web-fixture.js';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: net.Socket, timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', () => undefined);
    // Read whatever the server says, so its close is seen.
    socket.resume();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('limits', () => {
  test('connections beyond the per-address cap are closed at once and reported', async (t) => {
    const f = await startWeb(t, { maxConnectionsPerIp: 2, files: { 'a.txt': 'a' } });
    const baseline = await takeBaseline();
    const held = [await connect(f.port), await connect(f.port)];
    const third = await connect(f.port);
    await closed(third, 2000);
    const refused = await waitFor(() => f.events.find((e) => e.type === 'connection-refused'), 'connection-refused');
    assert.ok(refused.type === 'connection-refused' && refused.reason === 'too-many-from-address' && refused.limit === 2);
    for (const socket of held) socket.destroy();
    await waitFor(async () => (await request(f.port, '/a.txt').catch(() => undefined))?.status === 200, 'a slot to free up');
    await expectBackToBaseline(baseline, 'after the connection cap');
  });

  test('a client that trickles its headers is cut off after the header timeout', async (t) => {
    const f = await startWeb(t, { headersTimeoutMs: 500 });
    const socket = await connect(f.port);
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    t.after(() => clearInterval(timer));
    const ms = await closed(socket, 5000);
    clearInterval(timer);
    assert.ok(ms >= 400 && ms < 3000, `closed after ${ms} ms`);
  });
});

describe('bandwidth', () => {
  test('downloads draw from the budget shared with FTP: a 2 MiB/s cap holds for a whole file and a range', async (t) => {
    const data = pseudoRandomBytes(3 * 1024 * 1024, 5);
    const budget = new BandwidthBudget({ download: 2 * 1024 * 1024 });
    const f = await startWeb(t, { bandwidthBudget: budget, files: { 'a.bin': data } });
    let started = Date.now();
    const whole = await request(f.port, '/a.bin');
    const wholeMs = Date.now() - started;
    assert.equal(sha256(whole.body), sha256(data));
    assert.ok(wholeMs >= 1000, `3 MiB at 2 MiB/s took ${wholeMs} ms`);
    started = Date.now();
    const range = await request(f.port, '/a.bin', { headers: { Range: 'bytes=1048576-3145727' } });
    assert.deepEqual(range.body, data.subarray(1048576, 3145728));
    assert.ok(Date.now() - started >= 600, `2 MiB at 2 MiB/s took ${Date.now() - started} ms`);
    t.diagnostic(`3 MiB under a 2 MiB/s cap: ${wholeMs} ms`);
  });
});

describe('HTTPS', () => {
  test('the page over TLS: a __Host- cookie marked Secure, the fingerprint on the page, files as over HTTP', async (t) => {
    const certificate = await testCertificate();
    const f = await startWeb(t, { tls: { cert: certificate.cert, key: certificate.key }, files: { 'a.txt': 'secret bytes' } });
    const base = `https://127.0.0.1:${f.port}`;
    const page = await run('curl', ['-sS', '-k', '-i', '-H', 'Accept: text/html', `${base}/`]);
    assert.equal(page.code, 0, page.stderr);
    assert.match(page.stdout, /^HTTP\/1\.1 200/);
    assert.match(page.stdout, /Set-Cookie: __Host-ftpshare=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Secure/i);
    assert.ok(page.stdout.includes(certificate.fingerprint256), 'the page shows the certificate fingerprint');
    const file = await run('curl', ['-sS', '-k', `${base}/a.txt`]);
    assert.equal(file.stdout, 'secret bytes');
    const plain = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${f.port}/a.txt`]);
    assert.notEqual(plain.stdout, '200', 'plain HTTP is not served on the HTTPS port');
    assert.ok(f.events.some((e) => e.type === 'session-opened' && e.secure));
  });
});
