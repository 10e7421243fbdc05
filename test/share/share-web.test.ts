/**
 * The web page in the share assembly (core/share/share-assembly.ts), on real sockets on 127.0.0.1:
 * it starts and stops with FTP, its sessions and kicks merge with FTP's, a busy web port is a
 * StartFailure with a free port suggested (and FTP, started first, is stopped again), one login
 * throttle (failed web sign-ins delay FTP greetings from that address) and one bandwidth budget
 * (an FTP RETR and a web download together stay under the share's cap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import https from 'node:https';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { startShare, shareName, type RunningShare, type ShareSpec } from '../../core/share/share-assembly.js';
import { canBind, findFreePort } from '../../core/share/ports.js';
import type { ServerEventName } from '../../core/ftp/events.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { connectAndLogin, connectOnly, downloadOk } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { basic, browserHeaders, cookieOf, request } from '../http/web-fixture.js';

type TestContext = { after(fn: () => unknown): void };

/** A share of one temp folder on 127.0.0.1, FTP and the web page on free ports. */
function spec(folder: string, overrides: Partial<ShareSpec> = {}): ShareSpec {
  return {
    folders: [folder],
    readOnly: false,
    access: {},
    ...overrides,
    ftp: { host: '127.0.0.1', port: 0, loginFailureDelayMs: 20, ...overrides.ftp },
    web: { port: 0, ...overrides.web },
  };
}

async function started(t: TestContext, shareSpec: ShareSpec, seen?: ServerEventName[]): Promise<RunningShare> {
  const result = await startShare(shareSpec, (events) => {
    const names: ServerEventName[] = ['listening', 'stopped', 'session-opened', 'login', 'login-failed', 'transfer-completed'];
    const detach = names.map((name) => {
      const record = (): void => void seen?.push(name);
      events.on(name, record);
      return () => events.off(name, record);
    });
    return () => detach.forEach((d) => d());
  });
  if (!result.ok) assert.fail(`the share did not start: ${JSON.stringify(result.failure)}`);
  t.after(() => result.share.stop());
  return result.share;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('the web page starts and stops with FTP; sessions and kicks span both; one listening event', async (t) => {
  const folder = await tempDir(t);
  await writeFile(path.join(folder, 'a.txt'), 'hello');
  const seen: ServerEventName[] = [];
  const share = await started(t, spec(folder), seen);
  const web = share.web!;
  assert.ok(web, 'the running share has its web page');
  assert.equal(web.secure, false);
  assert.notEqual(web.port, share.listening.port);

  const page = await request(web.port, '/', { headers: browserHeaders(web.port) });
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(shareName([folder]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the page names the computer and the folder');
  assert.equal((await request(web.port, '/a.txt')).text, 'hello');
  const ftp = await connectAndLogin(share.listening.port);
  t.after(() => ftp.close());

  const sessions = await waitFor(() => {
    const all = share.sessions();
    return all.some((s) => s.protocol === 'web') && all.some((s) => s.protocol === 'ftp') ? all : undefined;
  }, 'an FTP and a web session');
  const browser = sessions.find((s) => s.protocol === 'web' && s.client === 'Safari on iPhone');
  assert.ok(browser, JSON.stringify(sessions));
  assert.equal(share.kick(browser.sessionId), true, 'kick ends a web session');
  assert.equal(share.sessions().some((s) => s.sessionId === browser.sessionId), false);
  assert.equal(seen.filter((e) => e === 'listening').length, 1, "observers see the share's listening once");

  await share.stop();
  assert.ok(await refused(web.port), 'the web port is closed');
  assert.ok(await refused(share.listening.port), 'the FTP port is closed');
});

test('the QR token signs in as the first account; kickUser ends its web sessions too', async (t) => {
  const folder = await tempDir(t);
  const accounts = [
    { username: 'owner', password: 'owner-pw' },
    { username: 'guest', password: 'guest-pw', readOnly: true },
  ];
  const share = await started(t, spec(folder, { access: { accounts } }));
  const port = share.web!.port;
  assert.equal((await request(port, '/', { headers: { Authorization: basic('guest', 'guest-pw') } })).status, 200, 'every account signs in on the page');
  const scanned = await request(port, `/?token=${share.web!.signInToken()}`, { headers: browserHeaders(port) });
  const cookie = cookieOf(scanned);
  assert.ok(cookie, `the token signs in (${scanned.status})`);
  const signedIn = await waitFor(() => share.sessions().find((s) => s.protocol === 'web' && s.user === 'owner'), 'the owner signed in by the token');
  assert.ok(signedIn);
  assert.ok(share.kickUser('owner') >= 1);
  assert.equal((await request(port, '/', { headers: browserHeaders(port, { Cookie: cookie }) })).status, 303, 'its cookie stopped working');
  const old = share.web!.signInToken();
  assert.notEqual(share.web!.rotateSignInToken(), old);
  assert.equal(cookieOf(await request(port, `/?token=${old}`, { headers: browserHeaders(port) })), undefined, 'the old token signs nobody in');
});

test('a busy web port: a StartFailure with a free port suggested, and FTP stopped again', async (t) => {
  const folder = await tempDir(t);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((r) => blocker.close(r)));
  const busy = (blocker.address() as net.AddressInfo).port;
  const ftpPort = (await findFreePort(busy + 1000, { host: '127.0.0.1' }))!;
  const seen: ServerEventName[] = [];
  const result = await startShare(spec(folder, { ftp: { port: ftpPort }, web: { port: busy } }), (events) => {
    const record = (): void => void seen.push('stopped');
    events.on('stopped', record);
    return () => events.off('stopped', record);
  });
  if (result.ok) {
    await result.share.stop();
    assert.fail('the share started on a busy web port');
  }
  const failure = result.failure;
  assert.equal(failure.code, 'port-in-use');
  assert.equal(failure.field, 'webPort');
  assert.match(failure.message, new RegExp(`Port ${busy}`));
  assert.match(failure.fix ?? '', /the web page's port/);
  assert.ok(failure.suggestedPort !== undefined && failure.suggestedPort > busy);
  assert.match(failure.fix ?? '', new RegExp(`Use port ${failure.suggestedPort} for the web page`));
  assert.ok(await canBind(failure.suggestedPort, '127.0.0.1'), 'the suggested port is free');
  assert.ok(await canBind(ftpPort, '127.0.0.1'), 'FTP, started first, let go of its port');
});

test('one login throttle: failed web sign-ins delay FTP greetings from that address', async (t) => {
  const folder = await tempDir(t);
  const share = await started(
    t,
    spec(folder, { access: { accounts: [{ username: 'ann', password: 'right' }] }, ftp: { addressLoginFailureLimit: 2, addressThrottleDelayMs: 600, addressThrottleMaxDelayMs: 600 } }),
  );
  const greeted = async (): Promise<number> => {
    const begun = performance.now();
    const client = await connectOnly(share.listening.port);
    client.close();
    return performance.now() - begun;
  };
  assert.ok((await greeted()) < 400, 'no delay before any failure');
  for (let i = 0; i < 3; i++) {
    const reply = await request(share.web!.port, '/', { headers: { Authorization: basic('ann', `wrong-${i}`) } });
    assert.equal(reply.status, 401);
  }
  const delay = await greeted();
  assert.ok(delay >= 450, `the FTP greeting waited ${Math.round(delay)} ms`);
});

test('one bandwidth budget: an FTP RETR and a web download together stay under the cap', { timeout: 30_000 }, async (t) => {
  const folder = await tempDir(t);
  const size = 1024 * 1024;
  await writeFile(path.join(folder, 'one.bin'), pseudoRandomBytes(size, 1));
  await writeFile(path.join(folder, 'two.bin'), pseudoRandomBytes(size, 2));
  const cap = 1024 * 1024; // bytes per second, for both protocols together
  const share = await started(t, spec(folder, { ftp: { bandwidth: { download: cap } } }));
  const ftp = await connectAndLogin(share.listening.port);
  t.after(() => ftp.close());
  await ftp.command('TYPE I');
  const begun = performance.now();
  const [viaFtp, viaWeb] = await Promise.all([downloadOk(ftp, 'RETR one.bin'), request(share.web!.port, '/two.bin')]);
  const seconds = (performance.now() - begun) / 1000;
  assert.equal(viaFtp.length, size);
  assert.equal(viaWeb.body.length, size);
  // 2 MiB at 1 MiB/s: about 2 s together; each alone under its own budget would take about 1 s.
  assert.ok(seconds >= 1.5, `both downloads took ${seconds.toFixed(2)} s: the cap was not shared`);
  assert.ok(seconds < 10, `both downloads took ${seconds.toFixed(2)} s`);
});

test('with FTPS the web page is HTTPS with the same certificate', async (t) => {
  const folder = await tempDir(t);
  const certificates = await tempDir(t);
  const share = await started(t, spec(folder, { ftps: { mode: 'explicit', requireTls: false, certificate: { dir: certificates } } }));
  assert.equal(share.web?.secure, true);
  const fingerprint = await new Promise<string>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: share.web!.port, path: '/', rejectUnauthorized: false, agent: false, headers: { Host: `127.0.0.1:${share.web!.port}` } }, (res) => {
      const cert = res.socket && 'getPeerCertificate' in res.socket ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate() : undefined;
      res.resume();
      assert.equal(res.statusCode, 200);
      resolve(cert?.fingerprint256 ?? '');
    });
    req.on('error', reject);
  });
  assert.equal(fingerprint, share.certificate?.fingerprint256);
});
