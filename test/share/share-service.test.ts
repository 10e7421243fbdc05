import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Client } from 'basic-ftp';
import { ShareService } from '../../core/share/share-service.js';
import { SettingsStore } from '../../core/share/settings-store.js';
import { describeFolderError } from '../../core/share/folders.js';
import { generateCertificate } from '../../core/tls/index.js';
import type { LogEntry, SessionRow, ShareState, TransfersSnapshot } from '../../core/share/contract.js';
import { TEST_USER, countingSink, startService, unwrap } from './share-service-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { connectAndLogin, connectData, downloadOk, listingLines, uploadOk } from '../helpers/ftp-flows.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';

const PASSWORD = 'Zq7-unique-test-password-93xk';
const password = (pw = PASSWORD) => ({ access: { mode: 'password' as const, username: TEST_USER, password: pw } });

async function connect(port: number, user = TEST_USER, pw = PASSWORD, extra: Partial<Parameters<Client['access']>[0]> = {}): Promise<Client> {
  const client = new Client(10_000);
  await client.access({ host: '127.0.0.1', port, user, password: pw, ...extra });
  return client;
}

test('a client logs in and downloads: session, transfer, pushes, kick, stop', { timeout: 60_000 }, async (t) => {
  const content = Buffer.alloc(300_000, 7);
  const f = await startService(t, { settings: { ...password() }, files: { 'a.bin': content } });
  const { service } = f;

  const started = unwrap(await service.start());
  assert.equal(started.status, 'running');
  assert.ok(started.port! > 0);
  assert.equal(started.url, `ftp://${TEST_USER}@127.0.0.1:${started.port}/`);
  assert.deepEqual(started.urls.map((u) => u.label), ['Loopback']);
  assert.equal(typeof started.startedAt, 'number');
  const port = started.port!;

  const client = await connect(port);
  t.after(() => client.close());
  const sink = countingSink();
  await client.downloadTo(sink, '/a.bin');
  assert.equal(sink.bytes, content.length);

  // The transfer: finished, done, with the right bytes and totals.
  const transfers = await waitFor(async () => {
    const snap = unwrap(await service.getTransfers());
    return snap.finished.length === 1 ? snap : undefined;
  }, 'the finished transfer');
  const row = transfers.finished[0]!;
  assert.equal(row.result, 'done');
  assert.equal(row.protocol, 'ftp');
  assert.equal(row.direction, 'download');
  assert.equal(row.path, '/a.bin');
  assert.equal(row.bytes, content.length);
  assert.equal(row.size, content.length);
  assert.equal(row.remoteAddress, '127.0.0.1');
  assert.equal(row.secure, false);
  assert.equal(typeof row.finishedAt, 'number');
  assert.deepEqual(transfers.active, []);
  assert.deepEqual(transfers.totals, { downloadedBytes: content.length, uploadedBytes: 0, completed: 1, failed: 0 });

  // The session: logged in, bytes counted, idle again.
  const sessions = unwrap(await service.getSessions());
  assert.equal(sessions.length, 1);
  const session = sessions[0]!;
  assert.equal(session.protocol, 'ftp');
  assert.equal(session.user, TEST_USER);
  assert.equal(session.remoteAddress, '127.0.0.1');
  assert.equal(session.bytesOut, content.length);
  assert.equal(session.cwd, '/');
  assert.equal(session.activity, 'Idle');
  assert.equal(session.secureControl, false);
  assert.equal(unwrap(await service.getState()).sessionCount, 1);

  // The same arrived as pushes.
  await waitFor(() => f.pushed('transfers').some((s: TransfersSnapshot) => s.finished.some((r) => r.transferId === row.transferId && r.bytes === content.length)), 'a transfers push');
  await waitFor(() => f.pushed('sessions').some((rows: SessionRow[]) => rows.some((r) => r.sessionId === session.sessionId && r.user === TEST_USER)), 'a sessions push');
  await waitFor(() => f.pushed('state').some((s: ShareState) => s.status === 'running' && s.sessionCount === 1), 'a state push');
  const logText = () => f.pushed('log').flat().map((e) => e.text);
  await waitFor(() => logText().includes(`Logged in as ${TEST_USER}`), 'the login log line');
  const logs = unwrap(await service.getLogs());
  assert.ok(logs.some((e) => e.level === 'debug' && e.text === 'RETR /a.bin' && e.sessionId === session.sessionId));
  assert.ok(logs.some((e) => e.text === 'PASS ***'));
  assert.ok(logs.some((e) => e.level === 'info' && e.text.startsWith('Sent /a.bin')));

  // Kick closes that session; a second kick finds nothing.
  unwrap(await service.kickSession({ sessionId: session.sessionId }));
  await waitFor(async () => unwrap(await service.getSessions()).length === 0, 'the kicked session to go');
  await assert.rejects(client.send('NOOP'));
  const again = await service.kickSession({ sessionId: session.sessionId });
  assert.equal(again.ok, false);
  assert.equal(!again.ok && again.code, 'not-found');

  // Stop ends every session (421) and the state says so.
  const second = await connect(port);
  t.after(() => second.close());
  await waitFor(async () => unwrap(await service.getState()).sessionCount === 1, 'the second session');
  const stopped = unwrap(await service.stop());
  assert.equal(stopped.status, 'stopped');
  assert.equal(stopped.sessionCount, 0);
  assert.equal(stopped.url, undefined);
  assert.equal(stopped.port, undefined);
  await assert.rejects(second.send('NOOP'));
  assert.deepEqual(unwrap(await service.getSessions()), []);
  assert.equal(f.addresses.open, 1);
  assert.equal(f.addresses.closed, 1, 'the address watcher is closed on stop');
  const notRunning = await service.stop();
  assert.equal(!notRunning.ok && notRunning.code, 'not-running');
  // The port is free again.
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise((r) => probe.close(r));
});

test('a transfer in progress shows in sessions and transfers, and stop aborts it', { timeout: 60_000 }, async (t) => {
  // Larger than the core's 1 MiB read buffer, so progress is seen before the end.
  const content = Buffer.alloc(4 * 1024 * 1024, 1);
  const f = await startService(t, {
    settings: { access: { mode: 'anonymous' } },
    files: { 'dir/slow.bin': content },
    service: { serverOverrides: { host: '127.0.0.1', port: 0, bandwidth: { sessionDownload: 1024 * 1024 } } },
  });
  const { port } = unwrap(await f.service.start());
  const client = new Client(10_000);
  t.after(() => client.close());
  await client.access({ host: '127.0.0.1', port: port!, user: 'anonymous', password: 'x' });
  await client.cd('/dir');
  const download = client.downloadTo(countingSink(), 'slow.bin').catch((err: unknown) => err);
  const active = await waitFor(async () => {
    const snap = unwrap(await f.service.getTransfers());
    return snap.active.find((r) => r.bytes > 0 && r.bytes < content.length && r.bytesPerSecond > 0);
  }, 'an active transfer with progress');
  assert.equal(active.path, '/dir/slow.bin');
  assert.equal(active.size, content.length);
  assert.ok(typeof active.etaMs === 'number' && active.etaMs > 0);
  assert.equal(active.result, undefined);
  const row = unwrap(await f.service.getSessions())[0]!;
  assert.equal(row.activity, 'Downloading /dir/slow.bin');
  assert.equal(row.cwd, '/dir');
  assert.equal(row.user, 'anonymous');

  unwrap(await f.service.stop());
  assert.ok((await download) instanceof Error, 'the download failed');
  const snap = unwrap(await f.service.getTransfers());
  assert.deepEqual(snap.active, []);
  assert.equal(snap.finished[0]!.result, 'aborted');
  assert.ok(snap.finished[0]!.bytes < content.length);
  assert.equal(snap.totals.failed, 1);
  unwrap(await f.service.clearFinishedTransfers());
  assert.deepEqual(unwrap(await f.service.getTransfers()).finished, []);
});

test('the password never appears in logs or pushed events other than settings', { timeout: 60_000 }, async (t) => {
  const f = await startService(t, { settings: { ...password() }, files: { 'x.txt': 'x' } });
  const { service } = f;
  const { port } = unwrap(await service.start());

  // The password typed into the user-name field, and sent as a path.
  const wrong = new Client(10_000);
  t.after(() => wrong.close());
  await assert.rejects(wrong.access({ host: '127.0.0.1', port: port!, user: PASSWORD, password: 'nope' }));
  // Its connection stays open after the refusal; nothing restarts the share later to close it.
  wrong.close();
  const client = await connect(port!);
  t.after(() => client.close());
  await assert.rejects(client.cd(`/${PASSWORD}`));
  await client.send(`SITE ${PASSWORD}`).catch(() => undefined);
  client.close();

  // A new password (applied live), then a generated one.
  const second = 'Another-secret-pw-5521zz';
  unwrap(await service.updateSettings({ access: { mode: 'password', username: TEST_USER, password: second } }));
  const generated = unwrap(await service.generatePassword());
  assert.equal(generated.access.mode, 'password');
  const third = generated.access.mode === 'password' ? generated.access.password : '';
  assert.equal(third.length, 20);
  assert.notEqual(third, second);
  // A failed change quoting nothing.
  const bad = await service.updateSettings({ access: { mode: 'password', username: '', password: 'short-but-secret-xyz' }, port: 99999 });
  assert.equal(bad.ok, false);
  assert.ok(!JSON.stringify(bad).includes('short-but-secret-xyz'));
  // A client logs in with the generated password, so every kind of line is there.
  const state = unwrap(await service.getState());
  const last = await connect(state.port!, TEST_USER, third);
  await last.list();
  last.close();
  await waitFor(async () => unwrap(await service.getSessions()).length === 0, 'the last session to end');
  await sleep(1200); // let the last batches go out

  const logs = unwrap(await service.getLogs());
  assert.ok(logs.length > 10);
  assert.ok(logs.some((e) => e.text.includes('Login failed for user "***"')), 'the failed login is logged, redacted');
  assert.ok(logs.some((e) => e.text === 'Settings changed: access'));
  const nonSettingsPushes = f.pushes.filter((p) => p.event !== 'settings');
  assert.ok(f.pushed('log').length > 0);
  for (const secret of [PASSWORD, second, third]) {
    assert.ok(!JSON.stringify(logs).includes(secret), 'getLogs holds no password');
    for (const push of nonSettingsPushes) {
      assert.ok(!JSON.stringify(push.payload).includes(secret), `a ${push.event} push holds a password`);
    }
  }
});

test('port in use: error state with a suggested free port; changing the port starts sharing', { timeout: 30_000 }, async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((r) => blocker.close(r)));
  const busy = (blocker.address() as net.AddressInfo).port;
  const f = await startService(t, {
    settings: { port: busy },
    service: { serverOverrides: { host: '127.0.0.1' }, webOverrides: { port: 0 } },
  });
  const result = await f.service.start();
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.code, 'port-in-use');
  assert.equal(!result.ok && result.message, `Port ${busy} is in use`);
  const state = unwrap(await f.service.getState());
  assert.equal(state.status, 'error');
  assert.equal(state.error?.code, 'port-in-use');
  assert.equal(state.error?.message, `Port ${busy} is in use`);
  const suggested = state.error?.suggestedPort;
  assert.ok(typeof suggested === 'number' && suggested > busy);
  assert.match(state.error?.fix ?? '', new RegExp(`port ${suggested}`));
  await waitFor(() => f.pushed('state').some((s) => s.status === 'error' && s.error?.suggestedPort === suggested), 'the error state push');

  // findFreePort agrees that the suggestion is free, and skips the busy port.
  const free = unwrap(await f.service.findFreePort({ from: busy }));
  assert.ok(free > busy);

  // "Use port N": the share that failed starts on the new port.
  unwrap(await f.service.updateSettings({ port: suggested }));
  const after = unwrap(await f.service.getState());
  assert.equal(after.status, 'running');
  assert.equal(after.port, suggested);
  assert.equal(after.error, undefined);
});

test('a corrupt settings file: defaults are used and the state says so', { timeout: 10_000 }, async (t) => {
  const f = await startService(t, { rawSettingsFile: '{"port": 2121, "folders": [' });
  const state = unwrap(await f.service.getState());
  assert.ok(state.settingsRecovered, 'settingsRecovered is set');
  assert.match(state.settingsRecovered.reason, /not valid JSON/);
  assert.ok((await stat(state.settingsRecovered.backupPath)).isFile());
  assert.equal(await readFile(state.settingsRecovered.backupPath, 'utf8'), '{"port": 2121, "folders": [');
  const settings = unwrap(await f.service.getSettings());
  assert.deepEqual(settings.folders, []);
  // Nothing to share yet: start says what to do.
  const start = await f.service.start();
  assert.equal(!start.ok && start.code, 'invalid-settings');
  assert.deepEqual(!start.ok && start.fields?.map((e) => e.field), ['folders']);
  assert.equal(unwrap(await f.service.getState()).status, 'error');
});

test('defaults of a new installation: read-only, password access with a generated password, port 2121', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  const service = new ShareService({ settingsStore: new SettingsStore({ dir }), certificateDir: path.join(dir, 'certs') });
  t.after(() => service.close());
  const settings = unwrap(await service.getSettings());
  assert.equal(settings.readOnly, true);
  assert.equal(settings.port, 2121);
  assert.equal(settings.ftps, 'off');
  assert.equal(settings.access.mode, 'password');
  assert.equal(settings.access.mode === 'password' && settings.access.password.length, 20);
  const state = unwrap(await service.getState());
  assert.equal(state.status, 'stopped');
  assert.equal(state.settingsRecovered, undefined);
  assert.ok(state.urls.every((u) => u.url.includes(':2121/')));
  // The defaults were saved at once, so the password is stable across launches.
  const again = new ShareService({ settingsStore: new SettingsStore({ dir }), certificateDir: path.join(dir, 'certs') });
  t.after(() => again.close());
  assert.deepEqual(unwrap(await again.getSettings()), settings);
});

test('settings validation: errors per field, nothing saved', { timeout: 10_000 }, async (t) => {
  const f = await startService(t, { settings: { ...password() } });
  const { service } = f;
  const before = unwrap(await service.getSettings());

  const range = await service.updateSettings({ port: 70000 });
  assert.equal(!range.ok && range.code, 'invalid-settings');
  assert.deepEqual(!range.ok && range.fields, [{ field: 'port', message: 'Port must be between 1 and 65535' }]);

  const empty = await service.updateSettings({ access: { mode: 'password', username: TEST_USER, password: '' } });
  assert.deepEqual(!empty.ok && empty.fields?.map((e) => e.field), ['access.password']);
  assert.match(!empty.ok ? empty.message : '', /Password can't be empty/);

  const several = await service.updateSettings({ port: 0, access: { mode: 'password', username: ' ', password: '' }, autoStopMinutes: -1 });
  assert.deepEqual(!several.ok && several.fields?.map((e) => e.field).sort(), ['access.password', 'access.username', 'autoStopMinutes', 'port']);

  const tlsOff = await service.updateSettings({ requireTls: true });
  assert.deepEqual(!tlsOff.ok && tlsOff.fields?.map((e) => e.field), ['requireTls']);

  const missing = path.join(f.root, 'does-not-exist');
  const folder = await service.updateSettings({ folders: [f.root, missing] });
  assert.equal(!folder.ok && folder.code, 'folder-unavailable');
  assert.deepEqual(!folder.ok && folder.fields?.map((e) => e.field), ['folders[1]']);
  assert.match(!folder.ok ? folder.message : '', /doesn't exist/);

  const notAbsolute = await service.addFolder({ path: 'relative/dir' });
  assert.equal(!notAbsolute.ok && notAbsolute.code, 'invalid-settings');
  const gone = await service.addFolder({ path: missing });
  assert.equal(!gone.ok && gone.code, 'folder-unavailable');
  await writeFile(path.join(f.root, 'file.txt'), 'x');
  const file = await service.addFolder({ path: path.join(f.root, 'file.txt') });
  assert.equal(!file.ok && file.code, 'folder-unavailable');
  assert.match(!file.ok ? file.message : '', /is not a folder/);
  const badParams = await service.addFolder(42 as unknown as { path: string });
  assert.equal(!badParams.ok && badParams.code, 'invalid-settings');
  const noPort = await service.findFreePort({ from: 0 });
  assert.equal(!noPort.ok && noPort.code, 'invalid-settings');

  assert.deepEqual(unwrap(await service.getSettings()), before, 'nothing changed');
  assert.deepEqual((await new SettingsStore({ dir: f.configDir }).load()).settings, before, 'nothing saved');
});

test('folders: add, add again (no-op), remove; changes are saved and pushed', { timeout: 10_000 }, async (t) => {
  const f = await startService(t);
  const other = await tempDir(t);
  const added = unwrap(await f.service.addFolder({ path: `${other}${path.sep}` }));
  assert.deepEqual(added.folders, [f.root, other]);
  assert.deepEqual(unwrap(await f.service.addFolder({ path: other })).folders, [f.root, other]);
  assert.deepEqual((await new SettingsStore({ dir: f.configDir }).load()).settings.folders, [f.root, other]);
  await waitFor(() => f.pushed('settings').some((s) => s.folders.length === 2), 'a settings push');
  assert.deepEqual(unwrap(await f.service.removeFolder({ path: f.root })).folders, [other]);
  const missing = await f.service.removeFolder({ path: f.root });
  assert.equal(!missing.ok && missing.code, 'not-found');
});

test('a setting change restarts a running share; sessions are told', { timeout: 30_000 }, async (t) => {
  const f = await startService(t, { settings: { ...password() }, files: { 'a.txt': 'hello' } });
  const first = unwrap(await f.service.start());
  const client = await connect(first.port!);
  t.after(() => client.close());

  // The port is one of the settings the listener is built from (access applies live: see
  // live-settings.test.ts, which also proves the old password stops working for new logins).
  unwrap(await f.service.updateSettings({ port: 2999 }));
  const state = unwrap(await f.service.getState());
  assert.equal(state.status, 'running');
  await assert.rejects(client.send('NOOP'), 'the old session was closed');
  const next = await connect(state.port!);
  t.after(() => next.close());
  const logs = unwrap(await f.service.getLogs()).map((e: LogEntry) => e.text);
  assert.ok(logs.includes('Settings changed: port'));
  assert.ok(logs.some((text) => text.startsWith('Restarting sharing')));

  // A change that needs no restart keeps the sessions.
  unwrap(await f.service.updateSettings({ advertisedAddress: 'my-pc.local' }));
  await next.send('NOOP');
  const advertised = unwrap(await f.service.getState());
  assert.equal(advertised.url, `ftp://${TEST_USER}@my-pc.local:${state.port}/`);
  assert.equal(advertised.urls[0]!.address, 'my-pc.local');
  assert.equal(advertised.urls.length, 2);
});

test('read-only switches live: sessions stay, later writes are refused, an upload under way completes', { timeout: 30_000 }, async (t) => {
  const content = pseudoRandomBytes(512 * 1024);
  const half = content.length / 2;
  const f = await startService(t, {
    settings: { ...password(), readOnly: false },
    files: { 'keep.txt': 'keep me', 'dir/inner.txt': 'inner' },
  });
  const started = unwrap(await f.service.start());
  const port = started.port!;
  const browser = await connectAndLogin(port, TEST_USER, PASSWORD);
  t.after(() => browser.close());
  const uploader = await connectAndLogin(port, TEST_USER, PASSWORD);
  t.after(() => uploader.close());
  const perms = async (): Promise<string[]> =>
    listingLines(await downloadOk(browser, 'MLSD')).map((line) => /perm=([a-z]*);/.exec(line)![1]!).sort();
  assert.deepEqual(await perms(), ['adfrw', 'flcdmpe'], 'writable before the switch');

  // An upload granted before the switch: half of it is in when read-only turns on.
  assert.equal((await uploader.command('TYPE I')).code, 200);
  const { port: dataPort } = await uploader.pasv();
  const data = await connectData(dataPort);
  assert.equal((await uploader.command('STOR big.bin')).code, 150);
  data.write(content.subarray(0, half));
  await waitFor(async () => unwrap(await f.service.getTransfers()).active.some((r) => r.path === '/big.bin' && r.bytes > 0), 'the upload under way');

  unwrap(await f.service.updateSettings({ readOnly: true }));
  assert.equal((await new SettingsStore({ dir: f.configDir }).load()).settings.readOnly, true, 'saved');
  await waitFor(() => f.pushed('settings').some((s) => s.readOnly), 'a settings push with read-only on');

  // The same connection, refused from its next command with the replies a read-only share gives.
  assert.deepEqual((await browser.command('NOOP')).lines, ['200 NOOP ok']);
  const refusedData = await connectData((await browser.pasv()).port);
  refusedData.on('error', () => undefined);
  assert.deepEqual((await browser.command('STOR new.txt')).lines, ['550 Read-only share']);
  refusedData.destroy();
  assert.deepEqual((await browser.command('DELE keep.txt')).lines, ['550 Read-only share']);
  assert.deepEqual((await browser.command('MKD newdir')).lines, ['550 Read-only share']);
  assert.deepEqual((await browser.command('RNFR keep.txt')).lines, ['550 Permission denied: the share is read-only']);
  assert.equal((await downloadOk(browser, 'RETR keep.txt')).toString(), 'keep me');
  assert.equal(listingLines(await downloadOk(browser, 'LIST')).length, 2);
  assert.deepEqual(await perms(), ['el', 'r'], 'read-only perm facts');

  // The upload that was under way finishes whole.
  await new Promise<void>((resolve) => data.end(content.subarray(half), () => resolve()));
  assert.equal((await uploader.reply(10_000)).code, 226);
  assert.equal(sha256(await readFile(path.join(f.root, 'big.bin'))), sha256(content));

  unwrap(await f.service.updateSettings({ readOnly: false }));
  await uploadOk(browser, 'STOR new.txt', 'allowed again');
  assert.equal(await readFile(path.join(f.root, 'new.txt'), 'utf8'), 'allowed again');
  assert.deepEqual(await perms(), ['adfrw', 'adfrw', 'adfrw', 'flcdmpe']);

  // No restart: the same server, the sessions never told 421.
  const state = unwrap(await f.service.getState());
  assert.equal(state.status, 'running');
  assert.equal(state.port, port);
  assert.equal(state.startedAt, started.startedAt);
  assert.equal(state.sessionCount, 2);
  assert.ok(!browser.closed && !uploader.closed);
  const logs = unwrap(await f.service.getLogs()).map((e: LogEntry) => e.text);
  assert.ok(logs.includes('Read-only on: uploads, deletes and renames are refused from now on'));
  assert.ok(logs.includes('Read-only off: uploads, deletes and renames are allowed again'));
  assert.ok(!logs.some((text) => text.startsWith('Restarting sharing') || text.startsWith('Sharing stopped')));
});

test('idle auto-stop: counts down without sessions, pauses with one, stops with a notice', { timeout: 30_000 }, async (t) => {
  const f = await startService(t, {
    settings: { access: { mode: 'anonymous' }, autoStopMinutes: 1 },
    service: { autoStopUnitMs: 1500 },
  });
  const started = unwrap(await f.service.start());
  assert.ok(typeof started.autoStopAt === 'number' && started.autoStopAt > Date.now());
  const client = new Client(10_000);
  t.after(() => client.close());
  await client.access({ host: '127.0.0.1', port: started.port!, user: 'anonymous', password: 'x' });
  await waitFor(async () => unwrap(await f.service.getState()).sessionCount === 1, 'the session');
  assert.equal(unwrap(await f.service.getState()).autoStopAt, undefined, 'no countdown with a session');
  await sleep(1700);
  assert.equal(unwrap(await f.service.getState()).status, 'running', 'a session keeps it running');
  client.close();
  await waitFor(async () => unwrap(await f.service.getState()).autoStopAt !== undefined, 'the countdown to restart');
  await waitFor(async () => unwrap(await f.service.getState()).status === 'stopped', 'the auto-stop', 8000);
  await waitFor(() => f.pushed('notice').some((n) => /without connections/.test(n.text)), 'the notice');
  assert.equal(f.addresses.closed, f.addresses.open);
  assert.equal(unwrap(await f.service.getState()).autoStopAt, undefined);
});

test('FTPS: a certificate is generated, used, regenerated and imported', { timeout: 60_000 }, async (t) => {
  const f = await startService(t, { settings: { ...password(), ftps: 'explicit', requireTls: true }, files: { 'a.txt': 'a' } });
  assert.equal(unwrap(await f.service.getCertificate()), null, 'no certificate before the first start');
  const state = unwrap(await f.service.start());
  assert.equal(state.tls?.mode, 'explicit');
  const info = unwrap(await f.service.getCertificate());
  assert.ok(info);
  assert.equal(info.generated, true);
  assert.equal(info.fingerprint256, state.tls?.fingerprint256);
  assert.equal(info.notAfter, state.tls?.notAfter);
  assert.equal(path.dirname(info.certPath), f.certificateDir);

  const client = await connect(state.port!, TEST_USER, PASSWORD, { secure: true, secureOptions: { rejectUnauthorized: false } });
  t.after(() => client.close());
  await client.list();
  const row = unwrap(await f.service.getSessions())[0]!;
  assert.equal(row.secureControl, true);
  assert.equal(row.secureData, true);
  const plain = new Client(10_000);
  t.after(() => plain.close());
  await assert.rejects(plain.access({ host: '127.0.0.1', port: state.port!, user: TEST_USER, password: PASSWORD }), 'TLS is required');

  const regenerated = unwrap(await f.service.regenerateCertificate());
  assert.notEqual(regenerated.fingerprint256, info.fingerprint256);
  assert.equal(unwrap(await f.service.getState()).tls?.fingerprint256, regenerated.fingerprint256, 'the share restarted with it');

  const bad = await f.service.importCertificate({ certPath: path.join(f.root, 'a.txt'), keyPath: path.join(f.root, 'a.txt') });
  assert.equal(!bad.ok && bad.code, 'certificate-error');
  assert.match(!bad.ok ? bad.message : '', /a\.txt/);
  const missing = await f.service.importCertificate({ certPath: '', keyPath: '' });
  assert.deepEqual(!missing.ok && missing.fields?.map((e) => e.field), ['certPath', 'keyPath']);

  const own = await generateCertificate({ commonName: 'imported.test' });
  const userDir = await tempDir(t);
  const certFile = path.join(userDir, 'mine.crt');
  const keyFile = path.join(userDir, 'mine.key');
  await writeFile(certFile, own.cert);
  await writeFile(keyFile, own.key);
  const imported = unwrap(await f.service.importCertificate({ certPath: certFile, keyPath: keyFile }));
  assert.equal(imported.generated, false);
  assert.equal(imported.certPath, certFile);
  assert.equal(imported.fingerprint256, own.fingerprint256);
  assert.equal(unwrap(await f.service.getState()).tls?.fingerprint256, own.fingerprint256);
  // The copies survive the user's files.
  await writeFile(certFile, 'gone');
  assert.equal(unwrap(await f.service.getCertificate())?.fingerprint256, own.fingerprint256);
  assert.ok((await readdir(f.certificateDir)).includes('imported.json'));
  const logs = JSON.stringify(unwrap(await f.service.getLogs()));
  assert.ok(!logs.includes('PRIVATE KEY'));
  assert.ok(!logs.includes(own.key.split('\n')[1]!));
});

test('host-only requests: unsupported without a host; with one, only shared folders open', { timeout: 10_000 }, async (t) => {
  const plain = await startService(t);
  for (const result of [await plain.service.pickFolders(), await plain.service.openFolder({ path: plain.root }), await plain.service.copyText({ text: 'x' })]) {
    assert.equal(!result.ok && result.code, 'unsupported');
  }
  const opened: string[] = [];
  const copied: string[] = [];
  const hosted = await startService(t, {
    service: {
      host: {
        pickFolders: async () => ['/picked'],
        openFolder: async (folder) => void opened.push(folder),
        copyText: async (text) => void copied.push(text),
      },
    },
  });
  assert.deepEqual(unwrap(await hosted.service.pickFolders()), ['/picked']);
  unwrap(await hosted.service.openFolder({ path: hosted.root }));
  const outside = await hosted.service.openFolder({ path: '/etc' });
  assert.equal(!outside.ok && outside.code, 'not-found');
  unwrap(await hosted.service.copyText({ text: 'ftp://x' }));
  assert.deepEqual(opened, [hosted.root]);
  assert.deepEqual(copied, ['ftp://x']);
});

test('logs: entries have ids, levels and times; clearLogs empties them', { timeout: 10_000 }, async (t) => {
  const f = await startService(t, { settings: { access: { mode: 'anonymous' } } });
  const { port } = unwrap(await f.service.start());
  const client = new Client(10_000);
  t.after(() => client.close());
  await client.access({ host: '127.0.0.1', port: port!, user: 'anonymous', password: 'x' });
  await client.list();
  const logs = unwrap(await f.service.getLogs());
  const ids = logs.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(logs.some((e) => e.level === 'info' && e.text === 'Connection from 127.0.0.1'));
  // basic-ftp lists with MLSD when the server offers it.
  assert.ok(logs.some((e) => e.level === 'debug' && e.text === 'MLSD'));
  unwrap(await f.service.clearLogs());
  assert.deepEqual(unwrap(await f.service.getLogs()), []);
  await client.send('NOOP');
  const after = unwrap(await f.service.getLogs());
  assert.equal(after.length, 1);
  assert.ok(after[0]!.id > ids[ids.length - 1]!);
});

test('folder errors read as instructions, macOS privacy included', () => {
  const eperm = Object.assign(new Error('EPERM'), { code: 'EPERM' });
  const mac = describeFolderError(eperm, '/Users/me/Desktop', 'darwin');
  assert.equal(mac.code, 'folder-unavailable');
  assert.match(mac.message, /Allow FTP Share to access this folder in System Settings → Privacy & Security → Files and Folders/);
  assert.match(describeFolderError(eperm, '/srv/x', 'linux').message, /permission denied/);
  assert.match(describeFolderError(Object.assign(new Error(), { code: 'ENOENT' }), '/gone', 'linux').message, /doesn't exist/);
});
