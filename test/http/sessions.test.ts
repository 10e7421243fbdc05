/**
 * Who uses the web page: sessions named after the browser, the sign-in page and its cookie, sign
 * out, kick (the cookie stops working), the QR code's token (signs in once, leaves the address,
 * "New code" ends what it signed in), idle sessions ending, and descriptors back to baseline.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RotatingSignInToken } from '../../core/http/sign-in-token.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { expectBackToBaseline, takeBaseline } from '../helpers/resource-baseline.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { browserHeaders, cookieOf, csrfOf, IPHONE_SAFARI, request, startWeb, type WebFixture } from './web-fixture.js';

async function signIn(f: WebFixture, user: string, password: string, returnTo = '/'): Promise<{ status: number; cookie?: string; location?: string }> {
  const r = await request(f.port, '/?signin', {
    method: 'POST',
    headers: browserHeaders(f.port, { 'Content-Type': 'application/x-www-form-urlencoded' }),
    body: new URLSearchParams({ user, password, returnTo }).toString(),
  });
  return { status: r.status, ...(cookieOf(r) ? { cookie: cookieOf(r)! } : {}), ...(r.headers.location ? { location: r.headers.location } : {}) };
}

describe('browser sessions', () => {
  test('an anonymous share opens directly: one session, named after the browser, with its cookie', async (t) => {
    const f = await startWeb(t, { files: { 'a.txt': 'a' } });
    const page = await request(f.port, '/', { headers: browserHeaders(f.port) });
    assert.equal(page.status, 200);
    const setCookie = page.headers['set-cookie']![0]!;
    assert.match(setCookie, /^ftpshare=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    await request(f.port, '/a.txt', { headers: { Cookie: cookieOf(page)!, 'User-Agent': IPHONE_SAFARI } });
    const opened = f.events.filter((e) => e.type === 'session-opened');
    assert.equal(opened.length, 1);
    assert.ok(opened[0]!.type === 'session-opened' && opened[0]!.client === 'Safari on iPhone' && opened[0]!.protocol === 'web');
    const [snapshot] = f.server.sessions();
    assert.equal(snapshot!.client, 'Safari on iPhone');
    assert.equal(snapshot!.user, 'anonymous');
    assert.equal(snapshot!.bytesOut, 1);
  });

  test('an account: the sign-in page, a wrong password, the cookie, sign out', async (t) => {
    const f = await startWeb(t, { username: 'ann', password: 'pw', files: { 'docs/a.txt': 'a' } });
    const bounced = await request(f.port, '/docs/?sort=size', { headers: browserHeaders(f.port) });
    assert.equal(bounced.status, 303);
    assert.equal(bounced.headers.location, `/?signin&returnTo=${encodeURIComponent('/docs/?sort=size')}`);
    const form = await request(f.port, bounced.headers.location!, { headers: browserHeaders(f.port) });
    assert.equal(form.status, 200);
    assert.match(form.text, /<form/);
    const wrong = await signIn(f, 'ann', 'nope');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.cookie, undefined);
    assert.ok(f.events.some((e) => e.type === 'login-failed' && e.user === 'ann'));
    const right = await signIn(f, 'ann', 'pw', '/docs/?sort=size');
    assert.equal(right.status, 303);
    assert.equal(right.location, '/docs/?sort=size');
    assert.ok(right.cookie);
    // Where to go back is never another site.
    assert.equal((await signIn(f, 'ann', 'pw', '//evil.example/')).location, '/');
    const page = await request(f.port, '/docs/', { headers: browserHeaders(f.port, { Cookie: right.cookie! }) });
    assert.equal(page.status, 200);
    assert.ok(f.events.some((e) => e.type === 'login' && e.user === 'ann'));
    const out = await request(f.port, '/?signout', { method: 'POST', headers: browserHeaders(f.port, { Cookie: right.cookie!, 'X-CSRF-Token': csrfOf(page.text)! }) });
    assert.equal(out.status, 303);
    assert.ok(f.events.some((e) => e.type === 'logout' && e.user === 'ann'));
    assert.equal((await request(f.port, '/docs/', { headers: browserHeaders(f.port, { Cookie: right.cookie! }) })).status, 303, 'the cookie no longer works');
  });

  test('on an account share a cookie-less sub-request (a favicon) is refused without becoming a session; a page visit is one', async (t) => {
    const f = await startWeb(t, { username: 'ann', password: 'pw', files: { 'a.txt': 'a' } });
    const icon = await request(f.port, '/favicon.ico', { headers: { Accept: 'image/avif,image/webp,*/*', 'User-Agent': IPHONE_SAFARI } });
    assert.equal(icon.status, 401);
    assert.deepEqual(f.server.sessions(), [], 'no session for a request nobody sees');
    const page = await request(f.port, '/', { headers: browserHeaders(f.port) });
    assert.equal(page.status, 303);
    assert.equal(f.server.sessions().length, 1, 'a person opening the page is a visitor the app shows');
  });

  test('kick ends a browser session and its cookie stops working', async (t) => {
    const f = await startWeb(t, { username: 'ann', password: 'pw' });
    const { cookie } = await signIn(f, 'ann', 'pw');
    assert.equal((await request(f.port, '/', { headers: browserHeaders(f.port, { Cookie: cookie! }) })).status, 200);
    const [session] = f.server.sessions();
    assert.ok(f.server.kick(session!.sessionId));
    assert.ok(f.events.some((e) => e.type === 'session-closed' && e.sessionId === session!.sessionId && e.reason === 'kicked'));
    assert.equal(f.server.sessions().length, 0);
    assert.equal((await request(f.port, '/', { headers: browserHeaders(f.port, { Cookie: cookie! }) })).status, 303);
    assert.equal(f.server.kick('w999'), false);
  });

  test('kickUser ends every session of an account and its cookies, idle ones included', async (t) => {
    const f = await startWeb(t, { username: 'ann', password: 'pw', sessionIdleMs: 200 });
    const idle = (await signIn(f, 'ann', 'pw')).cookie!;
    await waitFor(() => f.server.sessions().length === 0, 'the first session to idle out');
    const live = (await signIn(f, 'ann', 'pw')).cookie!;
    assert.equal(f.server.sessions().length, 1);
    assert.equal(f.server.kickUser('ann'), 1);
    for (const cookie of [idle, live]) assert.equal((await request(f.port, '/', { headers: browserHeaders(f.port, { Cookie: cookie }) })).status, 303);
  });

  test('the QR code’s token signs a browser in, leaves the address, and "New code" ends what it signed in', async (t) => {
    const root = await tempDir(t);
    const share = new PhysicalFileSystem({ root });
    const authorizer = new SimpleAuthorizer({ username: 'ann', password: 'pw', fs: share });
    const tokens = new RotatingSignInToken((context) => authorizer.login('ann', 'pw', context));
    const f = await startWeb(t, { root, authorizer, signInTokens: tokens });
    const first = tokens.token;
    const scanned = await request(f.port, `/?token=${first}&sort=size`, { headers: browserHeaders(f.port) });
    assert.equal(scanned.status, 303);
    assert.equal(scanned.headers.location, '/?sort=size');
    const cookie = cookieOf(scanned)!;
    assert.ok(cookie);
    assert.equal((await request(f.port, '/?sort=size', { headers: browserHeaders(f.port, { Cookie: cookie }) })).status, 200);
    const bad = await request(f.port, '/?token=not-the-token', { headers: browserHeaders(f.port) });
    assert.equal(bad.status, 303);
    assert.equal(bad.headers.location, '/');
    assert.equal(cookieOf(bad), undefined);
    assert.ok(f.events.some((e) => e.type === 'login-failed' && e.user === '(sign-in code)'));
    tokens.rotate();
    assert.ok(f.events.some((e) => e.type === 'session-closed' && e.reason === 'sign-in code renewed'));
    assert.equal((await request(f.port, '/', { headers: browserHeaders(f.port, { Cookie: cookie }) })).status, 303, 'its cookie stopped working');
    assert.equal(cookieOf(await request(f.port, `/?token=${first}`, { headers: browserHeaders(f.port) })), undefined, 'the old token signs nobody in');
    assert.ok(cookieOf(await request(f.port, `/?token=${tokens.token}`, { headers: browserHeaders(f.port) })));
  });

  test('a session idle for sessionIdleMs ends; its next request opens a new one', async (t) => {
    const f = await startWeb(t, { sessionIdleMs: 200, files: { 'a.txt': 'a' } });
    await request(f.port, '/a.txt');
    await waitFor(() => f.events.some((e) => e.type === 'session-closed' && e.reason === 'idle'), 'the idle session to end', 5000);
    await request(f.port, '/a.txt');
    assert.equal(f.events.filter((e) => e.type === 'session-opened').length, 2);
  });

  test('starting, serving and stopping leaves descriptors and timers as they were', async (t) => {
    const root = await tempDir(t);
    const baseline = await takeBaseline();
    for (let i = 0; i < 3; i++) {
      const f = await startWeb(t, { root, files: { 'a.txt': 'a' } });
      await request(f.port, '/', { headers: browserHeaders(f.port) });
      await request(f.port, '/a.txt');
      await f.server.stop();
    }
    await expectBackToBaseline(baseline, 'after three web servers');
  });
});
