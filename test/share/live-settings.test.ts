/**
 * Settings that apply to a running share without a restart: access (anonymous or an account, a
 * new password), the shared folders and read-only. Real FTP sessions stay connected through each
 * change and follow it from their next command (or next login); the share is never restarted.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ShareService } from '../../core/share/share-service.js';
import { SettingsStore, type SecretEncryptor } from '../../core/share/settings-store.js';
import type { LogEntry, ShareState } from '../../core/share/contract.js';
import { TEST_USER, fixedAddresses, startService, unwrap } from './share-service-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { connectAndLogin, connectOnly, downloadOk, listingLines } from '../helpers/ftp-flows.js';
import type { ControlClient } from '../helpers/control-client.js';

const PASSWORD = 'Live-change-test-password-4kq';
const account = (password = PASSWORD) => ({ mode: 'password' as const, username: TEST_USER, password });

/** USER + PASS on a new connection; the final reply code (230 or 530). */
async function tryLogin(port: number, user: string, password: string): Promise<number> {
  const client = await connectOnly(port);
  try {
    const first = await client.command(`USER ${user}`);
    if (first.code === 230) return 230;
    return (await client.command(`PASS ${password}`)).code;
  } finally {
    client.close();
  }
}

/** Names of a listing (MLSD facts dropped). */
async function names(client: ControlClient, dir = '/'): Promise<string[]> {
  const lines = listingLines(await downloadOk(client, `MLSD ${dir}`));
  return lines.map((line) => line.slice(line.indexOf(' ') + 1)).filter((n) => n !== '.' && n !== '..').sort();
}

async function logTexts(service: ShareService): Promise<string[]> {
  return unwrap(await service.getLogs()).map((e: LogEntry) => e.text);
}

/** The share was never restarted: same start time and port, no stop or restart logged. */
async function assertNotRestarted(service: ShareService, started: ShareState): Promise<void> {
  const state = unwrap(await service.getState());
  assert.equal(state.status, 'running');
  assert.equal(state.port, started.port);
  assert.equal(state.startedAt, started.startedAt);
  const logs = await logTexts(service);
  assert.ok(!logs.some((text) => text.startsWith('Restarting sharing') || text.startsWith('Sharing stopped')), logs.join('\n'));
}

test('access applies live: sessions stay, new logins need the new password or none', { timeout: 30_000 }, async (t) => {
  const f = await startService(t, { settings: { access: account() }, files: { 'a.txt': 'hello' } });
  const started = unwrap(await f.service.start());
  const port = started.port!;
  const inside = await connectAndLogin(port, TEST_USER, PASSWORD);
  t.after(() => inside.close());

  // A new password: the old one no longer logs in, the new one does, the session inside goes on.
  const changed = 'Changed-password-live-77zz';
  unwrap(await f.service.updateSettings({ access: account(changed) }));
  assert.equal(await tryLogin(port, TEST_USER, PASSWORD), 530, 'the old password is refused');
  assert.equal(await tryLogin(port, TEST_USER, changed), 230, 'the new password works');
  assert.deepEqual((await inside.command('NOOP')).lines, ['200 NOOP ok']);
  assert.equal((await downloadOk(inside, 'RETR a.txt')).toString(), 'hello');

  // Anonymous: any name and password log in; the session inside still goes on.
  unwrap(await f.service.updateSettings({ access: { mode: 'anonymous' } }));
  assert.equal(await tryLogin(port, 'anonymous', 'guest@'), 230);
  assert.equal(await tryLogin(port, 'someone', 'anything'), 230);
  assert.deepEqual(await names(inside), ['a.txt']);

  // And back to the account: anonymous logins are refused again.
  const settings = unwrap(await f.service.getSettings());
  assert.equal(settings.access.mode, 'anonymous');
  const kept = settings.access.mode === 'anonymous' ? settings.access.account : undefined;
  assert.deepEqual(kept, { username: TEST_USER, password: changed }, 'the account is kept while anonymous');
  unwrap(await f.service.updateSettings({ access: { mode: 'password', ...kept! } }));
  assert.equal(await tryLogin(port, 'anonymous', 'guest@'), 530);
  assert.equal(await tryLogin(port, TEST_USER, changed), 230);

  assert.ok(!inside.closed);
  await assertNotRestarted(f.service, started);
  const logs = await logTexts(f.service);
  assert.ok(logs.includes('Sign-in changed: anyone can sign in from now on. The person already connected stays connected.'), logs.join('\n'));
  assert.ok(logs.includes(`Sign-in changed: new sign-ins need user "${TEST_USER}" and its password. The person already connected stays connected.`));
  await waitFor(() => f.pushed('notice').some((n) => /Sign-in changed\. The person already connected stays connected/.test(n.text)), 'the notice');
  // The password stays out of the log and of every push but settings.
  for (const push of f.pushes.filter((p) => p.event !== 'settings')) assert.ok(!JSON.stringify(push.payload).includes(changed));
});

test('switching to anonymous and back restores the same password, kept in the file until a new one is made', { timeout: 15_000 }, async (t) => {
  const f = await startService(t, { settings: { access: account() } });
  const anonymous = unwrap(await f.service.updateSettings({ access: { mode: 'anonymous' } }));
  assert.deepEqual(anonymous.access, { mode: 'anonymous', account: { username: TEST_USER, password: PASSWORD } });
  // Other changes while anonymous keep it too.
  unwrap(await f.service.updateSettings({ readOnly: false }));
  unwrap(await f.service.updateSettings({ access: { mode: 'anonymous' } }));

  // Saved: a restart of the app (a new store over the same folder) still has it, never in clear.
  const file = await readFile(path.join(f.configDir, 'settings.json'), 'utf8');
  assert.ok(!file.includes(PASSWORD), 'the kept password is not in clear in the file');
  const reloaded = (await new SettingsStore({ dir: f.configDir }).load()).settings;
  assert.deepEqual(reloaded.access, { mode: 'anonymous', account: { username: TEST_USER, password: PASSWORD } });

  // Generating a password replaces it (and turns the account on).
  const generated = unwrap(await f.service.generatePassword());
  assert.equal(generated.access.mode, 'password');
  assert.ok(generated.access.mode === 'password' && generated.access.username === TEST_USER && generated.access.password !== PASSWORD);
  const again = unwrap(await f.service.updateSettings({ access: { mode: 'anonymous' } }));
  assert.deepEqual(again.access, { mode: 'anonymous', account: { username: TEST_USER, password: generated.access.mode === 'password' ? generated.access.password : '' } });
  const logs = JSON.stringify(unwrap(await f.service.getLogs()));
  assert.ok(!logs.includes(PASSWORD));
});

test('folders apply live: sessions stay and see the new folders from their next command', { timeout: 30_000 }, async (t) => {
  const f = await startService(t, { settings: { access: account() }, files: { 'a.txt': 'in shared' } });
  const other = path.join(await tempDir(t), 'Music');
  await mkdir(other);
  await writeFile(path.join(other, 'b.txt'), 'in music');
  const started = unwrap(await f.service.start());
  const client = await connectAndLogin(started.port!, TEST_USER, PASSWORD);
  t.after(() => client.close());
  assert.deepEqual(await names(client), ['a.txt']);

  // A second folder: the same session now sees both under a virtual root.
  unwrap(await f.service.addFolder({ path: other }));
  assert.deepEqual(await names(client), ['Music', 'shared']);
  assert.equal((await downloadOk(client, 'RETR /Music/b.txt')).toString(), 'in music');
  assert.equal((await downloadOk(client, 'RETR /shared/a.txt')).toString(), 'in shared');

  // The first one removed: the other is the root now.
  unwrap(await f.service.removeFolder({ path: f.root }));
  assert.deepEqual(await names(client), ['b.txt']);
  assert.equal((await client.command('SIZE /a.txt')).code, 550, 'the removed folder is gone for the session');
  assert.equal((await downloadOk(client, 'RETR b.txt')).toString(), 'in music');
  // A new session sees the same.
  const late = await connectAndLogin(started.port!, TEST_USER, PASSWORD);
  t.after(() => late.close());
  assert.deepEqual(await names(late), ['b.txt']);

  assert.ok(!client.closed && !late.closed);
  await assertNotRestarted(f.service, started);
  assert.equal(unwrap(await f.service.getState()).sessionCount, 2);
  assert.ok((await logTexts(f.service)).includes(`Now sharing ${other}: connected clients see the change from their next command`));

  // Read-only set together with the folders follows too.
  unwrap(await f.service.updateSettings({ folders: [f.root, other], readOnly: false }));
  assert.deepEqual(await names(client), ['Music', 'shared']);
  assert.equal((await client.command('MKD /shared/new')).code, 257);

  // With no folder left there is nothing to share: sharing stops.
  unwrap(await f.service.updateSettings({ folders: [] }));
  assert.equal(unwrap(await f.service.getState()).status, 'stopped');
  assert.ok((await logTexts(f.service)).includes('Sharing stopped: no folder is shared any more'));
});

test('"allowed again" only when the share allowed writes before', { timeout: 15_000 }, async (t) => {
  const f = await startService(t, { settings: { access: account(), readOnly: true } });
  unwrap(await f.service.start());
  unwrap(await f.service.updateSettings({ readOnly: false }));
  unwrap(await f.service.updateSettings({ readOnly: true }));
  unwrap(await f.service.updateSettings({ readOnly: false }));
  const lines = (await logTexts(f.service)).filter((text) => text.startsWith('Read-only'));
  assert.deepEqual(lines, [
    'Read-only off: uploads, deletes and renames are allowed from now on',
    'Read-only on: uploads, deletes and renames are refused from now on',
    'Read-only off: uploads, deletes and renames are allowed again',
  ]);
});

test('the state says whether the password is kept in an OS keychain', { timeout: 15_000 }, async (t) => {
  const f = await startService(t);
  assert.equal(unwrap(await f.service.getState()).passwordStorage, 'file', 'no keychain in plain Node');

  const keychain: SecretEncryptor = {
    isAvailable: () => true,
    encrypt: (plain) => Buffer.from(`k:${plain}`, 'utf8'),
    decrypt: (data) => data.toString('utf8').slice(2),
  };
  const dir = await tempDir(t);
  const service = new ShareService({
    settingsStore: new SettingsStore({ dir, encryptor: keychain }),
    certificateDir: path.join(dir, 'certificates'),
    addressSource: fixedAddresses(),
  });
  t.after(() => service.close());
  assert.equal(unwrap(await service.getState()).passwordStorage, 'keychain');
});
