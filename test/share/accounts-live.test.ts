/**
 * Several accounts on a running share, through the ShareService and real FTP sessions: an owner
 * and a read-only guest who sees one of three folders. The guest's writes are refused and the
 * tree stays as it was; the Sessions panel shows each user name; a change of the guest's rights
 * applies to its connected session at its next command (the share's read-only switch on top of
 * it); removing the guest ends its session; folders that stop being shared leave its list;
 * passwords never reach the log.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ShareService } from '../../core/share/share-service.js';
import { SettingsStore } from '../../core/share/settings-store.js';
import { defaultSettings, type AccountSettings, type ShareSettings } from '../../core/share/settings.js';
import type { AddressSource } from '../../core/share/address-source.js';
import type { PushEventName, Result } from '../../core/share/contract.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { connectAndLogin, connectData, connectOnly, downloadOk, listingLines, uploadOk, waitClosed } from '../helpers/ftp-flows.js';
import type { ControlClient } from '../helpers/control-client.js';

const OWNER = { username: 'ann', password: 'Owner-pass-7k2m' };
const GUEST_PASSWORD = 'Guest-pass-9x4q';

const loopbackOnly: AddressSource = {
  async list() {
    return [{ address: '127.0.0.1', family: 'IPv4', interfaceName: 'lo', kind: 'loopback', label: 'Loopback', rank: 0 }];
  },
  watch: () => ({ close: () => undefined }),
};

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result.value;
}

interface Fixture {
  service: ShareService;
  /** Parent of the three shared folders. */
  base: string;
  photos: string;
  music: string;
  docs: string;
  port: number;
  pushes: { event: PushEventName; payload: unknown }[];
}

/** Three shared folders (Photos, Music, Docs) with a file each; `access` from `guest`; running. */
async function startAccounts(t: TestContext, guest: Partial<AccountSettings> = {}, settings: Partial<ShareSettings> = {}): Promise<Fixture> {
  const dir = await tempDir(t, 'ftp-share-accounts-');
  const base = path.join(dir, 'shared');
  const [photos, music, docs] = ['Photos', 'Music', 'Docs'].map((name) => path.join(base, name)) as [string, string, string];
  for (const [folder, file] of [[photos, 'beach.jpg'], [music, 'song.mp3'], [docs, 'notes.txt']] as const) {
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, file), `${file} bytes\n`);
  }
  const store = new SettingsStore({ dir: path.join(dir, 'config') });
  await store.save({
    ...defaultSettings(),
    folders: [photos, music, docs],
    readOnly: false,
    mdns: false,
    access: { mode: 'password', ...OWNER, otherAccounts: [{ username: 'guest', password: GUEST_PASSWORD, readOnly: true, folders: [music], ...guest }] },
    ...settings,
  });
  const service = new ShareService({
    settingsStore: store,
    certificateDir: path.join(dir, 'config', 'certificates'),
    addressSource: loopbackOnly,
    serverOverrides: { host: '127.0.0.1', port: 0, loginFailureDelayMs: 20 },
    batching: { intervalMs: 10 },
  });
  const pushes: Fixture['pushes'] = [];
  service.onPush((event, payload) => pushes.push({ event, payload }));
  t.after(() => service.close());
  await service.ready();
  const started = unwrap(await service.start());
  return { service, base, photos, music, docs, port: started.port!, pushes };
}

/** Names in a listing of `dir` (MLSD facts dropped), sorted. */
async function names(client: ControlClient, dir = '/'): Promise<string[]> {
  const lines = listingLines(await downloadOk(client, `MLSD ${dir}`));
  return lines.map((line) => line.slice(line.indexOf(' ') + 1)).filter((n) => n !== '.' && n !== '..').sort();
}

/** STOR over a passive connection: the final code when the server took it, else the refusal's. */
async function tryStore(client: ControlClient, target: string, data = 'new bytes\n'): Promise<number> {
  const { port } = await client.pasv();
  const socket = await connectData(port);
  const first = await client.command(`STOR ${target}`);
  if (first.code !== 150 && first.code !== 125) {
    socket.destroy();
    return first.code;
  }
  await new Promise<void>((resolve) => socket.end(data, () => resolve()));
  const final = await client.reply(10_000);
  socket.destroy();
  return final.code;
}

/** USER + PASS on a new connection; the final code. */
async function loginCode(port: number, user: string, password: string): Promise<number> {
  const client = await connectOnly(port);
  try {
    const first = await client.command(`USER ${user}`);
    return first.code === 230 ? 230 : (await client.command(`PASS ${password}`)).code;
  } finally {
    client.close();
  }
}

async function logTexts(service: ShareService): Promise<string[]> {
  return unwrap(await service.getLogs()).map((e) => e.text);
}

test("a read-only guest sees one of three folders at '/', under its usual name, and can't change anything", { timeout: 30_000 }, async (t) => {
  const f = await startAccounts(t);
  const owner = await connectAndLogin(f.port, OWNER.username, OWNER.password);
  const guest = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  t.after(() => {
    owner.close();
    guest.close();
  });

  assert.deepEqual(await names(owner), ['Docs', 'Music', 'Photos']);
  // A virtual root of one folder, not the folder as root: the guest's paths are the owner's.
  assert.deepEqual(await names(guest), ['Music']);
  assert.deepEqual(await names(guest, '/Music'), ['song.mp3']);
  assert.equal((await downloadOk(guest, 'RETR /Music/song.mp3')).toString(), 'song.mp3 bytes\n');
  for (const hidden of ['/Photos', '/Docs', '/Photos/beach.jpg']) {
    assert.equal((await guest.command(`CWD ${hidden}`)).code, 550, `CWD ${hidden}`);
    assert.equal((await guest.command(`SIZE ${hidden}/../Photos/beach.jpg`)).code, 550);
  }

  // Every kind of write is refused, and nothing on disk changes.
  const before = await snapshotTree(f.base);
  assert.equal(await tryStore(guest, '/Music/new.txt'), 550);
  assert.equal(await tryStore(guest, '/Music/song.mp3'), 550);
  for (const command of ['DELE /Music/song.mp3', 'MKD /Music/sub', 'RMD /Music', 'RNFR /Music/song.mp3', 'MKD /Photos/x', 'SITE CHMOD 777 /Music/song.mp3']) {
    const code = (await guest.command(command)).code;
    assert.ok(code >= 500 && code < 600, `${command} refused, got ${code}`);
  }
  assert.deepEqual(await snapshotTree(f.base), before, 'the tree is unchanged');

  // The owner may write, in every folder.
  await uploadOk(owner, 'STOR /Photos/from-owner.txt', 'hello');
  assert.deepEqual(await names(owner, '/Photos'), ['beach.jpg', 'from-owner.txt']);

  // The Sessions panel shows who is who.
  await waitFor(async () => {
    const users = unwrap(await f.service.getSessions()).map((s) => s.user).sort();
    return JSON.stringify(users) === JSON.stringify(['ann', 'guest']);
  }, 'sessions of ann and guest');
});

test("changing the guest's rights applies at its next command; the share's read-only switch applies on top", { timeout: 30_000 }, async (t) => {
  const f = await startAccounts(t);
  const started = unwrap(await f.service.getState());
  const guest = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  const owner = await connectAndLogin(f.port, OWNER.username, OWNER.password);
  t.after(() => {
    guest.close();
    owner.close();
  });
  assert.equal(await tryStore(guest, '/Music/a.txt'), 550);

  // Read-write, and a second folder: the same session, from its next command.
  const readWrite = { username: 'guest', password: GUEST_PASSWORD, folders: [f.music, f.docs] };
  unwrap(await f.service.updateSettings({ access: { mode: 'password', ...OWNER, otherAccounts: [readWrite] } }));
  assert.equal(await tryStore(guest, '/Music/a.txt'), 226);
  assert.deepEqual(await names(guest), ['Docs', 'Music']);
  assert.deepEqual(await names(guest, '/Music'), ['a.txt', 'song.mp3']);

  // The share read-only: nobody writes, whatever the account allows; off again, both write.
  unwrap(await f.service.updateSettings({ readOnly: true }));
  assert.equal(await tryStore(guest, '/Music/b.txt'), 550);
  assert.equal(await tryStore(owner, '/Photos/b.txt'), 550);
  unwrap(await f.service.updateSettings({ readOnly: false }));
  assert.equal(await tryStore(guest, '/Docs/c.txt'), 226);
  assert.equal(await tryStore(owner, '/Photos/c.txt'), 226);

  // Read-only again for the guest alone: the owner still writes.
  unwrap(await f.service.updateSettings({ access: { mode: 'password', ...OWNER, otherAccounts: [{ ...readWrite, readOnly: true }] } }));
  assert.equal(await tryStore(guest, '/Docs/d.txt'), 550);
  assert.equal(await tryStore(owner, '/Docs/d.txt'), 226);

  // Nothing restarted, nobody was disconnected.
  const state = unwrap(await f.service.getState());
  assert.equal(state.startedAt, started.startedAt);
  assert.ok(!guest.closed && !owner.closed);
});

test('removing an account ends its live sessions; the others stay; it can no longer sign in', { timeout: 30_000 }, async (t) => {
  const f = await startAccounts(t);
  const guest = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  const guest2 = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  const owner = await connectAndLogin(f.port, OWNER.username, OWNER.password);
  t.after(() => {
    guest.close();
    guest2.close();
    owner.close();
  });
  await waitFor(async () => unwrap(await f.service.getSessions()).filter((s) => s.user === 'guest').length === 2, 'two guest sessions');
  // With several accounts the addresses name nobody: each person signs in with their own.
  assert.deepEqual(unwrap(await f.service.getState()).urls.map((u) => u.url), [`ftp://127.0.0.1:${f.port}/`]);

  unwrap(await f.service.updateSettings({ access: { mode: 'password', ...OWNER } }));
  assert.deepEqual(unwrap(await f.service.getState()).urls.map((u) => u.url), [`ftp://ann@127.0.0.1:${f.port}/`]);
  await waitClosed(guest);
  await waitClosed(guest2);
  assert.deepEqual((await owner.command('NOOP')).lines, ['200 NOOP ok']);
  assert.equal(await loginCode(f.port, 'guest', GUEST_PASSWORD), 530);
  assert.equal(await loginCode(f.port, OWNER.username, OWNER.password), 230);
  await waitFor(async () => unwrap(await f.service.getSessions()).every((s) => s.user !== 'guest'), 'no guest session left');

  const logs = await logTexts(f.service);
  assert.ok(
    logs.includes('Sign-in changed: new sign-ins need user "ann" and its password. Account "guest" was removed: its 2 sessions ended. The person already connected stays connected.'),
    logs.join('\n'),
  );
  // Renaming is removing too: sessions of the old name end.
  const renamed = await connectAndLogin(f.port, OWNER.username, OWNER.password);
  t.after(() => renamed.close());
  unwrap(await f.service.updateSettings({ access: { mode: 'password', username: 'anne', password: OWNER.password } }));
  await waitClosed(renamed);
});

test('turning sign-in off keeps every account (their sessions go on); back on restores them all', { timeout: 30_000 }, async (t) => {
  const f = await startAccounts(t);
  const guest = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  t.after(() => guest.close());
  const before = unwrap(await f.service.getSettings()).access;

  const anonymous = unwrap(await f.service.updateSettings({ access: { mode: 'anonymous' } }));
  assert.equal(anonymous.access.mode, 'anonymous');
  // The guest signed in before keeps its own view; anonymous sessions get the whole share.
  assert.deepEqual(await names(guest), ['Music']);
  const visitor = await connectAndLogin(f.port, 'anonymous', 'x');
  t.after(() => visitor.close());
  assert.deepEqual(await names(visitor), ['Docs', 'Music', 'Photos']);

  assert.ok(anonymous.access.mode === 'anonymous');
  const restored = unwrap(await f.service.updateSettings({ access: { mode: 'password', ...anonymous.access.account! } }));
  assert.deepEqual(restored.access, before);
  assert.equal(await loginCode(f.port, 'guest', GUEST_PASSWORD), 230);
  assert.ok(!guest.closed);

  // A new password for the first account keeps the others.
  const generated = unwrap(await f.service.generatePassword());
  assert.ok(generated.access.mode === 'password' && before.mode === 'password');
  assert.notEqual(generated.access.password, OWNER.password);
  assert.deepEqual(generated.access.otherAccounts, before.otherAccounts);
});

test('a folder that stops being shared leaves the guest that saw it, who then sees none', { timeout: 30_000 }, async (t) => {
  const f = await startAccounts(t);
  const guest = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  t.after(() => guest.close());
  const settings = unwrap(await f.service.removeFolder({ path: f.music }));
  assert.ok(settings.access.mode === 'password');
  assert.deepEqual(settings.access.otherAccounts?.[0]?.folders, []);
  assert.deepEqual(await names(guest), []);
  // Through updateSettings too.
  const again = unwrap(await f.service.updateSettings({ folders: [f.photos] }));
  assert.ok(again.access.mode === 'password');
  assert.deepEqual(again.access.otherAccounts?.[0]?.folders, []);
  // A request that names an account's folders itself is checked as given.
  const refused = await f.service.updateSettings({ folders: [f.photos], access: { mode: 'password', ...OWNER, otherAccounts: [{ username: 'guest', password: GUEST_PASSWORD, folders: [f.docs] }] } });
  assert.ok(!refused.ok);
  assert.deepEqual(refused.fields, [{ field: 'access.otherAccounts[0].folders[0]', message: `Not a shared folder: ${f.docs}` }]);
});

test("no account's password reaches the log, a notice or a pushed event other than the settings", { timeout: 30_000 }, async (t) => {
  const f = await startAccounts(t);
  // A password typed as a user name, a failed login, a removal: all narrated.
  const wrong = await connectOnly(f.port);
  t.after(() => wrong.close());
  await wrong.command(`USER ${GUEST_PASSWORD}`);
  await wrong.command(`PASS ${OWNER.password}`);
  const guest = await connectAndLogin(f.port, 'guest', GUEST_PASSWORD);
  t.after(() => guest.close());
  unwrap(await f.service.updateSettings({ access: { mode: 'password', ...OWNER } }));
  await waitClosed(guest);
  await waitFor(() => f.pushes.some((p) => p.event === 'notice'), 'a notice');
  const logs = JSON.stringify(unwrap(await f.service.getLogs()));
  for (const secret of [OWNER.password, GUEST_PASSWORD]) {
    assert.ok(!logs.includes(secret), 'not in the log');
    for (const push of f.pushes.filter((p) => p.event !== 'settings')) assert.ok(!JSON.stringify(push.payload).includes(secret), `not in a ${push.event} push`);
  }
});
