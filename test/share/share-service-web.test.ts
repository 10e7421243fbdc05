/**
 * The web page through the ShareService: state.web while it runs (URLs from the same candidates,
 * the QR code's signInUrl only with an account and qrSignIn, which applies live), newSignInCode
 * (the old code stops signing in), a browser in getSessions (protocol 'web', its device) that
 * kickSession ends and that auto-stop counts as activity, web.enabled/web.port restarting the
 * share, a busy web port as an error naming the field, and a killed browser upload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { startService, unwrap, TEST_USER } from './share-service-fixture.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from '../helpers/temp.js';
import { digestOf, fileDigest } from '../helpers/digests.js';
import { tempFilesIn } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { browserHeaders, cookieOf, request } from '../http/web-fixture.js';
import { defaultSettings, type ShareSettings } from '../../core/share/settings.js';

const ACCOUNT: Partial<ShareSettings> = { access: { mode: 'password', username: TEST_USER, password: 'pw-of-phone' } };

/** The path and query of a URL, as a request target. */
const target = (url: string): string => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

test('state.web while running: the page\'s URLs, and the QR code\'s signInUrl with an account', async (t) => {
  const f = await startService(t, { settings: ACCOUNT });
  assert.equal(unwrap(await f.service.getState()).web, undefined, 'no web state while stopped');
  const state = unwrap(await f.service.start());
  const web = state.web!;
  assert.ok(web && web.port > 0 && web.port !== state.port);
  assert.equal(web.secure, false);
  assert.deepEqual(web.urls.map((u) => u.url), [`http://127.0.0.1:${web.port}/`]);
  assert.match(web.signInUrl ?? '', new RegExp(`^http://127\\.0\\.0\\.1:${web.port}/\\?token=[\\w-]{20,}$`));
  assert.equal(state.localNames, undefined, 'not advertised here (FTP_SHARE_NO_MDNS)');
  const scanned = await request(web.port, target(web.signInUrl!), { headers: browserHeaders(web.port) });
  assert.ok(cookieOf(scanned), 'the QR code signs the phone in');
  const rows = await waitFor(async () => unwrap(await f.service.getSessions()).filter((s) => s.protocol === 'web'), 'the web session');
  assert.equal(rows[0]?.user, TEST_USER);

  // qrSignIn applies live: the same share, only the state changes.
  unwrap(await f.service.updateSettings({ web: { ...defaultSettings().web, qrSignIn: false } }));
  const plain = unwrap(await f.service.getState());
  assert.equal(plain.web?.signInUrl, undefined);
  assert.equal(plain.web?.port, web.port);
  assert.equal(plain.startedAt, state.startedAt, 'no restart');
  assert.equal(unwrap(await f.service.getSessions()).filter((s) => s.protocol === 'web').length, 1, 'the browser stays');
  unwrap(await f.service.updateSettings({ web: { ...defaultSettings().web, qrSignIn: true } }));
  assert.ok(unwrap(await f.service.getState()).web?.signInUrl);
});

test('an anonymous share has no signInUrl; web.enabled off restarts without the page, on again with it', async (t) => {
  const f = await startService(t, { settings: { access: { mode: 'anonymous' } } });
  const state = unwrap(await f.service.start());
  assert.ok(state.web);
  assert.equal(state.web.signInUrl, undefined);
  unwrap(await f.service.updateSettings({ web: { ...defaultSettings().web, enabled: false } }));
  const off = unwrap(await f.service.getState());
  assert.equal(off.status, 'running');
  assert.equal(off.web, undefined);
  const refused = await request(state.web.port, '/').then(() => false, () => true);
  assert.ok(refused, 'the page stopped');
  const newCode = await f.service.newSignInCode();
  assert.equal(!newCode.ok && newCode.code, 'not-running');
  unwrap(await f.service.updateSettings({ web: { ...defaultSettings().web, enabled: true } }));
  assert.ok(unwrap(await f.service.getState()).web);
});

test('newSignInCode: a new token; the old URL no longer signs in and what it signed in ends', async (t) => {
  const f = await startService(t, { settings: ACCOUNT });
  const notYet = await f.service.newSignInCode();
  assert.equal(!notYet.ok && notYet.code, 'not-running');
  const before = unwrap(await f.service.start()).web!;
  const port = before.port;
  const cookie = cookieOf(await request(port, target(before.signInUrl!), { headers: browserHeaders(port) }))!;
  assert.ok(cookie);
  const after = unwrap(await f.service.newSignInCode()).web!;
  assert.ok(after.signInUrl && after.signInUrl !== before.signInUrl);
  assert.equal(cookieOf(await request(port, target(before.signInUrl!), { headers: browserHeaders(port) })), undefined, 'the old code signs nobody in');
  assert.equal((await request(port, '/', { headers: browserHeaders(port, { Cookie: cookie }) })).status, 303, 'the browser it signed in is signed out');
  assert.ok(cookieOf(await request(port, target(after.signInUrl), { headers: browserHeaders(port) })), 'the new code signs in');
  assert.ok(unwrap(await f.service.getLogs()).some((l) => l.text.startsWith('New sign-in code')));
});

test('a browser is a session (protocol web, its device) that keeps auto-stop away; kickSession ends it', async (t) => {
  const f = await startService(t, { settings: { autoStopMinutes: 1, access: { mode: 'anonymous' } }, files: { 'a.txt': 'a' }, service: { autoStopUnitMs: 400 } });
  const state = unwrap(await f.service.start());
  const port = state.web!.port;
  assert.ok(unwrap(await f.service.getState()).autoStopAt !== undefined, 'idle: auto-stop counts down');
  const page = await request(port, '/', { headers: browserHeaders(port) });
  assert.equal(page.status, 200);
  const row = await waitFor(async () => unwrap(await f.service.getSessions()).find((s) => s.protocol === 'web'), 'the browser\'s session');
  assert.equal(row.client, 'Safari on iPhone');
  assert.equal(row.remoteAddress, '127.0.0.1');
  // Shown at once: a toast and a log line name the device.
  await waitFor(() => f.pushed('notice').some((n) => n.text === 'A device opened the web page: Safari on iPhone'), 'the notice');
  assert.ok(unwrap(await f.service.getLogs()).some((l) => l.text === 'A device opened the web page: Safari on iPhone (from 127.0.0.1)'));
  await waitFor(async () => unwrap(await f.service.getState()).autoStopAt === undefined, 'auto-stop to stop counting');
  await new Promise((resolve) => setTimeout(resolve, 900));
  assert.equal(unwrap(await f.service.getState()).status, 'running', 'a browser session is activity');

  unwrap(await f.service.kickSession({ sessionId: row.sessionId }));
  assert.equal(unwrap(await f.service.getSessions()).some((s) => s.sessionId === row.sessionId), false);
  await waitFor(async () => unwrap(await f.service.getState()).status === 'stopped', 'auto-stop once the browser is gone', 5000);
});

test('web.port changes restart on the new port; a busy web port is an error naming webPort, with a free port', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((r) => blocker.close(r)));
  const busy = (blocker.address() as net.AddressInfo).port;
  const f = await startService(t, { settings: { web: { enabled: true, port: busy, qrSignIn: true } }, service: { webOverrides: {} } });
  const result = await f.service.start();
  assert.equal(!result.ok && result.code, 'port-in-use');
  const state = unwrap(await f.service.getState());
  assert.equal(state.status, 'error');
  assert.equal(state.error?.field, 'webPort');
  const suggested = state.error?.suggestedPort;
  assert.ok(suggested !== undefined && suggested > busy);
  assert.match(state.error?.fix ?? '', /the web page's port/);
  unwrap(await f.service.updateSettings({ web: { enabled: true, port: suggested, qrSignIn: true } }));
  const running = unwrap(await f.service.getState());
  assert.equal(running.status, 'running', JSON.stringify(running.error));
  assert.equal(running.web?.port, suggested);
});

test('a browser upload killed mid-body leaves the original and no temp file', { timeout: 30_000 }, async (t) => {
  const original = pseudoRandomBytes(1000, 1);
  const f = await startService(t, { settings: { readOnly: false, access: { mode: 'anonymous' } }, files: { 'keep.bin': original } });
  const port = unwrap(await f.service.start()).web!.port;
  const work = await tempDir(t);
  const big = path.join(work, 'big.bin');
  await writeFile(big, pseudoRandomBytes(16 * 1024 * 1024, 2));
  const curl = spawn('curl', ['-sS', '--limit-rate', '2M', '-F', `file=@${big};filename=keep.bin`, `http://127.0.0.1:${port}/?upload`], { stdio: 'ignore' });
  t.after(() => curl.kill('SIGKILL'));
  await waitFor(async () => unwrap(await f.service.getTransfers()).active.some((r) => r.protocol === 'web' && r.bytes > 512 * 1024), 'the upload to be under way', 15_000);
  curl.kill('SIGKILL');
  const ended = await waitFor(async () => unwrap(await f.service.getTransfers()).finished.find((r) => r.protocol === 'web'), 'the upload to end', 10_000);
  assert.notEqual(ended.result, 'done');
  assert.deepEqual(await fileDigest(path.join(f.root, 'keep.bin')), digestOf(original));
  assert.deepEqual(await tempFilesIn(f.root), []);
  assert.deepEqual(await fileDigest(path.join(f.root, 'keep (1).bin')), undefined, 'nothing half-written beside it');
});
